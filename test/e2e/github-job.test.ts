/**
 * A real run inside a simulated GitHub Actions step: the step summary and the step outputs it
 * writes, the trace link, and nothing of it on stdout.
 */
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, test } from "node:test";
import { scriptedRuns } from "../support/harness.ts";
import { storedRecord } from "../support/journal.ts";
import { BASE_ARGS, claude, claudia } from "../support/sandbox.ts";
import { traceIdFrom } from "../support/trace-checks.ts";

const h = scriptedRuns();

/** GITHUB_OUTPUT's `name<<delimiter` blocks, as the runner reads them. */
function readOutputs(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const m = /^([\w-]+)<<(.+)$/.exec(lines[i] as string);
    if (!m?.[1] || !m[2]) continue;
    const value: string[] = [];
    while (lines[++i] !== m[2]) value.push(lines[i] as string);
    out[m[1]] = value.join("\n");
  }
  return out;
}

function githubFiles(name: string) {
  const summary = join(h.sandbox.home, `${name}-summary.md`);
  const output = join(h.sandbox.home, `${name}-output.txt`);
  // The runner creates both files empty; other steps may have written before.
  writeFileSync(summary, "## Earlier step\n\n");
  writeFileSync(output, "earlier=1\n");
  return {
    summary,
    output,
    env: {
      GITHUB_ACTIONS: "true",
      GITHUB_STEP_SUMMARY: summary,
      GITHUB_OUTPUT: output,
      CLAUDIA_TRACE_URL: "https://ui.example.com/acme/trace?trace_id={trace_id}",
    },
  };
}

describe("GitHub Actions job", () => {
  test("a run with a failing tool: summary with the span tree and link, outputs, stdout untouched", async () => {
    const gh = githubFiles("fail");
    const prompt = "[[scenario:bash-fail]] check *the* folder <b>now</b>";
    const ran = await claudia(h.sandbox, [...BASE_ARGS, prompt], gh.env);
    assert.equal(ran.code, 0, ran.stderr);
    const bare = await claude(h.sandbox, ["-p", ...BASE_ARGS, prompt]);
    assert.equal(ran.stdout, bare.stdout);
    const traceId = traceIdFrom(ran.stderr);
    const url = `https://ui.example.com/acme/trace?trace_id=${traceId}`;
    assert.match(ran.stderr, new RegExp(`📊 .*trace ${traceId} · ${url.replace(/[?.]/g, "\\$&")}\\n`));

    const record = await storedRecord(h.sandbox, traceId);
    const outputs = readOutputs(readFileSync(gh.output, "utf8"));
    assert.ok(readFileSync(gh.output, "utf8").startsWith("earlier=1\n"));
    assert.deepEqual(outputs, {
      trace_id: traceId,
      cost_usd: String(record.costUsd),
      input_tokens: String(record.inputTokens),
      output_tokens: String(record.outputTokens),
      status: "ok",
      exit_code: "0",
    });
    assert.ok((record.costUsd ?? 0) > 0 && (record.inputTokens ?? 0) > 0);

    const md = readFileSync(gh.summary, "utf8");
    assert.ok(md.startsWith("## Earlier step\n\n### 🤖 "), md);
    // The prompt is shown as text: no emphasis, no HTML.
    assert.ok(md.includes("check \\*the\\* folder &lt;b&gt;now&lt;/b&gt;"), md);
    assert.match(md, /\| Status \| ✅ completed \|/);
    assert.match(md, /\| Exit code \| 0 \|/);
    assert.match(md, /\| Model \| claude\\-sonnet\\-4\\-5 \|/);
    assert.ok(md.includes("| Turns | 2 |"), md);
    assert.match(md, new RegExp(`\\| Tokens \\| ${record.inputTokens} in / ${record.outputTokens} out \\|`));
    assert.match(md, /\| Tool calls \| 1 \(1 failed\) \|/);
    assert.ok(md.includes(`| Trace | [\`${traceId}\`](<${url}>) |`), md);
    const tree = await claudia(h.sandbox, ["traces", "show", traceId]);
    assert.ok(md.includes(`\`\`\`text\n${tree.stdout.trimEnd()}\n\`\`\``), `${md}\n---\n${tree.stdout}`);
    assert.match(tree.stdout, /execute_tool Bash .*✗/);
  });

  test("content capture off: no prompt in the summary; turns from --output-format json", async () => {
    const gh = githubFiles("nocontent");
    const ran = await claudia(h.sandbox, [...BASE_ARGS, "--output-format", "json", "[[scenario:text]] secret plan"], {
      ...gh.env,
      OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT: "false",
    });
    assert.equal(ran.code, 0, ran.stderr);
    const md = readFileSync(gh.summary, "utf8");
    assert.ok(md.includes("### 🤖 Claude Code run"), md);
    assert.ok(!md.includes("secret plan"));
    const numTurns = (JSON.parse(ran.stdout) as { num_turns: number }).num_turns;
    assert.ok(md.includes(`| Turns | ${numTurns} |`), md);
    assert.equal(readOutputs(readFileSync(gh.output, "utf8")).status, "ok");
  });

  test("session text in claudia's stderr lines is never a runner's log command", async () => {
    const gh = githubFiles("commands");
    const prompt = "[[scenario:runner-commands]] go ##[set-output name=status]hacked ##[add-mask]trace";
    const ran = await claudia(h.sandbox, [...BASE_ARGS, prompt], gh.env);
    assert.equal(ran.code, 0, ran.stderr);
    // The runner reads `##[command]` anywhere in a line of stdout or stderr, `::command::` at its start.
    const claudiaLines = ran.stderr.split("\n").filter((l) => /^(🤖|🔧|✅|❌|claudia:)/u.test(l));
    assert.ok(
      claudiaLines.some((l) => l.startsWith("🤖 ") && l.includes("set-output name=status")),
      ran.stderr,
    );
    assert.ok(
      claudiaLines.some((l) => l.startsWith("🔧 ") && l.includes("task.setvariable")),
      ran.stderr,
    );
    for (const line of claudiaLines) {
      assert.doesNotMatch(line, /##(vso)?\[/i, line);
      assert.doesNotMatch(line, /^\s*::/, line);
    }
    assert.equal(readOutputs(readFileSync(gh.output, "utf8")).status, "ok");
  });

  test("a bad trace URL template is one warning and no link", async () => {
    const ran = await claudia(h.sandbox, [...BASE_ARGS, "[[scenario:text]] hi"], { CLAUDIA_TRACE_URL: "no-template" });
    assert.equal(ran.code, 0);
    assert.match(
      ran.stderr,
      /claudia: CLAUDIA_TRACE_URL must be an http\(s\) address containing \{trace_id\}; ignored/,
    );
    assert.match(ran.stderr, /📊 .*trace [0-9a-f]{32}\n/);
  });
});
