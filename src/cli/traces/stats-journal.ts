/** The journal's runs as the statistics read them: records, and each run's spans read lazily. */
import type { StoredRun } from "../../export/journal-store.ts";
import { readRequests, spansOf } from "../../export/journal-store.ts";
import type { StatsRun } from "./stats.ts";

/** Each run with its spans, read one run at a time; runs started before `since` are not read. */
export function* statsRuns(
  runs: StoredRun[],
  since: number | null,
  warn: (message: string) => void,
): Generator<StatsRun> {
  for (const run of runs) {
    if (since !== null && run.record.startTime < since) continue;
    yield { record: run.record, spans: spansOf(readRequests(run.spansPath, warn)) };
  }
}
