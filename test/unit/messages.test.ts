/**
 * The GenAI content documents built from run events: what each model call was sent since its
 * agent's previous call, what it answered, and the full-history switch.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import type { ChatEvent, RunEvent } from "../../src/events.ts";
import { apiServerOf } from "../../src/trace/api-server.ts";
import {
  Conversations,
  encodeDocument,
  finishReasonOf,
  messagesText,
  toolDefinitions,
} from "../../src/trace/messages.ts";
import { contentErrors } from "../support/semconv-check.ts";

const usage = { input: 1, output: 1, cacheRead: 0, cacheCreation: 0 };
const chat = (agentId: string | null, id: string, extra: Partial<ChatEvent> = {}): ChatEvent => ({
  kind: "chat",
  agentId,
  id,
  model: "claude-sonnet-4-5",
  startTime: 0,
  endTime: 1,
  usage,
  stopReason: "end_turn",
  text: "",
  toolCalls: [],
  ...extra,
});

function play(conversations: Conversations, events: RunEvent[]): void {
  for (const event of events) conversations.observe(event);
}

test("a call's input is what its agent's conversation gained since the previous call", () => {
  const c = new Conversations();
  const first = chat(null, "m1", { stopReason: "tool_use", text: "Looking", toolCalls: [{ id: "t1", name: "Bash" }] });
  const second = chat(null, "m2", { text: "Done" });
  play(c, [
    { kind: "prompt", agentId: null, time: 0, text: "fix it", synthetic: false },
    { kind: "tool.start", agentId: null, id: "t1", name: "Bash", input: { command: "ls" }, time: 1 },
    first,
    { kind: "tool.end", agentId: null, id: "t1", time: 2, isError: false, output: "a.txt" },
    second,
  ]);
  assert.deepEqual(c.messagesOf(first)?.input, [{ role: "user", parts: [{ type: "text", content: "fix it" }] }]);
  assert.deepEqual(c.messagesOf(first)?.output, [
    {
      role: "assistant",
      parts: [
        { type: "text", content: "Looking" },
        { type: "tool_call", id: "t1", name: "Bash", arguments: { command: "ls" } },
      ],
      finish_reason: "tool_call",
    },
  ]);
  assert.deepEqual(c.messagesOf(second)?.input, [
    { role: "tool", parts: [{ type: "tool_call_response", id: "t1", response: "a.txt" }] },
  ]);
  assert.equal(c.messagesOf(second)?.output[0]?.finish_reason, "stop");
  for (const call of [first, second]) {
    const messages = c.messagesOf(call);
    assert.deepEqual(contentErrors("gen_ai.input.messages", JSON.stringify(messages?.input)), []);
    assert.deepEqual(contentErrors("gen_ai.output.messages", JSON.stringify(messages?.output)), []);
  }
  assert.deepEqual(c.endAgent(null), { text: "Done", finishReason: "stop" });
});

test("a subagent's tool results go to the subagent, not to the main agent", () => {
  const c = new Conversations();
  const sub = chat("a1", "s1", { text: "sub done" });
  const main = chat(null, "m2");
  play(c, [
    { kind: "prompt", agentId: "a1", time: 0, text: "the task", synthetic: false },
    { kind: "tool.start", agentId: "a1", id: "t9", name: "Read", input: { file_path: "x" }, time: 1 },
    { kind: "tool.end", agentId: "a1", id: "t9", time: 2, isError: true, output: "no such file" },
    sub,
    main,
  ]);
  assert.deepEqual(
    c.messagesOf(sub)?.input.map((m) => m.role),
    ["user", "tool"],
  );
  assert.deepEqual(c.messagesOf(main)?.input, []);
  assert.deepEqual(c.endAgent("a1"), { text: "sub done", finishReason: "stop" });
  assert.equal(c.endAgent("a1"), undefined);
});

test("two agents given the same tool-call id (a replayed answer) each get their own result", () => {
  const c = new Conversations();
  const calls = ["a1", "a2"].map((agentId) => ({
    agentId,
    asked: chat(agentId, `${agentId}-1`, { stopReason: "tool_use", toolCalls: [{ id: "t1", name: "Bash" }] }),
    next: chat(agentId, `${agentId}-2`),
  }));
  for (const { agentId, asked } of calls) {
    play(c, [{ kind: "tool.start", agentId, id: "t1", name: "Bash", input: { command: agentId }, time: 1 }, asked]);
  }
  for (const { agentId, next } of calls) {
    play(c, [{ kind: "tool.end", agentId, id: "t1", time: 2, isError: false, output: `out ${agentId}` }, next]);
  }
  for (const { agentId, asked, next } of calls) {
    assert.deepEqual(c.messagesOf(asked)?.output[0]?.parts, [
      { type: "tool_call", id: "t1", name: "Bash", arguments: { command: agentId } },
    ]);
    assert.deepEqual(c.messagesOf(next)?.input, [
      { role: "tool", parts: [{ type: "tool_call_response", id: "t1", response: `out ${agentId}` }] },
    ]);
  }
});

test("the full-history switch sends the whole conversation so far", () => {
  const c = new Conversations(true);
  const first = chat(null, "m1", { text: "one" });
  const second = chat(null, "m2", { text: "two" });
  play(c, [
    { kind: "prompt", agentId: null, time: 0, text: "hi", synthetic: false },
    first,
    { kind: "prompt", agentId: null, time: 2, text: "again", synthetic: true },
    second,
  ]);
  assert.deepEqual(
    c.messagesOf(second)?.input.map((m) => [m.role, m.parts[0]?.content]),
    [
      ["user", "hi"],
      ["assistant", "one"],
      ["user", "again"],
    ],
  );
});

test("reasoning and server tool calls are parts of the answer", () => {
  const c = new Conversations();
  const call = chat(null, "m1", { text: "Found it" }) as ChatEvent & {
    thinking: string;
    serverToolCalls: { id: string; name: string; input: unknown }[];
  };
  call.thinking = "let me search";
  call.serverToolCalls = [{ id: "srv1", name: "web_search", input: { query: "otel" } }];
  c.observe(call);
  const parts = c.messagesOf(call)?.output[0]?.parts ?? [];
  assert.deepEqual(
    parts.map((p) => p.type),
    ["reasoning", "server_tool_call", "text"],
  );
  assert.deepEqual(contentErrors("gen_ai.output.messages", JSON.stringify(c.messagesOf(call)?.output)), []);
});

test("stop reasons map to the conventions' finish reasons", () => {
  assert.equal(finishReasonOf("end_turn"), "stop");
  assert.equal(finishReasonOf("max_tokens"), "length");
  assert.equal(finishReasonOf("tool_use"), "tool_call");
  assert.equal(finishReasonOf("refusal"), "content_filter");
  assert.equal(finishReasonOf("something_new"), "something_new");
  assert.equal(finishReasonOf(null), "");
});

test("tool definitions and message text", () => {
  const defs = toolDefinitions(["Bash", "mcp__fixtures__echo"]);
  assert.deepEqual(defs, [
    { type: "function", name: "Bash" },
    { type: "extension", name: "mcp__fixtures__echo" },
  ]);
  assert.deepEqual(contentErrors("gen_ai.tool.definitions", JSON.stringify(defs)), []);
  assert.equal(
    messagesText('[{"role":"user","parts":[{"type":"text","content":"a"},{"type":"text","content":"b"}]}]'),
    "a\nb",
  );
  assert.equal(messagesText("[not json"), undefined);
});

test("the API server comes from ANTHROPIC_BASE_URL, else the Anthropic API", () => {
  assert.deepEqual(apiServerOf({}), { address: "api.anthropic.com", port: 443 });
  assert.deepEqual(apiServerOf({ ANTHROPIC_BASE_URL: "http://127.0.0.1:8080/v1" }), {
    address: "127.0.0.1",
    port: 8080,
  });
  assert.deepEqual(apiServerOf({ ANTHROPIC_BASE_URL: "https://proxy.example" }), {
    address: "proxy.example",
    port: 443,
  });
  assert.deepEqual(apiServerOf({ ANTHROPIC_BASE_URL: "http://[::1]:9" }), { address: "::1", port: 9 });
  assert.equal(apiServerOf({ ANTHROPIC_BASE_URL: "not a url" }), undefined);
  assert.equal(apiServerOf({ CLAUDE_CODE_USE_BEDROCK: "1" }), undefined);
});

test("a document too long is cut inside its content, keeping roles, types and ids, then its oldest messages", () => {
  const long = [
    { role: "user", parts: [{ type: "text", content: "a".repeat(500) }] },
    { role: "tool", parts: [{ type: "tool_call_response", id: "t1", response: "b".repeat(500) }] },
  ];
  const cut = encodeDocument(long, 200);
  assert.ok(cut.length <= 200, `${cut.length}`);
  assert.deepEqual(contentErrors("gen_ai.input.messages", cut), []);
  const parsed = JSON.parse(cut);
  assert.deepEqual(
    parsed.map((m: { role: string; parts: { type: string }[] }) => [m.role, m.parts[0]?.type]),
    [
      ["user", "text"],
      ["tool", "tool_call_response"],
    ],
  );
  assert.match(parsed[0].parts[0].content, /more chars\]$/);
  const tight = encodeDocument(long, 90);
  assert.ok(tight.length <= 90);
  assert.deepEqual(contentErrors("gen_ai.input.messages", tight), []);
  assert.equal(JSON.parse(tight).length, 1, "the oldest message left out");
  assert.equal(encodeDocument(long, 5), "[]");
  const output = [{ role: "assistant", parts: [{ type: "text", content: "x" }], finish_reason: "stop" }];
  assert.equal(encodeDocument(output, 1000), JSON.stringify(output));
});
