import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, test } from "node:test";
import { traceUrl } from "../../src/cli/console.ts";
import { cappedTree, reportToGitHub, stepOutputs, stepSummary } from "../../src/cli/github-job.ts";
import type { RunSummary } from "../../src/trace/builder.ts";
import { ROOT } from "../support/sandbox.ts";

const summary: RunSummary = {
  traceId: "0af7651916cd43dd8448eb211c80319c",
  spanId: "b7ad6b7169203331",
  startTime: 0,
  usage: { input: 10, output: 5, cacheRead: 100, cacheCreation: 20 },
  costUsd: 0.0123,
  toolCalls: 3,
  failedToolCalls: 1,
  chatCalls: 2,
  durationMs: 1500,
  isError: true,
  errorType: "exit_code_1",
  model: "claude-sonnet-4-5",
  prompt: "| inject ![x](https://evil.example/p.png) <img src=x> ```",
  numTurns: 4,
};
const warned: string[] = [];
const report = (env: NodeJS.ProcessEnv = {}) => ({
  summary,
  exitCode: 1,
  content: { capture: true },
  env,
  warn: (m: string) => warned.push(m),
});

describe("the GitHub step summary", () => {
  test("the trace link holds a URL with parentheses, a bar or a space, and keeps the table whole", () => {
    const url = "https://kibana.example/app/discover#/?_a=(query:(match:(trace.id:'t')))&x=a|b c";
    const md = stepSummary({ ...report(), traceUrl: url });
    const row = md.split("\n").find((line) => line.startsWith("| Trace |")) as string;
    assert.equal(
      row,
      "| Trace | [`0af7651916cd43dd8448eb211c80319c`](<https://kibana.example/app/discover#/?_a=(query:(match:(trace.id:'t')))&x=a%7Cb%20c>) |",
    );
  });

  test("the prompt is plain text: no table break, image, HTML or code fence", () => {
    const md = stepSummary(report());
    const title = md.split("\n")[0] as string;
    assert.equal(title, "### 🤖 \\| inject \\!\\[x\\]\\(https://evil\\.example/p\\.png\\) &lt;img src=x&gt; \\`\\`\\`");
    assert.match(md, /\| Status \| ❌ failed: exit\\_code\\_1 \|/);
    assert.match(md, /\| Tokens \| 130 in \/ 5 out \|/);
    assert.match(md, /\| Tool calls \| 3 \(1 failed\) \|/);
    assert.match(md, /\| Turns \| 4 \|/);
    assert.match(md, /\| Trace \| `0af7651916cd43dd8448eb211c80319c` \|/);
  });

  test("the heading is the whole prompt on one line, as the README says, not only its first line", () => {
    const prompt = "Triage the issues.\n\n  Then   summarise\tthem.";
    const md = stepSummary({ ...report(), summary: { ...summary, prompt } });
    assert.equal(md.split("\n")[0], "### 🤖 Triage the issues\\. Then summarise them\\.");
  });

  test("a long title is cut between characters, never inside an emoji's surrogate pair", () => {
    const prompt = `${"a".repeat(98)}😀 and the rest of the prompt`;
    const title = (stepSummary({ ...report(), summary: { ...summary, prompt } }).split("\n")[0] as string).slice(7);
    assert.equal(title, `${"a".repeat(98)}😀…`);
    // What the runner's file gets: UTF-8 that decodes to the same text, no U+FFFD.
    assert.equal(Buffer.from(title, "utf8").toString("utf8"), title);
  });

  test("no prompt when content capture is off", () => {
    const md = stepSummary({ ...report(), content: { capture: false } });
    assert.ok(md.startsWith("### 🤖 Claude Code run\n"));
    assert.ok(!md.includes("inject"));
  });
});

/** A run's spans file as the journal keeps it: a root and `tools` tool calls under it, each failed with a long message. */
function spansFile(dir: string, tools: number): string {
  const nanos = (ms: number) => String(BigInt(ms) * 1_000_000n);
  const hex = (n: number) => n.toString(16).padStart(16, "0");
  const spans = [
    {
      traceId: summary.traceId,
      spanId: hex(1),
      name: "invoke_agent claude-code",
      startTimeUnixNano: nanos(0),
      endTimeUnixNano: nanos(tools + 1),
    },
  ];
  for (let i = 0; i < tools; i++)
    spans.push({
      traceId: summary.traceId,
      spanId: hex(i + 2),
      parentSpanId: hex(1),
      name: `execute_tool Bash ${"x".repeat(60)}`,
      startTimeUnixNano: nanos(i),
      endTimeUnixNano: nanos(i + 1),
      status: { code: 2, message: "m".repeat(5000) },
    } as (typeof spans)[number]);
  const path = join(dir, "run.spans.jsonl");
  writeFileSync(path, `${JSON.stringify({ resourceSpans: [{ scopeSpans: [{ spans }] }] })}\n`);
  return path;
}

