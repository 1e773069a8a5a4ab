/** `claudia traces stats` as readable tables. Pure. */

import { stripControl } from "../../trace/text.ts";
import type { Durations, JournalStats } from "./stats.ts";
import { formatCost, formatDuration } from "./tree.ts";

/** A cell as it may be printed: names come from the session (a model-chosen tool name), so no control sequence and one line. */
const cellText = (text: string) => stripControl(text).replace(/\s/g, " ");

function table(header: string[], cells: string[][]): string {
  const rows = cells.map((row) => row.map(cellText));
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => (row[i] as string).length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === 0 ? c.padEnd(widths[i] as number) : c.padStart(widths[i] as number)))
      .join("  ")
      .trimEnd();
  return [line(header), ...rows.map(line)].join("\n");
}

const ms = (v: number | null) => (v === null ? "-" : formatDuration(v));
const timing = (d: Durations) => [ms(d.p50Ms), ms(d.p95Ms)];

export function renderStats(stats: JournalStats): string {
  const t = stats.total;
  if (t.runs === 0) return `No runs recorded${stats.since === null ? " yet" : " since then"}.\n`;
  const since = stats.since === null ? "" : ` since ${new Date(stats.since).toISOString().replace(".000Z", "Z")}`;
  const parts = [
    `${t.runs} runs${since}, ${t.failures} failed · ${t.inputTokens} in / ${t.outputTokens} out tokens · ` +
      `${t.toolCalls} tool calls · ${formatCost(t.costUsd)} · run time p50 ${ms(t.p50Ms)}, p95 ${ms(t.p95Ms)}`,
    table(
      ["DAY", "RUNS", "FAILED", "TOKENS IN/OUT", "COST", "P50", "P95"],
      stats.byDay.map((d) => [
        d.day,
        String(d.runs),
        String(d.failures),
        `${d.inputTokens}/${d.outputTokens}`,
        formatCost(d.costUsd),
        ...timing(d),
      ]),
    ),
  ];
  if (stats.byModel.length > 0)
    parts.push(
      table(
        ["MODEL", "CALLS", "FAILED", "TOKENS IN/OUT", "COST", "P50", "P95"],
        stats.byModel.map((m) => [
          m.model,
          String(m.calls),
          String(m.failures),
          `${m.inputTokens}/${m.outputTokens}`,
          formatCost(m.costUsd),
          ...timing(m),
        ]),
      ),
    );
  if (stats.byTool.length > 0)
    parts.push(
      table(
        ["TOOL", "CALLS", "FAILED", "P50", "P95"],
        stats.byTool.map((s) => [s.tool, String(s.calls), String(s.failures), ...timing(s)]),
      ),
    );
  return `${parts.join("\n\n")}\n`;
}
