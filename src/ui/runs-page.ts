/** The runs list: newest first, filtered by status, model and text, a page at a time (server-side). */
import { html } from "htm/preact";
import { useEffect, useState } from "preact/hooks";
import { getJson, type OpenRunView, type RunsPage as Page, type RunRecord } from "./api.ts";
import { cost, count, duration, head, time } from "./format.ts";

const LIMIT = 100;

function Delivery({ record }: { record: RunRecord }) {
  const entries = Object.entries(record.deliveries ?? {});
  if (entries.length === 0) return html`<span class="muted">local</span>`;
  return entries.map(
    ([name, d]) =>
      html`<span class=${d.delivered ? "chip ok" : "chip bad"} title=${d.error ?? d.endpoint}
        >${name} ${d.delivered ? "✓" : "✗"}</span
      >`,
  );
}

function Row({ record: r }: { record: RunRecord }) {
  const open = () => {
    location.hash = `#/runs/${r.traceId}`;
  };
  return html`
    <tr class=${r.status === "ok" ? "run" : "run failed"} onClick=${open} data-trace=${r.traceId}>
      <td>
        <span class=${r.status === "ok" ? "status ok" : "status bad"}>${r.status === "ok" ? "ok" : "error"}</span>
        ${r.errorType ? html`<div class="small bad-text">${r.errorType}</div>` : null}
      </td>
      <td class="nowrap">${time(r.startTime)}</td>
      <td class="prompt" title=${r.prompt ?? ""}>
        <a href=${`#/runs/${r.traceId}`}>${head(r.prompt, 90) || "(no prompt recorded)"}</a>
        <div class="small mono muted">${r.traceId}</div>
      </td>
      <td>${r.model ?? "–"}</td>
      <td class="num">${r.numTurns ?? "–"}</td>
      <td class="num">${r.toolCalls}</td>
      <td class="num nowrap">${count(r.inputTokens)} / ${count(r.outputTokens)}</td>
      <td class="num">${cost(r.costUsd)}</td>
      <td class="num">${duration(r.durationMs)}</td>
      <td><${Delivery} record=${r} /></td>
    </tr>
  `;
}

/** A run still being written: only its trace id and start are known until it ends. */
function OpenRow({ run }: { run: OpenRunView }) {
  const open = () => {
    location.hash = `#/runs/${run.traceId}`;
  };
  return html`
    <tr class="run open" onClick=${open} data-trace=${run.traceId}>
      <td><span class=${`status ${run.state}`}>${run.state}</span></td>
      <td class="nowrap">${time(run.startTime)}</td>
      <td class="prompt">
        <a href=${`#/runs/${run.traceId}`}>${run.state === "running" ? "(being written…)" : "(ended without a record)"}</a>
        <div class="small mono muted">${run.traceId}</div>
      </td>
      <td colspan="7" class="muted">totals come when the run ends</td>
    </tr>
  `;
}

const inputValue = (e: Event) => (e.target as HTMLSelectElement | HTMLInputElement).value;

interface FilterProps {
  page: Page | null;
  status: string;
  model: string;
  text: string;
  set: { status: (v: string) => void; model: (v: string) => void; text: (v: string) => void };
}

function Filters({ page, status, model, text, set }: FilterProps) {
  return html`
    <section class="filters">
      <select aria-label="status" value=${status} onChange=${(e: Event) => set.status(inputValue(e))}>
        <option value="">every status</option>
        <option value="ok">ok</option>
        <option value="error">failed</option>
        <option value="running">being written</option>
      </select>
      <select aria-label="model" value=${model} onChange=${(e: Event) => set.model(inputValue(e))}>
        <option value="">every model</option>
        ${(page?.models ?? []).map((m) => html`<option value=${m}>${m}</option>`)}
      </select>
      <input
        type="search"
        aria-label="search"
        placeholder="Search prompt, trace id, model, error"
        value=${text}
        onInput=${(e: Event) => set.text(inputValue(e))}
      />
      <span class="muted count">${page ? `${count(page.matched)} of ${count(page.total)} runs` : "loading…"}</span>
    </section>
  `;
}

function RunsTable({ page }: { page: Page | null }) {
  if (page && page.total === 0 && page.open.length === 0)
    return html`<p class="empty">No runs recorded yet. Run <code>claudia "your prompt"</code> or <code>claudia demo</code>.</p>`;
  return html`
    <table class="runs">
      <thead>
        <tr>
          <th>Status</th><th>Started</th><th>Prompt</th><th>Model</th><th class="num">Turns</th>
          <th class="num">Tools</th><th class="num">Tokens in / out</th><th class="num">Cost</th>
          <th class="num">Duration</th><th>Delivery</th>
        </tr>
      </thead>
      <tbody>
        ${(page?.open ?? []).map((r) => html`<${OpenRow} key=${r.traceId} run=${r} />`)}
        ${(page?.runs ?? []).map((r) => html`<${Row} key=${r.traceId} record=${r} />`)}
      </tbody>
    </table>
  `;
}

function Pager({ offset, matched, go }: { offset: number; matched: number; go: (offset: number) => void }) {
  if (matched <= LIMIT) return null;
  return html`
    <nav class="pager">
      <button disabled=${offset === 0} onClick=${() => go(Math.max(0, offset - LIMIT))}>← Newer</button>
      <span class="muted">${count(offset + 1)}–${count(Math.min(offset + LIMIT, matched))}</span>
      <button disabled=${offset + LIMIT >= matched} onClick=${() => go(offset + LIMIT)}>Older →</button>
    </nav>
  `;
}

function Skipped({ skipped }: { skipped: string[] }) {
  if (skipped.length === 0) return null;
  return html`<p class="warn-box" title=${skipped.join("\n")}>
    ${skipped.length} damaged journal ${skipped.length === 1 ? "file" : "files"} skipped
  </p>`;
}

export function RunsPage({ version }: { version: number }) {
  const [status, setStatus] = useState("");
  const [model, setModel] = useState("");
  const [text, setText] = useState("");
  const [query, setQuery] = useState("");
  const [offset, setOffset] = useState(0);
  const [page, setPage] = useState<Page | null>(null);
  const [error, setError] = useState("");

  useEffect(() => {
    const timer = setTimeout(() => setQuery(text), 200);
    return () => clearTimeout(timer);
  }, [text]);
  useEffect(() => setOffset(0), [status, model, query]);
  useEffect(() => {
    let current = true;
    getJson<Page>("runs", { status, model, q: query, offset, limit: LIMIT })
      .then((p) => {
        if (!current) return;
        setPage(p);
        setError("");
      })
      .catch((e: Error) => current && setError(e.message));
    return () => {
      current = false;
    };
  }, [status, model, query, offset, version]);

  return html`
    <${Filters} page=${page} status=${status} model=${model} text=${text}
      set=${{ status: setStatus, model: setModel, text: setText }} />
    ${error ? html`<p class="error-box">${error}</p>` : null}
    <${Skipped} skipped=${page?.skipped ?? []} />
    <${RunsTable} page=${page} />
    <${Pager} offset=${offset} matched=${page?.matched ?? 0} go=${setOffset} />
  `;
}
