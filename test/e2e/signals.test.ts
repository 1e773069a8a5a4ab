/**
 * Interrupting a run (Ctrl+C, a cancelled CI job, a closed terminal): Claude Code and its tools
 * stop, the trace is kept and says what happened, and claudia exits as bare `claude -p` does.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { constants } from "node:os";
import { test } from "node:test";
import { scriptedRuns } from "../support/harness.ts";
import { processesWith, until } from "../support/processes.ts";
import { BASE_ARGS, CLAUDE, CLAUDIA, claudia } from "../support/sandbox.ts";
import { named, root, traceIdFrom, waitForSpans } from "../support/trace-checks.ts";

const h = scriptedRuns();

/**
 * claudia (or bare `claude -p`) running the sleep scenario (a tool that sleeps), tagged with
 * `marker`; its stdout and stderr collected.
 */
function sleepingRun(marker: string, env: NodeJS.ProcessEnv = {}, bare = false) {
  const args = [...BASE_ARGS, `[[scenario:sleep]] [[tag:${marker}]] go`];
  const child = spawn(bare ? CLAUDE : process.execPath, bare ? ["-p", ...args] : [CLAUDIA, ...args], {
    env: { ...h.sandbox.env, ...env },
    cwd: h.sandbox.work,
    stdio: ["pipe", "pipe", "pipe"],
  });
  child.stdin.end();
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (c: Buffer) => {
    stdout += c.toString();
  });
  child.stderr.on("data", (c: Buffer) => {
    stderr += c.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.once("close", (c) => resolve(c)));
  return { child, exited, stdout: () => stdout, stderr: () => stderr };
}

/** Bare `claude -p` given `signal` mid-tool: its exit code and stdout. */
async function bareUnder(signal: NodeJS.Signals): Promise<{ code: number | null; stdout: string }> {
  const marker = `claude-bare-${signal}-${process.pid}`;
  const bare = sleepingRun(marker, {}, true);
  await toolStarted(marker);
  bare.child.kill(signal);
  return { code: await bare.exited, stdout: bare.stdout() };
}

/** The run's tool is running: its command line has the timer and the marker (claudia's and Claude Code's only the marker). */
async function toolStarted(marker: string): Promise<void> {
  assert.ok(await until(() => processesWith(`37000.*${marker}`).length > 0, 20000), "the tool started");
}

// Claude Code ends a print-mode run on SIGINT with exit 0, and on SIGTERM and SIGHUP with 128 + N.
for (const [signal, code] of [
  ["SIGINT", 0],
  ["SIGTERM", 143],
  ["SIGHUP", 129],
] as const) {
  test(`${signal} mid-tool: no process of the run remains, exit ${code} and stdout as bare claude -p, the trace shows the interruption`, async () => {
    const bare = await bareUnder(signal);
    const marker = `claudia-signal-${signal}-${process.pid}`;
    const { child, exited, stdout, stderr } = sleepingRun(marker);
    await toolStarted(marker);
    child.kill(signal);
    const exitCode = await exited;
    assert.equal(exitCode, bare.code, `claude -p exits ${bare.code} under ${signal}`);
    assert.equal(exitCode, code);
    assert.equal(stdout(), bare.stdout);
    assert.ok(await until(() => processesWith(marker).length === 0, 5000), "no process of the run is left");

    const spans = await waitForSpans(h.receiver.spans, traceIdFrom(stderr()), 3);
    const agent = root(spans);
    assert.equal(agent.status.code, 2);
    assert.equal(agent.attributes["error.type"], "interrupted");
    assert.equal(agent.attributes["claude_code.interrupt.signal"], signal);
    const tool = named(spans, "execute_tool Bash")[0];
    assert.equal(tool?.status.code, 2);
    assert.equal(tool?.attributes["error.type"], "interrupted");
  });
}

/** Whether `signal` is pending for process `pid` (sent, not yet handled: the process is stopped). */
function pending(pid: number, signal: NodeJS.Signals): boolean {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const bit = 1n << BigInt(constants.signals[signal] - 1);
    return ["SigPnd", "ShdPnd"].some((field) => {
      const mask = new RegExp(`^${field}:\\s*([0-9a-f]+)$`, "m").exec(status)?.[1];
      return mask !== undefined && (BigInt(`0x${mask}`) & bit) !== 0n;
    });
  } catch {
    return false;
  }
}

/** Whether process `pid` is stopped (state T in /proc/PID/stat). */
function stopped(pid: number): boolean {
  try {
    return /^\d+ \(.*\) T/.test(readFileSync(`/proc/${pid}/stat`, "utf8"));
  } catch {
    return false;
  }
}

/** A run of the sleep scenario, with Claude Code paused (SIGSTOP) once its tool is running. */
async function pausedRun(tag: string, env: NodeJS.ProcessEnv) {
  const marker = `claudia-${tag}-${process.pid}`;
  const { child, exited, stderr } = sleepingRun(marker, env);
  await toolStarted(marker);
  // Paused, Claude Code cannot react to a signal: only claudia can end the run.
  const claude = processesWith(`claude-agent-sdk.*${marker}`).map(Number);
  assert.equal(claude.length, 1, "Claude Code is running");
  const claudePid = claude[0] as number;
  process.kill(claudePid, "SIGSTOP");
  // Stopped for certain before any signal is sent: a SIGTERM queued beside a SIGSTOP not yet acted on is handled first.
  assert.ok(await until(() => stopped(claudePid), 10000), "Claude Code is paused");
  const cleanUp = () => {
    // Killed outright, Claude Code could not stop its tool: that is the price of "at once". Clean up after it.
    for (const pid of processesWith(marker)) process.kill(Number(pid), "SIGKILL");
  };
  return { child, marker, claudePid, exited, stderr, cleanUp };
}

