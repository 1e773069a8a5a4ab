import assert from "node:assert/strict";
import { readFileSync, statSync } from "node:fs";
import { connect, type Socket } from "node:net";
import { dirname } from "node:path";
import { test } from "node:test";
import { firstSession, type HookInput, sameSecret, startHookServer } from "../../src/sources/hook-server.ts";
import { claudiaHooks, removeSettingsFiles, withHooks } from "../../src/sources/settings.ts";

const hook = (event: string, session: string): HookInput => ({ hook_event_name: event, session_id: session });

test("only this run's session: the first prompt's, then after it ends the next prompt's", () => {
  const belongs = firstSession();
  assert.equal(belongs(hook("Stop", "a")), false, "nothing before a prompt");
  assert.equal(belongs({ hook_event_name: "UserPromptSubmit" }), false, "no session id");
  assert.equal(belongs(hook("UserPromptSubmit", "a")), true);
  assert.equal(belongs(hook("UserPromptSubmit", "forged")), false, "another session while this one runs");
  assert.equal(belongs(hook("Stop", "a")), true);
  assert.equal(belongs(hook("SessionEnd", "a")), true);
  assert.equal(belongs(hook("Stop", "b")), false, "a new session starts with its prompt");
  assert.equal(belongs(hook("UserPromptSubmit", "b")), true, "after /clear, the new session");
  assert.equal(belongs(hook("UserPromptSubmit", "a")), false, "the ended session does not come back");
});

test("secrets compare equal only when equal, whatever their length", () => {
  assert.equal(sameSecret("abc", "abc"), true);
  assert.equal(sameSecret("abd", "abc"), false);
  assert.equal(sameSecret("ab", "abc"), false);
  assert.equal(sameSecret(undefined, "abc"), false);
  assert.equal(sameSecret(["abc"], "abc"), false);
});

async function post(server: { url: string; header: [string, string] }, body: string) {
  return fetch(server.url, {
    method: "POST",
    headers: { "content-type": "application/json", [server.header[0]]: server.header[1] },
    body,
  });
}

test("with the secret, another session's hook and an oversized body reach nothing", async () => {
  const received: HookInput[] = [];
  const server = await startHookServer((input) => received.push(input));
  try {
    assert.equal((await post(server, JSON.stringify(hook("UserPromptSubmit", "mine")))).status, 200);
    assert.equal((await post(server, JSON.stringify(hook("UserPromptSubmit", "theirs")))).status, 200);
    const big = JSON.stringify({ ...hook("Stop", "mine"), pad: "x".repeat(2 * 1024 * 1024) });
    const answer = await post(server, big).then(
      (r) => r.status,
      () => "closed",
    );
    assert.ok(answer === 413 || answer === "closed", `an oversized body is refused (${answer})`);
    assert.deepEqual(
      received.map((r) => r.session_id),
      ["mine"],
    );
  } finally {
    server.close();
  }
});

test("the hook endpoint takes a bounded number of connections", async () => {
  const server = await startHookServer(() => {});
  const { port } = new URL(server.url);
  const sockets: Socket[] = [];
  const closed: boolean[] = [];
  try {
    for (let i = 0; i < 40; i++) {
      const socket = connect(Number(port), "127.0.0.1");
      closed.push(false);
      socket.on("close", () => {
        closed[i] = true;
      });
      socket.on("error", () => {});
      sockets.push(socket);
    }
    const deadline = Date.now() + 5000;
    while (closed.filter(Boolean).length < 8 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    assert.equal(closed.filter(Boolean).length, 8, "connections beyond 32 are closed at once");
  } finally {
    for (const socket of sockets) socket.destroy();
    server.close();
  }
});

test("settings go to Claude Code as a private file: 0600 in a 0700 folder, whatever the umask, removed after", () => {
  const old = process.umask(0);
  try {
    const ours = claudiaHooks({ url: "http://127.0.0.1:1/hooks/s3cr3t", header: ["x-claudia-secret", "s3cr3t"] }, [
      "UserPromptSubmit",
    ]);
    const user = JSON.stringify({ env: { API_TOKEN: "user-token-value" }, hooks: { Stop: [{ hooks: [] }] } });
    const args = withHooks(["-p", "hi", "--settings", user], ours) as string[];
    assert.ok(!args.join(" ").includes("s3cr3t"), "no secret on the command line");
    assert.ok(!args.join(" ").includes("user-token-value"), "no settings content on the command line");
    const path = args[args.indexOf("--settings") + 1] as string;
    assert.equal(statSync(path).mode & 0o777, 0o600);
    assert.equal(statSync(dirname(path)).mode & 0o777, 0o700);
    const merged = JSON.parse(readFileSync(path, "utf8"));
    assert.equal(merged.env.API_TOKEN, "user-token-value");
    assert.deepEqual(Object.keys(merged.hooks).sort(), ["Stop", "UserPromptSubmit"]);
    const added = withHooks(["hi"], ours) as string[];
    assert.equal(added[0], "--settings");
    removeSettingsFiles();
    assert.throws(() => statSync(dirname(path)), /ENOENT/);
    assert.throws(() => statSync(added[1] as string), /ENOENT/);
  } finally {
    process.umask(old);
  }
});
