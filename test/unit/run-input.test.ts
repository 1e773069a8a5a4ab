import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import type { RunEvent } from "../../src/events.ts";
import { RunInput } from "../../src/pipeline/run-input.ts";
import { locateSession, projectDir } from "../../src/sources/session-files.ts";
import { withOptionsFirst } from "../../src/sources/settings.ts";

const base = mkdtempSync(join(tmpdir(), "claudia-run-events-"));
after(() => rmSync(base, { recursive: true, force: true }));
const env = { CLAUDE_CONFIG_DIR: join(base, "config") };
const cwd = "/work/some project";
const SESSION = "0b7f3c9e-5d1a-4c2b-9e8f-1a2b3c4d5e6f";
const line = (text: string) =>
  `${JSON.stringify({
    type: "user",
    sessionId: SESSION,
    timestamp: "2026-11-25T10:00:00.000Z",
    message: { role: "user", content: text },
  })}\n`;

describe("locateSession", () => {
  test("the working directory's projects folder first, then any project folder, else nothing", () => {
    assert.equal(locateSession(SESSION, cwd, env), undefined, "no projects folder yet");
    const elsewhere = join(env.CLAUDE_CONFIG_DIR, "projects", "-a-worktree");
    mkdirSync(elsewhere, { recursive: true });
    writeFileSync(join(elsewhere, `${SESSION}.jsonl`), "");
    assert.equal(locateSession(SESSION, cwd, env), join(elsewhere, `${SESSION}.jsonl`));
    mkdirSync(projectDir(cwd, env), { recursive: true });
    writeFileSync(join(projectDir(cwd, env), `${SESSION}.jsonl`), "");
    assert.equal(locateSession(SESSION, cwd, env), join(projectDir(cwd, env), `${SESSION}.jsonl`));
    assert.equal(locateSession("ffffffff-5d1a-4c2b-9e8f-1a2b3c4d5e6f", cwd, env), undefined);
  });
});

describe("RunInput.sessionNamed", () => {
  test("a transcript that appears only after the run began is found and read to the end", () => {
    const home = { CLAUDE_CONFIG_DIR: join(base, "later") };
    const events = new RunInput({}, 60_000);
    const seen: RunEvent[] = [];
    events.attach((e) => seen.push(e));
    events.sessionNamed(SESSION, cwd, home);
    assert.equal(events.following, false);
    const dir = join(home.CLAUDE_CONFIG_DIR, "projects", "-elsewhere");
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, `${SESSION}.jsonl`), line("hello"));
    // The poll is a minute away: draining looks once more, then reads everything.
    events.drain();
    assert.equal(events.following, true);
    const prompts = seen.filter((e) => e.kind === "prompt");
    assert.deepEqual(
      prompts.map((e) => (e.kind === "prompt" ? e.text : "")),
      ["hello"],
    );
  });
});

describe("RunInput", () => {
  const prompt = (text: string, time: number): RunEvent => ({
    kind: "prompt",
    agentId: null,
    time,
    text,
    synthetic: false,
  });

  test("queues events until the pipeline attaches, then hands them on and keeps none", () => {
    const input = new RunInput({});
    input.emit(prompt("early", 1));
    input.emit({ kind: "session", time: 2, sessionId: "s-1" });
    const seen: RunEvent[] = [];
    input.attach((e) => seen.push(e));
    assert.equal(seen.length, 2, "the queued events, in order");
    for (let i = 0; i < 10_000; i++) input.emit(prompt(`late ${i}`, 3 + i));
    assert.equal(seen.length, 10_002);
    // Nothing is held once attached: the queue is not a record of the run.
    const queued = (input as unknown as { queued: RunEvent[] }).queued;
    assert.equal(queued.length, 0);
    assert.equal(input.sessionId, "s-1");
    assert.throws(() => input.attach(() => {}), /one consumer/);
  });

  test("a session whose transcript never appears is not guessed from the folder's newest file", () => {
    const home = { CLAUDE_CONFIG_DIR: join(base, "guess") };
    const dir = projectDir(cwd, home);
    mkdirSync(dir, { recursive: true });
    // Another run's transcript, just written, in the same working directory.
    writeFileSync(join(dir, "11111111-2222-4333-8444-555555555555.jsonl"), line("someone else's prompt"));
    const input = new RunInput({}, 60_000);
    const seen: RunEvent[] = [];
    input.attach((e) => seen.push(e));
    input.sessionNamed(SESSION, cwd, home);
    input.drain();
    assert.equal(input.following, false);
    assert.deepEqual(seen, []);
  });

  test("a resumed run's window skips the history in the transcript", () => {
    const home = { CLAUDE_CONFIG_DIR: join(base, "resumed") };
    const dir = projectDir(cwd, home);
    mkdirSync(dir, { recursive: true });
    const entry = (text: string, time: number) =>
      `${JSON.stringify({ type: "user", sessionId: SESSION, timestamp: new Date(time).toISOString(), message: { role: "user", content: text } })}\n`;
    const start = Date.parse("2026-11-25T12:00:00.000Z");
    writeFileSync(join(dir, `${SESSION}.jsonl`), entry("history", start - 60_000) + entry("this run", start + 5));
    const input = new RunInput({ since: start }, 60_000);
    const seen: RunEvent[] = [];
    input.attach((e) => seen.push(e));
    input.sessionNamed(SESSION, cwd, home);
    input.drain();
    const prompts = seen.filter((e) => e.kind === "prompt").map((e) => (e.kind === "prompt" ? e.text : ""));
    assert.deepEqual(prompts, ["this run"]);
  });
});

describe("withOptionsFirst", () => {
  test("added first, where no option of the user's can take them as its value", () => {
    assert.deepEqual(withOptionsFirst(["-p", "hi"], ["--session-id", "x"]), ["--session-id", "x", "-p", "hi"]);
    assert.deepEqual(withOptionsFirst(["-p", "hi", "--model"], ["--session-id", "x"]), [
      "--session-id",
      "x",
      "-p",
      "hi",
      "--model",
    ]);
    assert.deepEqual(withOptionsFirst(["-p", "--", "-hi"], ["--session-id", "x"]), [
      "--session-id",
      "x",
      "-p",
      "--",
      "-hi",
    ]);
  });
});

describe("RunInput.attach", () => {
  test("an event the pipeline fails on is reported, and the events after it, queued or not, still arrive", () => {
    const input = new RunInput({});
    const prompt = (text: string): RunEvent => ({ kind: "prompt", agentId: null, time: 1, text, synthetic: false });
    input.emit(prompt("queued bad"));
    input.emit(prompt("queued good"));
    const seen: string[] = [];
    const failed: string[] = [];
    input.attach(
      (event) => {
        const text = event.kind === "prompt" ? event.text : "";
        if (text.endsWith("bad")) throw new RangeError(`cannot take ${text}`);
        seen.push(text);
      },
      (error, event) => failed.push(`${(error as Error).message} (${event.kind})`),
    );
    assert.doesNotThrow(() => input.emit(prompt("live bad")));
    input.emit(prompt("live good"));
    assert.deepEqual(seen, ["queued good", "live good"]);
    assert.deepEqual(failed, ["cannot take queued bad (prompt)", "cannot take live bad (prompt)"]);
  });
});
