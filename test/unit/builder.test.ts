/** The trace builder as a pure function of events, read back through the in-memory exporter. */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { ROOT_CONTEXT } from "@opentelemetry/api";
import { InMemorySpanExporter, type ReadableSpan, SimpleSpanProcessor, TracerProvider } from "@opentelemetry/sdk-trace";
import type { RunEvent } from "../../src/events.ts";
import { TraceBuilder } from "../../src/trace/builder.ts";

/**
 * Event times are epoch milliseconds, as in a real run (the SDK reads a small number as time since
 * the process started, which made these tests depend on how long the process had been running).
 */
const T = 1_700_000_000_000;

function build(
  events: RunEvent[],
  outcome: { exitCode?: number; endTime?: number } = {},
  costOf: (model: string, usage: { output: number }) => number | undefined = (_model, usage) => usage.output / 1000,
  options: { exactCalls?: boolean; resumed?: boolean } = {},
) {
  const exporter = new InMemorySpanExporter();
  const provider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] });
  const builder = new TraceBuilder({
    tracer: provider.getTracer("test"),
    parentContext: ROOT_CONTEXT,
    content: { capture: true, maxLength: 50 },
    startTime: T + 1000,
    costOf,
    ...options,
  });
  for (const event of events) builder.handle(event);
  const summary = builder.finish({ endTime: T + 9000, ...outcome });
  const spans = exporter.getFinishedSpans();
  const one = (name: string) => spans.find((s) => s.name === name) as ReadableSpan;
  return { summary, spans, one };
}

const usage = { input: 1, output: 10, cacheRead: 100, cacheCreation: 20 };
const chat = (id: string, agentId: string | null, start: number): RunEvent => ({
  kind: "chat",
  agentId,
  id,
  model: "m",
  startTime: start,
  endTime: start + 10,
  usage,
  stopReason: "end_turn",
  text: "x".repeat(200),
  toolCalls: [],
});

describe("TraceBuilder", () => {
  test("a tool call that never returns ends at the run's end with ERROR incomplete", () => {
    const { one, summary } = build([
      { kind: "tool.start", agentId: null, id: "t1", name: "Bash", input: {}, time: T + 2000 },
    ]);
    const tool = one("execute_tool Bash");
    assert.equal(tool.status.code, 2);
    assert.equal(tool.attributes["error.type"], "incomplete");
    assert.deepEqual(tool.endTime, [T / 1000 + 9, 0]);
    assert.equal(summary.failedToolCalls, 1);
  });

  test("tool errors keep their type; content is cut at the limit", () => {
    const { one } = build([
      {
        kind: "tool.start",
        agentId: null,
        id: "t1",
        name: "Write",
        input: { content: "y".repeat(500) },
        time: T + 2000,
      },
      {
        kind: "tool.end",
        agentId: null,
        id: "t1",
        time: T + 2500,
        isError: true,
        output: "Permission denied",
        errorType: "permission_denied",
      },
    ]);
    const tool = one("execute_tool Write");
    assert.equal(tool.attributes["error.type"], "permission_denied");
    assert.equal(String(tool.attributes["gen_ai.tool.call.arguments"]).length, 50);
  });

  test("without a result, totals and cost are the sums of the calls and the run is ERROR on a non-zero exit", () => {
    const { one, summary } = build([chat("a", null, T + 1100), chat("b", null, T + 1200)], { exitCode: 3 });
    const root = one("invoke_agent claude-code");
    assert.equal(root.attributes["gen_ai.usage.input_tokens"], 242);
    assert.equal(root.attributes["gen_ai.usage.output_tokens"], 20);
    assert.equal(root.attributes["gen_ai.usage.cost"], 0.02, "the price table's cost of the two calls");
    assert.equal(root.attributes["claude_code.cost.source"], "price_table");
    assert.equal(summary.costUsd, 0.02);
    assert.equal(root.attributes["error.type"], "exit_code_3");
    assert.equal(root.status.code, 2);
    assert.equal(summary.chatCalls, 2);
  });

  test("a call the price table does not know leaves the run's cost unknown rather than short", () => {
    let calls = 0;
    const firstOnly = () => (calls++ === 0 ? 0.5 : undefined);
    const { one, spans } = build([chat("a", null, T + 1100), chat("b", null, T + 1200)], {}, firstOnly);
    assert.deepEqual(
      spans.filter((s) => s.name === "chat m").map((s) => s.attributes["gen_ai.usage.cost"]),
      [0.5, undefined],
    );
    const root = one("invoke_agent claude-code");
    assert.equal(root.attributes["gen_ai.usage.cost"], undefined);
    assert.equal(root.attributes["claude_code.cost.source"], undefined);
  });

  test("a subagent whose tool call is unknown hangs under the root; its usage is its own calls", () => {
    const { one, spans } = build([
      {
        kind: "subagent.start",
        agentId: "s1",
        agentType: "Explore",
        parentToolUseId: "missing",
        description: "",
        background: false,
        time: T + 1500,
      },
      chat("c", "s1", T + 1600),
      { kind: "subagent.end", agentId: "s1", time: T + 1700 },
    ]);
    const root = one("invoke_agent claude-code");
    const sub = one("invoke_agent Explore");
    assert.equal(sub.parentSpanContext?.spanId, root.spanContext().spanId);
    assert.equal(sub.attributes["gen_ai.usage.output_tokens"], 10);
    const call = spans.find((s) => s.name === "chat m") as ReadableSpan;
    assert.equal(call.parentSpanContext?.spanId, sub.spanContext().spanId);
    assert.equal(call.attributes["gen_ai.usage.cost"], 0.01);
  });
});

