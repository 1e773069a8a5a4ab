/**
 * The join of transcript calls with Claude Code's accounting (in any order, nothing counted twice),
 * the price table's fallback for 1-hour cache writes and web searches, and content cutting.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { ROOT_CONTEXT } from "@opentelemetry/api";
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from "@opentelemetry/sdk-trace";
import type { ApiRequestEvent, ChatEvent, RunEvent } from "../../src/events.ts";
import { ClaudeEventsParser } from "../../src/sources/claude-events.ts";
import { contentText, TranscriptParser } from "../../src/sources/transcript.ts";
import { TraceBuilder } from "../../src/trace/builder.ts";
import { SILENT_ACCOUNTING_MS } from "../../src/trace/call-join.ts";
import { cutJson, truncate } from "../../src/trace/content.ts";
import { callCost } from "../../src/trace/cost.ts";

const T = 1_700_000_000_000;
const usage = { input: 4, output: 36, cacheRead: 1270, cacheCreation: 27 };

const chat = (requestId: string | undefined, agentId: string | null = null): ChatEvent => ({
  kind: "chat",
  agentId,
  id: `msg_${requestId}`,
  requestId,
  model: "claude-sonnet-4-5",
  startTime: T + 100,
  endTime: T + 200,
  usage,
  stopReason: "end_turn",
  text: "hi",
  toolCalls: [],
});
const request = (requestId: string | undefined, extra: Partial<ApiRequestEvent> = {}): ApiRequestEvent => ({
  kind: "api.request",
  agentId: null,
  requestId,
  model: "claude-sonnet-4-5",
  querySource: "sdk",
  startTime: T + 100,
  endTime: T + 210,
  usage,
  details: { cacheCreation5m: 27, cacheCreation1h: 0 },
  costUsd: 0.5,
  ttftMs: 30,
  ...extra,
});

function build(events: RunEvent[], exactCalls = true) {
  const exporter = new InMemorySpanExporter();
  const provider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] });
  const builder = new TraceBuilder({
    tracer: provider.getTracer("test"),
    parentContext: ROOT_CONTEXT,
    content: { capture: true, maxLength: 1000 },
    startTime: T,
    costOf: () => 0.01,
    exactCalls,
  });
  for (const event of events) builder.handle(event);
  const waiting = builder.waitingCalls;
  builder.finish({ endTime: T + 9000 });
  const chats = exporter.getFinishedSpans().filter((s) => s.attributes["gen_ai.operation.name"] === "chat");
  const spans = exporter.getFinishedSpans();
  return { chats, waiting, spans, root: spans.find((s) => s.name === "invoke_agent claude-code") };
}

describe("joining calls with Claude Code's accounting", () => {
  test("either order gives one span with Claude Code's price, usage and time to first chunk", () => {
    for (const events of [
      [chat("r1"), request("r1")],
      [request("r1"), chat("r1")],
    ]) {
      const { chats, waiting, root } = build(events);
      assert.equal(waiting, 0);
      assert.equal(chats.length, 1);
      assert.equal(chats[0]?.attributes["gen_ai.usage.cost"], 0.5);
      assert.equal(chats[0]?.attributes["claude_code.cost.source"], "claude_code");
      assert.equal(chats[0]?.attributes["gen_ai.response.time_to_first_chunk"], 0.03);
      assert.equal(chats[0]?.attributes["gen_ai.response.id"], "msg_r1");
      assert.equal(root?.attributes["gen_ai.usage.cost"], 0.5);
      assert.equal(root?.attributes["claude_code.cost.source"], "claude_code");
    }
  });

  test("a call with no request keeps the price table's cost; a request with no call is its own span", () => {
    const { chats, waiting } = build([chat("r1"), request("r2")]);
    assert.equal(waiting, 1, "the transcript call waited for its request");
    const costs = chats.map((s) => [s.attributes["claude_code.request_id"], s.attributes["gen_ai.usage.cost"]]).sort();
    assert.deepEqual(costs, [
      ["r1", 0.01],
      ["r2", 0.5],
    ]);
  });

  test("duplicates are not counted twice; without request ids, identical counts join first come first", () => {
    assert.equal(build([request("r1"), chat("r1"), request("r1"), chat("r1")]).chats.length, 1);
    const { chats } = build([chat(undefined), chat(undefined), request(undefined), request(undefined)]);
    assert.deepEqual(
      chats.map((s) => s.attributes["gen_ai.usage.cost"]),
      [0.5, 0.5],
    );
  });

  test("one request id in two agents (a gateway replaying a cached answer) is two calls, each priced once", () => {
    const { chats } = build([
      chat("r1", "a1"),
      request("r1", { agentId: "a2" }),
      chat("r1", "a2"),
      request("r1", { agentId: "a1" }),
      request("r1", { agentId: "a1" }),
    ]);
    assert.deepEqual(
      chats.map((s) => [s.attributes["gen_ai.usage.cost"], s.attributes["claude_code.cost.source"]]),
      [
        [0.5, "claude_code"],
        [0.5, "claude_code"],
      ],
    );
  });

  test("when no accounting comes at all, calls stop waiting for it once they are 10 s apart", () => {
    const at = (requestId: string, ms: number): ChatEvent => ({ ...chat(requestId), endTime: T + ms });
    assert.equal(build([at("r1", 0), at("r2", 9_000)]).waiting, 2, "still waiting");
    const silent = build([at("r1", 0), at("r2", SILENT_ACCOUNTING_MS), at("r3", 11_000)]);
    assert.equal(silent.waiting, 0, "traced as they came");
    assert.deepEqual(
      silent.chats.map((s) => s.attributes["gen_ai.usage.cost"]),
      [0.01, 0.01, 0.01],
    );
    const heard = build([request("r0"), at("r1", 0), at("r2", 20_000)]);
    assert.equal(heard.waiting, 2, "once one request has come, calls wait for theirs");
  });

  test("without the accounting source calls go out at once, priced by the table", () => {
    const { chats, waiting } = build([chat("r1")], false);
    assert.equal(waiting, 0);
    assert.equal(chats[0]?.attributes["gen_ai.usage.cost"], 0.01);
    assert.equal(chats[0]?.attributes["claude_code.cost.source"], "price_table");
  });

  test("failed attempts and a fallback are events on the call that followed", () => {
    const { chats } = build([
      {
        kind: "api.retry",
        agentId: null,
        time: T + 10,
        status: 529,
        errorType: "overloaded_error",
        message: "529",
        attempt: 1,
      },
      { kind: "model.fallback", agentId: null, time: T + 20, from: "a", to: "b" },
      chat("r1"),
      request("r1"),
    ]);
    assert.deepEqual(
      chats[0]?.events.map((e) => e.name),
      ["claude_code.api.retry", "claude_code.model.fallback"],
    );
  });

  test("attempts no call followed stay on the agent that made them: a subagent's on its span", () => {
    const retry = (agentId: string | null): RunEvent => ({
      kind: "api.retry",
      agentId,
      time: T + 30,
      status: 500,
      message: "500",
      attempt: 1,
    });
    const { spans, root } = build([
      {
        kind: "subagent.start",
        agentId: "a1",
        agentType: "general-purpose",
        parentToolUseId: null,
        description: "",
        background: false,
        time: T + 10,
      },
      retry("a1"),
      retry(null),
    ]);
    const sub = spans.find((s) => s.name === "invoke_agent general-purpose");
    assert.deepEqual(
      sub?.events.map((e) => e.name),
      ["claude_code.api.retry"],
    );
    assert.deepEqual(
      root?.events.map((e) => e.name),
      ["claude_code.api.retry"],
    );
  });
});

/** A transcript read line by line and Claude Code's log batches, in one order, through the real parsers. */
function pipeline(steps: (string | object)[], sessions?: (id: string) => boolean) {
  const events: RunEvent[] = [];
  const transcript = new TranscriptParser(null, (e) => events.push(e));
  const accounting = new ClaudeEventsParser((e) => events.push(e), sessions);
  for (const step of steps) typeof step === "string" ? transcript.line(step) : accounting.batch(step);
  transcript.end();
  return { events, ...build(events) };
}

