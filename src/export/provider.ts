/**
 * The OpenTelemetry tracer provider for a run: resource, preset root ids, and one batch
 * processor per configured backend. Export failures are counted, not thrown: telemetry never
 * changes what the agent does.
 */

import { type ExportResult, ExportResultCode } from "@opentelemetry/core";
import { resourceFromAttributes } from "@opentelemetry/resources";
import type { IdGenerator, ReadableSpan, SpanExporter, SpanProcessor } from "@opentelemetry/sdk-trace";
import { BatchSpanProcessor, TracerProvider } from "@opentelemetry/sdk-trace";
import { createRedactor, credentialValues } from "../trace/redact.ts";
import { type Backend, type TelemetryConfig, tracesEndpoint } from "./config.ts";
import { ExportDeadline, LATE } from "./deadline.ts";
import { GRPC_INVALID_ARGUMENT, grpcError } from "./grpc-error.ts";
import { httpStatusOf, httpStatusText } from "./http-status.ts";
import { LogfireExporter } from "./logfire.ts";
import { SentryExporter } from "./sentry.ts";
import { isTooLarge, SplittingExporter } from "./splitting-exporter.ts";

export interface ExportReport {
  backend: string;
  exported: number;
  failed: number;
  lastError?: string;
  /** The backend refused some of the run's data itself (see `isRefusal`). */
  refused?: boolean;
}

/** Wraps an exporter to count what was delivered and remember the last failure. */
export class ReportingExporter implements SpanExporter {
  readonly report: ExportReport;
  /**
   * Exports not answered yet. The batch processor's flush does not wait for an export its timer
   * started (and a 413 can make one take several requests), so flush and shutdown wait here.
   */
  private readonly pending = new Set<Promise<void>>();
  constructor(
    private readonly inner: SpanExporter,
    backend: string,
    private readonly deadline = new ExportDeadline(),
    private readonly describe: (error: unknown) => string = describeError,
  ) {
    this.report = { backend, exported: 0, failed: 0 };
  }
  export(spans: ReadableSpan[], done: (result: ExportResult) => void): void {
    let answered = () => {};
    const pending = new Promise<void>((resolve) => (answered = resolve));
    this.pending.add(pending);
    const answer = this.deadline.once<ExportResult>(
      (result) => {
        if (result.code === ExportResultCode.SUCCESS) this.report.exported += spans.length;
        else {
          this.report.failed += spans.length;
          // A late answer does not hide why an earlier export failed.
          if (result.error !== LATE || this.report.lastError === undefined)
            this.report.lastError = this.describe(result.error);
          if (isRefusal(result.error)) this.report.refused = true;
        }
        this.pending.delete(pending);
        answered();
        done(result);
      },
      () => ({ code: ExportResultCode.FAILED, error: LATE }),
    );
    if (this.deadline.passed) return;
    this.inner.export(spans, answer);
  }
  async shutdown(): Promise<void> {
    await Promise.all(this.pending);
    return this.inner.shutdown();
  }
  async forceFlush(): Promise<void> {
    await Promise.all(this.pending);
    return this.inner.forceFlush?.();
  }
}

/** An exporter that sends nothing and says why (a backend configured with files that cannot be read). */
class RefusingExporter implements SpanExporter {
  constructor(private readonly reason: string) {}
  export(_spans: ReadableSpan[], done: (result: ExportResult) => void): void {
    done({ code: ExportResultCode.FAILED, error: new Error(this.reason) });
  }
  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}

/**
 * A refusal of the data itself (400 Bad Request, 413 for a span too large even alone, and gRPC's
 * INVALID_ARGUMENT and message-too-large), not of the moment: sending the same data again changes nothing.
 */
export function isRefusal(error: unknown): boolean {
  if (isTooLarge(error)) return true;
  const grpc = grpcError(error);
  if (grpc) return grpc.code === GRPC_INVALID_ARGUMENT;
  const e = error as { code?: unknown; status?: unknown } | undefined;
  const status = e?.code ?? e?.status;
  return status === 400 || status === 413;
}

export function describeError(error: unknown): string {
  if (!error) return "unknown error";
  const grpc = grpcError(error);
  // "14 UNAVAILABLE: details" already names the status; the timings and empty notes grpc-js appends say nothing more.
  if (grpc)
    return (grpc.message.split("\n")[0] ?? "")
      .replace(/^(\d+ DEADLINE_EXCEEDED: Deadline exceeded after [\d.]+s),.*$/, "$1")
      .replace(/\s*Resolution note:\s*$/, "");
  // The status alone: a backend's own reason phrase and body may echo the request's credentials.
  const status = httpStatusOf(error);
  if (status !== undefined) return httpStatusText(status);
  const e = error as { code?: unknown; message?: unknown; cause?: { code?: unknown } };
  const code = e.cause?.code ?? e.code;
  const message = typeof e.message === "string" ? e.message : String(error);
  return code ? `${String(code)}: ${message.split("\n")[0]}` : (message.split("\n")[0] ?? "");
}

const describers = new WeakMap<Backend, (error: unknown) => string>();

/**
 * `describeError` for one backend's failures, its own credentials replaced: a backend's message
 * (gRPC's details) may echo what the request carried. Made once per backend: a re-send may fail
 * run after run, and the redactor's patterns are compiled when it is made.
 */
export function failureDescriber(backend: Backend): (error: unknown) => string {
  let describe = describers.get(backend);
  if (!describe) {
    const redact = createRedactor({}, credentialValues([backend]));
    describe = (error) => redact(describeError(error));
    describers.set(backend, describe);
  }
  return describe;
}