test("a call Claude Code allowed, then refused by the user, was stopped: interrupted, not denied", () => {
  const { one } = build([
    { kind: "tool.start", agentId: null, id: "t1", name: "Bash", input: {}, time: T + 2000 },
    { kind: "tool.decision", id: "t1", time: T + 2001, decision: "accept", source: "config" },
    {
      kind: "tool.end",
      agentId: null,
      id: "t1",
      time: T + 2500,
      isError: true,
      output: "The user doesn't want to proceed",
      errorType: "permission_denied",
      denialSource: "user",
    },
  ]);
  const tool = one("execute_tool Bash");
  assert.equal(tool.attributes["error.type"], "interrupted");
  assert.equal(tool.attributes["claude_code.permission.source"], undefined);
});

test("two subagents given the same tool-call id (a replayed answer) each get their own tool span", () => {
  const sub = (agentId: string, time: number): RunEvent => ({
    kind: "subagent.start",
    agentId,
    agentType: `type-${agentId}`,
    parentToolUseId: null,
    description: agentId,
    background: false,
    time,
  });
  const start = (agentId: string, time: number): RunEvent => ({
    kind: "tool.start",
    agentId,
    id: "toolu_same",
    name: "Bash",
    input: { command: "ls" },
    time,
  });
  const { spans } = build([
    sub("a1", T + 1100),
    sub("a2", T + 1200),
    start("a1", T + 1300),
    start("a2", T + 1400),
    { kind: "tool.end", agentId: "a1", id: "toolu_same", time: T + 1500, isError: false, output: "one" },
    { kind: "tool.decision", id: "toolu_same", time: T + 1550, decision: "reject", source: "hook" },
    { kind: "tool.end", agentId: "a2", id: "toolu_same", time: T + 1600, isError: true, output: "no" },
    { kind: "subagent.end", agentId: "a1", time: T + 1700 },
    { kind: "subagent.end", agentId: "a2", time: T + 1800 },
  ]);
  const agents = new Map(spans.map((s) => [s.spanContext().spanId, s.name]));
  const tools = spans.filter((s) => s.name === "execute_tool Bash");
  assert.equal(tools.length, 2);
  const byAgent = new Map(tools.map((t) => [agents.get(t.parentSpanContext?.spanId ?? ""), t]));
  const [first, second] = [byAgent.get("invoke_agent type-a1"), byAgent.get("invoke_agent type-a2")];
  assert.deepEqual(first?.endTime, [T / 1000 + 1, 500_000_000]);
  assert.equal(first?.attributes["gen_ai.tool.call.result"], "one");
  assert.equal(first?.status.code, 0);
  // The refusal names no agent: it is the newest open call's with that id, the second one's.
  assert.deepEqual(second?.endTime, [T / 1000 + 1, 600_000_000]);
  assert.equal(second?.attributes["error.type"], "permission_denied");
});

