/**
 * The content documents the trace builder writes: valid JSON however small the content limit,
 * redacted inside, absent when content capture is off, and in the dialect asked for.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { ROOT_CONTEXT } from "@opentelemetry/api";
import { InMemorySpanExporter, type ReadableSpan, SimpleSpanProcessor, TracerProvider } from "@opentelemetry/sdk-trace";
import type { RunEvent } from "../../src/events.ts";
import { TraceBuilder, type TraceBuilderOptions } from "../../src/trace/builder.ts";
import { assertConforms } from "../support/conformance.ts";
import { contentErrors } from "../support/semconv-check.ts";

const T = 1_700_000_000_000;
const usage = { input: 1, output: 10, cacheRead: 100, cacheCreation: 20 };

const events: RunEvent[] = [
  { kind: "prompt", agentId: null, time: T + 1, text: `fix it with sk-ant-api03-${"a".repeat(90)}`, synthetic: false },
  { kind: "tool.start", agentId: null, id: "t1", name: "Bash", input: { command: "ls ".repeat(100) }, time: T + 2 },
  {
    kind: "chat",
    agentId: null,
    id: "m1",
    model: "m",
    startTime: T + 1,
    endTime: T + 2,
    usage,
    stopReason: "tool_use",
    text: "Looking ".repeat(50),
    toolCalls: [{ id: "t1", name: "Bash" }],
  },
  { kind: "tool.end", agentId: null, id: "t1", time: T + 3, isError: false, output: "file ".repeat(300) },
  {
    kind: "chat",
    agentId: null,
    id: "m2",
    model: "m",
    startTime: T + 4,
    endTime: T + 5,
    usage,
    stopReason: "end_turn",
    text: "Done.",
    toolCalls: [],
  },
];

function build(options: Partial<TraceBuilderOptions> = {}) {
  const exporter = new InMemorySpanExporter();
  const provider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] });
  const builder = new TraceBuilder({
    tracer: provider.getTracer("test"),
    parentContext: ROOT_CONTEXT,
    content: { capture: true, maxLength: 120 },
    startTime: T,
    costOf: () => 0.001,
    redact: (text) => text.replace(/sk-ant-[\w-]+/g, "[REDACTED]"),
    systemInstructions: ["Be terse. ".repeat(40)],
    apiServer: { address: "api.anthropic.com", port: 443 },
    ...options,
  });
  for (const event of events) builder.handle(event);
  builder.finish({ endTime: T + 10 });
  return exporter.getFinishedSpans();
}

const CONTENT = ["gen_ai.input.messages", "gen_ai.output.messages", "gen_ai.system_instructions"];

test("every content document stays valid JSON within the limit, and is redacted inside", () => {
  const spans = build();
  assertConforms(spans);
  let documents = 0;
  for (const span of spans) {
    for (const key of CONTENT) {
      const value = span.attributes[key];
      if (value === undefined) continue;
      documents++;
      assert.ok(String(value).length <= 120, `${span.name} ${key} is ${String(value).length} long`);
      assert.deepEqual(contentErrors(key, value), [], `${span.name} ${key}`);
    }
  }
  assert.equal(documents, 3 + 3 + 3, "root: prompt, answer, instructions; each call: input, output, instructions");
  const all = JSON.stringify(spans.map((s) => s.attributes));
  assert.doesNotMatch(all, /sk-ant-api03/);
  assert.match(all, /\[REDACTED\]/);
  assert.equal(spans.find((s) => s.name === "chat m")?.attributes["server.port"], 443);
});

test("content capture off: no content document at all", () => {
  const spans = build({ content: { capture: false, maxLength: 120 } });
  for (const span of spans) for (const key of CONTENT) assert.equal(span.attributes[key], undefined);
  assertConforms(spans);
});

test("the newest conventions: cache writes renamed, no cache breakdown on the agent", () => {
  const spans = build({ semconv: { latest: true } });
  assertConforms(spans, { latest: true });
  const root = spans.find((s) => s.name === "invoke_agent claude-code") as ReadableSpan;
  assert.equal(root.attributes["gen_ai.usage.cache_read.input_tokens"], undefined);
  assert.equal(root.attributes["gen_ai.usage.input_tokens"], 2 * 121);
  const chat = spans.find((s) => s.name === "chat m") as ReadableSpan;
  assert.equal(chat.attributes["gen_ai.usage.cache_write.input_tokens"], 20);
  assert.equal(chat.attributes["gen_ai.usage.cache_creation.input_tokens"], undefined);
  // The published dialect fails the opt-in check, and the other way round: the check can tell them apart.
  assert.throws(() => assertConforms(build(), { latest: true }));
  assert.throws(() => assertConforms(spans, { latest: false }));
});
