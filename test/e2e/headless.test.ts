/**
 * End to end: `claudia` runs the real Claude Code against the scripted model, and a real OTLP
 * exporter delivers the trace to a receiver. Each scenario checks the tree, the accounting
 * against what the endpoint served and what Claude Code reported, and the exit code.
 */
import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, test } from "node:test";
import { assertConforms } from "../support/conformance.ts";
import { scriptedRuns } from "../support/harness.ts";
import type { ReceivedSpan } from "../support/otlp-receiver.ts";
import { BASE_ARGS, CLAUDIA, claudia, MCP_SERVER, MODEL, run } from "../support/sandbox.ts";
import type { ScriptedModel } from "../support/scripted-model.ts";
import {
  assertChatSpansMatchServed,
  assertRootMatchesResult,
  assertTotalsAreSumOfCalls,
  childOf,
  named,
  root,
  traceIdFrom,
  waitForSpans,
} from "../support/trace-checks.ts";

const h = scriptedRuns();

interface ScenarioRun {
  code: number | null;
  stdout: string;
  stderr: string;
  spans: ReceivedSpan[];
  served: ScriptedModel["served"];
  results: Record<string, unknown>[];
}

/**
 * Run a scenario through claudia with stream-json output, so Claude Code's own result messages are
 * at hand. Every scenario's trace is checked against the GenAI conventions.
 */
async function scenario(
  name: string,
  extra: string[] = [],
  prompt = `[[scenario:${name}]] go`,
  env: NodeJS.ProcessEnv = {},
): Promise<ScenarioRun> {
  const before = h.model.served.length;
  const ran = await claudia(
    h.sandbox,
    [...BASE_ARGS, "--output-format", "stream-json", "--verbose", ...extra, prompt],
    env,
  );
  const traceId = traceIdFrom(ran.stderr);
  const spans = await waitForSpans(h.receiver.spans, traceId);
  assertConforms(spans, { latest: env.OTEL_SEMCONV_STABILITY_OPT_IN === "gen_ai_latest_experimental" });
  const results = ran.stdout
    .split("\n")
    .filter((l) => l.includes('"type":"result"'))
    .map((l) => JSON.parse(l) as Record<string, unknown>)
    .filter((m) => m.type === "result");
  return { ...ran, spans, served: h.model.served.slice(before), results };
}

/** A span's `gen_ai.input.messages` or `gen_ai.output.messages`, parsed. */
// biome-ignore lint/suspicious/noExplicitAny: a JSON document read field by field in assertions
const messages = (span: ReceivedSpan, which: "input" | "output"): any[] =>
  JSON.parse(String(span.attributes[`gen_ai.${which}.messages`]));

/** The cost state Claude Code saved in a session's transcript (its last one). */
function savedCostState(sessionId: string): { totalCostUSD: number; totalAPIDuration: number } {
  const projects = join(h.sandbox.home, ".claude", "projects");
  for (const dir of readdirSync(projects)) {
    const file = join(projects, dir, `${sessionId}.jsonl`);
    let text: string;
    try {
      text = readFileSync(file, "utf8");
    } catch {
      continue;
    }
    const states = text
      .split("\n")
      .filter((l) => l.includes('"type":"cost-state"'))
      .map((l) => JSON.parse(l) as { totalCostUSD: number; totalAPIDuration: number });
    const last = states.at(-1);
    assert.ok(last && typeof last.totalCostUSD === "number", `the transcript of ${sessionId} has a cost state`);
    return last;
  }
  throw new Error(`no transcript for session ${sessionId}`);
}

const lastResult = (r: ScenarioRun) => r.results.at(-1) as Record<string, unknown>;
const one = (spans: ReceivedSpan[], name: string) => {
  const found = named(spans, name);
  assert.equal(found.length, 1, `exactly one ${name} span (got ${found.length})`);
  return found[0] as ReceivedSpan;
};