describe("the span tree in the summary", () => {
  test("a run of 20,000 tool calls: the first lines, then how many were left out, far under GitHub's 1 MiB", () => {
    const dir = mkdtempSync(join(tmpdir(), "claudia-summary-"));
    try {
      const md = stepSummary({ ...report(), spansPath: spansFile(dir, 20_000) });
      assert.ok(Buffer.byteLength(md) < 128 * 1024, `${Buffer.byteLength(md)} bytes`);
      assert.match(md, /\ninvoke_agent claude-code /);
      assert.match(md, new RegExp(`\\n… 19801 more lines left out: claudia traces show ${summary.traceId}\\n`));
      assert.equal((md.match(/execute_tool Bash/g) ?? []).length, 199);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("a short tree is whole; a long line ends in an ellipsis; the byte bound holds for wide characters", () => {
    assert.equal(cappedTree("a\nb\n", "t"), "a\nb");
    const long = cappedTree(`${"😀".repeat(1000)}\nnext`, "t");
    assert.equal([...(long.split("\n")[0] as string)].length, 300);
    const wide = cappedTree(Array.from({ length: 190 }, () => "😀".repeat(299)).join("\n"), "t");
    assert.ok(Buffer.byteLength(wide) <= 64 * 1024 + 100);
    assert.match(wide, /\n… \d+ more lines left out: claudia traces show t$/);
  });
});

describe("step outputs", () => {
  test("every value in the runner's delimiter form, each delimiter unique", () => {
    const text = stepOutputs(report());
    const names = [...text.matchAll(/^(\w+)<<(ghadelimiter_[0-9a-f-]{36})\n(.*)\n\2$/gm)].map((m) => [m[1], m[3]]);
    assert.deepEqual(names, [
      ["trace_id", summary.traceId],
      ["cost_usd", "0.0123"],
      ["input_tokens", "130"],
      ["output_tokens", "5"],
      ["status", "error"],
      ["exit_code", "1"],
    ]);
    assert.equal(new Set([...text.matchAll(/<<(\S+)/g)].map((m) => m[1])).size, 6);
  });
});

describe("CLAUDIA_TRACE_URL", () => {
  test("{trace_id} is replaced everywhere; a template without it, or not http(s), is ignored with a warning", () => {
    assert.equal(
      traceUrl("https://ui.example.com/t/{trace_id}?id={trace_id}", "abc"),
      "https://ui.example.com/t/abc?id=abc",
    );
    assert.equal(traceUrl(undefined, "abc"), undefined);
    warned.length = 0;
    assert.equal(
      traceUrl("https://ui.example.com/", "abc", (m) => warned.push(m)),
      undefined,
    );
    assert.equal(
      traceUrl("javascript:{trace_id}", "abc", (m) => warned.push(m)),
      undefined,
    );
    assert.equal(warned.length, 2);
  });
});

describe("writing the runner's files", () => {
  /** Report into a fresh folder whose step summary and outputs are what `make` leaves there. */
  function reportInto(make: (summary: string, output: string) => void): { dir: string; warnings: string[] } {
    const dir = mkdtempSync(join(tmpdir(), "claudia-job-"));
    const [summaryPath, outputPath] = [join(dir, "summary.md"), join(dir, "output.txt")];
    make(summaryPath, outputPath);
    const warnings: string[] = [];
    reportToGitHub({
      ...report({ GITHUB_STEP_SUMMARY: summaryPath, GITHUB_OUTPUT: outputPath }),
      warn: (m) => warnings.push(m),
    });
    return { dir, warnings };
  }

  test("appended to the files the runner made, after what earlier steps wrote", () => {
    const { dir, warnings } = reportInto((s, o) => {
      writeFileSync(s, "## Earlier\n");
      writeFileSync(o, "earlier=1\n");
    });
    try {
      assert.deepEqual(warnings, []);
      assert.match(readFileSync(join(dir, "summary.md"), "utf8"), /^## Earlier\n### 🤖 /);
      assert.match(readFileSync(join(dir, "output.txt"), "utf8"), /^earlier=1\ntrace_id<<ghadelimiter_/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("a FIFO with no reader is one warning each, not a run that never ends", () => {
    const dir = mkdtempSync(join(tmpdir(), "claudia-job-"));
    const [summaryPath, outputPath] = [join(dir, "summary.md"), join(dir, "output.txt")];
    execFileSync("mkfifo", [summaryPath, outputPath]);
    // In a child: an open that blocks would block this process too.
    const script = `
      import { reportToGitHub } from ${JSON.stringify(join(ROOT, "src/cli/github-job.ts"))};
      const warnings = [];
      reportToGitHub({ summary: ${JSON.stringify(summary)}, exitCode: 0, content: { capture: true },
        env: { GITHUB_STEP_SUMMARY: ${JSON.stringify(summaryPath)}, GITHUB_OUTPUT: ${JSON.stringify(outputPath)} },
        warn: (m) => warnings.push(m) });
      console.log(JSON.stringify(warnings));`;
    try {
      const out = execFileSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], {
        cwd: ROOT,
        timeout: 20_000,
        encoding: "utf8",
      });
      const warnings = JSON.parse(out) as string[];
      assert.equal(warnings.length, 2, out);
      assert.match(warnings[0] as string, /^could not write GITHUB_STEP_SUMMARY \(.*\); the run goes on$/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("a symbolic link or anything but a regular file is not written through", () => {
    const { dir, warnings } = reportInto((s, o) => {
      writeFileSync(`${s}.target`, "");
      symlinkSync(`${s}.target`, s);
      symlinkSync("/dev/null", o);
    });
    try {
      assert.equal(warnings.length, 2, warnings.join("\n"));
      assert.equal(readFileSync(join(dir, "summary.md.target"), "utf8"), "");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    const onDevice: string[] = [];
    reportToGitHub({ ...report({ GITHUB_OUTPUT: "/dev/null" }), warn: (m) => onDevice.push(m) });
    assert.equal(onDevice.length, 1, "a device is not a runner's file");
  });
});
