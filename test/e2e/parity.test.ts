/**
 * claudia is a drop-in for `claude -p`: for the same scenario, stdout is byte-for-byte the same
 * (apart from values that differ run to run: ids, durations) and so is the exit code.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, test } from "node:test";
import { promptOf } from "../support/conformance.ts";
import { scriptedRuns } from "../support/harness.ts";
import { normalize } from "../support/normalize.ts";
import { startOtlpReceiver } from "../support/otlp-receiver.ts";
import { until } from "../support/processes.ts";
import { BASE_ARGS, CLAUDE, CLAUDIA, claude, claudia } from "../support/sandbox.ts";
import { root, traceIdFrom, waitForSpans } from "../support/trace-checks.ts";

const h = scriptedRuns();

/**
 * Run `command` with a reader on stdout or stderr that goes away after the first bytes (as `| head
 * -c 10` does); the exit code, and what the other stream carried.
 */
function readerLeaves(
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  cwd: string,
  closed: "stdout" | "stderr",
): Promise<{ code: number | null; other: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env, cwd, stdio: ["ignore", "pipe", "pipe"] });
    const leaving = child[closed];
    const kept = closed === "stdout" ? child.stderr : child.stdout;
    let other = "";
    kept.on("data", (c: Buffer) => {
      other += c.toString();
    });
    leaving.once("data", () => leaving.destroy());
    child.once("error", reject);
    child.once("close", (code) => resolve({ code, other }));
  });
}

const formats: [string, string[]][] = [
  ["text", []],
  ["json", ["--output-format", "json"]],
  ["stream-json", ["--output-format", "stream-json", "--verbose"]],
];

describe("stdout and exit code equal claude -p", () => {
  for (const scenario of ["text", "bash", "bash-fail", "api-400"]) {
    for (const [format, flags] of formats) {
      test(`${scenario}, ${format}`, async () => {
        const prompt = `[[scenario:${scenario}]] parity`;
        const direct = await claude(h.sandbox, ["-p", ...BASE_ARGS, ...flags, prompt]);
        const wrapped = await claudia(h.sandbox, [...BASE_ARGS, ...flags, prompt]);
        assert.equal(wrapped.code, direct.code, "same exit code");
        if (format === "text") assert.equal(wrapped.stdout, direct.stdout, "text output is byte-for-byte the same");
        else assert.equal(normalize(wrapped.stdout), normalize(direct.stdout));
        assert.ok(direct.stdout.length > 0);
        // The run was traced all the same.
        const spans = await waitForSpans(h.receiver.spans, traceIdFrom(wrapped.stderr));
        assert.equal(root(spans).attributes["claude_code.exit_code"], direct.code);
      });
    }
  }

  test("a prompt piped on stdin works as with claude -p", async () => {
    const direct = await claude(h.sandbox, ["-p", ...BASE_ARGS], {}, "[[scenario:text]] from stdin");
    const wrapped = await claudia(h.sandbox, [...BASE_ARGS], {}, "[[scenario:text]] from stdin");
    assert.equal(wrapped.code, 0);
    assert.equal(wrapped.stdout, direct.stdout);
    const spans = await waitForSpans(h.receiver.spans, traceIdFrom(wrapped.stderr));
    assert.equal(promptOf(root(spans)), "[[scenario:text]] from stdin");
  });

  test("-p/--print given explicitly is accepted", async () => {
    const wrapped = await claudia(h.sandbox, ["-p", ...BASE_ARGS, "[[scenario:text]] explicit"]);
    assert.equal(wrapped.code, 0);
    assert.equal(wrapped.stdout, "Hello from the scripted model.\n");
  });

  test("a bad claude option: claude's own message and exit code", async () => {
    const direct = await claude(h.sandbox, ["-p", "--output-format", "yaml", "hi"]);
    const wrapped = await claudia(h.sandbox, ["--output-format", "yaml", "hi"]);
    assert.notEqual(direct.code, 0);
    assert.equal(wrapped.code, direct.code);
    assert.equal(wrapped.stdout, direct.stdout);
    assert.match(direct.stderr, /yaml/, "claude names the bad value on stderr");
    assert.ok(wrapped.stderr.includes(direct.stderr), `claude's stderr reaches the user whole:\n${wrapped.stderr}`);
  });

  for (const [closed, flags] of [
    ["stdout", ["--output-format", "stream-json", "--verbose"]],
    ["stderr", []],
  ] as const) {
    test(`a reader of ${closed} that leaves early (| head), ${flags[1] ?? "text"}: the same exit code, the run traced`, async () => {
      const args = [...BASE_ARGS, ...flags, "[[scenario:bash]] reader leaves"];
      const { env, work } = h.sandbox;
      const direct = await readerLeaves(CLAUDE, ["-p", ...args], env, work, closed);
      const roots = () => h.receiver.spans.filter((s) => s.name === "invoke_agent claude-code").length;
      const before = roots();
      const wrapped = await readerLeaves(process.execPath, [CLAUDIA, ...args], env, work, closed);
      assert.equal(wrapped.code, direct.code, `same exit code\n${wrapped.other}`);
      assert.doesNotMatch(wrapped.other, /EPIPE|Unhandled/);
      if (closed === "stdout") await waitForSpans(h.receiver.spans, traceIdFrom(wrapped.other));
      else assert.ok(await until(() => roots() === before + 1, 5000), "the run's trace was delivered");
    });
  }

  test("claude subcommands run directly, untraced", async () => {
    const before = h.receiver.spans.length;
    const direct = await claude(h.sandbox, ["mcp", "list"]);
    const wrapped = await claudia(h.sandbox, ["mcp", "list"]);
    assert.equal(wrapped.code, direct.code);
    assert.equal(wrapped.stdout, direct.stdout);
    assert.doesNotMatch(wrapped.stderr, /trace [0-9a-f]{32}/);
    assert.equal(h.receiver.spans.length, before);
  });
});

