/**
 * The terminal UI gets the same per-call exactness: a prompt that auto-compacts is one trace with
 * one chat span per served request (the summary call included) at Claude Code's own price.
 */
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { before, describe, test } from "node:test";
import { assertExactCalls, chats } from "../support/exact-checks.ts";
import { scriptedRuns } from "../support/harness.ts";
import type { ReceivedSpan } from "../support/otlp-receiver.ts";
import { BASE_ARGS, CLAUDIA } from "../support/sandbox.ts";
import { seedInteractiveHome, startTerminal } from "../support/terminal.ts";
import { named, root } from "../support/trace-checks.ts";

const h = scriptedRuns();

/** The sessions' transcripts in a home. */
function transcripts(home: string): string[] {
  const projects = join(home, ".claude", "projects");
  if (!existsSync(projects)) return [];
  return readdirSync(projects).flatMap((dir) =>
    readdirSync(join(projects, dir))
      .filter((n) => n.endsWith(".jsonl"))
      .map((n) => join(projects, dir, n)),
  );
}

/** A session's cost as Claude Code saved it (its transcript's last `cost-state` entry). */
function savedCost(transcript: string): number {
  let cost: number | undefined;
  for (const line of readFileSync(transcript, "utf8").split("\n")) {
    if (line.includes('"type":"cost-state"')) cost = JSON.parse(line).totalCostUSD;
  }
  assert.ok(cost !== undefined, "Claude Code saved the session's cost");
  return cost;
}

/** The one session a test's terminal UI made: its transcript is the one not there before. */
function newSessionCost(home: string, before: string[]): number {
  const made = transcripts(home).filter((t) => !before.includes(t));
  assert.equal(made.length, 1, "one new session");
  return savedCost(made[0] as string);
}

/**
 * One terminal UI session: a prompt typed, its answer awaited, /exit; the traces it exported (as
 * many as `traces`), the requests served, and the session's cost as Claude Code saved it.
 */
async function session(env: NodeJS.ProcessEnv, prompt: string, answer: string, traces: number) {
  const spansBefore = h.receiver.spans.length;
  const servedBefore = h.model.served.length;
  const sessionsBefore = transcripts(h.sandbox.home);
  const terminal = startTerminal(process.execPath, [CLAUDIA, ...BASE_ARGS], { env, cwd: h.sandbox.work });
  await terminal.waitFor("bypass permissions on");
  await terminal.type(`${prompt}\r`);
  await terminal.waitFor(answer, { ms: 30000 });
  await terminal.type("/exit\r");
  assert.equal(await terminal.exited, 0);
  const deadline = Date.now() + 10000;
  let spans: ReceivedSpan[] = [];
  while (Date.now() < deadline) {
    spans = h.receiver.spans.slice(spansBefore);
    if (named(spans, "invoke_agent claude-code").length === traces) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  const served = h.model.served.slice(servedBefore);
  return { spans, served, cost: newSessionCost(h.sandbox.home, sessionsBefore) };
}

interface Step {
  /** What is typed (then Enter). */
  type: string;
  /** Then wait for this on the terminal, or for the model to have served this many requests in all. */
  until?: string;
  served?: number;
  /** Then wait this long. */
  pauseMs?: number;
}

/**
 * A terminal UI session typed step by step, then /exit; the traces it exported (at least
 * `traces`), checked exact against the requests served and the session's saved cost.
 */
async function typed(steps: Step[], traces: number): Promise<{ spans: ReceivedSpan[] }> {
  const spansBefore = h.receiver.spans.length;
  const servedBefore = h.model.served.length;
  const sessionsBefore = transcripts(h.sandbox.home);
  const terminal = startTerminal(process.execPath, [CLAUDIA, ...BASE_ARGS], {
    env: h.sandbox.env,
    cwd: h.sandbox.work,
  });
  await terminal.waitFor("bypass permissions on");
  for (const step of steps) {
    await terminal.type(`${step.type}\r`);
    if (step.until) await terminal.waitFor(step.until, { ms: 30000 });
    // An answer is drawn over itself as it streams: the model having served it is the surer sign.
    const deadline = Date.now() + 30000;
    while (step.served && h.model.served.length < servedBefore + step.served && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 50));
    await new Promise((r) => setTimeout(r, step.pauseMs ?? 1000));
  }
  await terminal.type("/exit\r");
  assert.equal(await terminal.exited, 0);
  let spans: ReceivedSpan[] = [];
  const deadline = Date.now() + 10000;
  while (named(spans, "invoke_agent claude-code").length < traces && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 50));
    spans = h.receiver.spans.slice(spansBefore);
  }
  assert.equal(named(spans, "invoke_agent claude-code").length, traces);
  assertExactCalls(spans, h.model.served.slice(servedBefore), newSessionCost(h.sandbox.home, sessionsBefore));
  return { spans };
}

