/**
 * The real Claude Code terminal UI, driven under a pseudo-terminal against the scripted model:
 * one trace per prompt, exported when the prompt's turn ends, the user's own hooks still
 * running, claudia's hook endpoint refusing strangers, and Claude Code's exit code passed on.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { assertConforms, promptOf } from "../support/conformance.ts";
import { scriptedRuns } from "../support/harness.ts";
import { storedRecords } from "../support/journal.ts";
import type { ReceivedSpan } from "../support/otlp-receiver.ts";
import { BASE_ARGS, CLAUDE, CLAUDIA } from "../support/sandbox.ts";
import { seedInteractiveHome, startTerminal, type Terminal } from "../support/terminal.ts";
import { assertChatSpansMatchServed, childOf, named, root } from "../support/trace-checks.ts";

const h = scriptedRuns();

const READY = "bypass permissions on";

const terminals: Terminal[] = [];
// A test that failed midway leaves its UI running: end it, so that the file ends too.
after(() => {
  for (const t of terminals) if (t.child.exitCode === null) t.child.kill("SIGKILL");
});

function ui(command: string, args: string[], env: NodeJS.ProcessEnv = {}): Terminal {
  const terminal = startTerminal(command, args, { env: { ...h.sandbox.env, ...env }, cwd: h.sandbox.work });
  terminals.push(terminal);
  return terminal;
}

/** The traces (by id, in order of arrival) whose spans arrived after `from` spans had. */
function tracesSince(from: number): Map<string, ReceivedSpan[]> {
  const traces = new Map<string, ReceivedSpan[]>();
  for (const span of h.receiver.spans.slice(from))
    traces.set(span.traceId, [...(traces.get(span.traceId) ?? []), span]);
  return traces;
}

