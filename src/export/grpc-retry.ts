/**
 * OTLP/gRPC exports tried again within their time, as the OTLP specification asks of an exporter.
 * The OpenTelemetry SDK retries its HTTP exports but not its gRPC ones: a collector that restarts,
 * or is not up yet when the run starts (a CI service container), cost the run's spans their in-run
 * delivery over gRPC and not over HTTP.
 *
 * The statuses the specification calls retryable are tried again with the SDK's HTTP backoff (1 s,
 * then ×1.5 with ±20 % jitter, at most 5 s a wait), as long as the next attempt starts within the
 * export's time. RESOURCE_EXHAUSTED is retryable there only when the server says when (RetryInfo),
 * which is not read here: it is not tried again, and neither is a message over the server's size
 * limit (see splitting-exporter.ts).
 */
import { type ExportResult, ExportResultCode } from "@opentelemetry/core";
import type { ReadableSpan, SpanExporter } from "@opentelemetry/sdk-trace";
import { grpcError } from "./grpc-error.ts";

/** CANCELLED, DEADLINE_EXCEEDED, ABORTED, OUT_OF_RANGE, UNAVAILABLE, DATA_LOSS. */
const RETRYABLE = new Set([1, 4, 10, 11, 14, 15]);
const FIRST_WAIT_MS = 1000;
const MAX_WAIT_MS = 5000;
const MULTIPLIER = 1.5;
const JITTER = 0.2;

/** A gRPC failure the specification says may succeed when sent again. */
export function isRetryableGrpc(result: ExportResult): boolean {
  const grpc = result.code === ExportResultCode.FAILED ? grpcError(result.error) : undefined;
  return grpc !== undefined && RETRYABLE.has(grpc.code);
}

export interface RetryOptions {
  /** No attempt starts later than this after the first. */
  timeoutMillis: number;
  /** The waits do not keep the process alive (a run's exports: claudia holds it for its own bounds). */
  detached: boolean;
  /** True once no further attempt should start (the exporter was shut down). */
  stopped?: () => boolean;
  /** Waits this long; a timer unless a test gives another. */
  wait?: (ms: number, detached: boolean) => Promise<void>;
  random?: () => number;
  now?: () => number;
}

const timer = (ms: number, detached: boolean) =>
  new Promise<void>((resolve) => {
    const handle = setTimeout(resolve, ms);
    if (detached) handle.unref();
  });

/** `attempt` until it succeeds, fails in a way sending again does not change, or time is up. */
export async function withGrpcRetries(
  attempt: () => Promise<ExportResult>,
  options: RetryOptions,
): Promise<ExportResult> {
  const now = options.now ?? Date.now;
  const random = options.random ?? Math.random;
  const wait = options.wait ?? timer;
  const end = now() + options.timeoutMillis;
  let backoff = FIRST_WAIT_MS;
  for (;;) {
    const result = await attempt();
    if (!isRetryableGrpc(result) || options.stopped?.()) return result;
    const ms = Math.min(backoff * (1 + (random() * 2 - 1) * JITTER), MAX_WAIT_MS);
    if (now() + ms > end) return result;
    await wait(ms, options.detached);
    if (options.stopped?.()) return result;
    backoff *= MULTIPLIER;
  }
}

/** A gRPC span exporter whose exports are retried (`withGrpcRetries`). */
export class GrpcRetryingExporter implements SpanExporter {
  private stopped = false;

  constructor(
    private readonly inner: SpanExporter,
    private readonly options: RetryOptions,
  ) {}

  export(spans: ReadableSpan[], done: (result: ExportResult) => void): void {
    const attempt = () => new Promise<ExportResult>((resolve) => this.inner.export(spans, resolve));
    withGrpcRetries(attempt, { ...this.options, stopped: () => this.stopped }).then(done, (error: unknown) =>
      done({ code: ExportResultCode.FAILED, error: error as Error }),
    );
  }

  shutdown(): Promise<void> {
    this.stopped = true;
    return this.inner.shutdown();
  }

  forceFlush(): Promise<void> {
    return this.inner.forceFlush?.() ?? Promise.resolve();
  }
}
