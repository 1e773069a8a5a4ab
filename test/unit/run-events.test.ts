import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import type { RunEvent } from "../../src/events.ts";
import { locateSession, projectDir, RunEvents } from "../../src/sources/run-events.ts";
import { beforeOperands } from "../../src/sources/settings.ts";

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

describe("RunEvents.followSession", () => {
  test("a transcript that appears only after the run began is found and read to the end", () => {
    const home = { CLAUDE_CONFIG_DIR: join(base, "later") };
    const events = new RunEvents();
    const seen: RunEvent[] = [];
    events.subscribe((e) => seen.push(e));
    events.followSession(SESSION, cwd, home, 60_000);
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

describe("beforeOperands", () => {
  test("added first, where no option of the user's can take them as its value", () => {
    assert.deepEqual(beforeOperands(["-p", "hi"], ["--session-id", "x"]), ["--session-id", "x", "-p", "hi"]);
    assert.deepEqual(beforeOperands(["-p", "hi", "--model"], ["--session-id", "x"]), [
      "--session-id",
      "x",
      "-p",
      "hi",
      "--model",
    ]);
    assert.deepEqual(beforeOperands(["-p", "--", "-hi"], ["--session-id", "x"]), [
      "--session-id",
      "x",
      "-p",
      "--",
      "-hi",
    ]);
  });
});