async function waitForRoots(from: number, count: number, ms = 10000): Promise<Map<string, ReceivedSpan[]>> {
  const deadline = Date.now() + ms;
  for (;;) {
    const traces = tracesSince(from);
    const roots = [...traces.values()].filter((spans) => named(spans, "invoke_agent claude-code").length === 1);
    if (roots.length >= count || Date.now() > deadline) return traces;
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function until(check: () => boolean, ms = 20000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`not true within ${ms} ms: ${check}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The processes whose command line has `marker`. */
function processesWith(marker: string): number[] {
  try {
    return execFileSync("pgrep", ["-f", marker], { encoding: "utf8" }).trim().split("\n").filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

/** The hook endpoint claudia gave Claude Code, read from Claude Code's command line. */
function hookEndpoint(terminal: Terminal): { url: string; secret: string } {
  const claudiaPid = childPids(terminal.child.pid as number)[0] as number;
  for (const pid of childPids(claudiaPid)) {
    const argv = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0");
    const settings = argv[argv.indexOf("--settings") + 1];
    if (!settings) continue;
    // A private file, readable by this user only: the command line holds its path, not its content.
    assert.equal(statSync(settings).mode & 0o777, 0o600);
    const hook = JSON.parse(readFileSync(settings, "utf8")).hooks.UserPromptSubmit.at(-1).hooks[0];
    assert.ok(!argv.join(" ").includes(hook.headers["x-claudia-secret"]), "the secret is not on the command line");
    return { url: hook.url, secret: hook.headers["x-claudia-secret"] };
  }
  throw new Error("Claude Code's command line has no --settings");
}

function childPids(pid: number): number[] {
  const text = readFileSync(`/proc/${pid}/task/${pid}/children`, "utf8").trim();
  return text === "" ? [] : text.split(/\s+/).map(Number);
}

describe("interactive mode", () => {
  before(() => seedInteractiveHome(h.sandbox));

  test("two prompts are two traces with the right spans and served usage, each exported when its turn ends", async () => {
    const spansBefore = h.receiver.spans.length;
    const servedBefore = h.model.served.length;
    const terminal = ui(process.execPath, [CLAUDIA, ...BASE_ARGS]);
    await terminal.waitFor(READY);
    await terminal.type("[[scenario:bash]] first prompt\r");
    await terminal.waitFor("The command printed: hello-from-bash");
    // The first prompt's trace is delivered while the session goes on.
    const afterFirst = await waitForRoots(spansBefore, 1);
    assert.equal(afterFirst.size, 1, "the first prompt's trace arrives before the session ends");
    assert.equal(terminal.child.exitCode, null);

    await terminal.type("second prompt\r");
    await terminal.waitFor("The command printed: hello-from-bash", { times: 2 });
    await terminal.type("/exit\r");
    const code = await terminal.exited;
    assert.equal(code, 0);

    const traces = [...(await waitForRoots(spansBefore, 2)).values()];
    assert.equal(traces.length, 2);
    const [first, second] = traces as [ReceivedSpan[], ReceivedSpan[]];
    const served = h.model.served.slice(servedBefore);
    assert.equal(served.length, 3);
    assertChatSpansMatchServed([...first, ...second], served);

    const r1 = root(first);
    const r2 = root(second);
    assert.deepEqual(first.map((s) => s.name).sort(), [
      "chat claude-sonnet-4-5",
      "chat claude-sonnet-4-5",
      "execute_tool Bash",
      "invoke_agent claude-code",
    ]);
    childOf(named(first, "execute_tool Bash")[0] as ReceivedSpan, r1);
    assert.deepEqual(second.map((s) => s.name).sort(), ["chat claude-sonnet-4-5", "invoke_agent claude-code"]);
    const conversation = r1.attributes["gen_ai.conversation.id"];
    assert.match(String(conversation), /^[0-9a-f-]{36}$/);
    assert.equal(r2.attributes["gen_ai.conversation.id"], conversation);
    assert.equal(promptOf(r1), "[[scenario:bash]] first prompt");
    assert.equal(promptOf(r2), "second prompt");
    assertConforms(first);
    assertConforms(second);
    for (const [spans, r] of [
      [first, r1],
      [second, r2],
    ] as const) {
      const chats = spans.filter((s) => s.attributes["gen_ai.operation.name"] === "chat");
      const sum = (key: string) => chats.reduce((n, c) => n + Number(c.attributes[key]), 0);
      assert.equal(r.attributes["gen_ai.usage.input_tokens"], sum("gen_ai.usage.input_tokens"));
      assert.equal(r.attributes["gen_ai.usage.output_tokens"], sum("gen_ai.usage.output_tokens"));
      assert.ok(Math.abs(Number(r.attributes["gen_ai.usage.cost"]) - sum("gen_ai.usage.cost")) < 1e-12);
      assert.equal(r.attributes["claude_code.cost.source"], "claude_code", "every call priced by Claude Code itself");
      assert.equal(r.status.code, 0);
      assert.ok(chats.every((c) => c.endMs <= r.endMs && c.startMs >= r.startMs));
    }
    assert.ok(r1.endMs <= r2.startMs, "the first prompt's trace ends before the second starts");
    // After the UI: one summary line for the session.
    assert.match(terminal.screen(), /📊 2 prompts · \d+ in \/ \d+ out tokens · 1 tool · \$\d/);
    const stored = (await storedRecords(h.sandbox)).map((r) => r.traceId);
    assert.ok(traces.every((spans) => stored.includes((spans[0] as ReceivedSpan).traceId)));
  });

  test("the user's own hooks still fire; the hook endpoint refuses requests without the secret and they leave no trace", async () => {
    const log = join(h.sandbox.home, "user-hook.log");
    const settings = {
      hooks: { UserPromptSubmit: [{ hooks: [{ type: "command", command: `echo "user hook fired" >> ${log}` }] }] },
    };
    const spansBefore = h.receiver.spans.length;
    const terminal = ui(process.execPath, [CLAUDIA, ...BASE_ARGS, "--settings", JSON.stringify(settings)]);
    await terminal.waitFor(READY);
    const { url, secret } = hookEndpoint(terminal);
    const forged = JSON.stringify({ hook_event_name: "UserPromptSubmit", prompt: "forged", session_id: "x" });
    const post = (target: string, headers: Record<string, string>) =>
      fetch(target, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: forged });
    assert.equal((await post(url, {})).status, 403, "the right path without the header");
    assert.equal((await post(url, { "x-claudia-secret": "0".repeat(48) })).status, 403, "a wrong secret");
    assert.equal((await post(new URL("/hooks/guess", url).href, { "x-claudia-secret": secret })).status, 403);

    await terminal.type("[[scenario:text]] with a user hook\r");
    await terminal.waitFor("Hello from the scripted model.");
    // With the secret, a hook for another session is answered and dropped: it neither starts nor replaces a trace.
    const other = JSON.stringify({
      hook_event_name: "UserPromptSubmit",
      prompt: "forged",
      session_id: "00000000-0000-4000-8000-000000000000",
      transcript_path: join(h.sandbox.home, "forged.jsonl"),
    });
    const answer = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json", "x-claudia-secret": secret },
      body: other,
    });
    assert.equal(answer.status, 200);
    await terminal.type("/exit\r");
    assert.equal(await terminal.exited, 0);
    assert.equal(readFileSync(log, "utf8"), "user hook fired\n");
    const traces = [...(await waitForRoots(spansBefore, 1)).values()];
    assert.equal(traces.length, 1, "only the real prompt made a trace");
    assert.equal(promptOf(root(traces[0] as ReceivedSpan[])), "[[scenario:text]] with a user hook");
  });

  test("/clear starts a new conversation: the next prompt is traced with the new session's id", async () => {
    const spansBefore = h.receiver.spans.length;
    // A hook of the user's own says when the session /clear starts is ready.
    const log = join(h.sandbox.home, "session-start.log");
    const settings = {
      hooks: { SessionStart: [{ matcher: "clear", hooks: [{ type: "command", command: `echo cleared >> ${log}` }] }] },
    };
    const terminal = ui(process.execPath, [CLAUDIA, ...BASE_ARGS, "--settings", JSON.stringify(settings)]);
    await terminal.waitFor(READY);
    await terminal.type("[[scenario:text]] before clear\r");
    await terminal.waitFor("Hello from the scripted model.");
    await waitForRoots(spansBefore, 1);
    await terminal.type("/clear\r");
    await until(() => existsSync(log) && readFileSync(log, "utf8").includes("cleared"));
    await terminal.type("[[scenario:text]] after clear\r");
    await terminal.waitFor("Hello from the scripted model.", { times: 2 });
    await terminal.type("/exit\r");
    assert.equal(await terminal.exited, 0);
    const roots = [...(await waitForRoots(spansBefore, 2)).values()].map((spans) => root(spans));
    assert.equal(roots.length, 2);
    const prompts = roots.map((r) => promptOf(r));
    assert.deepEqual(prompts, ["[[scenario:text]] before clear", "[[scenario:text]] after clear"]);
    const [a, b] = roots.map((r) => r.attributes["gen_ai.conversation.id"]);
    assert.match(String(b), /^[0-9a-f-]{36}$/);
    assert.notEqual(a, b);
    const second = [...tracesSince(spansBefore).values()][1] as ReceivedSpan[];
    assert.equal(named(second, "chat claude-sonnet-4-5").length, 1, "the new session's transcript is followed");
  });

  test("/model between prompts: the next prompt's trace names the model it asked for, not the one on the command line", async () => {
    const spansBefore = h.receiver.spans.length;
    const terminal = ui(process.execPath, [CLAUDIA, ...BASE_ARGS]);
    await terminal.waitFor(READY);
    await terminal.type("[[scenario:text]] before the switch\r");
    await terminal.waitFor("Hello from the scripted model.");
    await waitForRoots(spansBefore, 1);
    await terminal.type("/model haiku\r");
    await terminal.waitFor("Switch model?");
    terminal.child.stdin?.write("\r");
    await terminal.waitFor("Set model to");
    await terminal.type("after the switch\r");
    await waitForRoots(spansBefore, 2);
    await terminal.type("/exit\r");
    assert.equal(await terminal.exited, 0);
    const [first, second] = [...tracesSince(spansBefore).values()] as [ReceivedSpan[], ReceivedSpan[]];
    const model = (span: ReceivedSpan) => span.attributes["gen_ai.request.model"];
    assert.equal(model(root(first)), "claude-sonnet-4-5");
    const chat = second.find((s) => s.attributes["gen_ai.operation.name"] === "chat") as ReceivedSpan;
    assert.match(String(model(chat)), /haiku/);
    assert.equal(model(root(second)), model(chat));
  });

  test("a turn ended by an API error (StopFailure) is exported at once, failed, not interrupted", async () => {
    const spansBefore = h.receiver.spans.length;
    const terminal = ui(process.execPath, [CLAUDIA, ...BASE_ARGS]);
    await terminal.waitFor(READY);
    await terminal.type("[[scenario:api-400]] fails in the UI\r");
    await terminal.waitFor("scripted bad request");
    // Exported when the turn ends, while the session goes on: only StopFailure can have ended it.
    const traces = [...(await waitForRoots(spansBefore, 1)).values()];
    assert.equal(traces.length, 1, "the failed turn's trace arrives before the session ends");
    assert.equal(terminal.child.exitCode, null);
    await terminal.type("/exit\r");
    assert.equal(await terminal.exited, 0);
    const agent = root(traces[0] as ReceivedSpan[]);
    assert.equal(agent.status.code, 2);
    assert.equal(agent.attributes["error.type"], "api_error");
    assert.equal(agent.attributes["claude_code.interrupt.signal"], undefined, "the turn ended, it was not cut short");
    assert.equal(promptOf(agent), "[[scenario:api-400]] fails in the UI");
  });

  test("Esc mid-tool, then the next prompt: the first prompt's trace is interrupted, the next one completes", async () => {
    const marker = `claudia-esc-${process.pid}`;
    const spansBefore = h.receiver.spans.length;
    const terminal = ui(process.execPath, [CLAUDIA, ...BASE_ARGS]);
    try {
      await terminal.waitFor(READY);
      await terminal.type(`[[scenario:sleep]] [[tag:${marker}]] wait\r`);
      await until(() => processesWith(`37000.*${marker}`).length > 0);
      terminal.child.stdin?.write("\x1b");
      await terminal.waitFor("Interrupted");
      // The conversation goes on in the same scenario, whose answer to the interrupted call is "Woke up.".
      await terminal.type("after esc\r");
      await terminal.waitFor("Woke up.");
      await terminal.type("/exit\r");
      assert.equal(await terminal.exited, 0);
    } finally {
      for (const pid of processesWith(marker)) process.kill(pid, "SIGKILL");
    }
    const [first, second] = [...(await waitForRoots(spansBefore, 2)).values()].map((spans) => root(spans));
    assert.ok(first && second);
    assert.equal(promptOf(first), `[[scenario:sleep]] [[tag:${marker}]] wait`);
    assert.equal(first.status.code, 2);
    assert.equal(first.attributes["error.type"], "interrupted");
    assert.equal(first.attributes["claude_code.interrupt.signal"], "next_prompt");
    assert.equal(second.status.code, 0, `second prompt: ${second.status.message} ${second.attributes["error.type"]}`);
    assert.equal(promptOf(second), "after esc");
  });

  test("a tool refused at the permission prompt: denied, and the prompt's trace ends when it was refused, not when the session goes on", async () => {
    const marker = `claudia-refused-${process.pid}`;
    const spansBefore = h.receiver.spans.length;
    const terminal = ui(process.execPath, [CLAUDIA, "--model", "claude-sonnet-4-5", "--permission-mode", "default"]);
    await terminal.waitFor("manual mode on");
    await terminal.type(`[[scenario:sleep]] [[tag:${marker}]] ask first\r`);
    await terminal.waitFor("Do you want to proceed?");
    terminal.child.stdin?.write("\x1b");
    await terminal.waitFor("What should Claude do instead?");
    const refused = Date.now();
    // The user thinks for a while before the session goes on.
    await new Promise((r) => setTimeout(r, 3000));
    await terminal.type("/exit\r");
    assert.equal(await terminal.exited, 0);
    assert.deepEqual(processesWith(marker), [], "the refused command never ran");
    const spans = [...(await waitForRoots(spansBefore, 1)).values()][0] as ReceivedSpan[];
    const agent = root(spans);
    assert.equal(promptOf(agent), `[[scenario:sleep]] [[tag:${marker}]] ask first`);
    const tool = named(spans, "execute_tool Bash")[0] as ReceivedSpan;
    assert.equal(tool.status.code, 2);
    assert.equal(tool.attributes["error.type"], "permission_denied");
    assert.equal(agent.attributes["error.type"], "interrupted");
    assert.ok(agent.endMs >= tool.endMs);
    assert.ok(agent.endMs < refused + 1000, `the trace ends ${agent.endMs - refused} ms after the refusal`);
  });

  test("the resume line Claude Code prints at exit is bare claude's: the user's options, never claudia's settings file", async () => {
    const userSettings = join(h.sandbox.home, "user-settings.json");
    writeFileSync(userSettings, JSON.stringify({ env: { USER_SETTING: "1" } }));
    const args = [...BASE_ARGS, "--settings", userSettings];
    const lines: string[] = [];
    // Wide enough for Claude Code to print options with paths in them.
    for (const [command, prefix] of [
      [CLAUDE, []],
      [process.execPath, [CLAUDIA]],
    ] as const) {
      const terminal = startTerminal(command, [...prefix, ...args], {
        env: h.sandbox.env,
        cwd: h.sandbox.work,
        cols: 220,
      });
      terminals.push(terminal);
      await terminal.waitFor(READY);
      await terminal.type("[[scenario:text]] resume line\r");
      await terminal.waitFor("Hello from the scripted model.");
      await terminal.type("/exit\r");
      assert.equal(await terminal.exited, 0);
      const line = /Resume this session with:\s*\n(claude [^\r\n]*)/.exec(terminal.screen())?.[1];
      assert.ok(line, "Claude Code printed a resume line");
      lines.push(line.replace(/[0-9a-f-]{36}/, "<session>"));
    }
    assert.equal(lines[0], `claude ${args.join(" ")} --resume <session>`);
    assert.equal(lines[1], lines[0]);
  });

  test("claudia's exit code is Claude Code's: the UI stopped by SIGTERM exits as the bare UI does", async () => {
    const codes: (number | null)[] = [];
    for (const [command, args] of [
      [CLAUDE, BASE_ARGS],
      [process.execPath, [CLAUDIA, ...BASE_ARGS]],
    ] as const) {
      const terminal = ui(command, [...args]);
      await terminal.waitFor(READY);
      process.kill(childPids(terminal.child.pid as number)[0] as number, "SIGTERM");
      codes.push(await terminal.exited);
    }
    assert.notEqual(codes[0], 0);
    assert.equal(codes[1], codes[0]);
  });
});
