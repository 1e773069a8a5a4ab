/**
 * Sending stored runs to a backend: `claudia traces push` and `export`, and the background
 * re-send of undelivered runs at the start of the next run. A run is marked delivered only
 * after the backend's success answer.
 */
import type { SpanExporter } from "@opentelemetry/sdk-trace";
import { endpointIdentity } from "../config/urls.ts";
import type { Backend } from "./config.ts";
import { type Delivery, type RunRecord, writeRecord } from "./journal.ts";
import { takeLock } from "./journal-lock.ts";
import { pendingName } from "./journal-outbox.ts";
import { readRecord, readRequests, type StoredRun, toReadableSpans } from "./journal-store.ts";
import { backendExporter, describeError, failureDescriber, isRefusal } from "./provider.ts";
import { exportOnce } from "./splitting-exporter.ts";

/** The endpoint as it may be shown and stored: no credentials, no query values. */
export const safeEndpoint = endpointIdentity;

/**
 * The name under which the run records a failed delivery meant for this backend, matched by the
 * backend's identity (its endpoint), not its name: a run meant for endpoint A never goes to B.
 * Undefined when there is none, or when the run already reached that endpoint.
 */
export function pendingDelivery(run: StoredRun, backend: Backend): string | undefined {
  return pendingName(run.record, backend.identity);
}

/** Runs whose delivery to this backend failed. */
export function undelivered(runs: StoredRun[], backend: Backend): StoredRun[] {
  return runs.filter((run) => pendingDelivery(run, backend) !== undefined);
}

/**
 * Runs to re-send in the background: those whose delivery failed, except those the backend
 * refused (sending them at every run would only repeat the refusal; `push` still tries them).
 */
export function resendable(runs: StoredRun[], backend: Backend): StoredRun[] {
  return runs.filter((run) => {
    const name = pendingDelivery(run, backend);
    return name !== undefined && run.record.deliveries?.[name]?.refused !== true;
  });
}

/** Take a run for sending; false when another claudia has it. */
const lock = (run: StoredRun, backend: string) =>
  takeLock(`${run.recordPath}.${backend.replace(/[^A-Za-z0-9_-]/g, "_")}.sending`);

export interface DeliverResult {
  run: StoredRun;
  backend: string;
  delivery?: Delivery;
  skipped?: string;
  /**
   * The backend failed for a reason that is not about this run (down, timing out, overloaded, a
   * journal that cannot be written): the runs after it are not tried, so that a backend that is
   * down costs one timeout, not one per run.
   */
  unreachable?: boolean;
}

/**
 * Send each run's stored spans to one backend and record the outcome in the run's record, under
 * the name its failed delivery to that endpoint has (else the backend's name). With `record: false` (an ad-hoc export elsewhere) the journal is not changed.
 */
export async function deliverRuns(
  runs: StoredRun[],
  backend: Backend,
  options: DeliverOptions,
): Promise<DeliverResult[]> {
  const exporter = await backendExporter(backend, options.timeoutMs, options.detached);
  const results: DeliverResult[] = [];
  try {
    let down = false;
    for (const run of runs) {
      if (down) {
        results.push({ run, backend: backend.name, skipped: `not tried: ${backend.name} did not take the run before` });
        continue;
      }
      if (Date.now() >= (options.stop?.at ?? Number.POSITIVE_INFINITY)) {
        results.push({ run, backend: backend.name, skipped: "not tried: the program was ending" });
        continue;
      }
      const result = await deliverRun(run, backend, exporter, options);
      down = result.unreachable === true;
      results.push(result);
    }
  } finally {
    await exporter.shutdown().catch(() => {});
  }
  return results;
}

interface DeliverOptions {
  timeoutMs: number;
  record?: boolean;
  /**
   * Its connections never keep the process alive: the background re-send goes on while the
   * program does, and a run it is sending when the program ends stays undelivered in the journal.
   */
  detached?: boolean;
  /**
   * No run is started at or after `stop.at` (epoch ms; it may be set while the runs are sent): at
   * most the request already under way is waited for, over a protocol whose connections cannot be
   * detached (gRPC, Sentry's fetch). The rest stays for a later run.
   */
  stop?: { at: number };
  warn?: (m: string) => void;
}

