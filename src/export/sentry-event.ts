/**
 * A finished trace as Sentry events: transactions whose spans carry Sentry's AI Agents ops
 * (`gen_ai.invoke_agent` / `gen_ai.chat` / `gen_ai.execute_tool`) and usage names, and one error
 * event for a failed run, linked to its trace. Pure: spans in, plain event objects out.
 *
 * Trace and span ids are the run's own, so the same run has the same trace id in Sentry, in any
 * OTLP backend and in `claudia traces`.
 */
import type { Attributes, AttributeValue } from "@opentelemetry/api";
import { SpanStatusCode } from "@opentelemetry/api";
import type { ReadableSpan } from "@opentelemetry/sdk-trace";
import { ATTR, SENTRY } from "../trace/semconv.ts";
import { cacheWritesOf } from "../trace/semconv-mode.ts";

/** Sentry's ingestion keeps at most this many spans in one transaction. */
export const MAX_SPANS_PER_TRANSACTION = 1000;
/** Sentry refuses events over 1 MiB; stay well under it. */
export const MAX_TRANSACTION_CHARS = 800_000;
export const ORIGIN = "auto.ai.claude_telemetry";

export interface SentrySpanJson {
  trace_id: string;
  span_id: string;
  parent_span_id?: string;
  op: string;
  description: string;
  start_timestamp: number;
  timestamp: number;
  status: "ok" | "internal_error";
  origin: string;
  data: Record<string, AttributeValue>;
}

export interface SentryEventJson {
  type?: "transaction";
  event_id: string;
  timestamp: number;
  platform: "node";
  environment: string;
  release?: string;
  [key: string]: unknown;
}

export interface EventContext {
  environment?: string;
  release?: string;
  /** A fresh 32-hex event id. */
  eventId: () => string;
}

const seconds = (t: [number, number]) => t[0] + t[1] / 1e9;

/** `gen_ai.{operation}` for GenAI spans; Sentry's AI Agents views key on it. */
export function sentryOp(span: ReadableSpan): string {
  const op = span.attributes[ATTR.operationName];
  return typeof op === "string" ? `gen_ai.${op}` : "function";
}

/**
 * The span's attributes plus the names Sentry also reads: its older usage names (cached and
 * cache-write are subsets of the input, which includes them), the total, and the cost.
 */
export function sentryData(span: ReadableSpan): Record<string, AttributeValue> {
  const a: Attributes = span.attributes;
  const data: Record<string, AttributeValue> = {};
  for (const [key, value] of Object.entries(a)) if (value !== undefined) data[key] = value;
  data[SENTRY.op] = sentryOp(span);
  data[SENTRY.origin] = ORIGIN;
  const input = a[ATTR.inputTokens];
  const output = a[ATTR.outputTokens];
  if (typeof input === "number") {
    const cached = a[ATTR.cacheReadTokens];
    const written = cacheWritesOf(a);
    if (typeof cached === "number") data[SENTRY.cachedInput] = Math.min(cached, input);
    if (typeof written === "number") data[SENTRY.cacheWriteInput] = Math.min(written, input);
    if (typeof output === "number") data[SENTRY.totalTokens] = input + output;
  }
  const provider = a[ATTR.providerName];
  if (typeof provider === "string") data[SENTRY.system] = provider;
  const cost = a[ATTR.cost];
  if (typeof cost === "number") data[SENTRY.cost] = cost;
  return data;
}

export function toSentrySpan(span: ReadableSpan): SentrySpanJson {
  const context = span.spanContext();
  const json: SentrySpanJson = {
    trace_id: context.traceId,
    span_id: context.spanId,
    op: sentryOp(span),
    description: span.name,
    start_timestamp: seconds(span.startTime),
    timestamp: seconds(span.endTime),
    status: span.status.code === SpanStatusCode.ERROR ? "internal_error" : "ok",
    origin: ORIGIN,
    data: sentryData(span),
  };
  const parent = span.parentSpanContext?.spanId;
  if (parent) json.parent_span_id = parent;
  return json;
}

/** The span that roots a trace here: no parent, or a parent in another process (TRACEPARENT). */
export function isLocalRoot(span: ReadableSpan): boolean {
  return !span.parentSpanContext || span.parentSpanContext.isRemote === true;
}

/**
 * One trace as transactions. The root (or, for a trace whose root never came, its earliest span)
 * heads the first; spans beyond Sentry's per-event limits go into further transactions of the
 * same trace, each headed by one of them, so the trace view still joins them by parent id.
 */
