/** Over time: cost and tokens by day and by model, and the tools that fail most (as `claudia traces stats`). */
import { html } from "htm/preact";
import { useEffect, useState } from "preact/hooks";
import { getJson, type JournalStats } from "./api.ts";
import { cost, count, duration } from "./format.ts";

const ms = (v: number | null) => (v === null ? "–" : duration(v));

interface Column<T> {
  title: string;
  cell: (row: T) => string;
  numeric?: boolean;
}

/** A table of rows, with a bar beside them scaled to `bar`'s largest value. */
function StatsTable<T>(props: { name: string; columns: Column<T>[]; rows: T[]; bar: (row: T) => number }) {
  const max = Math.max(0, ...props.rows.map(props.bar));
  const [first, ...rest] = props.columns;
  return html`
    <table class=${`stats ${props.name}`}>
      <thead>
        <tr>
          <th>${first?.title}</th>
          ${rest.map((c) => html`<th class=${c.numeric === false ? "" : "num"}>${c.title}</th>`)}
          <th></th>
        </tr>
      </thead>
      <tbody>
        ${props.rows.map(
          (row) => html`<tr>
            <td>${first?.cell(row)}</td>
            ${rest.map((c) => html`<td class=${c.numeric === false ? "" : "num"}>${c.cell(row)}</td>`)}
            <td>
              <div class="bar-cell"><div class="bar" style=${{ width: `${max > 0 ? (props.bar(row) / max) * 100 : 0}%` }}></div></div>
            </td>
          </tr>`,
        )}
      </tbody>
    </table>
  `;
}

type Day = JournalStats["byDay"][number];
type Model = JournalStats["byModel"][number];
type Tool = JournalStats["byTool"][number];

const timing = <T extends { p50Ms: number | null; p95Ms: number | null }>(): Column<T>[] => [
  { title: "p50", cell: (r) => ms(r.p50Ms) },
  { title: "p95", cell: (r) => ms(r.p95Ms) },
];
const tokens = <T extends { inputTokens: number; outputTokens: number }>(): Column<T> => ({
  title: "Tokens in / out",
  cell: (r) => `${count(r.inputTokens)} / ${count(r.outputTokens)}`,
});

const DAY_COLUMNS: Column<Day>[] = [
  { title: "Day", cell: (d) => d.day },
  { title: "Runs", cell: (d) => count(d.runs) },
  { title: "Failed", cell: (d) => count(d.failures) },
  tokens<Day>(),
  { title: "Cost", cell: (d) => cost(d.costUsd) },
  ...timing<Day>(),
];
const MODEL_COLUMNS: Column<Model>[] = [
  { title: "Model", cell: (m) => m.model },
  { title: "Calls", cell: (m) => count(m.calls) },
  { title: "Failed", cell: (m) => count(m.failures) },
  tokens<Model>(),
  { title: "Cost", cell: (m) => cost(m.costUsd) },
  ...timing<Model>(),
];
const TOOL_COLUMNS: Column<Tool>[] = [
  { title: "Tool", cell: (t) => t.tool },
  { title: "Calls", cell: (t) => count(t.calls) },
  { title: "Failed", cell: (t) => count(t.failures) },
  ...timing<Tool>(),
];

function Totals({ total: t }: { total: JournalStats["total"] }) {
  const card = (value: string, label: string, key = "") =>
    html`<div class="card"><div class="card-value" data-total=${key}>${value}</div><div>${label}</div></div>`;
  return html`
    <section class="cards">
      ${card(count(t.runs), "runs", "runs")} ${card(count(t.failures), "failed", "failures")}
      ${card(cost(t.costUsd), "cost", "cost")}
      ${card(`${count(t.inputTokens)} / ${count(t.outputTokens)}`, "tokens in / out")}
      ${card(count(t.toolCalls), "tool calls")} ${card(`${ms(t.p50Ms)} / ${ms(t.p95Ms)}`, "run time p50 / p95")}
    </section>
  `;
}

export function StatsPage({ version }: { version: number }) {
  const [since, setSince] = useState("");
  const [stats, setStats] = useState<JournalStats | null>(null);
  const [error, setError] = useState("");
  useEffect(() => {
    let current = true;
    getJson<{ stats: JournalStats }>("stats", { since })
      .then((a) => {
        if (!current) return;
        setStats(a.stats);
        setError("");
      })
      .catch((e: Error) => current && setError(e.message));
    return () => {
      current = false;
    };
  }, [since, version]);
  if (error) return html`<p class="error-box">${error}</p>`;
  if (!stats) return html`<p class="muted">loading…</p>`;
  return html`
    <section class="filters">
      <select aria-label="since" value=${since} onChange=${(e: Event) => setSince((e.target as HTMLSelectElement).value)}>
        <option value="">all runs</option>
        <option value="1d">last 24 hours</option>
        <option value="7d">last 7 days</option>
        <option value="30d">last 30 days</option>
      </select>
    </section>
    <${Totals} total=${stats.total} />
    <h2>By day</h2>
    <${StatsTable} name="by-day" columns=${DAY_COLUMNS} rows=${stats.byDay} bar=${(d: Day) => d.costUsd} />
    <h2>By model <span class="muted small">(model calls, subagents' included)</span></h2>
    <${StatsTable} name="by-model" columns=${MODEL_COLUMNS} rows=${stats.byModel} bar=${(m: Model) => m.costUsd} />
    <h2>Tools <span class="muted small">(the ones that fail most first)</span></h2>
    <${StatsTable} name="by-tool" columns=${TOOL_COLUMNS} rows=${stats.byTool} bar=${(t: Tool) => t.failures} />
  `;
}
