/**
 * Session shapes beyond one prompt and one answer, each run with bare `claude -p` and with claudia
 * the same way: the same exit code, the same stdout (apart from ids and timings), Claude Code's
 * stderr passed on; and a trace with one chat span per request, adding up to `total_cost_usd`.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { describe, test } from "node:test";
import { assertExactCalls, chats } from "../support/exact-checks.ts";
import { scriptedRuns } from "../support/harness.ts";
import { normalize } from "../support/normalize.ts";
import type { ReceivedSpan } from "../support/otlp-receiver.ts";
import { BASE_ARGS, CLAUDE, CLAUDIA, MCP_SERVER, type Ran } from "../support/sandbox.ts";
import type { ServedCall } from "../support/scripted-model.ts";
import { named, root, traceIdFrom, waitForSpans } from "../support/trace-checks.ts";

const h = scriptedRuns();

/** claudia's own lines on stderr: its progress, summary, warnings and diagnostics. */
const CLAUDIA_LINE = /^(claudia:|\[claudia\]|🤖|🔧|✅|❌|🎉|💥|📊)/u;

/**
 * Run `command`, writing each prompt as a stream-json user message once the previous one's result
 * is printed (several turns in one process); with no prompts, `stdin` is written as is.
 */
function converse(command: string, args: string[], prompts: string[], stdin = ""): Promise<Ran> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env: h.sandbox.env, cwd: h.sandbox.work, stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    let sent = 0;
    const next = () => {
      const prompt = prompts[sent++];
      if (prompt === undefined) return void child.stdin.end();
      child.stdin.write(`${JSON.stringify({ type: "user", message: { role: "user", content: prompt } })}\n`);
    };
    child.stdout.on("data", (c: Buffer) => {
      const text = c.toString();
      stdout += text;
      for (const _ of text.matchAll(/"type":"result"/g)) next();
    });
    child.stderr.on("data", (c: Buffer) => {
      stderr += c.toString();
    });
    child.stdin.on("error", () => {});
    child.once("error", reject);
    child.once("close", (code) => resolve({ code, stdout, stderr }));
    if (prompts.length > 0) next();
    else child.stdin.end(stdin);
  });
}

interface Compared {
  bare: Ran;
  wrapped: Ran;
  spans: ReceivedSpan[];
  served: ServedCall[];
  /** Claude Code's last `total_cost_usd` (the run's, cumulative over its turns). */
  totalCost: number;
}

/** The same arguments through bare `claude -p` and through claudia, compared; claudia's trace. */
async function compare(args: string[], prompts: string[] = [], stdin?: string): Promise<Compared> {
  const all = [...BASE_ARGS, ...args];
  const bare = await converse(CLAUDE, ["-p", ...all], prompts, stdin);
  const before = h.model.served.length;
  const wrapped = await converse(process.execPath, [CLAUDIA, ...all], prompts, stdin);
  const served = h.model.served.slice(before);
  assert.equal(wrapped.code, bare.code, `same exit code\n${wrapped.stderr}`);
  assert.equal(normalize(wrapped.stdout), normalize(bare.stdout), "same stdout");
  const theirs = wrapped.stderr.split("\n").filter((line) => !CLAUDIA_LINE.test(line));
  assert.equal(theirs.join("\n"), bare.stderr, "Claude Code's stderr, passed on");
  const spans = await waitForSpans(h.receiver.spans, traceIdFrom(wrapped.stderr));
  const costs = [...wrapped.stdout.matchAll(/"total_cost_usd":([\d.e-]+)/g)].map((m) => Number(m[1]));
  return { bare, wrapped, spans, served, totalCost: costs.at(-1) ?? Number.NaN };
}

const status = (spans: ReceivedSpan[], name: string) => named(spans, name).map((s) => s.status.code);
const scenario = (name: string) => `[[scenario:${name}]] go`;

