/**
 * A finished run, reported to the GitHub Actions job that ran it: a short Markdown summary appended
 * to `GITHUB_STEP_SUMMARY` (shown on the job's page) and step outputs in `GITHUB_OUTPUT`
 * (`steps.<id>.outputs.trace_id`, …). Also the trace's address from a `CLAUDIA_TRACE_URL` template.
 * Writes only to those files, never to stdout; a file that cannot be written is one warning.
 */
import { randomUUID } from "node:crypto";
import { closeSync, constants, fstatSync, openSync, writeSync } from "node:fs";
import { totalInput } from "../events.ts";
import { readRequests, spansOf } from "../export/journal-store.ts";
import type { RunSummary } from "../trace/builder.ts";
import { cut } from "./console.ts";
import { formatCost, formatDuration, renderTree } from "./traces/tree.ts";

/** Text shown as itself in Markdown: no markup, no HTML, no links. */
function plain(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+\-.!|~<>&]/g, (c) =>
    c === "<" ? "&lt;" : c === ">" ? "&gt;" : c === "&" ? "&amp;" : `\\${c}`,
  );
}

/** A fenced block no line of `text` can close. */
function fenced(text: string): string {
  const longest = Math.max(2, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = "`".repeat(longest + 1);
  return `${fence}text\n${text.trimEnd()}\n${fence}`;
}

/**
 * How much of the span tree the summary shows. GitHub drops a step summary over 1 MiB whole, and a
 * long run's tree is ~165 bytes per tool call: the first lines say what the run did, the rest is
 * one `claudia traces show` away. 200 lines of at most 300 characters, 64 KiB in all.
 */
const TREE_LINES = 200;
const TREE_LINE_CHARS = 300;
const TREE_BYTES = 64 * 1024;

/** The span tree's first lines within the bounds above, then one saying how many were left out. */
export function cappedTree(tree: string, traceId: string): string {
  const lines = tree.trimEnd().split("\n");
  const kept: string[] = [];
  let bytes = 0;
  for (const line of lines) {
    const chars = [...line];
    const text = chars.length > TREE_LINE_CHARS ? `${chars.slice(0, TREE_LINE_CHARS - 1).join("")}…` : line;
    bytes += Buffer.byteLength(text) + 1;
    if (kept.length === TREE_LINES || bytes > TREE_BYTES) break;
    kept.push(text);
  }
  const left = lines.length - kept.length;
  if (left > 0) kept.push(`… ${left} more line${left === 1 ? "" : "s"} left out: claudia traces show ${traceId}`);
  return kept.join("\n");
}

export interface JobReport {
  summary: RunSummary;
  /** Undefined for one prompt of an interactive session: not reported. */
  exitCode: number | undefined;
  /** The run's spans in the journal, for the span tree (none when the journal is off). */
  spansPath?: string;
  /** Whether content (the prompt) may be shown. */
  content: { capture: boolean };
  /** The run's trace page (`CLAUDIA_TRACE_URL` filled in), if there is one. */
  traceUrl?: string;
  /** Where GitHub's runner says the step summary and outputs go. */
  env: NodeJS.ProcessEnv;
  warn: (message: string) => void;
}

/**
 * A URL as a Markdown link's target inside a table cell: in angle brackets, so that parentheses
 * (Kibana's URLs have them) do not end it, with what would end it or the cell (`<`, `>`, `|`,
 * white space) percent-encoded.
 */
const linkTarget = (url: string) => `<${url.replace(/[<>|\s]/g, (c) => encodeURIComponent(c))}>`;

/** The Markdown appended to the step summary. Pure apart from reading the run's spans. */
export function stepSummary(report: JobReport): string {
  const { summary: s, exitCode } = report;
  const url = report.traceUrl;
  const title = report.content.capture && s.prompt?.trim() ? plain(cut(s.prompt, 100)) : "Claude Code run";
  const tools = `${s.toolCalls}${s.failedToolCalls > 0 ? ` (${s.failedToolCalls} failed)` : ""}`;
  const rows: [string, string][] = [
    ["Status", s.isError ? `❌ failed${s.errorType ? `: ${plain(s.errorType)}` : ""}` : "✅ completed"],
    ["Exit code", exitCode === undefined ? "–" : String(exitCode)],
    ["Model", s.model ? plain(s.model) : "–"],
    // Claude Code reports its turns with --output-format json/stream-json; the model calls are always known.
    ["Turns", s.numTurns === undefined ? `– (${s.chatCalls} model calls)` : String(s.numTurns)],
    ["Tokens", `${totalInput(s.usage)} in / ${s.usage.output} out`],
    ["Cost", s.costUsd === undefined ? "n/a" : formatCost(s.costUsd)],
    ["Tool calls", tools],
    ["Duration", formatDuration(s.durationMs)],
    ["Trace", url ? `[\`${s.traceId}\`](${linkTarget(url)})` : `\`${s.traceId}\``],
  ];
  const lines = [`### 🤖 ${title}`, "", "| | |", "| --- | --- |", ...rows.map(([k, v]) => `| ${k} | ${v} |`)];
  const spans = report.spansPath ? spansOf(readRequests(report.spansPath)) : [];
  if (spans.length > 0) {
    const tree = renderTree(spans, { full: false, color: false });
    const shown = cappedTree(tree, s.traceId);
    lines.push("", "<details><summary>Span tree</summary>", "", fenced(shown), "", "</details>");
  }
  return `${lines.join("\n")}\n\n`;
}

/** The step outputs, in the runner's multiline-safe `name<<delimiter` form. */
export function stepOutputs(report: JobReport): string {
  const s = report.summary;
  const outputs: [string, string][] = [
    ["trace_id", s.traceId],
    ["cost_usd", s.costUsd === undefined ? "" : String(s.costUsd)],
    ["input_tokens", String(totalInput(s.usage))],
    ["output_tokens", String(s.usage.output)],
    ["status", s.isError ? "error" : "ok"],
    ["exit_code", report.exitCode === undefined ? "" : String(report.exitCode)],
  ];
  return outputs
    .map(([name, value]) => {
      const delimiter = `ghadelimiter_${randomUUID()}`;
      return `${name}<<${delimiter}\n${value}\n${delimiter}\n`;
    })
    .join("");
}

/**
 * Append to a file the runner gave: a regular file only, created 0600 if missing. No symlink is
 * followed, and the open never waits (a FIFO without a reader would hold the run forever).
 */
function append(path: string, text: string): void {
  const { O_WRONLY, O_APPEND, O_CREAT, O_NOFOLLOW, O_NONBLOCK } = constants;
  const fd = openSync(path, O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_NONBLOCK, 0o600);
  try {
    if (!fstatSync(fd).isFile()) throw new Error("not a regular file");
    writeSync(fd, text);
  } finally {
    closeSync(fd);
  }
}

/** Report a finished headless run to the GitHub Actions job, when claudia runs in one. Never throws. */
export function reportToGitHub(report: JobReport): void {
  const { env, warn } = report;
  if (report.exitCode === undefined) return;
  const targets: [string | undefined, string, () => string][] = [
    [env.GITHUB_STEP_SUMMARY, "GITHUB_STEP_SUMMARY", () => stepSummary(report)],
    [env.GITHUB_OUTPUT, "GITHUB_OUTPUT", () => stepOutputs(report)],
  ];
  for (const [path, name, text] of targets) {
    if (!path) continue;
    try {
      append(path, text());
    } catch (error) {
      warn(`could not write ${name} (${error instanceof Error ? error.message : String(error)}); the run goes on`);
    }
  }
}