describe("headless scenarios", () => {
  test("text only: a root and one chat span with the served usage", async () => {
    const r = await scenario("text");
    assert.equal(r.code, 0);
    assert.equal(r.spans.length, 2);
    const agent = root(r.spans);
    assert.equal(agent.kind, 1, "root is INTERNAL");
    assert.equal(agent.attributes["gen_ai.operation.name"], "invoke_agent");
    assert.equal(agent.attributes["gen_ai.agent.name"], "claude-code");
    assert.equal(agent.attributes["gen_ai.request.model"], "claude-sonnet-4-5");
    assert.equal(agent.attributes["gen_ai.response.model"], "claude-sonnet-4-5");
    assert.equal(agent.attributes["claude_code.num_turns"], lastResult(r).num_turns);
    assert.equal(agent.attributes["claude_code.result.subtype"], "success");
    assert.equal(agent.attributes["claude_code.terminal_reason"], "completed");
    assert.equal(agent.attributes["claude_code.tool_calls"], 0);
    assert.equal(agent.status.code, 0);
    assert.deepEqual(agent.events, [], "no deprecated prompt/completion events");
    assert.deepEqual(JSON.parse(String(agent.attributes["gen_ai.input.messages"])), [
      { role: "user", parts: [{ type: "text", content: "[[scenario:text]] go" }] },
    ]);
    assert.deepEqual(JSON.parse(String(agent.attributes["gen_ai.output.messages"])), [
      { role: "assistant", parts: [{ type: "text", content: lastResult(r).result }], finish_reason: "stop" },
    ]);
    assert.equal(agent.resource["service.name"], "claude-agents");
    childOf(one(r.spans, "chat claude-sonnet-4-5"), agent);
    assertChatSpansMatchServed(r.spans, r.served);
    assertRootMatchesResult(r.spans, lastResult(r));
    assertTotalsAreSumOfCalls(r.spans, r.served);
  });

  test("one Bash call: execute_tool under the root with arguments and result", async () => {
    const r = await scenario("bash");
    assert.equal(r.code, 0);
    const agent = root(r.spans);
    const bash = one(r.spans, "execute_tool Bash");
    childOf(bash, agent);
    assert.equal(bash.attributes["gen_ai.tool.name"], "Bash");
    assert.equal(bash.attributes["gen_ai.tool.type"], "function");
    assert.equal(bash.attributes["gen_ai.tool.call.id"], r.served[0]?.toolUses[0]?.id);
    assert.match(String(bash.attributes["gen_ai.tool.call.arguments"]), /echo hello-from-bash/);
    assert.match(String(bash.attributes["gen_ai.tool.call.result"]), /hello-from-bash/);
    assert.equal(bash.status.code, 0);
    assert.ok(bash.endMs >= bash.startMs);
    assert.equal(named(r.spans, "chat claude-sonnet-4-5").length, 2);
    assert.equal(agent.attributes["claude_code.tool_calls"], 1);
    assertChatSpansMatchServed(r.spans, r.served);
    assertRootMatchesResult(r.spans, lastResult(r));
    assertTotalsAreSumOfCalls(r.spans, r.served);
  });

  test("a failing Bash call is an ERROR tool span; the run still succeeds", async () => {
    const r = await scenario("bash-fail");
    assert.equal(r.code, 0);
    const bash = one(r.spans, "execute_tool Bash");
    assert.equal(bash.status.code, 2);
    assert.equal(bash.attributes["error.type"], "tool_error");
    assert.match(String(bash.status.message), /Exit code/);
    assert.equal(root(r.spans).status.code, 0);
    assertChatSpansMatchServed(r.spans, r.served);
    assertRootMatchesResult(r.spans, lastResult(r));
  });

  test("two tool calls in one message: two tool spans, one chat span naming both", async () => {
    const r = await scenario("two-tools");
    assert.equal(r.code, 0);
    const tools = named(r.spans, "execute_tool Bash");
    assert.equal(tools.length, 2);
    for (const t of tools) childOf(t, root(r.spans));
    const first = r.spans.find((s) => s.attributes["gen_ai.response.id"] === r.served[0]?.id) as ReceivedSpan;
    const output = JSON.parse(String(first.attributes["gen_ai.output.messages"]));
    assert.deepEqual(
      output[0].parts.filter((p: { type: string }) => p.type === "tool_call").map((p: { id: string }) => p.id),
      r.served[0]?.toolUses.map((t) => t.id),
    );
    assertChatSpansMatchServed(r.spans, r.served);
    assertRootMatchesResult(r.spans, lastResult(r));
  });

  test("Read then Write: both tool spans, the file really written", async () => {
    writeFileSync(join(h.sandbox.work, "input.txt"), "some input\n");
    const r = await scenario("read-write", [], `[[scenario:read-write]] [[dir:${h.sandbox.work}]] go`);
    assert.equal(r.code, 0);
    const read = one(r.spans, "execute_tool Read");
    const write = one(r.spans, "execute_tool Write");
    assert.ok(read.endMs <= write.startMs, "Read ends before Write starts");
    assert.match(String(read.attributes["gen_ai.tool.call.result"]), /some input/);
    assert.equal(write.status.code, 0);
    assert.equal(readFileSync(join(h.sandbox.work, "output.txt"), "utf8"), "written by the scripted model\n");
    assertChatSpansMatchServed(r.spans, r.served);
    assertRootMatchesResult(r.spans, lastResult(r));
  });

  test("foreground subagent: invoke_agent under the Agent call, its chat and tool spans under it", async () => {
    const r = await scenario("subagent");
    assert.equal(r.code, 0);
    const agent = root(r.spans);
    const call = one(r.spans, "execute_tool Agent");
    const sub = one(r.spans, "invoke_agent general-purpose");
    childOf(call, agent);
    childOf(sub, call);
    assert.equal(sub.attributes["gen_ai.operation.name"], "invoke_agent");
    assert.equal(sub.attributes["claude_code.subagent.background"], false);
    const bash = one(r.spans, "execute_tool Bash");
    childOf(bash, sub);
    const subCalls = r.served.filter((c) => c.scenario === "sub-worker");
    assert.equal(subCalls.length, 2);
    for (const c of subCalls) {
      childOf(r.spans.find((s) => s.attributes["gen_ai.response.id"] === c.id) as ReceivedSpan, sub);
    }
    const subOutput = subCalls.reduce((n, c) => n + c.usage.output_tokens, 0);
    assert.equal(sub.attributes["gen_ai.usage.output_tokens"], subOutput);
    // The subagent's task, answer and id; each call's input is what it added to its conversation.
    assert.equal(sub.attributes["gen_ai.agent.id"], sub.attributes["claude_code.subagent.id"]);
    assert.deepEqual(messages(sub, "input"), [
      { role: "user", parts: [{ type: "text", content: "[[scenario:sub-worker]] Run the check command." }] },
    ]);
    assert.deepEqual(messages(sub, "output"), [
      { role: "assistant", parts: [{ type: "text", content: "Check passed: from-subagent" }], finish_reason: "stop" },
    ]);
    const [first, last] = [r.served[0], r.served.at(-1)].map(
      (c) => r.spans.find((s) => s.attributes["gen_ai.response.id"] === c?.id) as ReceivedSpan,
    ) as [ReceivedSpan, ReceivedSpan];
    assert.deepEqual(messages(first, "input"), [
      { role: "user", parts: [{ type: "text", content: "[[scenario:subagent]] go" }] },
    ]);
    const agentCall = messages(first, "output")[0].parts[0];
    assert.equal(agentCall.type, "tool_call");
    assert.equal(agentCall.id, call.attributes["gen_ai.tool.call.id"]);
    assert.equal(agentCall.arguments.subagent_type, "general-purpose");
    assert.equal(messages(first, "output")[0].finish_reason, "tool_call");
    const response = messages(last, "input")[0];
    assert.equal(response.role, "tool");
    assert.equal(response.parts[0].type, "tool_call_response");
    assert.equal(response.parts[0].id, call.attributes["gen_ai.tool.call.id"]);
    assert.match(String(response.parts[0].response), /Check passed: from-subagent/);
    for (const chat of r.spans.filter((s) => s.attributes["gen_ai.operation.name"] === "chat")) {
      assert.equal(chat.attributes["server.address"], "127.0.0.1");
      assert.equal(chat.attributes["server.port"], h.model.port);
    }
    assertChatSpansMatchServed(r.spans, r.served);
    assertRootMatchesResult(r.spans, lastResult(r));
    assertTotalsAreSumOfCalls(r.spans, r.served);
  });

  test("background subagent: nested under its call, totals summed over both result messages", async () => {
    const r = await scenario("background");
    assert.equal(r.code, 0);
    assert.equal(r.results.length, 2, "the notification turn yields a second result");
    const call = one(r.spans, "execute_tool Agent");
    const sub = one(r.spans, "invoke_agent general-purpose");
    childOf(sub, call);
    assert.equal(sub.attributes["claude_code.subagent.background"], true);
    childOf(one(r.spans, "execute_tool Bash"), sub);
    const turns = r.results.reduce((n, m) => n + Number(m.num_turns), 0);
    assert.equal(root(r.spans).attributes["claude_code.num_turns"], turns);
    assertChatSpansMatchServed(r.spans, r.served);
    assertRootMatchesResult(r.spans, lastResult(r));
    assertTotalsAreSumOfCalls(r.spans, r.served);
  });

  test("a stdio MCP server's tool carries its server name", async () => {
    const config = JSON.stringify({ mcpServers: { fixtures: { command: process.execPath, args: [MCP_SERVER] } } });
    const r = await scenario("mcp", ["--mcp-config", config, "--strict-mcp-config"]);
    assert.equal(r.code, 0);
    const tool = one(r.spans, "execute_tool mcp__fixtures__shout");
    assert.equal(tool.attributes["claude_code.mcp.server.name"], "fixtures");
    assert.equal(tool.attributes["gen_ai.tool.type"], "extension");
    assert.match(String(tool.attributes["gen_ai.tool.call.result"]), /HELLO MCP/);
    assert.equal(tool.status.code, 0);
    assertChatSpansMatchServed(r.spans, r.served);
  });

  for (const [name, status] of [
    ["api-400", 400],
    ["api-529", 529],
  ] as const) {
    test(`API error ${status}: non-zero exit, root ERROR with error.type, no chat span`, async () => {
      const errorsBefore = h.model.errors.length;
      const r = await scenario(name);
      assert.equal(r.code, 1);
      assert.ok(h.model.errors.length > errorsBefore, "the endpoint answered with an error");
      const agent = root(r.spans);
      assert.equal(agent.status.code, 2);
      assert.equal(agent.attributes["error.type"], "api_error");
      assert.equal(agent.attributes["claude_code.api_error_status"], status);
      assert.equal(agent.attributes["claude_code.exit_code"], 1);
      assert.match(String(agent.status.message), new RegExp(`API Error: ${status}`));
      assert.equal(r.spans.filter((s) => s.attributes["gen_ai.operation.name"] === "chat").length, 0);
      assert.equal(agent.attributes["gen_ai.usage.cost"], 0);
    });
  }

  test("max turns: exit 1, root ERROR max_turns, every tool call traced", async () => {
    const r = await scenario("max-turns", ["--max-turns", "2"]);
    assert.equal(r.code, 1);
    const agent = root(r.spans);
    assert.equal(agent.status.code, 2);
    assert.equal(agent.attributes["error.type"], "max_turns");
    assert.equal(agent.attributes["claude_code.result.subtype"], "error_max_turns");
    assert.equal(named(r.spans, "execute_tool Bash").length, r.served.flatMap((c) => c.toolUses).length);
    assertChatSpansMatchServed(r.spans, r.served);
    assertRootMatchesResult(r.spans, lastResult(r));
  });
});

