/** One run: its summary, the waterfall of its spans, and the selected span's details. */
import { html } from "htm/preact";
import { useEffect, useState } from "preact/hooks";
import { getJson, type RunDetail, type RunRecord } from "./api.ts";
import { cost, count, duration, time } from "./format.ts";
import { SpanDetails } from "./span-details.ts";
import { Waterfall } from "./waterfall.ts";

function Summary({ run: r }: { run: RunRecord }) {
  return html`
    <h1 class="prompt-title">${r.prompt ?? "(no prompt recorded)"}</h1>
    <div class="facts">
      <span class=${r.status === "ok" ? "status ok" : "status bad"}>${r.status === "ok" ? "ok" : "error"}</span>
      ${r.errorType ? html`<span class="bad-text">${r.errorType}</span>` : null}
      <span>trace <span class="mono trace-id">${r.traceId}</span></span>
      <span>${time(r.startTime)}</span>
      <span>${r.model ?? "–"}</span>
      ${r.numTurns === undefined ? null : html`<span>${r.numTurns} turns</span>`}
      <span>${r.toolCalls} tools</span>
      <span>${count(r.inputTokens)} in / ${count(r.outputTokens)} out tokens</span>
      <span class="run-cost">${cost(r.costUsd)}</span>
      <span>${duration(r.durationMs)}</span>
    </div>
  `;
}

/** A run still being written: the spans that have ended so far, refreshed as more are appended. */
function Writing({ detail }: { detail: RunDetail }) {
  const open = detail.open;
  return html`
    <h1 class="prompt-title">${open?.state === "running" ? "Run being written…" : "Run ended without a record"}</h1>
    <div class="facts">
      <span class=${`status ${open?.state ?? "running"}`}>${open?.state ?? "running"}</span>
      <span>trace <span class="mono trace-id">${open?.traceId ?? ""}</span></span>
      ${open ? html`<span>${time(open.startTime)}</span>` : null}
      <span>${detail.spans.length} spans ended so far</span>
    </div>
  `;
}

export function RunPage({ traceId, version }: { traceId: string; version: number }) {
  const [detail, setDetail] = useState<RunDetail | null>(null);
  const [error, setError] = useState("");
  const [selected, setSelected] = useState<string | undefined>(undefined);

  useEffect(() => {
    let current = true;
    getJson<RunDetail>(`runs/${traceId}`)
      .then((d) => {
        if (!current) return;
        setDetail(d);
        setError("");
      })
      .catch((e: Error) => current && setError(e.message));
    return () => {
      current = false;
    };
  }, [traceId, version]);

  if (error) return html`<p class="error-box">${error}</p>`;
  if (!detail) return html`<p class="muted">loading…</p>`;
  const root = detail.spans.find((s) => !s.parentSpanId) ?? detail.spans[0];
  const chosen = detail.spans.find((s) => s.spanId === selected) ?? root;
  const runStart = Math.min(detail.run?.startTime ?? Number.POSITIVE_INFINITY, ...detail.spans.map((s) => s.startMs));
  return html`
    <section class="run-head">
      ${detail.run ? html`<${Summary} run=${detail.run} />` : html`<${Writing} detail=${detail} />`}
      ${detail.warnings.map((w) => html`<p class="warn-box">${w}</p>`)}
    </section>
    <section class="run-body">
      <${Waterfall} spans=${detail.spans} selected=${chosen?.spanId} onSelect=${setSelected} />
      ${chosen ? html`<${SpanDetails} span=${chosen} runStart=${runStart} />` : null}
    </section>
  `;
}
