/**
 * claudia's progress lines on stderr: what users of the original know, plus one summary line.
 * Never stdout: that belongs to Claude Code.
 */
import type { RunEvent } from "../events.ts";
import { toolCallKey, totalInput } from "../events.ts";
import type { RunSummary } from "../trace/builder.ts";
import { noRedaction, type Redactor } from "../trace/redactor.ts";
import { stripControl } from "../trace/text.ts";
import { formatToolTitle, toolTitle } from "../trace/tool-title.ts";

const MAX_TITLE = 80;
/** How much of a text one line is made from: enough for `max` characters after folding whitespace. */
const SOURCE_CHARS = 4096;

/**
 * One line of at most `max` characters (code points): terminal control sequences removed, secrets redacted, then
 * whitespace folded and the line cut with an ellipsis. Redaction comes before the cut, so no part
 * of a secret shows; it reads a bounded prefix of `text` only.
 */
export const cut = (text: string, max = MAX_TITLE, redact: Redactor = noRedaction) => {
  const { head, total } = redact.head(stripControl(text), SOURCE_CHARS);
  const line = head.replace(/\s+/g, " ").trim();
  // By code point: a cut between the two halves of an emoji's surrogate pair would show as U+FFFD.
  const chars = [...line];
  return chars.length > max || total > head.length ? `${chars.slice(0, max - 1).join("")}…` : line;
};

/** A tool call's title on one line: `Bash: npm test`, `Read: index.ts`, `Agent: Review code`. */
export const toolLine = (name: string, input: unknown, redact: Redactor = noRedaction) =>
  cut(formatToolTitle(toolTitle(name, input)), MAX_TITLE, redact);

/** claudia's progress lines; every text from the session is redacted before it is cut. */
export class ProgressPrinter {
  private readonly titles = new Map<string, string>();
  private prompted = false;

  constructor(
    private readonly write: (line: string) => void,
    private readonly redact: Redactor = noRedaction,
  ) {}

  handle(event: RunEvent): void {
    switch (event.kind) {
      case "prompt":
        if (event.agentId === null && !this.prompted) {
          this.prompted = true;
          this.write(`🤖 ${cut(event.text, MAX_TITLE, this.redact)}`);
        }
        break;
      case "tool.start": {
        const title = toolLine(event.name, event.input, this.redact);
        this.titles.set(toolCallKey(event.agentId, event.id), title);
        this.write(`🔧 Tool: ${title}`);
        break;
      }
      case "tool.end": {
        const key = toolCallKey(event.agentId, event.id);
        const title = this.titles.get(key);
        if (title === undefined) break;
        this.titles.delete(key);
        this.write(event.isError ? `❌ Tool failed: ${title}` : `✅ Tool completed: ${title}`);
        break;
      }
    }
  }

  finish(summary: RunSummary, traceUrl?: string): void {
    this.write(summary.isError ? `💥 Agent failed: ${summary.errorType ?? "error"}` : "🎉 Agent completed");
    this.write(`${summaryLine(summary)}${traceUrl ? ` · ${traceUrl}` : ""}`);
  }
}

const counted = (n: number, noun: string) => `${n} ${noun}${n === 1 ? "" : "s"}`;
const costText = (usd: number | undefined) => (usd === undefined ? "cost n/a" : `$${usd.toFixed(4)}`);

export function summaryLine(s: RunSummary): string {
  return `📊 ${totalInput(s.usage)} in / ${s.usage.output} out tokens · ${counted(s.toolCalls, "tool")} · ${costText(s.costUsd)} · ${(s.durationMs / 1000).toFixed(1)}s · trace ${s.traceId}`;
}

/** One line for a whole interactive session: its prompts' totals and their trace ids. */
export function sessionSummaryLine(runs: RunSummary[]): string {
  const input = runs.reduce((n, s) => n + totalInput(s.usage), 0);
  const output = runs.reduce((n, s) => n + s.usage.output, 0);
  const toolCalls = runs.reduce((n, s) => n + s.toolCalls, 0);
  const costs = runs.map((s) => s.costUsd);
  const cost = costs.every((c) => c !== undefined) ? costs.reduce((n: number, c) => n + (c as number), 0) : undefined;
  const failed = runs.filter((s) => s.isError).length;
  const prompts = `${counted(runs.length, "prompt")}${failed ? ` (${failed} failed)` : ""}`;
  const traces = runs.map((s) => s.traceId).join(", ");
  return `📊 ${prompts} · ${input} in / ${output} out tokens · ${counted(toolCalls, "tool")} · ${costText(cost)} · trace${runs.length === 1 ? "" : "s"} ${traces}`;
}

const PLACEHOLDER = "{trace_id}";

/**
 * The trace's address from the `CLAUDIA_TRACE_URL` template (`https://…?trace_id={trace_id}`), if
 * one is set; a template that is not an http(s) address with `{trace_id}` is ignored, with `warn`.
 */
export function traceUrl(
  templateText: string | undefined,
  traceId: string,
  warn?: (message: string) => void,
): string | undefined {
  const template = templateText?.trim();
  if (!template) return undefined;
  if (!template.includes(PLACEHOLDER) || !/^https?:\/\/[^\s]+$/i.test(template)) {
    warn?.("CLAUDIA_TRACE_URL must be an http(s) address containing {trace_id}; ignored");
    return undefined;
  }
  return template.split(PLACEHOLDER).join(traceId);
}
