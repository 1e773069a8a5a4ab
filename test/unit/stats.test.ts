/** The journal statistics (pure): totals, groups by day, model and tool, percentiles, --since. */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { parseSince } from "../../src/cli/traces/since.ts";
import { computeStats, percentile, type StatsRun } from "../../src/cli/traces/stats.ts";
import { renderStats } from "../../src/cli/traces/stats-table.ts";
import type { RunRecord } from "../../src/export/journal.ts";
import type { OtlpSpan } from "../../src/export/journal-store.ts";

const DAY1 = Date.parse("2026-11-01T10:00:00Z");
const DAY2 = Date.parse("2026-11-02T23:59:00Z");

function record(startTime: number, extra: Partial<RunRecord> = {}): RunRecord {
  return {
    traceId: `${startTime}`.padStart(32, "0"),
    startTime,
    endTime: startTime + 1000,
    durationMs: 1000,
    status: "ok",
    toolCalls: 0,
    inputTokens: 100,
    outputTokens: 10,
    costUsd: 0.01,
    spans: 0,
    deliveries: {},
    ...extra,
  };
}

function span(name: string, ms: number, attributes: Record<string, string | number>, failed = false): OtlpSpan {
  return {
    traceId: "t",
    spanId: name,
    name,
    startTimeUnixNano: "1000000000",
    endTimeUnixNano: String(1000000000 + ms * 1e6),
    attributes: Object.entries(attributes).map(([key, v]) => ({
      key,
      value: typeof v === "string" ? { stringValue: v } : Number.isInteger(v) ? { intValue: v } : { doubleValue: v },
    })),
    status: failed ? { code: 2 } : { code: 0 },
  };
}

const chat = (model: string, ms: number, cost: number) =>
  span(`chat ${model}`, ms, {
    "gen_ai.operation.name": "chat",
    "gen_ai.response.model": model,
    "gen_ai.usage.input_tokens": 50,
    "gen_ai.usage.output_tokens": 5,
    "gen_ai.usage.cost": cost,
  });
const tool = (name: string, ms: number, failed = false) =>
  span(`execute_tool ${name}`, ms, { "gen_ai.operation.name": "execute_tool", "gen_ai.tool.name": name }, failed);

describe("journal statistics", () => {
  test("the tables print no control sequence a model put in a tool or model name, and stay one row each", () => {
    const evil = "Bash\u001b]52;c;aGk=\u0007\u001b[2J\nFAKE ROW";
    const stats = computeStats([{ record: record(DAY1), spans: [chat(`m\u001b[31m`, 10, 0.01), tool(evil, 5)] }]);
    const text = renderStats(stats);
    // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is looked for
    assert.ok(!/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/.test(text), JSON.stringify(text));
    const toolRows = text.split("\n").filter((line) => line.startsWith("Bash"));
    assert.equal(toolRows.length, 1);
    assert.match(toolRows[0] as string, /FAKE ROW/);
  });

  test("nearest-rank percentiles", () => {
    assert.equal(percentile([], 0.5), null);
    assert.equal(percentile([7], 0.95), 7);
    assert.equal(percentile([1, 2, 3, 4], 0.5), 2);
    assert.equal(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20], 0.95), 19);
  });

  test("totals are the records' sums; days, models and tools grouped", () => {
    const runs: StatsRun[] = [
      {
        record: record(DAY1, { toolCalls: 2 }),
        spans: [chat("a", 10, 0.004), tool("Bash", 30, true), tool("Read", 5)],
      },
      {
        record: record(DAY1 + 60000, { status: "error", durationMs: 3000, costUsd: 0.02 }),
        spans: [chat("b", 20, 0.02)],
      },
      { record: record(DAY2, { costUsd: undefined, toolCalls: 1 }), spans: [chat("a", 30, 0.001), tool("Bash", 10)] },
    ];
    const stats = computeStats(runs);
    assert.deepEqual(stats.total, {
      runs: 3,
      failures: 1,
      inputTokens: 300,
      outputTokens: 30,
      costUsd: 0.03,
      toolCalls: 3,
      p50Ms: 1000,
      p95Ms: 3000,
    });
    assert.deepEqual(
      stats.byDay.map((d) => [d.day, d.runs, d.failures, d.costUsd]),
      [
        ["2026-11-01", 2, 1, 0.03],
        ["2026-11-02", 1, 0, 0],
      ],
    );
    assert.deepEqual(
      stats.byModel.map((m) => [m.model, m.calls, m.costUsd, m.inputTokens, m.p50Ms, m.p95Ms]),
      [
        ["b", 1, 0.02, 50, 20, 20],
        ["a", 2, 0.005, 100, 10, 30],
      ],
    );
    assert.deepEqual(
      stats.byTool.map((t) => [t.tool, t.calls, t.failures, t.p50Ms, t.p95Ms]),
      [
        ["Bash", 2, 1, 10, 30],
        ["Read", 1, 0, 5, 5],
      ],
    );
  });

  test("since keeps the runs started at or after it", () => {
    const runs = [
      { record: record(DAY1), spans: [] },
      { record: record(DAY2), spans: [tool("Bash", 1)] },
    ];
    const stats = computeStats(runs, DAY2);
    assert.equal(stats.total.runs, 1);
    assert.equal(stats.since, DAY2);
    assert.deepEqual(
      stats.byTool.map((t) => t.tool),
      ["Bash"],
    );
    assert.equal(computeStats([], null).total.p50Ms, null);
  });

  test("--since reads a date, a time or an age, and nothing else", () => {
    const now = Date.parse("2026-11-28T12:00:00Z");
    assert.equal(parseSince("2026-11-01", now), Date.parse("2026-11-01T00:00:00Z"));
    assert.equal(parseSince("2026-11-01T08:30:00Z", now), Date.parse("2026-11-01T08:30:00Z"));
    assert.equal(parseSince("7d", now), now - 7 * 86400000);
    assert.equal(parseSince("12h", now), now - 12 * 3600000);
    assert.equal(parseSince("last tuesday", now), undefined);
    assert.equal(parseSince("2026-13-45", now), undefined);
  });
});
