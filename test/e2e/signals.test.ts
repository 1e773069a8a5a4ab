/**
 * Interrupting a run (Ctrl+C, a cancelled CI job, a closed terminal): Claude Code and its tools
 * stop, the trace is kept and says what happened, and claudia exits 130 / 143 / 129.
 */
import assert from "node:assert/strict";
import { execFileSync, spawn } from "node:child_process";
import { test } from "node:test";
import { scriptedRuns } from "../support/harness.ts";
import { BASE_ARGS, CLAUDIA } from "../support/sandbox.ts";
import { named, root, traceIdFrom, waitForSpans } from "../support/trace-checks.ts";

const h = scriptedRuns();

function processesWith(marker: string): string[] {
  try {
    return execFileSync("pgrep", ["-f", marker], { encoding: "utf8" }).trim().split("\n").filter(Boolean);
  } catch {
    return [];
  }
}

async function until(check: () => boolean, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (check()) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return check();
}

for (const [signal, code] of [
  ["SIGINT", 130],
  ["SIGTERM", 143],
  ["SIGHUP", 129],
] as const) {
  test(`${signal} mid-tool: no process of the run remains, exit ${code}, the trace shows the interruption`, async () => {
    const marker = `claudia-signal-${signal}-${process.pid}`;
    const child = spawn(process.execPath, [CLAUDIA, ...BASE_ARGS, `[[scenario:sleep]] [[tag:${marker}]] go`], {
      env: h.sandbox.env,
      cwd: h.sandbox.work,
      stdio: ["pipe", "pipe", "pipe"],
    });
    child.stdin.end();
    let stderr = "";
    child.stderr.on("data", (c: Buffer) => {
      stderr += c.toString();
    });
    const exited = new Promise<number | null>((resolve) => child.once("close", (c) => resolve(c)));
    // The tool's command line has the timer and the marker; claudia's and Claude Code's have only the marker.
    assert.ok(await until(() => processesWith(`37000.*${marker}`).length > 0, 20000), "the tool started");
    child.kill(signal);
    const exitCode = await exited;
    assert.equal(exitCode, code);
    assert.ok(await until(() => processesWith(marker).length === 0, 5000), "no process of the run is left");

    const spans = await waitForSpans(h.receiver.spans, traceIdFrom(stderr), 3);
    const agent = root(spans);
    assert.equal(agent.status.code, 2);
    assert.equal(agent.attributes["error.type"], "interrupted");
    assert.equal(agent.attributes["claude_code.interrupt.signal"], signal);
    const tool = named(spans, "execute_tool Bash")[0];
    assert.equal(tool?.status.code, 2);
    assert.equal(tool?.attributes["error.type"], "interrupted");
  });
}

test("a second signal exits at once, taking Claude Code and its tools with it", async () => {
  const marker = `claudia-second-signal-${process.pid}`;
  const child = spawn(process.execPath, [CLAUDIA, ...BASE_ARGS, `[[scenario:sleep]] [[tag:${marker}]] go`], {
    // Claude Code gets a long grace period, so only the second signal can explain a quick exit.
    env: { ...h.sandbox.env, CLAUDIA_KILL_AFTER_MS: "60000" },
    cwd: h.sandbox.work,
    stdio: ["pipe", "ignore", "ignore"],
  });
  child.stdin.end();
  const exited = new Promise<number | null>((resolve) => child.once("close", (c) => resolve(c)));
  assert.ok(await until(() => processesWith(`37000.*${marker}`).length > 0, 20000), "the tool started");
  // Pause Claude Code so that it cannot react to the first signal: only the second can end the run quickly.
  const claude = processesWith(`claude-agent-sdk.*${marker}`);
  assert.equal(claude.length, 1, "Claude Code is running");
  for (const pid of claude) process.kill(Number(pid), "SIGSTOP");
  child.kill("SIGTERM");
  await new Promise((r) => setTimeout(r, 300));
  child.kill("SIGTERM");
  assert.equal(await exited, 143);
  assert.ok(
    await until(() => processesWith(`claude-agent-sdk.*${marker}`).length === 0, 5000),
    "Claude Code was killed",
  );
  // Killed outright, Claude Code could not stop its tool: that is the price of "exit at once". Clean up after it.
  for (const pid of processesWith(`37000.*${marker}`)) process.kill(Number(pid), "SIGKILL");
});