/** The exit code, or "still running" once `ms` have passed. */
const within = (exited: Promise<number | null>, ms: number) =>
  Promise.race([exited, new Promise<string>((r) => setTimeout(() => r(`still running after ${ms} ms`), ms).unref())]);

test("a second signal exits at once, taking Claude Code and its tools with it", async () => {
  // Claude Code gets a minute's grace after the first signal, so only the second can explain a quick exit.
  const run = await pausedRun("second-signal", { CLAUDIA_KILL_AFTER_MS: "60000" });
  try {
    run.child.kill("SIGTERM");
    // claudia has passed the first signal on: it waits, pending, in the paused Claude Code.
    assert.ok(await until(() => pending(run.claudePid, "SIGTERM"), 10000), "Claude Code was sent SIGTERM");
    const second = Date.now();
    run.child.kill("SIGTERM");
    // Far under the 60 s kill timer: the second signal, not the timer, ended the run.
    assert.equal(await within(run.exited, 15000), 143);
    assert.ok(Date.now() - second < 15000);
    assert.ok(
      await until(() => processesWith(`claude-agent-sdk.*${run.marker}`).length === 0, 5000),
      "Claude Code was killed",
    );
  } finally {
    run.cleanUp();
  }
});

test("Claude Code not stopping is killed after CLAUDIA_KILL_AFTER_MS; the trace is kept", async () => {
  const run = await pausedRun("kill-after", { CLAUDIA_KILL_AFTER_MS: "1500" });
  try {
    const sent = Date.now();
    run.child.kill("SIGTERM");
    // Without the kill timer a paused Claude Code never ends, and neither would claudia.
    assert.equal(await within(run.exited, 30000), 143);
    assert.ok(Date.now() - sent >= 1500, "Claude Code had its grace period");
    assert.match(run.stderr(), /Claude Code did not stop within 1500 ms of SIGTERM; killing it/);
    assert.ok(await until(() => processesWith(`claude-agent-sdk.*${run.marker}`).length === 0, 5000));
    const agent = root(await waitForSpans(h.receiver.spans, traceIdFrom(run.stderr()), 3));
    assert.equal(agent.attributes["error.type"], "interrupted");
    assert.equal(agent.attributes["claude_code.interrupt.signal"], "SIGTERM");
  } finally {
    run.cleanUp();
  }
});

test("Claude Code killed by a signal: claudia exits 128+N as a shell would, the root is ERROR", async () => {
  const marker = `claudia-killed-${process.pid}`;
  const { exited, stderr } = sleepingRun(marker);
  try {
    await toolStarted(marker);
    for (const pid of processesWith(`claude-agent-sdk.*${marker}`)) process.kill(Number(pid), "SIGKILL");
    assert.equal(await exited, 128 + constants.signals.SIGKILL);
    const spans = await waitForSpans(h.receiver.spans, traceIdFrom(stderr()), 3);
    const agent = root(spans);
    assert.equal(agent.status.code, 2);
    assert.equal(agent.attributes["claude_code.exit_code"], 137);
    assert.equal(agent.attributes["claude_code.interrupt.signal"], undefined, "claudia was not interrupted");
    const tool = named(spans, "execute_tool Bash")[0];
    assert.equal(tool?.status.code, 2, "the tool call that never returned is ERROR");
  } finally {
    for (const pid of processesWith(marker)) process.kill(Number(pid), "SIGKILL");
  }
});

/** `[[scenario:slow-second]]` with JSON output, interrupted while its second reply streams. */
async function interruptedMidStream(): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const arrived = h.model.arrivals.length;
  let pid = 0;
  const running = claudia(
    h.sandbox,
    [...BASE_ARGS, "--output-format", "json", "[[scenario:slow-second]] go"],
    {},
    "",
    (p) => {
      pid = p;
    },
  );
  assert.ok(await until(() => h.model.arrivals.length >= arrived + 2, 20000), "the second request was made");
  // Its reply has sent its first block and stalls for 6 s: Claude Code is mid-stream (2.5 s leaves a
  // busy machine time to have read that block).
  await new Promise((resolve) => setTimeout(resolve, 2500));
  process.kill(pid, "SIGINT");
  return running;
}

test("SIGINT while a reply streams: that request is traced at what Claude Code counted, and the calls add up to its total", async () => {
  // Claude Code itself sometimes prints no result when interrupted mid-stream (bare `claude -p`
  // too: 3 runs in 25 on a loaded machine); claudia then prints none either. Such a run is run again.
  let ran = await interruptedMidStream();
  for (let again = 0; again < 3 && ran.code === 0 && ran.stdout === ""; again++) ran = await interruptedMidStream();
  const { code, stdout, stderr } = ran;
  // As bare `claude -p`: Claude Code ends the interrupted run with exit 0.
  assert.equal(code, 0);
  const total = Number(JSON.parse(stdout).total_cost_usd);
  const spans = await waitForSpans(h.receiver.spans, traceIdFrom(stderr), 4);
  const chats = spans.filter((s) => s.name.startsWith("chat "));
  assert.equal(chats.length, 2);
  const sum = chats.reduce((n, s) => n + Number(s.attributes["gen_ai.usage.cost"]), 0);
  assert.ok(Math.abs(sum - total) <= total * 1e-6, `Σ chat ${sum} vs total_cost_usd ${total}`);
  const stopped = chats.find((s) => s.attributes["claude_code.cost.source"] === "claude_code_total");
  assert.ok(stopped, "the interrupted request is priced from Claude Code's totals");
  assert.ok(Number(stopped.attributes["gen_ai.usage.output_tokens"]) > 1, "not the stream's placeholder count");
});
