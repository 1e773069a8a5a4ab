/** Picking Claude Code's result and init messages out of what `claude -p` prints. */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { RunEvent } from "../../src/events.ts";
import { PrintedResults } from "../../src/sources/result-message.ts";

const init = { type: "system", subtype: "init", session_id: "s-1", model: "claude-sonnet-4-5", tools: ["Bash"] };
const result = {
  type: "result",
  subtype: "error_max_budget_usd",
  is_error: true,
  session_id: "s-1",
  num_turns: 1,
  total_cost_usd: 0.00105015,
  terminal_reason: "budget_exhausted",
  permission_denials: [],
};

function read(chunks: string[]): RunEvent[] {
  const events: RunEvent[] = [];
  const printed = new PrintedResults((e) => events.push(e));
  for (const chunk of chunks) printed.write(chunk);
  printed.end();
  return events;
}

describe("PrintedResults", () => {
  test("stream-json: the init and result lines, split anywhere", () => {
    const text = `${JSON.stringify(init)}\n{"type":"assistant"}\n${JSON.stringify(result)}\n`;
    for (const at of [1, 7, 40, text.length - 3]) {
      const events = read([text.slice(0, at), text.slice(at)]);
      assert.deepEqual(
        events.map((e) => e.kind),
        ["session", "result"],
        `split at ${at}`,
      );
    }
  });

  test("json with --verbose: every message in one array, the result among them", () => {
    const events = read([JSON.stringify([init, { type: "assistant" }, result]), "\n"]);
    assert.deepEqual(
      events.map((e) => e.kind),
      ["session", "result"],
    );
    const r = events[1];
    assert.ok(r?.kind === "result");
    assert.equal(r.terminalReason, "budget_exhausted");
    assert.equal(r.totalCostUsd, 0.00105015);
  });

  test("a line of tens of megabytes in pipe-sized pieces is read in linear time", () => {
    const big = JSON.stringify([init, { type: "user", text: "x".repeat(32 * 1024 * 1024) }, result]);
    const chunks: string[] = [];
    for (let i = 0; i < big.length; i += 65536) chunks.push(big.slice(i, i + 65536));
    const started = Date.now();
    const events = read(chunks);
    const ms = Date.now() - started;
    assert.equal(events.length, 2);
    // Joining the line anew for every piece took about 6 s here; reading it once, well under 1 s.
    assert.ok(ms < 3000, `took ${ms} ms`);
  });
});
