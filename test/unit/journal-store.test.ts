import assert from "node:assert/strict";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { describe, test } from "node:test";
import { runFiles, writeRecord } from "../../src/export/journal.ts";
import {
  findRun,
  listRuns,
  PRUNE_EVERY_MS,
  prune,
  pruneIfDue,
  toReadableSpans,
} from "../../src/export/journal-store.ts";
import { runRecord } from "../support/run-record.ts";

const DAY = 86400000;
const NOW = Date.parse("2026-06-15T12:00:00Z");

function fakeRun(
  dir: string,
  startTime: number,
  traceId: string,
  spansBytes: number,
): { spans: string; record: string } {
  const files = runFiles(dir, startTime, traceId);
  mkdirSync(dirname(files.spans), { recursive: true });
  writeFileSync(files.spans, "x".repeat(spansBytes));
  writeRecord(files.record, runRecord(traceId, startTime));
  return files;
}

const id = (n: number) => n.toString(16).padStart(32, "0");

describe("journal retention", () => {
  test("runs older than the age limit are removed; the newest is always kept", () => {
    const dir = mkdtempSync(join(tmpdir(), "journal-"));
    try {
      const old = fakeRun(dir, NOW - 40 * DAY, id(1), 10);
      const recent = fakeRun(dir, NOW - 2 * DAY, id(2), 10);
      const removed = prune(dir, { maxAgeDays: 30, maxBytes: 1e9 }, NOW);
      assert.equal(removed, 1);
      assert.equal(existsSync(old.spans) || existsSync(old.record), false);
      assert.equal(existsSync(recent.spans), true);
      assert.deepEqual(
        listRuns(dir).map((r) => r.record.traceId),
        [id(2)],
      );
      const ancient = mkdtempSync(join(tmpdir(), "journal-"));
      fakeRun(ancient, NOW - 400 * DAY, id(3), 10);
      assert.equal(prune(ancient, { maxAgeDays: 30, maxBytes: 1e9 }, NOW), 0, "the newest run stays");
      rmSync(ancient, { recursive: true });
    } finally {
      rmSync(dir, { recursive: true });
    }
  });

  test("over the size limit, the oldest runs go first until it fits", () => {
    const dir = mkdtempSync(join(tmpdir(), "journal-"));
    try {
      // Five runs of a little over 10 kB each: 35 kB allowed keeps the newest three.
      for (let i = 1; i <= 5; i++) fakeRun(dir, NOW - (10 - i) * 60000, id(i), 10000);
      const removed = prune(dir, { maxAgeDays: 30, maxBytes: 35000 }, NOW);
      assert.equal(removed, 2);
      assert.deepEqual(
        listRuns(dir).map((r) => r.record.traceId),
        [id(5), id(4), id(3)],
      );
    } finally {
      rmSync(dir, { recursive: true });
    }
  });

  test("pruning at the end of a run happens at most every 10 minutes", () => {
    const dir = mkdtempSync(join(tmpdir(), "journal-"));
    try {
      fakeRun(dir, NOW - 40 * DAY, id(1), 10);
      fakeRun(dir, NOW - 2 * DAY, id(2), 10);
      assert.equal(pruneIfDue(dir, { maxAgeDays: 30, maxBytes: 1e9 }, NOW), 1);
      fakeRun(dir, NOW - 50 * DAY, id(3), 10);
      assert.equal(pruneIfDue(dir, { maxAgeDays: 30, maxBytes: 1e9 }, NOW + PRUNE_EVERY_MS - 1), undefined);
      assert.equal(listRuns(dir).length, 2, "not due: nothing read, nothing removed");
      assert.equal(pruneIfDue(dir, { maxAgeDays: 30, maxBytes: 1e9 }, NOW + PRUNE_EVERY_MS), 1);
      assert.deepEqual(
        listRuns(dir).map((r) => r.record.traceId),
        [id(2)],
      );
      assert.deepEqual(readdirSync(dir), [new Date(NOW - 2 * DAY).toISOString().slice(0, 10)], "only day folders");
    } finally {
      rmSync(dir, { recursive: true });
      rmSync(`${dir}.pruned`, { force: true });
    }
  });

  test("a damaged record is skipped with a warning, never fatal; prefixes must be unique", () => {
    const dir = mkdtempSync(join(tmpdir(), "journal-"));
    try {
      fakeRun(dir, NOW, "abc1".padEnd(32, "0"), 1);
      fakeRun(dir, NOW + 1, "abc2".padEnd(32, "0"), 1);
      writeFileSync(join(dir, "2026-06-15", "broken.run.json"), "{ not json");
      const warnings: string[] = [];
      const runs = listRuns(dir, (m) => warnings.push(m));
      assert.equal(runs.length, 2);
      assert.equal(warnings.length, 1);
      assert.match(warnings[0] as string, /damaged journal record/);
      assert.throws(() => findRun(runs, "abc"), /matches 2 runs/);
      assert.equal(findRun(runs, "abc1").record.traceId, "abc1".padEnd(32, "0"));
      assert.equal(findRun(runs, "last").record.traceId, "abc2".padEnd(32, "0"));
    } finally {
      rmSync(dir, { recursive: true });
    }
  });
});

describe("stored spans back to ReadableSpans", () => {
  test("ids, parent, times, kind, status, attributes and events survive the round trip", () => {
    const [span] = toReadableSpans([
      {
        resourceSpans: [
          {
            resource: { attributes: [{ key: "service.name", value: { stringValue: "svc" } }] },
            scopeSpans: [
              {
                scope: { name: "claude-telemetry" },
                spans: [
                  {
                    traceId: "4bf92f3577b34da6a3ce929d0e0e4736",
                    spanId: "00f067aa0ba902b7",
                    parentSpanId: "1111111111111111",
                    name: "chat m",
                    kind: 3,
                    startTimeUnixNano: "1700000000123456789",
                    endTimeUnixNano: "1700000001123456789",
                    attributes: [
                      { key: "gen_ai.usage.input_tokens", value: { intValue: "12" } },
                      {
                        key: "gen_ai.response.finish_reasons",
                        value: { arrayValue: { values: [{ stringValue: "end_turn" }] } },
                      },
                    ],
                    events: [{ timeUnixNano: "1700000000200000000", name: "e", attributes: [] }],
                    status: { code: 2, message: "boom" },
                  },
                ],
              },
            ],
          },
        ],
      },
    ]);
    assert.ok(span);
    assert.equal(span.spanContext().traceId, "4bf92f3577b34da6a3ce929d0e0e4736");
    assert.equal(span.parentSpanContext?.spanId, "1111111111111111");
    assert.equal(span.kind, 2, "OTLP kind 3 (CLIENT) is SpanKind.CLIENT (2)");
    assert.deepEqual(span.startTime, [1700000000, 123456789]);
    assert.deepEqual(span.duration, [1, 0]);
    assert.deepEqual(span.status, { code: 2, message: "boom" });
    assert.equal(span.attributes["gen_ai.usage.input_tokens"], 12);
    assert.deepEqual(span.attributes["gen_ai.response.finish_reasons"], ["end_turn"]);
    assert.equal(span.events[0]?.name, "e");
    assert.equal(span.resource.attributes["service.name"], "svc");
  });
});