const line = (o: Record<string, unknown>) => JSON.stringify({ timestamp: new Date(T + 100).toISOString(), ...o });
const part = (block: Record<string, unknown>) =>
  line({
    type: "assistant",
    requestId: "req_1",
    message: {
      id: "msg_1",
      model: "claude-sonnet-4-5",
      content: [block],
      usage: { input_tokens: 4, output_tokens: 36 },
    },
  });
const useTool = (id: string) => part({ type: "tool_use", id, name: "Bash", input: { command: `echo ${id}` } });
const result = (id: string) =>
  line({ type: "user", message: { role: "user", content: [{ type: "tool_result", tool_use_id: id, content: id }] } });
const logs = (...records: Record<string, string | number>[]) => ({
  resourceLogs: [
    {
      scopeLogs: [
        {
          logRecords: records.map((r) => ({
            timeUnixNano: `${T + 300}000000`,
            attributes: Object.entries({ "session.id": "s1", ...r }).map(([key, v]) => ({
              key,
              value: typeof v === "number" ? { doubleValue: v } : { stringValue: v },
            })),
          })),
        },
      ],
    },
  ],
});
const apiRequest = (source = "sdk") =>
  logs({
    "event.name": "api_request",
    request_id: "req_1",
    model: "claude-sonnet-4-5",
    cost_usd: 0.5,
    query_source: source,
  });
