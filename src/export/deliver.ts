/**
 * Sending stored runs to a backend: `claudia traces push` and `export`, and the background
 * re-send of undelivered runs at the start of the next run. A run is marked delivered only
 * after the backend's success answer.
 */
import type { Backend } from "./config.ts";
import { type Delivery, writeRecord } from "./journal.ts";
import { takeLock } from "./journal-lock.ts";
import { readRequests, type StoredRun, toReadableSpans } from "./journal-store.ts";
import { backendExporter, describeError } from "./provider.ts";
import { exportOnce } from "./splitting-exporter.ts";

/** The endpoint as it may be shown and stored: no credentials, no query. */
export function safeEndpoint(url: string): string {
  try {
    const u = new URL(url);
    u.username = "";
    u.password = "";
    u.search = "";
    return u.toString();
  } catch {
    return url.replace(/\?.*$/, "");
  }
}

/** Runs whose delivery to this backend failed. */
export function undelivered(runs: StoredRun[], backend: string): StoredRun[] {
  return runs.filter((run) => run.record.deliveries?.[backend]?.delivered === false);
}

/** Take a run for sending; false when another claudia has it. */
const lock = (run: StoredRun, backend: string) => takeLock(`${run.recordPath}.${backend}.sending`);

export interface DeliverResult {
  run: StoredRun;
  backend: string;
  delivery?: Delivery;
  skipped?: string;
}

/**
 * Send each run's stored spans to the configured OTLP backend and record the outcome in the
 * run's record. With `record: false` (an ad-hoc export elsewhere) the journal is not changed.
 */
export async function deliverRuns(
  runs: StoredRun[],
  backend: Backend,
  options: { timeoutMs: number; record?: boolean; warn?: (m: string) => void },
): Promise<DeliverResult[]> {
  const exporter = await backendExporter(backend, options.timeoutMs);
  const results: DeliverResult[] = [];
  try {
    for (const run of runs) {
      const release = lock(run, backend.name);
      if (!release) {
        results.push({ run, backend: backend.name, skipped: "another claudia is sending it" });
        continue;
      }
      try {
        const requests = readRequests(run.spansPath, options.warn);
        let spans = 0;
        let error: string | undefined;
        for (const request of requests) {
          const batch = toReadableSpans([request]);
          try {
            await exportOnce(exporter, batch);
            spans += batch.length;
          } catch (e) {
            error = describeError(e);
            break;
          }
        }
        const delivery: Delivery = {
          endpoint: safeEndpoint(backend.url),
          delivered: error === undefined && requests.length > 0,
          spans,
          at: new Date().toISOString(),
          ...(error ? { error } : requests.length === 0 ? { error: "no stored spans" } : {}),
        };
        if (options.record !== false) {
          run.record.deliveries = { ...(run.record.deliveries ?? {}), [backend.name]: delivery };
          writeRecord(run.recordPath, run.record);
        }
        results.push({ run, backend: backend.name, delivery });
      } finally {
        release();
      }
    }
  } finally {
    await exporter.shutdown().catch(() => {});
  }
  return results;
}
