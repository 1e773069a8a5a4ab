/**
 * TranscriptTail on a transcript folder that may hold anything (`claudia traces import` of a folder
 * someone else wrote): a FIFO, a device or a link among the subagents' files is skipped, never
 * waited on or read without end. And while Claude Code writes: a call ends when Claude Code
 * accounts for its request, without waiting for a line after it.
 */
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { appendFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import type { RunEvent } from "../../src/events.ts";
import { TranscriptTail } from "../../src/sources/transcript-tail.ts";

const base = mkdtempSync(join(tmpdir(), "claudia-tail-"));
after(() => rmSync(base, { recursive: true, force: true }));

const line = (o: Record<string, unknown>) => `${JSON.stringify(o)}\n`;
const at = (s: number) => `2026-01-01T00:00:0${s}.000Z`;

/** A session whose main agent started one subagent, as Claude Code writes it. */
function session(): { main: string; subagents: string } {
  const main = join(base, "s1.jsonl");
  writeFileSync(
    main,
    line({ type: "user", timestamp: at(0), sessionId: "s1", message: { role: "user", content: "go" } }) +
      line({
        type: "assistant",
        timestamp: at(1),
        message: {
          id: "msg_1",
          model: "m",
          stop_reason: "tool_use",
          content: [{ type: "tool_use", id: "t1", name: "Agent", input: { prompt: "check" } }],
          usage: { input_tokens: 1, output_tokens: 1 },
        },
      }),
  );
  const subagents = join(base, "s1", "subagents");
  mkdirSync(subagents, { recursive: true });
  return { main, subagents };
}

/** Replay in a child process: without the protections it would hang, and the test would hang with it. */
function replay(main: string): { kinds: string[]; agents: string[]; warnings: string[] } {
  const tail = new URL("../../src/sources/transcript-tail.ts", import.meta.url).pathname;
  const script = `import(${JSON.stringify(tail)}).then(({ TranscriptTail }) => {
    const out = { kinds: [], agents: [], warnings: [] };
    const t = new TranscriptTail(${JSON.stringify(main)}, (e) => {
      out.kinds.push(e.kind);
      if (e.kind === "subagent.start") out.agents.push(e.agentId + ":" + e.agentType);
    }, {}, (m) => out.warnings.push(m));
    t.stop();
    console.log(JSON.stringify(out));
  })`;
  const ran = spawnSync(process.execPath, ["--import", "tsx", "-e", script], { timeout: 15000, encoding: "utf8" });
  assert.equal(ran.status, 0, `the replay ended (signal ${ran.signal}): ${ran.stderr}`);
  return JSON.parse(ran.stdout);
}

test("a FIFO, a link to /dev/zero and a meta file linked to /dev/zero are skipped, the rest is read", () => {
  const { main, subagents } = session();
  execFileSync("mkfifo", [join(subagents, "agent-fifo.jsonl")]);
  symlinkSync("/dev/zero", join(subagents, "agent-zero.jsonl"));
  // A subagent whose transcript is fine but whose meta file is endless: read without its meta.
  writeFileSync(
    join(subagents, "agent-ok.jsonl"),
    line({ type: "user", timestamp: at(2), message: { role: "user", content: "check" } }),
  );
  symlinkSync("/dev/zero", join(subagents, "agent-ok.meta.json"));

  const out = replay(main);
  assert.deepEqual(out.agents, ["ok:subagent"]);
  assert.ok(out.kinds.includes("chat"));
  assert.equal(out.warnings.length, 2, out.warnings.join("\n"));
  assert.match(out.warnings[0] as string, /could not read .*agent-fifo\.jsonl \(it is not a regular file\); skipped/);
  assert.match(out.warnings[1] as string, /could not read .*agent-zero\.jsonl \(ELOOP\); skipped/);
});

test("a session's folder or its subagents folder that is a link is not followed: one warning, the session read alone", () => {
  for (const linked of ["session", "subagents"]) {
    const elsewhere = join(base, `elsewhere-${linked}`);
    const main = join(base, `s-${linked}.jsonl`);
    writeFileSync(main, line({ type: "user", timestamp: at(0), message: { role: "user", content: "go" } }));
    mkdirSync(join(elsewhere, "subagents"), { recursive: true });
    writeFileSync(
      join(elsewhere, "subagents", "agent-far.jsonl"),
      line({ type: "user", timestamp: at(2), message: { role: "user", content: "far" } }),
    );
    const folder = join(base, `s-${linked}`);
    if (linked === "session") symlinkSync(elsewhere, folder);
    else {
      mkdirSync(folder);
      symlinkSync(join(elsewhere, "subagents"), join(folder, "subagents"));
    }
    const out = replay(main);
    assert.deepEqual(out.agents, [], linked);
    assert.equal(out.warnings.length, 1, out.warnings.join("\n"));
    assert.match(out.warnings[0] as string, /could not read .*subagents \(a symbolic link\); skipped/);
  }
});

/** One block of a streamed reply, as Claude Code writes it: `stop_reason` null, the message id shared. */
const block = (id: string, requestId: string, content: Record<string, unknown>, s: number) =>
  line({
    type: "assistant",
    timestamp: at(s),
    requestId,
    message: { id, model: "m", stop_reason: null, content: [content], usage: { input_tokens: 5, output_tokens: 1 } },
  });

test("a reply ending in a tool call is traced once Claude Code accounts for it, while the tool still runs", () => {
  const main = join(base, "s-accounted.jsonl");
  writeFileSync(
    main,
    line({ type: "user", timestamp: at(0), sessionId: "s", message: { role: "user", content: "go" } }) +
      line({ type: "last-prompt" }) +
      block("msg_1", "req_1", { type: "text", text: "Waiting." }, 1),
  );
  mkdirSync(join(base, "s-accounted", "subagents"), { recursive: true });
  const sub = join(base, "s-accounted", "subagents", "agent-a1.jsonl");
  const seen: RunEvent[] = [];
  const tail = new TranscriptTail(main, (e) => seen.push(e));
  const chats = () => seen.filter((e) => e.kind === "chat");
  tail.poll();
  assert.equal(chats().length, 0, "the reply may go on: no line follows it yet");

  // Accounted for: the lines written by then are read first (the reply's second block), then it ends.
  tail.requestDone(null, "req_other");
  tail.requestDone("a1", "req_1");
  tail.requestDone(null, "req_1");
  appendFileSync(
    main,
    block("msg_1", "req_1", { type: "tool_use", id: "t1", name: "Bash", input: { command: "sleep 600" } }, 2),
  );
  tail.poll();
  assert.equal(chats().length, 1);
  const chat = chats()[0];
  assert.ok(chat?.kind === "chat");
  assert.equal(chat.requestId, "req_1");
  assert.equal(chat.text, "Waiting.");
  assert.deepEqual(chat.toolCalls, [{ id: "t1", name: "Bash" }]);
  assert.deepEqual(
    seen.map((e) => e.kind),
    ["prompt", "session", "tool.start", "chat"],
  );

  // A subagent's request ends the subagent's call, not the main agent's.
  appendFileSync(main, block("msg_2", "req_2", { type: "text", text: "Main again." }, 3));
  writeFileSync(sub, line({ type: "user", timestamp: at(3), message: { role: "user", content: "check" } }));
  writeFileSync(sub.replace(/\.jsonl$/, ".meta.json"), JSON.stringify({ agentType: "general-purpose" }));
  tail.poll();
  appendFileSync(sub, block("msg_3", "req_3", { type: "text", text: "Sub." }, 4));
  tail.requestDone("a1", "req_3");
  tail.poll();
  assert.deepEqual(
    chats().map((e) => (e.kind === "chat" ? `${e.agentId}:${e.requestId}` : "")),
    ["null:req_1", "a1:req_3"],
  );
  tail.stop();
  assert.deepEqual(
    chats().map((e) => (e.kind === "chat" ? `${e.agentId}:${e.requestId}` : "")),
    ["null:req_1", "a1:req_3", "null:req_2"],
  );
});

test("polling on a timer, an accounted call waits one interval for the lines written before it", async () => {
  const main = join(base, "s-timer.jsonl");
  writeFileSync(
    main,
    line({ type: "user", timestamp: at(0), sessionId: "s", message: { role: "user", content: "go" } }),
  );
  const seen: RunEvent[] = [];
  const tail = new TranscriptTail(main, (e) => seen.push(e));
  tail.start(60_000);
  appendFileSync(main, block("msg_1", "req_1", { type: "text", text: "Waiting." }, 1));
  tail.requestDone(null, "req_1");
  tail.poll();
  assert.equal(seen.filter((e) => e.kind === "chat").length, 0, "not before an interval has passed");
  tail.stop();
  assert.equal(seen.filter((e) => e.kind === "chat").length, 1);
});