describe("long content", () => {
  test("a redactor that cuts as it redacts is given each long text once, never whole", () => {
    const exporter = new InMemorySpanExporter();
    const provider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] });
    const whole: number[] = [];
    const redact = Object.assign(
      (text: string) => {
        whole.push(text.length);
        return text;
      },
      {
        redactAndCut: (text: string, max: number) => `${text.slice(0, max)}…`,
        head: (text: string, max: number) => ({ head: text.slice(0, max), total: text.length }),
      },
    );
    const builder = new TraceBuilder({
      tracer: provider.getTracer("test"),
      parentContext: ROOT_CONTEXT,
      content: { capture: true, maxLength: 100 },
      startTime: T,
      redact,
    });
    const content = "x".repeat(1_000_000);
    builder.handle({ kind: "tool.start", agentId: null, id: "t1", name: "Write", input: { content }, time: T + 1 });
    builder.handle({ kind: "tool.end", agentId: null, id: "t1", time: T + 2, isError: false, output: content });
    builder.finish({ endTime: T + 3 });
    const tool = exporter.getFinishedSpans().find((s) => s.name === "execute_tool Write") as ReadableSpan;
    const args = String(tool.attributes["gen_ai.tool.call.arguments"]);
    assert.ok(args.length <= 100);
    // Cut inside the value, and the marker counts the whole text, not the head that was read.
    const kept = /^(x*)…\[(\d+) more chars\]$/.exec(JSON.parse(args).content);
    assert.ok(kept, args);
    assert.equal((kept[1] as string).length + Number(kept[2]), 1_000_000);
    assert.ok(String(tool.attributes["gen_ai.tool.call.result"]).length <= 101);
    assert.ok(!whole.some((n) => n >= 1_000_000), `whole texts redacted: ${whole.join(", ")}`);
  });
});

describe("a request Claude Code counted but never accounted (stopped mid-stream)", () => {
  const request = (id: string): RunEvent => ({
    kind: "api.request",
    agentId: null,
    requestId: id,
    model: "m",
    startTime: T + 1100,
    endTime: T + 1200,
    usage,
    details: {},
    costUsd: 0.25,
  });
  const call = (id: string, output: number): RunEvent => ({
    ...(chat(`msg-${id}`, null, T + 1100) as Extract<RunEvent, { kind: "chat" }>),
    requestId: id,
    usage: { ...usage, output },
  });
  const totals: RunEvent = {
    kind: "result",
    time: T + 3000,
    source: "result",
    totalCostUsd: 0.4,
    models: { m: { usage: { input: 2, output: 14, cacheRead: 200, cacheCreation: 40 }, costUsd: 0.4 } },
  };
  function run(resumed: boolean) {
    const events = [call("r1", 10), request("r1"), call("r2", 1), totals];
    const { spans } = build(events, {}, () => 0.001, { exactCalls: true, resumed });
    return spans.find((s) => s.attributes["claude_code.request_id"] === "r2") as ReadableSpan;
  }

  test("its usage and price are what the run's totals hold beyond the other calls", () => {
    const stopped = run(false);
    assert.equal(stopped.attributes["claude_code.cost.source"], "claude_code_total");
    assert.ok(Math.abs(Number(stopped.attributes["gen_ai.usage.cost"]) - 0.15) < 1e-12);
    assert.equal(stopped.attributes["gen_ai.usage.output_tokens"], 4);
  });

  test("not for a resumed session, whose totals include earlier runs: the price table's", () => {
    const stopped = run(true);
    assert.equal(stopped.attributes["claude_code.cost.source"], "price_table");
    assert.equal(stopped.attributes["gen_ai.usage.cost"], 0.001);
  });
});
