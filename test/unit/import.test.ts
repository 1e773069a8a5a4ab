/**
 * What `claudia traces import` decides from a transcript alone: where a forked session's own part
 * starts (entries before it are copies of the session it was forked from).
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { ForkStart } from "../../src/sources/fork-start.ts";

const ms = (s: number) => Date.UTC(2026, 0, 1) + s * 1000;
const at = (s: number) => new Date(ms(s)).toISOString();
const line = (o: Record<string, unknown>) => JSON.stringify(o);
const prompt = (s: number, text: string, extra = {}) =>
  line({ type: "user", timestamp: at(s), sessionId: "fork", message: { role: "user", content: text }, ...extra });
const answer = (s: number, from?: string) =>
  line({
    type: "assistant",
    timestamp: at(s),
    sessionId: "fork",
    ...(from ? { requestSessionId: from } : {}),
    message: { id: `msg_${s}`, content: [{ type: "text", text: "ok" }] },
  });
const toolResult = (s: number) =>
  line({
    type: "user",
    timestamp: at(s),
    message: { content: [{ type: "tool_result", tool_use_id: "t", content: "x" }] },
  });
const attachment = (s: number) => line({ type: "attachment", timestamp: at(s), attachment: { type: "date" } });

function startOf(lines: string[]): ForkStart {
  const start = new ForkStart();
  for (const l of [line({ type: "mode", mode: "normal" }), ...lines]) start.line(l);
  return start;
}

describe("ForkStart", () => {
  test("a session that is no fork is its own from its first entry", () => {
    const start = startOf([prompt(1, "hi"), attachment(1), answer(2), prompt(3, "again"), answer(4)]);
    assert.equal(start.since, undefined);
    assert.equal(start.first, ms(1));
  });

  test("a headless fork: its queued prompt, written before the copies, is its start", () => {
    const queued = line({ type: "queue-operation", operation: "enqueue", timestamp: at(50), content: "forked" });
    const start = startOf([queued, prompt(1, "parent"), answer(2, "parent-id"), attachment(3), prompt(51, "forked")]);
    assert.equal(start.since, ms(50));
  });

  test("a fork without a queued prompt: its first prompt after the last copied answer", () => {
    const history = [prompt(1, "parent"), answer(2, "parent-id"), toolResult(3), answer(4, "parent-id")];
    // The history's unmarked tail (a tool result, attachments) is still a copy.
    const start = startOf([...history, toolResult(5), attachment(6), prompt(60, "forked"), answer(61)]);
    assert.equal(start.since, ms(60));
    assert.equal(start.first, ms(1));
  });

  test("a fork of a fork, and a branch's copies (forkedFrom): the copies of every origin are skipped", () => {
    const grand = [prompt(1, "first"), answer(2, "grandparent"), prompt(10, "second"), answer(11, "parent")];
    assert.equal(startOf([...grand, prompt(20, "third"), answer(21)]).since, ms(20));
    const branched = [
      prompt(1, "first", { forkedFrom: { sessionId: "origin", messageUuid: "u1" } }),
      answer(2, "origin"),
      attachment(3),
    ];
    assert.equal(startOf([...branched, prompt(30, "mine")]).since, ms(30));
  });

  test("a fork that has no prompt of its own yet holds nothing of its own", () => {
    const start = startOf([prompt(1, "parent"), answer(2, "parent-id"), attachment(3)]);
    assert.equal(start.since, ms(2) + 1);
  });
});