const accepted = (id: string) => logs({ "event.name": "tool_decision", decision: "accept", tool_use_id: id });
const toolNames = (span: { attributes: Record<string, unknown> }) =>
  JSON.parse(String(span.attributes["gen_ai.output.messages"]))[0].parts.map(
    (p: { name?: string; type: string }) => p.name ?? p.type,
  );

describe("a message streamed in parts", () => {
  test("a tool's result between the parts: one call with both tool calls, whenever its accounting comes", () => {
    const parts = [
      part({ type: "text", text: "Two checks." }),
      useTool("t1"),
      result("t1"),
      useTool("t2"),
      result("t2"),
    ];
    for (let at = 0; at <= parts.length; at++) {
      const steps: (string | object)[] = [...parts.slice(0, at), apiRequest(), ...parts.slice(at)];
      const { chats, events } = pipeline(steps);
      assert.equal(chats.length, 1, `accounting after ${at} lines`);
      assert.equal(chats[0]?.attributes["gen_ai.usage.cost"], 0.5);
      assert.deepEqual(toolNames(chats[0] as never), ["text", "Bash", "Bash"], `accounting after ${at} lines`);
      assert.equal(events.filter((e) => e.kind === "chat").length, 1);
    }
  });

  test("more of a message after another kind of line replaces the held call; it is still one span", () => {
    const progress = line({ type: "progress", data: { type: "bash_progress" } });
    const { chats, events } = pipeline([useTool("t1"), progress, useTool("t2"), progress, apiRequest()]);
    assert.deepEqual(
      events.filter((e) => e.kind === "chat").map((e) => (e as ChatEvent).replaces === true),
      [false, true],
    );
    assert.equal(chats.length, 1);
    assert.equal(chats[0]?.attributes["gen_ai.usage.cost"], 0.5);
    assert.deepEqual(toolNames(chats[0] as never), ["Bash", "Bash"]);
    assert.equal(pipeline([useTool("t1"), progress, apiRequest(), useTool("t2")]).chats.length, 1, "already traced");
  });

  test("a log batch delivered twice is counted once", () => {
    const { chats } = pipeline([apiRequest(), apiRequest(), part({ type: "text", text: "hi" })]);
    assert.equal(chats.length, 1);
    assert.equal(chats[0]?.attributes["gen_ai.usage.cost"], 0.5);
  });

  test("the terminal UI's main loop with an output style is not a tool's own call", () => {
    const steps = [useTool("t1"), accepted("t1"), apiRequest("repl_main_thread:outputStyle:Explanatory"), result("t1")];
    const { chats, root } = pipeline(steps);
    assert.equal(chats.length, 1);
    assert.equal(chats[0]?.parentSpanContext?.spanId, root?.spanContext().spanId, "under the agent, not the tool");
    assert.deepEqual(toolNames(chats[0] as never), ["Bash"], "with the transcript's content");
  });

  test("events of a session the caller does not know are not the run's", () => {
    const { chats } = pipeline([apiRequest()], (id) => id === "another");
    assert.equal(chats.length, 0);
    assert.equal(pipeline([apiRequest()], (id) => id === "s1").chats.length, 1);
  });
});