describe("session shapes, with and without claudia", () => {
  test("several prompts in one process (stream-json input), with partial messages", async () => {
    const r = await compare(
      ["--input-format", "stream-json", "--output-format", "stream-json", "--verbose", "--include-partial-messages"],
      ["[[scenario:turns]] one [[run:alpha]]", "two [[run:beta]]", "three"],
    );
    assert.equal(r.wrapped.code, 0);
    assert.equal(r.served.length, 5, "two turns with a tool call, one without");
    assertExactCalls(r.spans, r.served, r.totalCost);
    assert.deepEqual(status(r.spans, "execute_tool Bash"), [0, 0]);
    const agent = root(r.spans);
    assert.equal(agent.attributes["gen_ai.usage.cost"], r.totalCost);
    assert.equal(agent.attributes["claude_code.num_turns"], 5);
    // The run's input is every prompt it was given, in order.
    const given = JSON.parse(String(agent.attributes["gen_ai.input.messages"])) as {
      role: string;
      parts: { content: string }[];
    }[];
    assert.deepEqual(
      given.map((m) => [m.role, m.parts[0]?.content]),
      [
        ["user", "[[scenario:turns]] one [[run:alpha]]"],
        ["user", "two [[run:beta]]"],
        ["user", "three"],
      ],
    );
    // Each later prompt is what the call that answered it added to the conversation.
    const inputs = chats(r.spans).map((s) => String(s.attributes["gen_ai.input.messages"]));
    for (const prompt of ["two [[run:beta]]", "three"]) {
      assert.equal(inputs.filter((i) => i.includes(prompt)).length, 1, prompt);
    }
  });

  test("several prompts, the second answered by an API error: Claude Code's exit code, a failed run", async () => {
    const r = await compare(
      ["--input-format", "stream-json", "--output-format", "stream-json", "--verbose"],
      ["[[scenario:turns]] one [[run:alpha]]", "two [[fail]]", "three"],
    );
    assert.equal(r.wrapped.code, 1);
    assert.deepEqual(status(r.spans, "execute_tool Bash"), [0]);
    assertExactCalls(r.spans, r.served, r.totalCost);
    const agent = root(r.spans);
    assert.equal(agent.status.code, 2);
    assert.equal(agent.attributes["error.type"], "api_error");
    assert.equal(agent.attributes["claude_code.api_error_status"], 400);
  });

  test("json output with --verbose (every message in one array): the result is read", async () => {
    const r = await compare([
      "--output-format",
      "json",
      "--verbose",
      "--max-budget-usd",
      "0.001",
      scenario("max-turns"),
    ]);
    assert.equal(r.wrapped.code, 1);
    // Claude Code sends no accounting for the call that used up the budget: its price is what the
    // run's total holds beyond the other calls (none here).
    assert.equal(chats(r.spans).length, r.served.length);
    const sum = chats(r.spans).reduce((n, s) => n + Number(s.attributes["gen_ai.usage.cost"]), 0);
    assert.ok(Math.abs(sum - r.totalCost) <= 1e-6 * r.totalCost, `${sum} vs ${r.totalCost}`);
    const agent = root(r.spans);
    assert.equal(agent.attributes["error.type"], "budget_exhausted");
    assert.equal(agent.attributes["claude_code.result.subtype"], "error_max_budget_usd");
    assert.equal(agent.attributes["gen_ai.usage.cost"], r.totalCost);
  });

  test("--json-schema: the answer through the StructuredOutput tool", async () => {
    const schema = JSON.stringify({ type: "object", properties: { answer: { type: "string" } }, required: ["answer"] });
    const r = await compare(["--output-format", "json", "--json-schema", schema, scenario("structured")]);
    assert.equal(r.wrapped.code, 0);
    assert.deepEqual(JSON.parse(r.wrapped.stdout).structured_output, { answer: "forty-two" });
    assertExactCalls(r.spans, r.served, r.totalCost);
    assert.deepEqual(status(r.spans, "execute_tool StructuredOutput"), [0]);
  });

  test("an empty answer, also after a tool call: the text output is the same", async () => {
    for (const name of ["empty", "empty-after-tool"]) {
      const text = await compare([scenario(name)]);
      assert.equal(text.wrapped.stdout, text.bare.stdout, name);
      const json = await compare(["--output-format", "json", scenario(name)]);
      assertExactCalls(json.spans, json.served, json.totalCost);
    }
  });

  test("two reads side by side, one of a missing file: one tool span fails", async () => {
    const r = await compare(["--output-format", "stream-json", "--verbose", scenario("parallel-reads")]);
    assertExactCalls(r.spans, r.served, r.totalCost);
    assert.deepEqual(status(r.spans, "execute_tool Read").sort(), [0, 2]);
  });

  test("an MCP tool that refuses its input: its span fails, the run does not", async () => {
    const config = JSON.stringify({ mcpServers: { fixtures: { command: process.execPath, args: [MCP_SERVER] } } });
    const r = await compare(["--output-format", "json", `--mcp-config=${config}`, scenario("mcp-fail")]);
    assert.equal(r.wrapped.code, 0);
    assertExactCalls(r.spans, r.served, r.totalCost);
    assert.deepEqual(status(r.spans, "execute_tool mcp__fixtures__shout"), [2]);
    assert.equal(root(r.spans).status.code, 0);
  });
});
