/**
 * The OTLP half of the exporters, loaded when a backend speaks OTLP: its span exporters and the
 * run's metrics. One part for both (the command bundles it as one file), so the OpenTelemetry code
 * they share is loaded and compiled once.
 */
export { createMetrics } from "./metrics.ts";
export { otlpTraceExporter, TlsFileError } from "./otlp-exporters.ts";