describe("GenAI conventions", () => {
  test("system prompt options: gen_ai.system_instructions on the root and the main agent's calls", async () => {
    const file = join(h.sandbox.work, "append.md");
    writeFileSync(file, "Appended from a file.");
    const requestsBefore = h.model.requests.length;
    const r = await scenario(
      "bash",
      ["--system-prompt", "You are terse.", "--append-system-prompt-file", file],
      undefined,
      { CLAUDIA_CAPTURE_TOOL_DEFINITIONS: "true" },
    );
    assert.equal(r.code, 0);
    // The opted-in tool definitions: the tools Claude Code offered, from its printed system/init.
    const tools = JSON.parse(String(root(r.spans).attributes["gen_ai.tool.definitions"])) as { name: string }[];
    const offered = (r.stdout
      .split("\n")
      .map((l) => (l.includes('"subtype":"init"') ? JSON.parse(l) : undefined))
      .find(Boolean)?.tools ?? []) as string[];
    assert.ok(offered.includes("Bash"));
    assert.deepEqual(
      tools.map((t) => t.name),
      offered,
    );
    const expected = [
      { type: "text", content: "You are terse." },
      { type: "text", content: "Appended from a file." },
    ];
    assert.deepEqual(JSON.parse(String(root(r.spans).attributes["gen_ai.system_instructions"])), expected);
    const chats = named(r.spans, "chat claude-sonnet-4-5");
    assert.equal(chats.length, 2);
    for (const chat of chats) {
      assert.deepEqual(JSON.parse(String(chat.attributes["gen_ai.system_instructions"])), expected);
    }
    // What claudia reports is what Claude Code really sent.
    const system = JSON.stringify(h.model.requests.slice(requestsBefore).at(-1)?.system);
    assert.match(system, /You are terse\./);
    assert.match(system, /Appended from a file\./);
    assert.equal(named(r.spans, "execute_tool Bash").length, 1);
  });

  test("OTEL_SEMCONV_STABILITY_OPT_IN=gen_ai_latest_experimental: the newest names, no cache breakdown on agents", async () => {
    const r = await scenario("subagent", [], undefined, {
      OTEL_SEMCONV_STABILITY_OPT_IN: "gen_ai_latest_experimental",
    });
    assert.equal(r.code, 0);
    const all = JSON.stringify(r.spans.map((s) => s.attributes));
    assert.doesNotMatch(all, /gen_ai\.usage\.cache_creation/);
    for (const call of r.served) {
      const span = r.spans.find((s) => s.attributes["gen_ai.response.id"] === call.id) as ReceivedSpan;
      assert.equal(span.attributes["gen_ai.usage.cache_write.input_tokens"], call.usage.cache_creation_input_tokens);
      assert.equal(span.attributes["gen_ai.usage.cache_read.input_tokens"], call.usage.cache_read_input_tokens);
    }
    for (const agent of r.spans.filter((s) => s.attributes["gen_ai.operation.name"] === "invoke_agent")) {
      assert.equal(agent.attributes["gen_ai.usage.cache_read.input_tokens"], undefined);
      assert.equal(agent.attributes["gen_ai.usage.cache_write.input_tokens"], undefined);
      assert.equal(typeof agent.attributes["gen_ai.usage.input_tokens"], "number");
    }
    assertTotalsAreSumOfCalls(r.spans, r.served);
  });
});

