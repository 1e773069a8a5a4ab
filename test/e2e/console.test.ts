/**
 * What claudia itself prints: headless progress lines and the summary line on stderr (never on
 * stdout), none of them with --quiet, and its own --version and --help.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, test } from "node:test";
import { promptOf } from "../support/conformance.ts";
import { scriptedRuns } from "../support/harness.ts";
import { BASE_ARGS, CLAUDE, claudia, ROOT, run } from "../support/sandbox.ts";
import { root, traceIdFrom, waitForSpans } from "../support/trace-checks.ts";

const h = scriptedRuns();

/** claudia's own lines: progress and summary start with these marks. */
const OWN = /^(🤖|🔧|✅|❌|🎉|💥|📊) /u;
const ownLines = (stderr: string) => stderr.split("\n").filter((l) => OWN.test(l));

describe("headless progress and summary", () => {
  test("a run: the prompt, each tool's start and end, the outcome, then one summary line with the run's figures", async () => {
    const ran = await claudia(h.sandbox, [...BASE_ARGS, "[[scenario:bash]] progress"]);
    assert.equal(ran.code, 0);
    assert.equal(ran.stdout, "The command printed: hello-from-bash\n", "nothing of claudia's on stdout");
    const traceId = traceIdFrom(ran.stderr);
    const lines = ownLines(ran.stderr);
    assert.deepEqual(lines.slice(0, -1), [
      "🤖 [[scenario:bash]] progress",
      "🔧 Tool: Bash: Print a greeting",
      "✅ Tool completed: Bash: Print a greeting",
      "🎉 Agent completed",
    ]);
    const summary =
      /^📊 (\d+) in \/ (\d+) out tokens · 1 tool · \$(\d+\.\d{4}) · (\d+\.\d)s · trace ([0-9a-f]{32})$/u.exec(
        lines.at(-1) as string,
      );
    assert.ok(summary, `the summary line: ${lines.at(-1)}`);
    const agent = root(await waitForSpans(h.receiver.spans, traceId));
    assert.equal(Number(summary[1]), agent.attributes["gen_ai.usage.input_tokens"]);
    assert.equal(Number(summary[2]), agent.attributes["gen_ai.usage.output_tokens"]);
    assert.equal(summary[3], Number(agent.attributes["gen_ai.usage.cost"]).toFixed(4));
    assert.equal(summary[5], traceId);
  });

  test("a failing tool and a failing run say so", async () => {
    const tool = await claudia(h.sandbox, [...BASE_ARGS, "[[scenario:bash-fail]] progress"]);
    assert.ok(ownLines(tool.stderr).includes("❌ Tool failed: Bash: List a missing folder"), tool.stderr);
    const failed = await claudia(h.sandbox, [...BASE_ARGS, "[[scenario:api-400]] progress"]);
    assert.equal(failed.code, 1);
    const lines = ownLines(failed.stderr);
    assert.deepEqual(lines.slice(0, -1), ["🤖 [[scenario:api-400]] progress", "💥 Agent failed: api_error"]);
    assert.match(
      lines.at(-1) as string,
      /^📊 0 in \/ 0 out tokens · 0 tools · \$0\.0000 · \d+\.\ds · trace [0-9a-f]{32}$/u,
    );
  });

  for (const [how, args, env] of [
    ["--quiet", ["--quiet"], {}],
    ["CLAUDIA_QUIET=1", [], { CLAUDIA_QUIET: "1" }],
  ] as const) {
    test(`${how}: no progress and no summary; the run is traced all the same`, async () => {
      const prompt = `[[scenario:bash]] quiet ${how}`;
      const ran = await claudia(h.sandbox, [...args, ...BASE_ARGS, prompt], env);
      assert.equal(ran.code, 0);
      assert.equal(ran.stdout, "The command printed: hello-from-bash\n");
      assert.deepEqual(ownLines(ran.stderr), [], ran.stderr);
      assert.doesNotMatch(ran.stderr, /trace [0-9a-f]{32}/);
      const traced = () => h.receiver.spans.find((s) => promptOf(s) === prompt);
      for (let i = 0; i < 100 && !traced(); i++) await new Promise((r) => setTimeout(r, 50));
      assert.ok(traced(), "the quiet run's trace arrived");
    });
  }
});

describe("claudia's own options", () => {
  test("--version and -v: claudia's version, then the installed Claude Code's; nothing is run", async () => {
    const claudeVersion = (await run(CLAUDE, ["--version"], { env: h.sandbox.env, cwd: h.sandbox.work })).stdout.trim();
    assert.match(claudeVersion, /^\d+\.\d+\.\d+/);
    const { version } = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { version: string };
    for (const flag of ["--version", "-v"]) {
      const before = h.model.served.length;
      const ran = await claudia(h.sandbox, [flag]);
      assert.equal(ran.code, 0);
      assert.equal(ran.stdout, `claudia ${version}\nClaude Code ${claudeVersion}\n`);
      assert.equal(h.model.served.length, before);
    }
  });

  test("--help and -h: claudia's options, each with its variable, and how the rest passes to Claude Code", async () => {
    for (const flag of ["--help", "-h"]) {
      const ran = await claudia(h.sandbox, [flag]);
      assert.equal(ran.code, 0);
      assert.match(ran.stdout, /^Usage: claudia \[claudia options\] \[claude options\] PROMPT/);
      for (const [option, variable] of [
        ["--otel-endpoint URL", "OTEL_EXPORTER_OTLP_ENDPOINT"],
        ["--otel-headers k=v,k2=v2", "OTEL_EXPORTER_OTLP_HEADERS"],
        ["--service-name NAME", "OTEL_SERVICE_NAME"],
        ["--logfire-token TOKEN", "LOGFIRE_TOKEN"],
        ["--sentry-dsn DSN", "SENTRY_DSN"],
        ["--quiet", "CLAUDIA_QUIET=1"],
        ["--claudia-debug", "CLAUDIA_DEBUG=1"],
      ] as const)
        assert.match(ran.stdout, new RegExp(`^ {2}${literal(option)} .*\\(${variable}`, "m"), option);
      assert.match(ran.stdout, /^ {2}--config /m);
      assert.match(ran.stdout, /^ {2}--version, -v /m);
      assert.match(ran.stdout, /Every other option is Claude Code's and passes through unchanged/);
      assert.match(ran.stdout, /claudia traces \[list\|show\|export\|push\]/);
    }
  });
});

const literal = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
