/**
 * Nobody but the user steers a run or reads its secrets: Claude Code's command line holds no
 * secret and no settings content, a malformed command line reaches Claude Code as written, and a
 * SIGINT sent to claudia alone at a terminal still stops Claude Code and its tools.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { test } from "node:test";
import { scriptedRuns } from "../support/harness.ts";
import { processesWith, until } from "../support/processes.ts";
import { BASE_ARGS, CLAUDIA, claude, claudia, run } from "../support/sandbox.ts";
import { startTerminal } from "../support/terminal.ts";

const h = scriptedRuns();

test("Claude Code's command line holds neither the hook secret nor the settings' content; the file is private and removed", async () => {
  const marker = `claudia-argv-${process.pid}`;
  const userSecret = "settings-env-secret-8675309";
  const settings = JSON.stringify({ env: { MY_SETTING: userSecret } });
  const child = spawn(
    process.execPath,
    [
      CLAUDIA,
      ...BASE_ARGS,
      "--session-id",
      randomUUID(),
      "--settings",
      settings,
      `[[scenario:sleep]] [[tag:${marker}]] go`,
    ],
    { env: h.sandbox.env, cwd: h.sandbox.work, stdio: ["ignore", "ignore", "ignore"] },
  );
  const exited = new Promise<number | null>((resolve) => child.once("close", (c) => resolve(c)));
  assert.ok(await until(() => processesWith(`37000.*${marker}`).length > 0, 20000), "the tool started");
  const [pid] = processesWith(`claude-agent-sdk.*${marker}`);
  const argv = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0");
  const path = argv[argv.indexOf("--settings") + 1] as string;
  const content = readFileSync(path, "utf8");
  const secret = JSON.parse(content).hooks.UserPromptSubmit.at(-1).hooks[0].headers["x-claudia-secret"];
  assert.match(secret, /^[0-9a-f]{48}$/);
  for (const text of [secret, userSecret, "x-claudia-secret", "/hooks/"])
    assert.ok(!argv.join(" ").includes(text), `${text} on Claude Code's command line`);
  assert.ok(content.includes(userSecret), "the user's settings are merged into the file");
  assert.equal(statSync(path).mode & 0o777, 0o600);
  assert.equal(statSync(dirname(path)).mode & 0o777, 0o700);
  child.kill("SIGTERM");
  assert.equal(await exited, 143);
  assert.throws(() => statSync(dirname(path)), /ENOENT/, "the settings folder is removed when claudia exits");
});

test("a value option missing its value at the end: Claude Code's own error and exit code, as with bare claude -p", async () => {
  const bare = await claude(h.sandbox, ["-p", "[[scenario:text]] hi", "--model"]);
  const ran = await claudia(h.sandbox, ["[[scenario:text]] hi", "--model"]);
  assert.notEqual(bare.code, 0);
  assert.equal(ran.code, bare.code);
  assert.equal(ran.stdout, bare.stdout);
  // Claude Code's own error, word for word, before anything claudia adds.
  const errors = bare.stderr.split("\n").filter((l) => l.trim() !== "");
  assert.match(errors.join("\n"), /argument missing/);
  assert.deepEqual(ran.stderr.split("\n").slice(0, errors.length), errors);
});

test("SIGINT sent to claudia alone at a terminal stops Claude Code and its tool", async () => {
  const marker = `claudia-tty-sigint-${process.pid}`;
  const terminal = startTerminal(process.execPath, [CLAUDIA, ...BASE_ARGS, `[[scenario:sleep]] [[tag:${marker}]] go`], {
    // A long grace period: only claudia passing the signal on can stop Claude Code quickly.
    env: { ...h.sandbox.env, CLAUDIA_KILL_AFTER_MS: "60000" },
    cwd: h.sandbox.work,
  });
  assert.ok(await until(() => processesWith(`37000.*${marker}`).length > 0, 20000), "the tool started");
  const claudiaPid = processesWith(`${CLAUDIA}.*${marker}`).find((p) => {
    const argv = readFileSync(`/proc/${p}/cmdline`, "utf8");
    return argv.startsWith(process.execPath) || argv.startsWith("node");
  });
  assert.ok(claudiaPid, "claudia is running");
  process.kill(Number(claudiaPid), "SIGINT");
  assert.ok(await until(() => processesWith(`37000.*${marker}`).length === 0, 10000), "the tool was stopped");
  // Bare `claude -p` ends a run interrupted by SIGINT with exit 0, at a terminal too.
  assert.equal(await terminal.exited, 0);
});

test("with umask 022, a run's journal is private: folders 0700, files 0600", async () => {
  const ran = await run(
    "sh",
    ["-c", `umask 022; exec "$0" "$@"`, process.execPath, CLAUDIA, ...BASE_ARGS, "[[scenario:text]] hi"],
    {
      env: h.sandbox.env,
      cwd: h.sandbox.work,
    },
  );
  assert.equal(ran.code, 0, ran.stderr);
  const journal = join(h.sandbox.claudiaHome, "journal");
  const mode = (path: string) => statSync(path).mode & 0o777;
  assert.equal(mode(h.sandbox.claudiaHome), 0o700);
  assert.equal(mode(journal), 0o700);
  for (const day of readdirSync(journal)) {
    assert.equal(mode(join(journal, day)), 0o700);
    for (const file of readdirSync(join(journal, day))) assert.equal(mode(join(journal, day, file)), 0o600, file);
  }
});