export function transactionsOf(spans: ReadableSpan[], ctx: EventContext): SentryEventJson[] {
  if (spans.length === 0) return [];
  const ordered = [...spans].sort((a, b) => seconds(a.startTime) - seconds(b.startTime));
  const root = ordered.find(isLocalRoot) ?? (ordered[0] as ReadableSpan);
  const rest = ordered.filter((s) => s !== root).map(toSentrySpan);
  const resource = root.resource.attributes;
  const chunks: { head: SentrySpanJson; spans: SentrySpanJson[] }[] = [];
  let current = { head: toSentrySpan(root), spans: [] as SentrySpanJson[] };
  let size = JSON.stringify(current.head).length;
  for (const span of rest) {
    const spanSize = JSON.stringify(span).length;
    if (current.spans.length + 1 >= MAX_SPANS_PER_TRANSACTION || size + spanSize > MAX_TRANSACTION_CHARS) {
      chunks.push(current);
      current = { head: span, spans: [] };
      size = spanSize;
      continue;
    }
    current.spans.push(span);
    size += spanSize;
  }
  chunks.push(current);
  return chunks.map(({ head, spans: children }) => ({
    type: "transaction",
    event_id: ctx.eventId(),
    platform: "node",
    transaction: head.description,
    transaction_info: { source: "custom" },
    start_timestamp: head.start_timestamp,
    timestamp: head.timestamp,
    environment: ctx.environment ?? "production",
    ...(ctx.release ? { release: ctx.release } : {}),
    contexts: {
      trace: {
        trace_id: head.trace_id,
        span_id: head.span_id,
        ...(head.parent_span_id ? { parent_span_id: head.parent_span_id } : {}),
        op: head.op,
        status: head.status,
        origin: head.origin,
        data: head.data,
      },
      otel: { resource: { ...resource } },
    },
    spans: children,
  }));
}

/**
 * The error event for a failed run (root span with ERROR status), linked to the trace through
 * its trace context. Grouped by the kind of failure, not by its message.
 */
export function errorEventOf(root: ReadableSpan, ctx: EventContext): SentryEventJson | undefined {
  if (root.status.code !== SpanStatusCode.ERROR) return undefined;
  const a = root.attributes;
  const kind = typeof a[ATTR.errorType] === "string" ? (a[ATTR.errorType] as string) : "error";
  const message = root.status.message || `Claude Code run failed (${kind})`;
  const context = root.spanContext();
  const tags: Record<string, string> = { [SENTRY.errorType]: kind };
  if (typeof a[ATTR.agentName] === "string") tags[SENTRY.agentName] = a[ATTR.agentName] as string;
  if (a[ATTR.ccExitCode] !== undefined) tags[SENTRY.exitCode] = String(a[ATTR.ccExitCode]);
  const conversation = a[ATTR.conversationId];
  return {
    event_id: ctx.eventId(),
    timestamp: seconds(root.endTime),
    platform: "node",
    level: "error",
    environment: ctx.environment ?? "production",
    ...(ctx.release ? { release: ctx.release } : {}),
    transaction: root.name,
    message: { formatted: message },
    exception: {
      values: [{ type: `ClaudeCodeRunError: ${kind}`, value: message, mechanism: { type: ORIGIN, handled: true } }],
    },
    fingerprint: ["claude-telemetry", kind],
    tags,
    contexts: {
      trace: { trace_id: context.traceId, span_id: context.spanId, op: sentryOp(root), status: "internal_error" },
      ...(typeof conversation === "string" ? { gen_ai: { conversation_id: conversation } } : {}),
    },
  };
}

/**
 * Sentry's `sample_rand` for a trace, from the random low 56 bits of its id (W3C trace ids are
 * random there): every exporter, and a later re-send, reach the same decision for the same trace.
 */
export function sampleRand(traceId: string): number {
  const low = traceId.slice(-14);
  const high28 = Number.parseInt(low.slice(0, 7), 16);
  const low28 = Number.parseInt(low.slice(7), 16);
  if (!Number.isFinite(high28) || !Number.isFinite(low28)) return 0;
  // 56 bits do not all fit a double: read whole, the largest values would round up to exactly 1,
  // which Sentry's [0, 1) excludes (a rate of 1 would drop them). Their top 53 bits are exact.
  return (high28 * 2 ** 25 + Math.floor(low28 / 8)) / 2 ** 53;
}
