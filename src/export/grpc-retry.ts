/**
 * OTLP/gRPC exports tried again within their time, as the OTLP specification asks of an exporter.
 * The OpenTelemetry SDK retries its HTTP exports but not its gRPC ones: a collector that restarts,
 * or is not up yet when the run starts (a CI service container), cost the run's spans their in-run
 * delivery over gRPC and not over HTTP.
 *
 * The statuses the specification calls retryable are tried again with the SDK's HTTP backoff (1 s,
 * then ×1.5 with ±20 % jitter, at most 5 s a wait, at most 5 retries). All attempts of an export end
 * within the time of one: each retry goes through an exporter made for it with only what is left
 * of that time as its deadline (the SDK's gRPC exporter takes its deadline once, when it is made),
 * so a retry never holds the process longer than the first attempt could have.
 *
 * A collector that answers (UNAVAILABLE while it starts or drains, say) is retried reliably. One
 * that refuses connections is retried too, but grpc-js keeps its own reconnect backoff for the
 * address (1 s, growing ×1.6): a retry made before grpc-js has connected again is answered
 * "No connection established" at once, so such an outage is outlived only when a retry falls after
 * that reconnect.
 *
 * RESOURCE_EXHAUSTED is retryable only when the server says when (RetryInfo), which is not read
 * here: it is not tried again, nor is a message over the server's size limit (splitting-exporter.ts).
 */
import { type ExportResult, ExportResultCode } from "@opentelemetry/core";
import { grpcError } from "./grpc-error.ts";

/** CANCELLED, DEADLINE_EXCEEDED, ABORTED, OUT_OF_RANGE, UNAVAILABLE, DATA_LOSS. */
const RETRYABLE = new Set([1, 4, 10, 11, 14, 15]);
const MAX_RETRIES = 5;
const FIRST_WAIT_MS = 1000;
const MAX_WAIT_MS = 5000;
const MULTIPLIER = 1.5;
const JITTER = 0.2;
/** Less time than this left: no retry (it could not even connect). */
const SHORTEST_ATTEMPT_MS = 50;

/** A gRPC failure the specification says may succeed when sent again. */
export function isRetryableGrpc(result: ExportResult): boolean {
  const grpc = result.code === ExportResultCode.FAILED ? grpcError(result.error) : undefined;
  return grpc !== undefined && RETRYABLE.has(grpc.code);
}

export interface RetryOptions {
  /** The export's time: every attempt ends within it, counted from the first attempt's start. */
  timeoutMillis: number;
  /** The waits do not keep the process alive (a run's exports: claudia holds it for its own bounds). */
  detached: boolean;
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

/**
 * `attempt(ms)` (an attempt given `ms` to end in) until it succeeds, fails in a way sending again
 * does not change, or the export's time is up.
 */
export async function withGrpcRetries(
  attempt: (ms: number) => Promise<ExportResult>,
  options: RetryOptions,
): Promise<ExportResult> {
  const now = options.now ?? Date.now;
  const random = options.random ?? Math.random;
  const wait = options.wait ?? timer;
  const end = now() + options.timeoutMillis;
  const first = await attempt(options.timeoutMillis);
  let result = first;
  let backoff = FIRST_WAIT_MS;
  for (let retry = 0; retry < MAX_RETRIES && isRetryableGrpc(result); retry++) {
    const ms = Math.min(backoff * (1 + (random() * 2 - 1) * JITTER), MAX_WAIT_MS);
    if (end - (now() + ms) < SHORTEST_ATTEMPT_MS) break;
    await wait(ms, options.detached);
    const left = end - now();
    if (left < SHORTEST_ATTEMPT_MS) break;
    result = await attempt(left);
    backoff *= MULTIPLIER;
  }
  // Still failing as it may pass: the first failure says why (a retry during grpc-js's reconnect
  // backoff only says "No connection established", where the first said ECONNREFUSED).
  return isRetryableGrpc(result) ? first : result;
}

/** What span and metric exporters have in common. */
export interface Exporter<T> {
  export(items: T, done: (result: ExportResult) => void): void;
  shutdown(): Promise<void>;
}

/**
 * The `export` of `first`, retried through exporters `make(ms)` builds for one attempt each, with
 * `ms` as their time (see above).
 */
export function retryingExport<T>(
  first: Exporter<T>,
  make: (ms: number) => Promise<Exporter<T>>,
  options: RetryOptions,
): Exporter<T>["export"] {
  const once = (exporter: Exporter<T>, items: T) =>
    new Promise<ExportResult>((resolve) => exporter.export(items, resolve));
  const retry = async (items: T, ms: number) => {
    const fresh = await make(ms);
    try {
      return await once(fresh, items);
    } finally {
      fresh.shutdown().catch(() => {});
    }
  };
  // Taken now: the caller may put the returned function in its place.
  const firstExport = first.export.bind(first);
  const sendFirst = (items: T) => new Promise<ExportResult>((resolve) => firstExport(items, resolve));
  return (items, done) => {
    let attempts = 0;
    const attempt = (ms: number) => (attempts++ === 0 ? sendFirst(items) : retry(items, ms));
    withGrpcRetries(attempt, options).then(done, (error: unknown) =>
      done({ code: ExportResultCode.FAILED, error: error as Error }),
    );
  };
}