describe("content capture", () => {
  test("OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT=false keeps names, tokens and cost, drops content", async () => {
    const before = h.model.served.length;
    const ran = await claudia(h.sandbox, [...BASE_ARGS, "[[scenario:bash]] secret prompt"], {
      OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT: "false",
    });
    assert.equal(ran.code, 0);
    const spans = await waitForSpans(h.receiver.spans, traceIdFrom(ran.stderr));
    const all = JSON.stringify(spans);
    assert.doesNotMatch(all, /secret prompt/);
    assert.doesNotMatch(all, /hello-from-bash/);
    assert.equal(named(spans, "execute_tool Bash").length, 1);
    assertChatSpansMatchServed(spans, h.model.served.slice(before));
    assert.ok(Number(root(spans).attributes["gen_ai.usage.cost"]) > 0);
  });

  test("text output: totals, cost and API time come from the session's saved cost state", async () => {
    const before = h.model.served.length;
    const ran = await claudia(h.sandbox, [...BASE_ARGS, "[[scenario:bash]] go"]);
    assert.equal(ran.code, 0);
    assert.equal(ran.stdout, "The command printed: hello-from-bash\n");
    const spans = await waitForSpans(h.receiver.spans, traceIdFrom(ran.stderr));
    assertChatSpansMatchServed(spans, h.model.served.slice(before));
    assertTotalsAreSumOfCalls(spans, h.model.served.slice(before));
    // With text output no result message reaches claudia: the figures are the ones Claude Code saved.
    const agent = root(spans);
    const saved = savedCostState(String(agent.attributes["gen_ai.conversation.id"]));
    assert.equal(
      agent.attributes["claude_code.cost.source"],
      "claude_code",
      "Claude Code's figure, not the price table's",
    );
    assert.equal(agent.attributes["gen_ai.usage.cost"], saved.totalCostUSD);
    assert.equal(agent.attributes["claude_code.duration_api_ms"], saved.totalAPIDuration);
  });

  test("permission denials and API time: the root carries Claude Code's own figures", async () => {
    // A folder of its own: output.txt must be a new file (writing over one not read first is another error).
    const dir = mkdtempSync(join(h.sandbox.work, "denied-"));
    writeFileSync(join(dir, "input.txt"), "some input\n");
    // Without --dangerously-skip-permissions, a headless Write is denied (Read is allowed).
    const ran = await claudia(h.sandbox, [
      "--model",
      MODEL,
      "--output-format",
      "json",
      `[[scenario:read-write]] [[dir:${dir}]] denied`,
    ]);
    assert.equal(ran.code, 0);
    const result = JSON.parse(ran.stdout) as { permission_denials: unknown[]; duration_api_ms: number };
    assert.equal(result.permission_denials.length, 1, "Claude Code denied the Write");
    const agent = root(await waitForSpans(h.receiver.spans, traceIdFrom(ran.stderr)));
    assert.equal(agent.attributes["claude_code.permission_denials"], 1);
    assert.equal(agent.attributes["claude_code.duration_api_ms"], result.duration_api_ms);
    assert.equal(agent.attributes["claude_code.cost.source"], "claude_code");
  });

  test("--no-session-persistence: no transcript, so the trace is the root and the calls Claude Code accounted for, with the run's outcome", async () => {
    // A workspace of its own: no other session's transcript is there to be mistaken for this run's.
    const cwd = mkdtempSync(join(h.sandbox.work, "unsaved-"));
    const ran = await run(
      process.execPath,
      [CLAUDIA, ...BASE_ARGS, "--no-session-persistence", "[[scenario:bash]] x"],
      {
        env: h.sandbox.env,
        cwd,
      },
    );
    assert.equal(ran.code, 0);
    assert.equal(ran.stdout, "The command printed: hello-from-bash\n");
    const spans = await waitForSpans(h.receiver.spans, traceIdFrom(ran.stderr), 3);
    // Tool calls are only in the transcript; the two model calls are in Claude Code's own accounting.
    assert.deepEqual(spans.map((s) => s.name).sort(), [
      "chat claude-sonnet-4-5",
      "chat claude-sonnet-4-5",
      "invoke_agent claude-code",
    ]);
    const agent = root(spans);
    assert.equal(agent.status.code, 0);
    assert.equal(agent.attributes["claude_code.exit_code"], 0);
  });

  test("--no-session-persistence right after another run in the same folder: that run's transcript is not taken", async () => {
    const first = await claudia(h.sandbox, [...BASE_ARGS, "[[scenario:bash]] saved"]);
    assert.equal(first.code, 0);
    const ran = await claudia(h.sandbox, [...BASE_ARGS, "--no-session-persistence", "[[scenario:text]] unsaved"]);
    assert.equal(ran.code, 0);
    const spans = await waitForSpans(h.receiver.spans, traceIdFrom(ran.stderr), 2);
    // Its one model call, from Claude Code's accounting; nothing of the first run's (its Bash call).
    assert.deepEqual(spans.map((s) => s.name).sort(), ["chat claude-sonnet-4-5", "invoke_agent claude-code"]);
  });
});
