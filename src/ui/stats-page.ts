/** Over time: cost and tokens by day and by model, and the tools that fail most (as `claudia traces stats`). */
import { html } from "htm/preact";
import { useEffect, useState } from "preact/hooks";
import { getJson, type JournalStats } from "./api.ts";
import { cost, count, duration } from "./format.ts";

const ms = (v: number | null) => (v === null ? "–" : duration(v));

function Bar({ value, max }: { value: number; max: number }) {
  return html`<div class="bar-cell"><div class="bar" style=${{ width: `${max > 0 ? (value / max) * 100 : 0}%` }}></div></div>`;
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
  const t = stats.total;
  const maxDayCost = Math.max(0, ...stats.byDay.map((d) => d.costUsd));
  const maxModelCost = Math.max(0, ...stats.byModel.map((m) => m.costUsd));
  const maxFailures = Math.max(0, ...stats.byTool.map((s) => s.failures));
  return html`
    <section class="filters">
      <select aria-label="since" value=${since} onChange=${(e: Event) => setSince((e.target as HTMLSelectElement).value)}>
        <option value="">all runs</option>
        <option value="1d">last 24 hours</option>
        <option value="7d">last 7 days</option>
        <option value="30d">last 30 days</option>
      </select>
    </section>
    <section class="cards">
      <div class="card"><div class="card-value" data-total="runs">${count(t.runs)}</div><div>runs</div></div>
      <div class="card"><div class="card-value" data-total="failures">${count(t.failures)}</div><div>failed</div></div>
      <div class="card"><div class="card-value" data-total="cost">${cost(t.costUsd)}</div><div>cost</div></div>
      <div class="card"><div class="card-value">${count(t.inputTokens)} / ${count(t.outputTokens)}</div><div>tokens in / out</div></div>
      <div class="card"><div class="card-value">${count(t.toolCalls)}</div><div>tool calls</div></div>
      <div class="card"><div class="card-value">${ms(t.p50Ms)} / ${ms(t.p95Ms)}</div><div>run time p50 / p95</div></div>
    </section>
    <h2>By day</h2>
    <table class="stats by-day">
      <thead><tr><th>Day</th><th class="num">Runs</th><th class="num">Failed</th><th class="num">Tokens in / out</th><th class="num">Cost</th><th></th><th class="num">p50</th><th class="num">p95</th></tr></thead>
      <tbody>
        ${stats.byDay.map(
          (d) => html`<tr>
            <td>${d.day}</td><td class="num">${count(d.runs)}</td><td class="num">${count(d.failures)}</td>
            <td class="num">${count(d.inputTokens)} / ${count(d.outputTokens)}</td><td class="num">${cost(d.costUsd)}</td>
            <td><${Bar} value=${d.costUsd} max=${maxDayCost} /></td><td class="num">${ms(d.p50Ms)}</td><td class="num">${ms(d.p95Ms)}</td>
          </tr>`,
        )}
      </tbody>
    </table>
    <h2>By model <span class="muted small">(model calls, subagents' included)</span></h2>
    <table class="stats by-model">
      <thead><tr><th>Model</th><th class="num">Calls</th><th class="num">Failed</th><th class="num">Tokens in / out</th><th class="num">Cost</th><th></th><th class="num">p50</th><th class="num">p95</th></tr></thead>
      <tbody>
        ${stats.byModel.map(
          (m) => html`<tr>
            <td>${m.model}</td><td class="num">${count(m.calls)}</td><td class="num">${count(m.failures)}</td>
            <td class="num">${count(m.inputTokens)} / ${count(m.outputTokens)}</td><td class="num">${cost(m.costUsd)}</td>
            <td><${Bar} value=${m.costUsd} max=${maxModelCost} /></td><td class="num">${ms(m.p50Ms)}</td><td class="num">${ms(m.p95Ms)}</td>
          </tr>`,
        )}
      </tbody>
    </table>
    <h2>Tools <span class="muted small">(the ones that fail most first)</span></h2>
    <table class="stats by-tool">
      <thead><tr><th>Tool</th><th class="num">Calls</th><th class="num">Failed</th><th></th><th class="num">p50</th><th class="num">p95</th></tr></thead>
      <tbody>
        ${stats.byTool.map(
          (s) => html`<tr>
            <td>${s.tool}</td><td class="num">${count(s.calls)}</td><td class="num">${count(s.failures)}</td>
            <td><${Bar} value=${s.failures} max=${maxFailures} /></td><td class="num">${ms(s.p50Ms)}</td><td class="num">${ms(s.p95Ms)}</td>
          </tr>`,
        )}
      </tbody>
    </table>
  `;
}
