/** A run's spans as a waterfall: nested rows on one time axis, tokens and cost per call, errors marked. */
import { html } from "htm/preact";
import type { ViewSpan } from "./api.ts";
import { cost, count, duration } from "./format.ts";

export interface Row {
  span: ViewSpan;
  depth: number;
}

/** Depth-first rows: roots are spans whose parent is not in the run; children by start time. */
export function rowsOf(spans: ViewSpan[]): Row[] {
  const ids = new Set(spans.map((s) => s.spanId));
  const children = new Map<string, ViewSpan[]>();
  const roots: ViewSpan[] = [];
  for (const span of spans) {
    if (span.parentSpanId && ids.has(span.parentSpanId)) {
      const list = children.get(span.parentSpanId) ?? [];
      list.push(span);
      children.set(span.parentSpanId, list);
    } else roots.push(span);
  }
  const byStart = (a: ViewSpan, b: ViewSpan) => a.startMs - b.startMs || a.name.localeCompare(b.name);
  const rows: Row[] = [];
  const seen = new Set<string>();
  const walk = (span: ViewSpan, depth: number) => {
    if (seen.has(span.spanId)) return;
    seen.add(span.spanId);
    rows.push({ span, depth });
    for (const child of (children.get(span.spanId) ?? []).sort(byStart)) walk(child, depth + 1);
  };
  for (const root of roots.sort(byStart)) walk(root, 0);
  return rows;
}

const num = (v: unknown) => (typeof v === "number" ? v : undefined);

function usage(span: ViewSpan): string {
  const a = span.attributes;
  const op = a["gen_ai.operation.name"];
  if (op !== "chat" && op !== "invoke_agent") return "";
  const parts: string[] = [];
  const input = num(a["gen_ai.usage.input_tokens"]);
  const output = num(a["gen_ai.usage.output_tokens"]);
  if (input !== undefined) parts.push(`in ${count(input)}`);
  if (output !== undefined) parts.push(`out ${count(output)}`);
  const price = num(a["gen_ai.usage.cost"]);
  if (price !== undefined) parts.push(cost(price));
  return parts.join(" · ");
}

function kind(span: ViewSpan): string {
  const op = span.attributes["gen_ai.operation.name"];
  return op === "chat" ? "chat" : op === "execute_tool" ? "tool" : op === "invoke_agent" ? "agent" : "other";
}

function detail(span: ViewSpan): string {
  const d = span.attributes["claude_code.tool.description"];
  return typeof d === "string" ? d : "";
}

interface Props {
  spans: ViewSpan[];
  selected: string | undefined;
  onSelect: (spanId: string) => void;
}

export function Waterfall({ spans, selected, onSelect }: Props) {
  const rows = rowsOf(spans);
  if (rows.length === 0) return html`<p class="empty">This run has no spans in the journal.</p>`;
  const start = Math.min(...spans.map((s) => s.startMs));
  const end = Math.max(...spans.map((s) => s.endMs));
  const total = Math.max(end - start, 1);
  const ticks = [0, 0.25, 0.5, 0.75, 1];
  return html`
    <div class="waterfall" role="tree">
      <div class="wf-head">
        <div class="wf-name">Span</div>
        <div class="wf-axis">
          ${ticks.map((t) => html`<span class="tick" style=${{ left: `${t * 100}%` }}>${duration(t * total)}</span>`)}
        </div>
        <div class="wf-meta">Duration · tokens · cost</div>
      </div>
      ${rows.map(({ span, depth }) => {
        const failed = span.status.code === 2;
        const left = Math.min(Math.max(((span.startMs - start) / total) * 100, 0), 99.7);
        const width = Math.min(Math.max(((span.endMs - span.startMs) / total) * 100, 0.3), 100 - left);
        return html`
          <div
            role="treeitem"
            class=${`wf-row ${kind(span)}${failed ? " failed" : ""}${span.spanId === selected ? " selected" : ""}`}
            data-span=${span.name}
            data-depth=${depth}
            onClick=${() => onSelect(span.spanId)}
          >
            <div class="wf-name" style=${{ paddingLeft: `${0.4 + depth * 1.1}rem` }} title=${span.name}>
              ${failed ? html`<span class="bad-text" title="error">✗ </span>` : null}
              <span class="span-name">${span.name}</span>
              ${detail(span) ? html`<span class="muted"> ${detail(span)}</span>` : null}
            </div>
            <div class="wf-track">
              <div class="wf-bar" style=${{ left: `${left}%`, width: `${width}%` }}></div>
            </div>
            <div class="wf-meta">
              <span class="wf-duration">${duration(span.endMs - span.startMs)}</span>
              ${usage(span) ? html`<span class="wf-usage">${usage(span)}</span>` : null}
            </div>
          </div>
        `;
      })}
    </div>
  `;
}
