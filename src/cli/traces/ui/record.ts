/**
 * A run record as the viewer serves it: only the fields it shows, each of the expected type. Records
 * are files in the journal, which anything able to write there could have written: a wrong type
 * must not break the list, the filters or the statistics for every other run.
 */
import type { Delivery, RunRecord } from "../../../export/journal.ts";

const num = (v: unknown): number | undefined => (typeof v === "number" && Number.isFinite(v) ? v : undefined);
const str = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined);

function deliveriesOf(value: unknown): Record<string, Delivery> {
  const out: Record<string, Delivery> = {};
  if (value === null || typeof value !== "object") return out;
  for (const [name, d] of Object.entries(value as Record<string, unknown>)) {
    if (d === null || typeof d !== "object") continue;
    const delivery = d as Record<string, unknown>;
    out[name] = {
      endpoint: str(delivery.endpoint) ?? "",
      delivered: delivery.delivered === true,
      spans: num(delivery.spans) ?? 0,
      at: str(delivery.at) ?? "",
      error: str(delivery.error),
    };
  }
  return out;
}

export function viewRecord(r: RunRecord): RunRecord {
  const startTime = num(r.startTime) ?? 0;
  return {
    traceId: String(r.traceId),
    startTime,
    endTime: num(r.endTime) ?? startTime,
    durationMs: num(r.durationMs) ?? 0,
    status: r.status === "ok" ? "ok" : "error",
    errorType: str(r.errorType),
    prompt: str(r.prompt),
    model: str(r.model),
    numTurns: num(r.numTurns),
    toolCalls: num(r.toolCalls) ?? 0,
    inputTokens: num(r.inputTokens) ?? 0,
    outputTokens: num(r.outputTokens) ?? 0,
    costUsd: num(r.costUsd),
    sessionId: str(r.sessionId),
    exitCode: num(r.exitCode),
    spans: num(r.spans) ?? 0,
    deliveries: deliveriesOf(r.deliveries),
  };
}