describe("interactive exactness", () => {
  before(() => seedInteractiveHome(h.sandbox));

  test("a prompt that compacts: every request a chat span at Claude Code's price", async () => {
    const env = { ...h.sandbox.env, CLAUDE_AUTOCOMPACT_PCT_OVERRIDE: "50", CLAUDE_CODE_AUTO_COMPACT_WINDOW: "100000" };
    const { spans, served, cost } = await session(env, "[[scenario:compact]] go", "The steps ran.", 1);
    assertExactCalls(spans, served, cost);
    assert.equal(chats(spans).filter((s) => s.attributes["claude_code.query_source"] === "compact").length, 1);
    const agent = root(spans);
    assert.ok(agent.events.some((e) => e.name === "claude_code.compaction"));
    assert.equal(agent.attributes["claude_code.cost.source"], "claude_code");
  });

  test("/compact typed at the prompt is a run of its own: its summary call and boundary, at Claude Code's price", async () => {
    const { spans } = await typed(
      [
        { type: "[[scenario:manual-compact]] one", until: "One answered." },
        { type: "/compact", until: "Compacted" },
        { type: "and three", served: 3 },
      ],
      3,
    );
    const roots = named(spans, "invoke_agent claude-code");
    const compacting = roots.find((r) => String(r.attributes["gen_ai.input.messages"]).includes("/compact"));
    assert.ok(compacting, "the /compact is a trace");
    const summary = chats(spans).filter((s) => s.attributes["claude_code.query_source"] === "compact");
    assert.equal(summary.length, 1);
    assert.equal(summary[0]?.traceId, compacting.traceId);
    assert.ok(compacting.events.some((e) => e.name === "claude_code.compaction"));
  });

  test("a prompt typed while the final answer streams: a turn of its own, after the first one's", async () => {
    const { spans } = await typed(
      [
        { type: "[[scenario:slow-final]] go", served: 2, pauseMs: 1200 },
        { type: "second-sf now", served: 3 },
      ],
      2,
    );
    const [first, second] = named(spans, "invoke_agent claude-code").sort((a, b) => a.startMs - b.startMs);
    assert.match(String(first?.attributes["gen_ai.input.messages"]), /slow-final/);
    assert.match(String(second?.attributes["gen_ai.input.messages"]), /second-sf now/);
    for (const prompt of [first, second]) assert.equal(prompt?.status.code, 0, "neither turn was cut short");
    const callsOf = (root?: ReceivedSpan) => chats(spans).filter((c) => c.traceId === root?.traceId).length;
    assert.deepEqual([callsOf(first), callsOf(second)], [2, 1]);
  });

  test("a prompt typed while a tool runs, given to the agent within the turn: one trace, nothing cut short", async () => {
    const { spans } = await typed(
      [
        { type: "[[scenario:queued-in-turn]] first", served: 1, pauseMs: 1500 },
        { type: "second-q please", until: "saw second" },
      ],
      1,
    );
    const [prompt] = named(spans, "invoke_agent claude-code");
    assert.equal(prompt?.status.code, 0);
    const tool = named(spans, "execute_tool Bash")[0];
    assert.equal(tool?.status.code, 0, "the tool ran to its end");
    const last = chats(spans).at(-1);
    assert.match(
      String(last?.attributes["gen_ai.input.messages"]),
      /second-q please/,
      "the queued prompt is its input",
    );
  });

  test("a background subagent working after its prompt's turn: its calls are that prompt's, each once", async () => {
    // The subagent reports back in a turn of its own (a task notification, another prompt).
    const { spans, served, cost } = await session(
      h.sandbox.env,
      "[[scenario:background]] start one",
      "reported back",
      2,
    );
    assert.deepEqual(
      served.map((c) => c.scenario),
      ["background", "background", "sub-worker", "sub-worker", "background"],
    );
    assertExactCalls(spans, served, cost);
    const prompts = named(spans, "invoke_agent claude-code");
    const first = prompts.find((p) => String(p.attributes["gen_ai.input.messages"]).includes("start one"));
    assert.ok(first, "the user's prompt is a trace");
    const subagent = chats(spans).filter((c) => c.attributes["claude_code.query_source"] !== "repl_main_thread");
    assert.equal(subagent.length, 2);
    for (const call of subagent)
      assert.equal(call.traceId, first.traceId, "the subagent's call is in its prompt's trace");
    assert.ok(first.endMs >= Math.max(...subagent.map((c) => c.endMs)), "that prompt ends after its subagent's work");
  });
});
