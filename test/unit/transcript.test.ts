import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { RunEvent } from "../../src/events.ts";
import { TranscriptParser } from "../../src/sources/transcript.ts";

const entry = (o: Record<string, unknown>) => JSON.stringify(o);
const usage = (input: number, output: number) => ({
  input_tokens: input,
  output_tokens: output,
  cache_read_input_tokens: 100,
  cache_creation_input_tokens: 10,
});

function parse(lines: string[], agentId: string | null = null): RunEvent[] {
  const events: RunEvent[] = [];
  const parser = new TranscriptParser(agentId, (e) => events.push(e));
  for (const line of lines) parser.line(line);
  parser.end();
  return events;
}

describe("TranscriptParser", () => {
  test("one model call split over two entries is one chat event with the last usage", () => {
    const events = parse([
      entry({
        type: "user",
        timestamp: "2026-01-01T00:00:00.000Z",
        sessionId: "s1",
        version: "2.1.331",
        message: { role: "user", content: "hi" },
      }),
      entry({ type: "api-request", timestamp: "2026-01-01T00:00:01.000Z" }),
      entry({
        type: "assistant",
        timestamp: "2026-01-01T00:00:02.000Z",
        message: { id: "msg_1", model: "m", content: [{ type: "text", text: "I'll look." }], usage: usage(3, 40) },
      }),
      entry({
        type: "assistant",
        timestamp: "2026-01-01T00:00:02.500Z",
        message: {
          id: "msg_1",
          model: "m",
          stop_reason: "tool_use",
          content: [{ type: "tool_use", id: "t1", name: "Bash", input: { command: "ls" } }],
          usage: usage(3, 51),
        },
      }),
      entry({
        type: "user",
        timestamp: "2026-01-01T00:00:03.000Z",
        message: {
          role: "user",
          content: [{ type: "tool_result", tool_use_id: "t1", content: "a.txt", is_error: false }],
        },
      }),
    ]);
    const kinds = events.map((e) => e.kind);
    // A tool's result does not end the message (more parts may follow it): the call goes out at the next line.
    assert.deepEqual(kinds, ["prompt", "session", "tool.start", "tool.end", "chat"]);
    const chat = events.find((e) => e.kind === "chat");
    assert.ok(chat && chat.kind === "chat");
    assert.equal(chat.id, "msg_1");
    assert.deepEqual(chat.usage, { input: 3, output: 51, cacheRead: 100, cacheCreation: 10 });
    assert.equal(chat.startTime, Date.parse("2026-01-01T00:00:01.000Z"));
    assert.equal(chat.endTime, Date.parse("2026-01-01T00:00:02.500Z"));
    assert.equal(chat.stopReason, "tool_use");
    assert.deepEqual(chat.toolCalls, [{ id: "t1", name: "Bash" }]);
  });

  test("a call the user stopped is interrupted; one refused at the prompt is denied by the user", () => {
    const rejected = (id: string, beforeRun: boolean) =>
      entry({
        type: "user",
        toolUseResult: "User rejected tool use",
        toolDenialKind: "user-rejected",
        ...(beforeRun ? { toolDenialBeforeRun: true } : {}),
        message: {
          role: "user",
          content: [
            { type: "tool_result", tool_use_id: id, content: "The user doesn't want to proceed", is_error: true },
          ],
        },
      });
    const outcome = (mode: string, beforeRun: boolean) => {
      const [end] = parse([entry({ type: "permission-mode", permissionMode: mode }), rejected("t1", beforeRun)]);
      return end?.kind === "tool.end" ? [end.errorType, end.denialSource] : [];
    };
    // Running when the user pressed Esc (or the SDK interrupted): stopped, not refused.
    assert.deepEqual(outcome("default", false), ["interrupted", undefined]);
    // Not started yet, with nobody to ask (permissions bypassed): it was waiting its turn.
    assert.deepEqual(outcome("bypassPermissions", true), ["interrupted", undefined]);
    // Refused at the permission prompt.
    assert.deepEqual(outcome("default", true), ["permission_denied", "user"]);
    // Refused by the mode, headless: recorded as user-rejected too, with the decision that says who.
    const [byMode] = parse([
      entry({
        type: "user",
        toolDenialKind: "user-rejected",
        permissionDecision: { decision: "reject", source: "config", reasonCode: "unknown" },
        message: {
          role: "user",
          content: [{ type: "tool_result", tool_use_id: "t2", content: "needs approval", is_error: true }],
        },
      }),
    ]);
    assert.deepEqual(byMode?.kind === "tool.end" ? [byMode.errorType, byMode.denialSource] : [], [
      "permission_denied",
      "mode",
    ]);
  });

  test("failed tool results carry an error type; API errors are not model calls", () => {
    const events = parse([
      entry({
        type: "user",
        message: {
          role: "user",
          content: [{ type: "tool_result", tool_use_id: "t9", content: "Exit code 2", is_error: true }],
        },
      }),
      entry({
        type: "assistant",
        isApiErrorMessage: true,
        message: { id: "x", model: "<synthetic>", content: [{ type: "text", text: "API Error: 529 overloaded" }] },
      }),
    ]);
    assert.deepEqual(events[0], {
      kind: "tool.end",
      agentId: null,
      id: "t9",
      time: 0,
      isError: true,
      output: "Exit code 2",
      errorType: "tool_error",
    });
    assert.equal(events[1]?.kind, "api.error");
    assert.equal(
      events.some((e) => e.kind === "chat"),
      false,
    );
  });

  test("the saved cost state becomes a result event; broken lines are skipped", () => {
    const events = parse([
      "{not json",
      entry({
        type: "cost-state",
        sessionId: "s1",
        totalCostUSD: 0.5,
        totalAPIDuration: 120,
        modelUsage: {
          m: { inputTokens: 1, outputTokens: 2, cacheReadInputTokens: 3, cacheCreationInputTokens: 4, costUSD: 0.5 },
        },
      }),
    ]);
    assert.equal(events.length, 1);
    const result = events[0];
    assert.ok(result?.kind === "result");
    assert.equal(result.source, "cost-state");
    assert.equal(result.totalCostUsd, 0.5);
    assert.deepEqual(result.models?.m?.usage, { input: 1, output: 2, cacheRead: 3, cacheCreation: 4 });
  });

  test("a task notification starts a synthetic turn", () => {
    const events = parse([
      entry({ type: "user", message: { role: "user", content: "first" } }),
      entry({ type: "user", message: { role: "user", content: "<task-notification>\n<task-id>a</task-id>" } }),
    ]);
    const prompts = events.filter((e) => e.kind === "prompt");
    assert.deepEqual(
      prompts.map((p) => p.kind === "prompt" && p.synthetic),
      [false, true],
    );
  });
});

