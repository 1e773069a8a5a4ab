/**
 * OTLP metrics for every configured backend, derived from the spans as they end (so the numbers
 * are the trace's numbers): token usage and operation duration per the GenAI conventions, and
 * claudia's own cost, tool-call and tool-duration metrics. Flushed at exit, so a 2-second run still
 * delivers them.
 */
import type { Attributes, Context, Counter, Histogram } from "@opentelemetry/api";
import { type ExportResult, ExportResultCode } from "@opentelemetry/core";
import type { Resource } from "@opentelemetry/resources";
import { MeterProvider, PeriodicExportingMetricReader, type PushMetricExporter } from "@opentelemetry/sdk-metrics";
import type { ReadableSpan, Span, SpanProcessor } from "@opentelemetry/sdk-trace";
import type { Endpoint } from "../config/backends.ts";
import type { Temporality } from "../config/resolve.ts";
import { ATTR, METRIC, TRACER_NAME } from "../trace/semconv.ts";
import type { SemconvMode } from "../trace/semconv-mode.ts";
import { type ExportDeadline, LATE } from "./deadline.ts";
import { TlsFileError } from "./otlp-exporters.ts";
import { otlpMetricExporter } from "./otlp-metric-exporter.ts";

export { METRIC } from "../trace/semconv.ts";

const seconds = (span: ReadableSpan) => span.duration[0] + span.duration[1] / 1e9;

/** Records the run's metrics from its spans as they end. */
class MetricsFromSpans implements SpanProcessor {
  /** One histogram for both directions (`gen_ai.token.type`), or one per direction in the newest conventions. */
  private readonly tokens: { input: Histogram; output: Histogram };
  private readonly duration: Histogram;
  private readonly cost: Counter;
  private readonly toolCalls: Counter;
  private readonly toolDuration: Histogram;

  constructor(
    private readonly provider: MeterProvider,
    private readonly mode: SemconvMode,
  ) {
    const meter = provider.getMeter(TRACER_NAME);
    const tokens = (name: string, description: string) =>
      meter.createHistogram(name, {
        unit: "{token}",
        description,
        advice: { explicitBucketBoundaries: [1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304] },
      });
    if (mode.latest) {
      this.tokens = {
        input: tokens(METRIC.inputTokensPerOperation, "Input tokens per model call (cache reads and writes included)"),
        output: tokens(METRIC.outputTokensPerOperation, "Output tokens per model call"),
      };
    } else {
      const both = tokens(
        METRIC.tokenUsage,
        "Tokens used per model call, by type (input includes cache reads and writes)",
      );
      this.tokens = { input: both, output: both };
    }
    this.duration = meter.createHistogram(METRIC.operationDuration, {
      unit: "s",
      description: "Duration of model calls (chat) and agent runs (invoke_agent)",
      advice: {
        explicitBucketBoundaries: [
          0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92,
        ],
      },
    });
    this.cost = meter.createCounter(METRIC.cost, { unit: "USD", description: "Cost of model calls, by model" });
    this.toolCalls = meter.createCounter(METRIC.toolCalls, {
      unit: "{call}",
      description: "Tool calls, by tool and outcome",
    });
    this.toolDuration = meter.createHistogram(METRIC.toolDuration, { unit: "s", description: "Tool call duration" });
  }

  onStart(_span: Span, _context: Context): void {}

  onEnd(span: ReadableSpan): void {
    const a = span.attributes;
    const op = a[ATTR.operationName];
    if (op === "chat" || op === "invoke_agent") {
      const common: Attributes = {
        [ATTR.operationName]: op,
        [ATTR.providerName]: a[ATTR.providerName] ?? "anthropic",
      };
      if (a[ATTR.requestModel] !== undefined) common[ATTR.requestModel] = a[ATTR.requestModel];
      if (a[ATTR.responseModel] !== undefined) common[ATTR.responseModel] = a[ATTR.responseModel];
      // Where the model calls went (chat spans only): recommended, the port required with the address.
      if (a[ATTR.serverAddress] !== undefined) common[ATTR.serverAddress] = a[ATTR.serverAddress];
      if (a[ATTR.serverPort] !== undefined) common[ATTR.serverPort] = a[ATTR.serverPort];
      const failed = span.status.code === 2;
      this.duration.record(
        seconds(span),
        failed ? { ...common, [ATTR.errorType]: String(a[ATTR.errorType] ?? "error") } : common,
      );
      if (op === "chat") {
        for (const [type, key] of [
          ["input", ATTR.inputTokens],
          ["output", ATTR.outputTokens],
        ] as const) {
          const count = a[key];
          if (typeof count !== "number") continue;
          if (this.mode.latest) this.tokens[type].record(count, common);
          else this.tokens[type].record(count, { ...common, [METRIC.tokenType]: type });
        }
        const cost = a[ATTR.cost];
        if (typeof cost === "number") this.cost.add(cost, { [ATTR.requestModel]: String(a[ATTR.requestModel]) });
      }
    } else if (op === "execute_tool") {
      const attributes = {
        [ATTR.toolName]: String(a[ATTR.toolName] ?? span.name),
        outcome: span.status.code === 2 ? String(a[ATTR.errorType] ?? "error") : "success",
      };
      this.toolCalls.add(1, attributes);
      this.toolDuration.record(seconds(span), attributes);
    }
  }

  forceFlush(): Promise<void> {
    return this.provider.forceFlush();
  }

  shutdown(): Promise<void> {
    return this.provider.shutdown();
  }
}

/** The metrics span processor for these endpoints (one reader each), or undefined when there is none. */
export async function createMetrics(
  endpoints: Endpoint[],
  resource: Resource,
  options: { timeoutMillis: number; temporality: Temporality; mode: SemconvMode; deadline: ExportDeadline },
): Promise<SpanProcessor | undefined> {
  // A backend whose certificate or key files cannot be read gets no metrics either (as no spans).
  const exporters = await Promise.all(
    endpoints.map((endpoint) =>
      otlpMetricExporter(endpoint, options.timeoutMillis, options.temporality).catch((error: unknown) => {
        if (error instanceof TlsFileError) return undefined;
        throw error;
      }),
    ),
  );
  const readers = exporters.flatMap((exporter) =>
    exporter
      ? [
          new PeriodicExportingMetricReader({
            exporter: withDeadline(exporter, options.deadline),
            // Runs are short: metrics are sent at exit (forceFlush), not on a timer that may never fire.
            // The SDK wants the interval at least the timeout, which the user sets.
            exportIntervalMillis: Math.max(60000, options.timeoutMillis),
            exportTimeoutMillis: options.timeoutMillis,
          }),
        ]
      : [],
  );
  if (readers.length === 0) return undefined;
  return new MetricsFromSpans(new MeterProvider({ resource, readers }), options.mode);
}

/** The exporter, its exports answered as failed once the run's export deadline has passed (see `ExportDeadline`). */
function withDeadline(inner: PushMetricExporter, deadline: ExportDeadline): PushMetricExporter {
  return {
    export: (metrics, done) => {
      const answer = deadline.once<ExportResult>(done, () => ({ code: ExportResultCode.FAILED, error: LATE }));
      if (!deadline.passed) inner.export(metrics, answer);
    },
    forceFlush: () => inner.forceFlush(),
    shutdown: () => (deadline.passed ? Promise.resolve() : inner.shutdown()),
    selectAggregationTemporality: inner.selectAggregationTemporality?.bind(inner),
    selectAggregation: inner.selectAggregation?.bind(inner),
  };
}
