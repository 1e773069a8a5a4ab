/**
 * Sentry's Spotlight sidecar (a real Sentry envelope intake) on 127.0.0.1, started from its
 * library, with its buffer read back through `GET /stream` (server-sent events).
 */
import { randomUUID } from "node:crypto";
import type { AddressInfo } from "node:net";
import { setupSpotlight } from "@spotlightjs/spotlight";
import { freePort } from "./ports.ts";

export interface EnvelopeItem {
  type: string;
  payload: Record<string, unknown>;
}

export interface Envelope {
  header: Record<string, unknown>;
  items: EnvelopeItem[];
}

/** A span as a transaction carries it; its root is the transaction's `contexts.trace`. */
export interface SentrySpan {
  trace_id: string;
  span_id: string;
  parent_span_id?: string;
  op: string;
  description: string;
  status: string;
  data: Record<string, unknown>;
}

/** The transaction items of these envelopes (of one trace, when given). */
export function transactionsOf(envelopes: Envelope[], traceId?: string): EnvelopeItem[] {
  return envelopes
    .flatMap((e) => e.items)
    .filter((i) => i.type === "transaction")
    .filter(
      (i) => traceId === undefined || (i.payload as { contexts: SentryContexts }).contexts.trace.trace_id === traceId,
    );
}

interface SentryContexts {
  trace: Omit<SentrySpan, "description">;
}

/** Transactions' spans, each one's root first, in one shape (the root from `contexts.trace`). */
export function sentrySpansOf(transactions: EnvelopeItem[]): SentrySpan[] {
  return transactions.flatMap((t) => {
    const p = t.payload as { contexts: SentryContexts; transaction: string; spans: SentrySpan[] };
    return [{ ...p.contexts.trace, description: p.transaction }, ...p.spans];
  });
}

/** One HTTP request Spotlight received: its path and headers (to check what credentials reached it). */
export interface SpotlightRequest {
  path: string;
  headers: Record<string, string | string[] | undefined>;
}

export interface Spotlight {
  /** A DSN that posts here. */
  dsn: string;
  port: number;
  /** Every request received so far (the `/stream` reads included). */
  requests: SpotlightRequest[];
  /** Every envelope received so far. */
  envelopes(): Promise<Envelope[]>;
  close(): Promise<void>;
}

const MARKER = "claudia test marker";

const quiet = { info() {}, warn() {}, debug() {}, error() {} };

/** Start Spotlight; `port` pins it (to bring a "down" Sentry back up at the same address). */
export async function startSpotlight(options: { port?: number } = {}): Promise<Spotlight> {
  const port = options.port ?? (await freePort());
  const server = await setupSpotlight({ port, logger: quiet, isStandalone: true });
  if (!server) throw new Error("Spotlight did not start");
  const requests: SpotlightRequest[] = [];
  server.prependListener("request", (req: { url?: string; headers: SpotlightRequest["headers"] }) => {
    requests.push({ path: req.url ?? "", headers: req.headers });
  });
  const actual = (server.address() as AddressInfo | null)?.port ?? port;
  return {
    dsn: `http://publickey@127.0.0.1:${actual}/1`,
    port: actual,
    requests,
    envelopes: () => readStream(actual),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        (server as { closeAllConnections?: () => void }).closeAllConnections?.();
      }),
  };
}

/**
 * Post a marker envelope, then read the replayed buffer until the marker comes back: whatever had
 * arrived before it is then in hand, with no guess at how long the replay takes. Markers are left out.
 */
async function readStream(port: number): Promise<Envelope[]> {
  const marker = randomUUID().replace(/-/g, "");
  const envelope = [
    JSON.stringify({ event_id: marker }),
    JSON.stringify({ type: "event" }),
    JSON.stringify({ event_id: marker, message: MARKER }),
  ].join("\n");
  const posted = await fetch(`http://127.0.0.1:${port}/api/1/envelope/`, {
    method: "POST",
    headers: { "content-type": "application/x-sentry-envelope" },
    body: envelope,
  });
  await posted.arrayBuffer();
  if (!posted.ok) throw new Error(`Spotlight refused the marker envelope: ${posted.status}`);
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), 20000);
  const response = await fetch(`http://127.0.0.1:${port}/stream`, { signal: abort.signal });
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  let text = "";
  try {
    while (!text.includes(marker)) {
      const { value, done } = await reader.read();
      if (done) break;
      text += decoder.decode(value, { stream: true });
    }
  } catch {
    // Aborted: the marker never came back (checked below).
  } finally {
    clearTimeout(timer);
    abort.abort();
  }
  if (!text.includes(marker)) throw new Error("Spotlight did not replay the marker envelope within 20 s");
  const envelopes: Envelope[] = [];
  for (const block of text.split("\n\n")) {
    const event = /^event: (.*)$/m.exec(block)?.[1];
    const data = /^data: (.*)$/m.exec(block)?.[1];
    if (event !== "application/x-sentry-envelope" || !data) continue;
    const [header, items] = JSON.parse(data) as [Record<string, unknown>, [{ type: string }, unknown][]];
    if (items.some(([, payload]) => (payload as { message?: string }).message === MARKER)) continue;
    envelopes.push({
      header,
      items: items.map(([h, payload]) => ({ type: h.type, payload: payload as Record<string, unknown> })),
    });
  }
  return envelopes;
}