describe("a tool's own model call", () => {
  test("goes under its tool's span, also when Claude Code's accounting of it comes before the tool call is read", () => {
    const tool: RunEvent = { kind: "tool.start", agentId: null, id: "tu1", name: "WebSearch", input: {}, time: T + 50 };
    const own = request("r9", { querySource: "web_search_tool", toolUseId: "tu1" });
    for (const events of [
      [tool, own],
      [own, tool],
    ]) {
      const exporter = new InMemorySpanExporter();
      const provider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] });
      const builder = new TraceBuilder({
        tracer: provider.getTracer("test"),
        parentContext: ROOT_CONTEXT,
        content: { capture: false, maxLength: 1000 },
        startTime: T,
        exactCalls: true,
      });
      for (const event of events) builder.handle(event);
      assert.equal(builder.waitingCalls, 0, "nothing left waiting once the tool call is read");
      builder.finish({ endTime: T + 9000 });
      const spans = exporter.getFinishedSpans();
      const toolSpan = spans.find((s) => s.name === "execute_tool WebSearch");
      const call = spans.find((s) => s.attributes["claude_code.query_source"] === "web_search_tool");
      assert.equal(call?.parentSpanContext?.spanId, toolSpan?.spanContext().spanId);
    }
  });
});

describe("the price table's fallback", () => {
  test("prices 1-hour cache writes and web searches as Claude Code does", () => {
    const time = Date.parse("2026-11-28T00:00:00Z");
    // Claude Code's own figures for these calls (measured with the real binary).
    const web = callCost("claude-sonnet-4-5", { input: 4, output: 63, cacheRead: 1003, cacheCreation: 27 }, time, {
      webSearchRequests: 1,
    });
    assert.ok(Math.abs((web as number) - 0.01135915) < 1e-12);
    const plain = callCost("claude-sonnet-4-5", usage, time) as number;
    const hour = callCost("claude-sonnet-4-5", usage, time, { cacheCreation1h: 27 }) as number;
    // 1-hour writes cost 2x input ($6/MTok) instead of 1.25x ($3.75/MTok).
    assert.ok(Math.abs(hour - plain - (27 * (6 - 3.75)) / 1e6) < 1e-12);
  });
});

describe("tool results", () => {
  test("a ToolSearch result (tool references) is not empty", () => {
    const content = [
      { type: "tool_reference", tool_name: "mcp__db__query" },
      { type: "tool_reference", tool_name: "Bash" },
    ];
    assert.equal(contentText([{ type: "tool_result", content }]), "tool: mcp__db__query\ntool: Bash");
  });
});

describe("content cutting", () => {
  test("exact counts, never half an emoji", () => {
    const text = `${"a".repeat(9990)}😀${"b".repeat(20)}`;
    for (let max = 9990; max < text.length; max++) {
      const cut = truncate(text, max);
      assert.ok(cut.length <= max);
      const shown = Number(/…\[(\d+) more chars\]$/.exec(cut)?.[1]);
      const kept = cut.length - `…[${shown} more chars]`.length;
      assert.equal(kept + shown, text.length, `max ${max}`);
      assert.ok(!/[\ud800-\udbff]$/.test(cut.slice(0, kept)), `no lone high surrogate at ${max}`);
    }
  });

  test("JSON stays valid: the strings inside are cut, not the JSON", () => {
    const value = [{ role: "assistant", parts: [{ type: "text", content: `${"x".repeat(20000)}😀` }] }];
    const cut = cutJson(value, 8192);
    assert.ok(cut.length <= 8192);
    const parsed = JSON.parse(cut);
    assert.match(parsed[0].parts[0].content, /…\[\d+ more chars\]$/);
    assert.equal(cutJson({ a: 1 }, 8192), '{"a":1}');
    assert.doesNotThrow(() =>
      JSON.parse(
        cutJson(
          Array.from({ length: 5000 }, () => 1),
          100,
        ),
      ),
    );
  });
});
