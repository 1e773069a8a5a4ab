/** A run's record for tests that write a journal directly: a one-second run, its fields overridable. */
import type { RunRecord } from "../../src/export/journal.ts";

export const runRecord = (traceId: string, startTime: number, fields: Partial<RunRecord> = {}): RunRecord => ({
  traceId,
  startTime,
  endTime: startTime + 1000,
  durationMs: 1000,
  status: "ok",
  toolCalls: 0,
  inputTokens: 1,
  outputTokens: 1,
  spans: 1,
  deliveries: {},
  ...fields,
});
