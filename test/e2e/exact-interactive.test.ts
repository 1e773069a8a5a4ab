/**
 * The terminal UI gets the same per-call exactness: a prompt that auto-compacts is one trace with
 * one chat span per served request (the summary call included) at Claude Code's own price.
 */
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { before, describe, test } from "node:test";
import { assertExactCalls, chats } from "../support/exact-checks.ts";
import { scriptedRuns } from "../support/harness.ts";
import type { ReceivedSpan } from "../support/otlp-receiver.ts";
import { BASE_ARGS, CLAUDIA } from "../support/sandbox.ts";
import { seedInteractiveHome, startTerminal } from "../support/terminal.ts";
import { named, root } from "../support/trace-checks.ts";

const h = scriptedRuns();

/** The session's cost as Claude Code saved it (its transcript's last `cost-state` entry). */
function savedCost(home: string): number {
  const projects = join(home, ".claude", "projects");
  let cost: number | undefined;
  for (const dir of readdirSync(projects)) {
    for (const name of readdirSync(join(projects, dir)).filter((n) => n.endsWith(".jsonl"))) {
      for (const line of readFileSync(join(projects, dir, name), "utf8").split("\n")) {
        if (line.includes('"type":"cost-state"')) cost = JSON.parse(line).totalCostUSD;
      }
    }
  }
  assert.ok(cost !== undefined, "Claude Code saved the session's cost");
  return cost;
}

describe("interactive exactness", () => {
  before(() => seedInteractiveHome(h.sandbox));

  test("a prompt that compacts: every request a chat span at Claude Code's price", async () => {
    const spansBefore = h.receiver.spans.length;
    const servedBefore = h.model.served.length;
    const env = { ...h.sandbox.env, CLAUDE_AUTOCOMPACT_PCT_OVERRIDE: "50", CLAUDE_CODE_AUTO_COMPACT_WINDOW: "100000" };
    const terminal = startTerminal(process.execPath, [CLAUDIA, ...BASE_ARGS], { env, cwd: h.sandbox.work });
    await terminal.waitFor("bypass permissions on");
    await terminal.type("[[scenario:compact]] go\r");
    await terminal.waitFor("The steps ran.");
    await terminal.type("/exit\r");
    assert.equal(await terminal.exited, 0);
    const deadline = Date.now() + 10000;
    let spans: ReceivedSpan[] = [];
    while (Date.now() < deadline) {
      spans = h.receiver.spans.slice(spansBefore);
      if (named(spans, "invoke_agent claude-code").length === 1) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    const served = h.model.served.slice(servedBefore);
    assertExactCalls(spans, served, savedCost(h.sandbox.home));
    assert.equal(chats(spans).filter((s) => s.attributes["claude_code.query_source"] === "compact").length, 1);
    const agent = root(spans);
    assert.ok(agent.events.some((e) => e.name === "claude_code.compaction"));
    assert.equal(agent.attributes["claude_code.cost.source"], "claude_code");
  });
});
