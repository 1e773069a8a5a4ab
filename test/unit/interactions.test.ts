/**
 * A UI session cut into prompts, from hook inputs and a transcript file written as Claude Code
 * writes it (including the answer arriving just after the Stop hook).
 */
import assert from "node:assert/strict";
import { appendFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import type { RunEvent } from "../../src/events.ts";
import { type InteractionStart, Interactions } from "../../src/sources/interactions.ts";

const dir = mkdtempSync(join(tmpdir(), "claudia-interactions-"));
after(() => rmSync(dir, { recursive: true, force: true }));

interface Seen {
  start: InteractionStart;
  events: RunEvent[];
  end?: { completed: boolean; reason?: string; time: number };
}

function session(name: string) {
  const path = join(dir, `${name}.jsonl`);
  const seen: Seen[] = [];
  const interactions = new Interactions((start) => {
    const s: Seen = { start, events: [] };
    seen.push(s);
    return { emit: (e) => s.events.push(e), end: (outcome) => (s.end = outcome) };
  }, 10);
  const write = (o: Record<string, unknown>) => appendFileSync(path, `${JSON.stringify(o)}\n`);
  const hook = (name: string, extra: Record<string, unknown> = {}) =>
    interactions.hook({ hook_event_name: name, session_id: "s1", transcript_path: path, ...extra });
  return { path, seen, interactions, write, hook };
}

const at = (ms: number) => new Date(ms).toISOString();
const answer = (id: string, text: string, time: number) => ({
  type: "assistant",
  timestamp: at(time),
  message: {
    id,
    model: "m",
    stop_reason: "end_turn",
    content: [{ type: "text", text }],
    usage: { input_tokens: 1, output_tokens: 2, cache_read_input_tokens: 3, cache_creation_input_tokens: 4 },
  },
});
const chats = (s: Seen) => s.events.filter((e) => e.kind === "chat");
const until = async (check: () => boolean) => {
  for (let i = 0; i < 500 && !check(); i++) await new Promise((r) => setTimeout(r, 10));
  assert.ok(check(), `not true within 5 s: ${check}`);
};

describe("Interactions", () => {
  test("each prompt gets its own sink; Stop waits for the answer that reaches the transcript after it", async () => {
    const s = session("late-answer");
    const now = Date.now();
    s.hook("UserPromptSubmit", { prompt: "first" });
    s.write({
      type: "user",
      timestamp: at(now),
      sessionId: "s1",
      version: "9.9.9",
      message: { role: "user", content: "first" },
    });
    s.write(answer("m1", "Same answer.", now + 10));
    s.hook("Stop", { last_assistant_message: "Same answer." });
    await until(() => s.seen[0]?.end !== undefined);
    assert.equal(chats(s.seen[0] as Seen).length, 1);
    assert.equal(s.seen[0]?.end?.completed, true);

    // The second turn gives the same answer text, and writes it only after Stop has fired.
    s.hook("UserPromptSubmit", { prompt: "second" });
    s.hook("Stop", { last_assistant_message: "Same answer." });
    // Another model call is read after Stop (the transcript has been polled since); the answer is not.
    s.write(answer("m-mid", "Working on it.", Date.now()));
    s.write({ type: "api-request", timestamp: at(Date.now()) });
    await until(() => chats(s.seen[1] as Seen).length === 1);
    assert.equal(s.seen[1]?.end, undefined, "the turn stays open until its answer is read");
    s.write(answer("m2", "Same answer.", Date.now()));
    await until(() => s.seen[1]?.end !== undefined);
    const second = s.seen[1] as Seen;
    assert.deepEqual(
      chats(second).map((c) => (c.kind === "chat" ? c.id : "")),
      ["m-mid", "m2"],
    );
    assert.deepEqual(
      second.events.filter((e) => e.kind === "prompt").map((e) => (e.kind === "prompt" ? [e.text, e.synthetic] : [])),
      [["second", false]],
      "the prompt is the hook's, once, as the run's own",
    );
    const sessionEvent = second.events.find((e) => e.kind === "session");
    assert.equal(sessionEvent?.kind === "session" && sessionEvent.claudeCodeVersion, "9.9.9");
    assert.ok(
      (second.end?.time ?? 0) >=
        (chats(second)[0]?.kind === "chat" ? (chats(second)[0] as { endTime: number }).endTime : 0),
    );
    s.interactions.close();
  });

  test("a prompt typed while the agent works waits: its own turn after this one, or part of this one", async () => {
    const s = session("queued");
    writeFileSync(s.path, "");
    const line = (content: unknown) => ({
      type: "user",
      timestamp: at(Date.now()),
      sessionId: "s1",
      message: { role: "user", content },
    });
    s.hook("UserPromptSubmit", { prompt: "first" });
    s.write(line("first"));
    s.hook("UserPromptSubmit", { prompt: "typed meanwhile" });
    assert.equal(s.seen.length, 1, "queued: the first turn goes on");
    s.write(answer("m1", "First done.", Date.now()));
    s.hook("Stop", { last_assistant_message: "First done." });
    await until(() => s.seen[0]?.end !== undefined);
    assert.deepEqual(s.seen[0]?.end?.completed, true);
    // Claude Code runs it as a turn of its own: its line in the transcript starts it.
    s.write(line("typed meanwhile"));
    s.write(answer("m2", "Second done.", Date.now()));
    s.hook("Stop", { last_assistant_message: "Second done." });
    await until(() => s.seen[1]?.end !== undefined);
    assert.equal(s.seen[1]?.start.prompt, "typed meanwhile");
    assert.deepEqual(
      chats(s.seen[1] as Seen).map((c) => (c.kind === "chat" ? c.id : "")),
      ["m2"],
    );
    // Given to the agent with a tool's result: part of that turn, no turn of its own.
    s.hook("UserPromptSubmit", { prompt: "third" });
    s.write(line("third"));
    s.hook("UserPromptSubmit", { prompt: "joined" });
    s.write({
      type: "attachment",
      timestamp: at(Date.now()),
      attachment: { type: "queued_command", prompt: "joined" },
    });
    s.write(answer("m3", "Third done, joined too.", Date.now()));
    s.hook("Stop", { last_assistant_message: "Third done, joined too." });
    await until(() => s.seen[2]?.end !== undefined);
    s.interactions.close();
    assert.equal(s.seen.length, 3, "no trace for the joined prompt");
    const joined = (s.seen[2] as Seen).events.filter((e) => e.kind === "prompt" && e.queued);
    assert.equal(joined.length, 1, "it is in the turn's conversation");
  });

  test("a prompt left without Stop is ended as not completed; a resumed session's history is skipped", async () => {
    const s = session("resumed");
    const old = Date.now() - 3_600_000;
    writeFileSync(s.path, "");
    s.write({ type: "user", timestamp: at(old), sessionId: "s1", message: { role: "user", content: "long ago" } });
    s.write(answer("old", "Old answer.", old + 5));
    s.hook("UserPromptSubmit", { prompt: "interrupted one" });
    // Esc: Claude Code records the interruption and sends no Stop.
    const stopped = { role: "user", content: [{ type: "text", text: "[Request interrupted by user]" }] };
    s.write({ type: "user", timestamp: at(Date.now()), sessionId: "s1", message: stopped });
    s.hook("UserPromptSubmit", { prompt: "next one" });
    assert.deepEqual(s.seen[0]?.end && { completed: s.seen[0].end.completed, reason: s.seen[0].end.reason }, {
      completed: false,
      reason: "next_prompt",
    });
    s.write(answer("new", "New answer.", Date.now()));
    s.hook("SessionEnd", { reason: "clear" });
    assert.equal(s.seen[1]?.end?.reason, "session_end");
    assert.deepEqual(
      s.seen.flatMap((x) => chats(x)).map((c) => (c.kind === "chat" ? c.id : "")),
      ["new"],
    );
    // Between sessions nothing is open: events are not routed anywhere, and close() is harmless.
    s.interactions.close();
    assert.equal(s.seen.length, 2);
  });
  test("a turn whose Stop came is completed when the session ends or Claude Code exits before its answer is read", () => {
    for (const ending of ["SessionEnd", "exit"]) {
      const s = session(`stopped-${ending}`);
      writeFileSync(s.path, "");
      s.hook("UserPromptSubmit", { prompt: "quick" });
      s.write({
        type: "user",
        timestamp: at(Date.now()),
        sessionId: "s1",
        message: { role: "user", content: "quick" },
      });
      // Stop names an answer the transcript does not have yet; `/exit` is typed at once.
      s.hook("Stop", { last_assistant_message: "Done." });
      const end = () => s.seen[0]?.end;
      assert.equal(end(), undefined, "waiting for the answer's line");
      if (ending === "SessionEnd") s.hook("SessionEnd", { reason: "prompt_input_exit" });
      else s.interactions.close();
      assert.equal(end()?.completed, true, ending);
      s.interactions.close();
    }
  });

  test("a background subagent's work after its prompt's turn is that prompt's, its late accounting too", async () => {
    const s = session("background");
    writeFileSync(s.path, "");
    const subagents = join(dir, "background", "subagents");
    mkdirSync(subagents, { recursive: true });
    const t0 = Date.now();
    const usage = { input_tokens: 1, output_tokens: 2 };
    s.hook("UserPromptSubmit", { prompt: "start it" });
    s.write({ type: "user", timestamp: at(t0), sessionId: "s1", message: { role: "user", content: "start it" } });
    const agentCall = { type: "tool_use", id: "toolu_A", name: "Agent", input: {} };
    s.write({
      type: "assistant",
      timestamp: at(t0 + 10),
      requestId: "req_main",
      message: { id: "m1", model: "m", stop_reason: "tool_use", content: [agentCall], usage },
    });
    s.write({
      type: "user",
      timestamp: at(t0 + 20),
      message: { role: "user", content: [{ type: "tool_result", tool_use_id: "toolu_A", content: "launched" }] },
    });
    s.write(answer("m2", "Started it.", t0 + 30));
    const meta = { agentType: "general-purpose", toolUseId: "toolu_A", requestShape: "background" };
    writeFileSync(join(subagents, "agent-a1.meta.json"), JSON.stringify(meta));
    writeFileSync(
      join(subagents, "agent-a1.jsonl"),
      `${JSON.stringify({ type: "user", timestamp: at(t0 + 25), message: { role: "user", content: "task" } })}\n`,
    );
    s.hook("Stop", { last_assistant_message: "Started it." });
    await new Promise((r) => setTimeout(r, 50));
    const ended = () => s.seen[0]?.end;
    assert.equal(ended(), undefined, "its background subagent is still at work");
    // The user goes on; the subagent finishes while the next prompt runs.
    s.hook("UserPromptSubmit", { prompt: "meanwhile" });
    const done = Date.now();
    appendFileSync(join(subagents, "agent-a1.jsonl"), `${JSON.stringify(answer("s_last", "Report.", done))}\n`);
    s.write({
      type: "user",
      timestamp: at(done + 5),
      message: {
        role: "user",
        content: "<task-notification><tool-use-id>toolu_A</tool-use-id><status>completed</status></task-notification>",
      },
    });
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(ended()?.completed, true, "it ends once its subagent has reported back");
    // Claude Code's accounting of the subagent's last call comes after that.
    s.interactions.event({
      kind: "api.request",
      agentId: "a1",
      requestId: "req_sub_last",
      model: "m",
      startTime: done - 100,
      endTime: done,
      usage: { input: 1, output: 2, cacheRead: 0, cacheCreation: 0 },
      details: {},
      costUsd: 0.01,
    });
    const ids = (x: Seen | undefined) =>
      (x?.events ?? []).flatMap((e) => (e.kind === "chat" ? [e.id] : e.kind === "api.request" ? [e.requestId] : []));
    assert.deepEqual(ids(s.seen[0]), ["m1", "m2", "s_last", "req_sub_last"]);
    assert.deepEqual(ids(s.seen[1]), [], "nothing of the subagent's in the next prompt");
    s.interactions.close();
  });
});
