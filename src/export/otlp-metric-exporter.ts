/**
 * OTLP metric exporters, built from a resolved `Endpoint` alone (see otlp-exporters.ts): loaded with
 * the metrics SDK, only when a backend takes metrics.
 */

import { createOtlpHttpExportDelegate } from "@opentelemetry/otlp-exporter-base/node-http";
import {
  JsonMetricsSerializer,
  MetricsExporterMetricsHelper,
  ProtobufMetricsSerializer,
} from "@opentelemetry/otlp-transformer";
import type { PushMetricExporter, ResourceMetrics } from "@opentelemetry/sdk-metrics";
import type { Endpoint } from "../config/backends.ts";
import type { Temporality } from "../config/resolve.ts";
import { retryingExport } from "./grpc-retry.ts";
import { grpcOptions, httpOptions } from "./otlp-exporters.ts";

/** A metric exporter for this endpoint, reading nothing but the endpoint and the temporality. */
export async function otlpMetricExporter(
  endpoint: Endpoint,
  timeoutMillis: number,
  temporality: Temporality,
): Promise<PushMetricExporter> {
  const { AggregationTemporalityPreference, OTLPMetricExporterBase } = await import(
    "@opentelemetry/exporter-metrics-otlp-http"
  );
  const temporalityPreference = {
    delta: AggregationTemporalityPreference.DELTA,
    cumulative: AggregationTemporalityPreference.CUMULATIVE,
    lowmemory: AggregationTemporalityPreference.LOWMEMORY,
  }[temporality];
  if (endpoint.protocol === "grpc") {
    const { createOtlpGrpcExportDelegate } = await import("@opentelemetry/otlp-grpc-exporter-base");
    const options = await grpcOptions(endpoint, timeoutMillis);
    const make = async (ms: number) =>
      new OTLPMetricExporterBase(
        createOtlpGrpcExportDelegate<ResourceMetrics, unknown>(
          { ...options, timeoutMillis: ms },
          ProtobufMetricsSerializer,
          "otlp_grpc_metric_exporter",
          MetricsExporterMetricsHelper,
          undefined,
          "MetricsExportService",
          "/opentelemetry.proto.collector.metrics.v1.MetricsService/Export",
        ),
        { temporalityPreference },
      );
    const exporter = await make(timeoutMillis);
    // Only a run exports metrics: the retries' waits never hold the process (see grpc-retry.ts).
    return Object.assign(exporter, {
      export: retryingExport(exporter, make, { timeoutMillis, detached: true }),
    });
  }
  const serializer = endpoint.protocol === "http/json" ? JsonMetricsSerializer : ProtobufMetricsSerializer;
  const delegate = createOtlpHttpExportDelegate<ResourceMetrics, unknown>(
    // Only a run exports metrics: detached, as its span exporters.
    httpOptions(endpoint, timeoutMillis, true),
    serializer,
    "otlp_http_metric_exporter",
    MetricsExporterMetricsHelper,
    undefined,
  );
  return new OTLPMetricExporterBase(delegate, { temporalityPreference });
}