async function deliverRun(
  run: StoredRun,
  backend: Backend,
  exporter: SpanExporter,
  options: DeliverOptions,
): Promise<DeliverResult> {
  const name = pendingDelivery(run, backend) ?? backend.name;
  const recording = options.record !== false;
  const taken = takeSending(run, name, recording);
  if (typeof taken === "string")
    return { run, backend: backend.name, delivery: notSent(backend, taken), unreachable: true };
  if (!taken) return { run, backend: backend.name, skipped: "another claudia is sending it" };
  try {
    if (recording) {
      // The record as it is now: another claudia may have delivered the run since it was listed.
      const now = currentRecord(run);
      if (!now) return { run, backend: backend.name, skipped: "it is no longer in the journal" };
      run.record = now;
      if (pendingDelivery(run, backend) === undefined)
        return { run, backend: backend.name, skipped: "another claudia has delivered it" };
    }
    const { delivery, unreachable } = await send(run, backend, exporter, options.warn);
    if (recording) recordDelivery(run, name, delivery, options.warn);
    return { run, backend: backend.name, delivery, unreachable };
  } finally {
    taken();
  }
}

/**
 * The run's lock for sending: its release, undefined when another claudia holds it, or why no lock
 * can be made (a read-only or full journal). A run whose delivery is to be recorded is then not
 * sent: it could not be marked delivered, and every push would send it again.
 */
function takeSending(run: StoredRun, name: string, recording: boolean): (() => void) | undefined | string {
  try {
    return lock(run, name);
  } catch (e) {
    if (!recording) return () => {};
    return `the journal cannot be written (${(e as NodeJS.ErrnoException).code ?? describeError(e)}), so it is not sent`;
  }
}

const notSent = (backend: Backend, error: string): Delivery => ({
  endpoint: backend.identity,
  delivered: false,
  spans: 0,
  at: new Date().toISOString(),
  error,
});

/** Send a run's stored requests in order, stopping at the first failure. */
async function send(
  run: StoredRun,
  backend: Backend,
  exporter: SpanExporter,
  warn: ((m: string) => void) | undefined,
): Promise<{ delivery: Delivery; unreachable: boolean }> {
  const requests = readRequests(run.spansPath, warn);
  let spans = 0;
  let failure: unknown;
  for (const request of requests) {
    const batch = toReadableSpans([request]);
    try {
      await exportOnce(exporter, batch);
      spans += batch.length;
    } catch (e) {
      failure = e ?? new Error("export failed");
      break;
    }
  }
  const refused = failure !== undefined && isRefusal(failure);
  const delivery: Delivery = {
    endpoint: backend.identity,
    delivered: failure === undefined && requests.length > 0,
    spans,
    at: new Date().toISOString(),
    ...(failure !== undefined
      ? { error: failureDescriber(backend)(failure) }
      : requests.length === 0
        ? { error: "no stored spans" }
        : {}),
    ...(refused ? { refused } : {}),
  };
  return { delivery, unreachable: failure !== undefined && !refused };
}

function currentRecord(run: StoredRun): RunRecord | undefined {
  try {
    return readRecord(run.recordPath);
  } catch {
    return undefined;
  }
}

/**
 * Add one delivery to the record as it is on disk now (another backend's delivery may have been
 * recorded meanwhile); a record removed meanwhile (pruned) is not brought back.
 */
function recordDelivery(run: StoredRun, name: string, delivery: Delivery, warn?: (m: string) => void): void {
  const record = currentRecord(run);
  if (!record) return;
  record.deliveries = { ...(record.deliveries ?? {}), [name]: delivery };
  run.record = record;
  try {
    writeRecord(run.recordPath, record);
  } catch (e) {
    warn?.(`could not record the delivery of ${record.traceId} in the journal (${describeError(e)})`);
  }
}
