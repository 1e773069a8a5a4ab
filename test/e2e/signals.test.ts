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
