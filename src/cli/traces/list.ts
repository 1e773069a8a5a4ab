/** `claudia traces`: the recent runs, one line each (or JSON). */
import type { RunRecord } from "../../export/journal.ts";
import type { StoredRun } from "../../export/journal-store.ts";
import { formatCost, formatDuration, printableLine } from "./tree.ts";

function deliveredText(record: RunRecord): string {
  const deliveries = Object.values(record.deliveries ?? {});
  if (deliveries.length === 0) return "local";
  return deliveries.every((d) => d.delivered) ? "delivered" : "NOT delivered";
}

export function renderList(runs: StoredRun[], color: boolean): string {
  if (runs.length === 0) return 'No runs recorded yet. Run `claudia "your prompt"` or `claudia demo`.\n';
  const header = [
    "TRACE",
    "STARTED",
    "STATUS",
    "MODEL",
    "TURNS",
    "TOOLS",
    "TOKENS IN/OUT",
    "COST",
    "DURATION",
    "EXPORT",
    "PROMPT",
  ];
  const rows = runs.map(({ record: r }) => [
    r.traceId.slice(0, 12),
    new Date(r.startTime).toISOString().replace("T", " ").slice(0, 19),
    r.status === "ok" ? "ok" : printableLine(`error${r.errorType ? ` (${r.errorType})` : ""}`),
    printableLine(r.model ?? "-"),
    r.numTurns === undefined ? "-" : String(r.numTurns),
    String(r.toolCalls),
    `${r.inputTokens}/${r.outputTokens}`,
    r.costUsd === undefined ? "-" : formatCost(r.costUsd),
    formatDuration(r.durationMs),
    deliveredText(r),
    printableLine(r.prompt ?? "").slice(0, 60),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => (row[i] as string).length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] as number)))
      .join("  ")
      .trimEnd();
  const red = (t: string) => (color ? `\u001b[31m${t}\u001b[0m` : t);
  return `${[line(header), ...rows.map((row) => (row[2] === "ok" ? line(row) : red(line(row))))].join("\n")}\n`;
}

export function listJson(runs: StoredRun[]): string {
  return `${JSON.stringify(
    runs.map((r) => r.record),
    null,
    2,
  )}\n`;
}
