/**
 * claudia's progress lines on stderr: what users of the original know, plus one summary line.
 * Never stdout: that belongs to Claude Code.
 */
import { basename } from "node:path";
import type { RunEvent } from "../events.ts";
import { totalInput } from "../events.ts";
import type { RunSummary } from "../trace/builder.ts";

const MAX_TITLE = 80;

/** One line of at most `max` characters, whitespace folded, cut with an ellipsis. */
export const cut = (text: string, max = MAX_TITLE) => {
  const line = text.replace(/\s+/g, " ").trim();
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
};

/** A short human title for a tool call: `Bash: npm test`, `Read: index.ts`, `Agent: Review code`. */
export function toolTitle(name: string, input: unknown): string {
  const i = (input ?? {}) as Record<string, unknown>;
  const s = (v: unknown) => (typeof v === "string" && v.trim() !== "" ? v : undefined);
  const mcp = /^mcp__(.+?)__(.+)$/.exec(name);
  const label = mcp ? `${mcp[1]}/${mcp[2]}` : name;
  const detail =
    s(i.description) ??
    s(i.command) ??
    (s(i.file_path) ? basename(i.file_path as string) : undefined) ??
    s(i.pattern) ??
    s(i.url) ??
    s(i.query);
  return cut(detail ? `${label}: ${detail}` : label);
}

export class ProgressPrinter {
  private readonly titles = new Map<string, string>();
  private prompted = false;

  constructor(private readonly write: (line: string) => void) {}

  handle(event: RunEvent): void {
    switch (event.kind) {
      case "prompt":
        if (event.agentId === null && !this.prompted) {
          this.prompted = true;
          this.write(`🤖 ${cut(event.text)}`);
        }
        break;
      case "tool.start": {
        const title = toolTitle(event.name, event.input);
        this.titles.set(event.id, title);
        this.write(`🔧 Tool: ${title}`);
        break;
      }
      case "tool.end": {
        const title = this.titles.get(event.id);
        if (title === undefined) break;
        this.titles.delete(event.id);
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
