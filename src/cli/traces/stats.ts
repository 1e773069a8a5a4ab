/**
 * Statistics over the journal: runs, failures, tokens and cost in total and by day, and calls,
 * failures and p50/p95 durations by day, model and tool. Pure: runs (record and spans) in, numbers
 * out. `claudia traces stats` and the viewer's "over time" page both show these numbers.
 */
import type { RunRecord } from "../../export/journal.ts";
import { anyValue, nanos, type OtlpSpan } from "../../export/journal-store.ts";
import { ATTR, OPERATION } from "../../trace/semconv.ts";

/** One run as the statistics read it: its record, and its spans (empty when they could not be read). */
export interface StatsRun {
  record: RunRecord;
  spans: OtlpSpan[];
}

export interface Durations {
  /** Median duration in ms (nearest rank), null without any. */
  p50Ms: number | null;
  p95Ms: number | null;
}

export interface Totals extends Durations {
  runs: number;
  failures: number;
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
  toolCalls: number;
}

export interface DayStats extends Totals {
  /** UTC day, YYYY-MM-DD. */
  day: string;
}

export interface ModelStats extends Durations {
  model: string;
  calls: number;
  failures: number;
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
}

export interface ToolStats extends Durations {
  tool: string;
  calls: number;
  failures: number;
}

export interface JournalStats {
  /** Runs started at or after this time (ms since the epoch), when given. */
  since: number | null;
  total: Totals;
  /** Oldest day first. */
  byDay: DayStats[];
  /** Model calls (`chat` spans), subagents' included; the most expensive model first. */
  byModel: ModelStats[];
  /** Tool calls (`execute_tool` spans); the tools that fail most first. */
  byTool: ToolStats[];
}

/** The value at rank ceil(q·n) of the sorted values (nearest-rank percentile). */
export function percentile(sorted: number[], q: number): number | null {
  if (sorted.length === 0) return null;
  const rank = Math.max(1, Math.ceil(q * sorted.length));
  return sorted[Math.min(sorted.length, rank) - 1] as number;
}

function durationsOf(values: number[]): Durations {
  const sorted = [...values].sort((a, b) => a - b);
  return { p50Ms: percentile(sorted, 0.5), p95Ms: percentile(sorted, 0.95) };
}

const round = (n: number) => Math.round(n * 1e9) / 1e9;

class Group {
  count = 0;
  failures = 0;
  inputTokens = 0;
  outputTokens = 0;
  costUsd = 0;
  toolCalls = 0;
  readonly durations: number[] = [];

  add(durationMs: number, failed: boolean, input = 0, output = 0, cost = 0, tools = 0): void {
    this.count++;
    if (failed) this.failures++;
    this.inputTokens += input;
    this.outputTokens += output;
    this.costUsd += cost;
    this.toolCalls += tools;
    this.durations.push(durationMs);
  }

  totals(): Totals {
    return {
      runs: this.count,
      failures: this.failures,
      inputTokens: this.inputTokens,
      outputTokens: this.outputTokens,
      costUsd: round(this.costUsd),
      toolCalls: this.toolCalls,
      ...durationsOf(this.durations),
    };
  }

  calls(): { calls: number; failures: number } & Durations {
    return { calls: this.count, failures: this.failures, ...durationsOf(this.durations) };
  }
}

const groupIn = (map: Map<string, Group>, key: string): Group => {
  const group = map.get(key) ?? new Group();
  map.set(key, group);
  return group;
};

const spanMs = (s: OtlpSpan) => Number(nanos(s.endTimeUnixNano) - nanos(s.startTimeUnixNano)) / 1e6;
const failed = (s: OtlpSpan) => s.status?.code === 2;

function attribute(span: OtlpSpan, key: string): unknown {
  return anyValue(span.attributes?.find((kv) => kv.key === key)?.value);
}

const numberOf = (v: unknown) => (typeof v === "number" && Number.isFinite(v) ? v : 0);

/** The statistics of these runs; with `since`, of the runs started at or after it. */
export function computeStats(runs: Iterable<StatsRun>, since: number | null = null): JournalStats {
  const total = new Group();
  const days = new Map<string, Group>();
  const models = new Map<string, Group>();
  const tools = new Map<string, Group>();
  for (const { record: r, spans } of runs) {
    if (since !== null && r.startTime < since) continue;
    const isError = r.status !== "ok";
    const args = [r.durationMs, isError, r.inputTokens, r.outputTokens, r.costUsd ?? 0, r.toolCalls] as const;
    total.add(...args);
    groupIn(days, new Date(r.startTime).toISOString().slice(0, 10)).add(...args);
    for (const span of spans) {
      const operation = attribute(span, ATTR.operationName);
      if (operation === OPERATION.chat) {
        const model = String(attribute(span, ATTR.responseModel) ?? attribute(span, ATTR.requestModel) ?? "unknown");
        const usage = [ATTR.inputTokens, ATTR.outputTokens, ATTR.cost].map((k) => numberOf(attribute(span, k)));
        groupIn(models, model).add(spanMs(span), failed(span), usage[0], usage[1], usage[2]);
      } else if (operation === OPERATION.executeTool) {
        groupIn(tools, String(attribute(span, ATTR.toolName) ?? span.name)).add(spanMs(span), failed(span));
      }
    }
  }
  const byModel = [...models].map(([model, g]) => ({
    model,
    ...g.calls(),
    inputTokens: g.inputTokens,
    outputTokens: g.outputTokens,
    costUsd: round(g.costUsd),
  }));
  return {
    since,
    total: total.totals(),
    byDay: [...days].map(([day, g]) => ({ day, ...g.totals() })).sort((a, b) => a.day.localeCompare(b.day)),
    byModel: byModel.sort((a, b) => b.costUsd - a.costUsd || b.calls - a.calls || a.model.localeCompare(b.model)),
    byTool: [...tools]
      .map(([tool, g]) => ({ tool, ...g.calls() }))
      .sort((a, b) => b.failures - a.failures || b.calls - a.calls || a.tool.localeCompare(b.tool)),
  };
}