/**
 * The exporter for one backend: OTLP in its protocol; a 413 splits the batch (and trims a lone
 * oversized span) instead of losing it; Logfire gets the attributes its UI reads; Sentry gets
 * envelopes. `detached` for a run's exporters (see `httpOptions`).
 */
export async function backendExporter(
  backend: Backend,
  timeoutMillis: number,
  detached = false,
): Promise<SpanExporter> {
  if (backend.sentry) return new SentryExporter(backend.sentry, timeoutMillis);
  const endpoint = tracesEndpoint(backend);
  if (!endpoint) throw new Error(`backend ${backend.name} has neither an OTLP endpoint nor a Sentry DSN`);
  // The exporter's own deadline (retries included) comes a little before the span processor's, so a
  // failed export ends with the exporter's reason (ECONNREFUSED, a status code), not a bare timeout.
  const { otlpTraceExporter, TlsFileError } = await import("./otlp.ts");
  let otlp: SpanExporter;
  try {
    otlp = await otlpTraceExporter(endpoint, Math.round(timeoutMillis * 0.9), detached);
  } catch (error) {
    if (error instanceof TlsFileError) return new RefusingExporter(error.message);
    throw error;
  }
  const exporter = new SplittingExporter(otlp);
  return backend.name === "logfire" ? new LogfireExporter(exporter) : exporter;
}

export interface RunProvider {
  provider: TracerProvider;
  reports: ExportReport[];
  /** Flush and shut down, waiting at most the configured bound. */
  close(): Promise<void>;
}

export async function createRunProvider(
  config: TelemetryConfig,
  idGenerator?: IdGenerator,
  extraExporters: SpanExporter[] = [],
): Promise<RunProvider> {
  // OTEL_RESOURCE_ATTRIBUTES, then the resolved service name over it (flag > OTEL_SERVICE_NAME > its service.name > default).
  const resource = resourceFromAttributes({ ...config.resourceAttributes, "service.name": config.serviceName });
  const deadline = new ExportDeadline();
  const reporting: ReportingExporter[] = [];
  for (const backend of config.backends) {
    const exporter = await backendExporter(backend, config.exportTimeoutMs, true);
    reporting.push(new ReportingExporter(exporter, backend.name, deadline, failureDescriber(backend)));
  }
  const spanProcessors: SpanProcessor[] = [...reporting, ...extraExporters].map(
    (exporter) =>
      new BatchSpanProcessor({
        exporter,
        maxExportBatchSize: 512,
        maxQueueSize: 65536,
        scheduledDelayMillis: config.scheduleDelayMs,
        exportTimeoutMillis: config.exportTimeoutMs,
      }),
  );
  // The metrics SDK loads only when a backend takes metrics (journal-only runs never need it).
  const metricEndpoints = config.backends.flatMap((b) => (b.metrics ? [b.metrics] : []));
  const metrics =
    metricEndpoints.length > 0
      ? await (await import("./otlp.ts")).createMetrics(metricEndpoints, resource, {
          timeoutMillis: config.exportTimeoutMs,
          temporality: config.metricsTemporality,
          mode: { latest: config.genAi.latest },
          deadline,
        })
      : undefined;
  // The first span is sent at once; the metrics wait for the end (collecting and sending them
  // mid-run as well cost CPU while Claude Code works, for points the end sends again).
  const batches = [...spanProcessors];
  if (metrics) spanProcessors.push(metrics);
  if (config.backends.length > 0)
    spanProcessors.push(new FirstSpanFlush(async () => void (await Promise.all(batches.map((b) => b.forceFlush())))));
  const provider = new TracerProvider({ resource, idGenerator, spanProcessors });
  return {
    provider,
    reports: reporting.map((r) => r.report),
    close: () => boundedClose(provider, config.exportTimeoutMs, deadline),
  };
}

/**
 * Sends what there is as soon as the run's first span ends, once. The run then shows in the backend
 * from its first model call, and the exporters' first request, which costs a fresh process some
 * 20–40 ms (node's HTTP client, the connection), is made while Claude Code works instead of after
 * it has exited. Later spans go every `scheduleDelayMs`, as usual.
 */
class FirstSpanFlush implements SpanProcessor {
  private done = false;
  constructor(private readonly flush: () => Promise<void>) {}
  onStart(): void {}
  onEnd(): void {
    if (this.done) return;
    this.done = true;
    setImmediate(() => {
      this.flush().catch(() => {
        // Counted by the reporting exporters.
      });
    });
  }
  forceFlush(): Promise<void> {
    return Promise.resolve();
  }
  shutdown(): Promise<void> {
    this.done = true;
    return Promise.resolve();
  }
}

async function boundedClose(provider: TracerProvider, timeoutMs: number, deadline: ExportDeadline): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const bound = new Promise<void>((resolve) => {
    // Referenced: the process lives until the run's exports are answered or the bound is over
    // (the run's connections do not hold it, see `httpOptions`).
    timer = setTimeout(() => {
      deadline.pass();
      resolve();
    }, timeoutMs + 250);
  });
  try {
    // Shutting down flushes: a forceFlush first would export the metrics twice (their reader
    // collects and exports again on shutdown). A shutdown that fails (one backend's export did)
    // still waits, within the bound, for the exports of the others.
    await Promise.race([provider.shutdown().catch(() => deadline.idle()), bound]);
  } finally {
    if (timer) clearTimeout(timer);
    // What is still unanswered now is not waited for: nothing of it may keep the process alive.
    deadline.pass();
  }
}