describe("TranscriptParser max turns", () => {
  test("the main agent's max_turns_reached attachment is an event; a subagent's, or other attachments, are not", () => {
    const reached = entry({
      type: "attachment",
      timestamp: "2026-01-01T00:00:05.000Z",
      attachment: { type: "max_turns_reached", maxTurns: 2, turnCount: 3, exitCommitted: false },
    });
    const other = entry({ type: "attachment", attachment: { type: "total_tokens_reminder" } });
    const events = parse([other, reached]);
    assert.deepEqual(events, [
      { kind: "max_turns", time: Date.parse("2026-01-01T00:00:05.000Z"), maxTurns: 2, turnCount: 3 },
    ]);
    assert.deepEqual(parse([reached], "sub"), []);
  });
});

describe("TranscriptParser since", () => {
  test("entries stamped before `since` are skipped as if absent: the first later prompt is the prompt", () => {
    const seen: RunEvent[] = [];
    const parser = new TranscriptParser(null, (e) => seen.push(e), { since: Date.parse("2026-11-25T10:00:01.000Z") });
    const user = (text: string, timestamp: string) =>
      JSON.stringify({ type: "user", sessionId: "s", timestamp, message: { role: "user", content: text } });
    parser.line(user("history", "2026-11-25T10:00:00.500Z"));
    parser.line(JSON.stringify({ type: "cost-state", totalCostUsd: 1 }));
    parser.line(user("this run", "2026-11-25T10:00:01.200Z"));
    parser.end();
    const prompts = seen.filter((e) => e.kind === "prompt");
    assert.deepEqual(
      prompts.map((e) => (e.kind === "prompt" ? [e.text, e.synthetic] : [])),
      [["this run", false]],
    );
  });
});