describe("claudia's own behaviour", () => {
  test("an invalid claudia option: exit 2 before Claude Code starts, naming the option", async () => {
    const before = h.model.served.length;
    const ran = await claudia(h.sandbox, ["--otel-endpoint", "not-a-url", ...BASE_ARGS, "[[scenario:text]] x"]);
    assert.equal(ran.code, 2);
    assert.match(ran.stderr, /--otel-endpoint: not an http:\/\/ or https:\/\/ URL/);
    assert.equal(h.model.served.length, before);
  });

  test("a backend refusing connections changes neither output nor exit code; one line says so", async () => {
    const prompt = "[[scenario:bash]] refused";
    const direct = await claude(h.sandbox, ["-p", ...BASE_ARGS, prompt]);
    const wrapped = await claudia(h.sandbox, [...BASE_ARGS, prompt], {
      OTEL_EXPORTER_OTLP_ENDPOINT: "http://127.0.0.1:9",
    });
    assert.equal(wrapped.code, direct.code);
    assert.equal(wrapped.stdout, direct.stdout);
    const lines = wrapped.stderr.split("\n").filter((l) => l.startsWith("claudia:"));
    assert.equal(lines.length, 1);
    assert.match(lines[0] as string, /span\(s\) not delivered to otlp: ECONNREFUSED/);
  });
});

describe("failures around Claude Code", () => {
  test("a missing Claude Code: a clear message, exit 127, and a failed run in the trace", async () => {
    const ran = await claudia(h.sandbox, [...BASE_ARGS, "hi"], { CLAUDIA_CLAUDE_PATH: "/nonexistent/claude" });
    assert.equal(ran.code, 127);
    assert.match(ran.stderr, /claudia: could not start Claude Code: spawn \/nonexistent\/claude ENOENT/);
    const agent = root(await waitForSpans(h.receiver.spans, traceIdFrom(ran.stderr)));
    assert.equal(agent.status.code, 2);
    assert.equal(agent.attributes["error.type"], "run_error");
    assert.equal(agent.attributes["claude_code.exit_code"], 127);
  });

  test("an unwritable journal is one warning; the run and the export go on", async () => {
    const file = join(h.sandbox.work, "not-a-directory");
    writeFileSync(file, "x");
    try {
      const ran = await claudia(h.sandbox, [...BASE_ARGS, "[[scenario:text]] unwritable"], { CLAUDIA_HOME: file });
      assert.equal(ran.code, 0);
      assert.equal(ran.stdout, "Hello from the scripted model.\n");
      const warnings = ran.stderr.split("\n").filter((l) => l.startsWith("claudia:"));
      assert.equal(warnings.length, 1, ran.stderr);
      assert.match(warnings[0] as string, /could not write the trace journal .*the run goes on/);
      assert.equal((await waitForSpans(h.receiver.spans, traceIdFrom(ran.stderr))).length, 2);
    } finally {
      rmSync(file);
    }
  });
});

describe(".env", () => {
  test("a .env in the working directory is loaded without overriding what is set", async () => {
    const other = await startOtlpReceiver();
    const file = join(h.sandbox.work, ".env");
    writeFileSync(file, `OTEL_SERVICE_NAME=from-dotenv\nOTEL_EXPORTER_OTLP_ENDPOINT=${other.url}\n`);
    try {
      const ran = await claudia(h.sandbox, [...BASE_ARGS, "[[scenario:text]] dotenv"]);
      assert.equal(ran.code, 0);
      // The environment's OTEL_EXPORTER_OTLP_ENDPOINT is set, so .env does not override it.
      const spans = await waitForSpans(h.receiver.spans, traceIdFrom(ran.stderr));
      assert.equal(root(spans).resource["service.name"], "from-dotenv");
      assert.equal(other.spans.length, 0);
    } finally {
      rmSync(file);
      await other.close();
    }
  });
});
