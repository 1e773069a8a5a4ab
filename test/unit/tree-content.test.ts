/** `claudia traces show --full`: the prompt and answer from the content attributes, or from an older run's events. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { renderTree } from "../../src/cli/traces/tree.ts";
import type { OtlpSpan } from "../../src/export/journal-store.ts";

const base = (name: string, attributes: OtlpSpan["attributes"], events?: OtlpSpan["events"]): OtlpSpan => ({
  traceId: `${"0".repeat(31)}1`,
  spanId: "a",
  name,
  startTimeUnixNano: "1000000000",
  endTimeUnixNano: "2000000000",
  attributes,
  events,
});
const text = (value: string) => ({ stringValue: value });
const messages = (role: string, content: string) =>
  text(JSON.stringify([{ role, parts: [{ type: "text", content }], finish_reason: "stop" }]));

test("the root's prompt and answer come from gen_ai.input/output.messages", () => {
  const root = base("invoke_agent claude-code", [
    { key: "gen_ai.operation.name", value: text("invoke_agent") },
    { key: "gen_ai.input.messages", value: messages("user", "fix the test") },
    { key: "gen_ai.output.messages", value: messages("assistant", "fixed it") },
  ]);
  const shown = renderTree([root], { full: true, color: false });
  assert.match(shown, /prompt: fix the test/);
  assert.match(shown, /answer: fixed it/);
  assert.doesNotMatch(shown, /input\.messages/, "an agent's documents are shown as its prompt and answer");
});

test("a run journaled by an earlier version still shows its prompt and answer from its events", () => {
  const root = base("invoke_agent claude-code", [{ key: "gen_ai.operation.name", value: text("invoke_agent") }], [
    { name: "user.prompt", attributes: [{ key: "gen_ai.prompt", value: text("old prompt") }] },
    { name: "agent.completed", attributes: [{ key: "gen_ai.completion", value: text("old answer") }] },
  ] as OtlpSpan["events"]);
  const shown = renderTree([root], { full: true, color: false });
  assert.match(shown, /prompt: old prompt/);
  assert.match(shown, /answer: old answer/);
});
