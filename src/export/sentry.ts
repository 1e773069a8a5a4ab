/**
 * The Sentry backend: finished traces become Sentry events (see sentry-event.ts), built into
 * envelopes with `@sentry/core` (the copy `@sentry/node`, the optional peer, brings) and posted
 * to the DSN's envelope endpoint.
 *
 * Spans arrive in batches and a transaction needs its whole trace, so spans are held per trace
 * until the trace's root ends (it ends last); anything still held is sent at flush/shutdown.
 * Sampling is decided per trace id, so a dropped root never leaves its children behind.
 */
import { type ExportResult, ExportResultCode } from "@opentelemetry/core";
import type { ReadableSpan, SpanExporter } from "@opentelemetry/sdk-trace";
import { packageVersion } from "../version.ts";
import type { SentryTarget } from "./config.ts";
import { trustDeferredExtraCa } from "./extra-ca.ts";
import { loadSentryCore, type SentryCore } from "./sentry-core.ts";
import { errorEventOf, isLocalRoot, type SentryEventJson, sampleRand, transactionsOf } from "./sentry-event.ts";

let sdk: { name: string; version: string } | undefined;
const sdkInfo = () => (sdk ??= { name: "claude-telemetry", version: packageVersion() });
/** Bodies larger than this are gzipped, as Sentry's own Node transport does. */
const GZIP_ABOVE = 32 * 1024;

export class SentryExporter implements SpanExporter {
  private readonly held = new Map<string, ReadableSpan[]>();
  private core?: SentryCore;
  private readonly sending = new Set<Promise<void>>();

  constructor(
    private readonly target: SentryTarget,
    private readonly timeoutMs: number,
    private readonly warn: (message: string) => void = () => {},
  ) {}

  export(spans: ReadableSpan[], done: (result: ExportResult) => void): void {
    const complete: ReadableSpan[][] = [];
    for (const span of spans) {
      const traceId = span.spanContext().traceId;
      const trace = this.held.get(traceId) ?? [];
      trace.push(span);
      if (isLocalRoot(span)) {
        this.held.delete(traceId);
        complete.push(trace);
      } else this.held.set(traceId, trace);
    }
    if (complete.length === 0) {
      done({ code: ExportResultCode.SUCCESS });
      return;
    }
    this.track(
      Promise.all(complete.map((trace) => this.sendTrace(trace))).then(
        () => done({ code: ExportResultCode.SUCCESS }),
        (error: unknown) => done({ code: ExportResultCode.FAILED, error: error as Error }),
      ),
    );
  }

  /** Send every trace still held (their roots never came), and wait for sends in flight. */
  async forceFlush(): Promise<void> {
    const leftovers = [...this.held.values()];
    this.held.clear();
    for (const trace of leftovers)
      this.track(this.sendTrace(trace).catch((e: unknown) => this.warn(`Sentry: ${String(e)}`)));
    await Promise.all([...this.sending]);
  }

  async shutdown(): Promise<void> {
    await this.forceFlush();
  }

  private track(task: Promise<void>): void {
    this.sending.add(task);
    void task.finally(() => this.sending.delete(task));
  }

  private async sendTrace(trace: ReadableSpan[]): Promise<void> {
    const first = trace[0];
    if (!first) return;
    this.core ??= loadSentryCore();
    const core = this.core;
    const ctx = { environment: this.target.environment, release: this.target.release, eventId: () => core.uuid4() };
    const root = trace.find(isLocalRoot);
    const events: SentryEventJson[] = [];
    const traceId = first.spanContext().traceId;
    const rand = sampleRand(traceId);
    const sampled = rand < this.target.tracesSampleRate;
    if (sampled) events.push(...transactionsOf(trace, ctx));
    const error = root ? errorEventOf(root, ctx) : undefined;
    if (error) events.push(error);
    if (events.length === 0) return;
    const dsn = core.makeDsn(this.target.dsn);
    if (!dsn) throw new Error("the Sentry DSN is not valid");
    const url = core.getEnvelopeEndpointWithUrlEncodedAuth(dsn, undefined, sdkInfo());
    const dsc = {
      trace_id: traceId,
      public_key: dsn.publicKey,
      sample_rate: String(this.target.tracesSampleRate),
      sample_rand: rand.toFixed(6),
      sampled: String(sampled),
      environment: ctx.environment ?? "production",
      ...(ctx.release ? { release: ctx.release } : {}),
      ...(root ? { transaction: root.name } : {}),
    };
    for (const event of events) {
      const envelope = core.createEventEnvelope(
        { ...event, sdkProcessingMetadata: { dynamicSamplingContext: dsc } },
        dsn,
        {
          sdk: sdkInfo(),
        },
      );
      await this.post(url, core.serializeEnvelope(envelope));
    }
  }

  private async post(url: string, body: string | Uint8Array): Promise<void> {
    const headers: Record<string, string> = { "content-type": "application/x-sentry-envelope" };
    let payload: string | Uint8Array = body;
    if (body.length > GZIP_ABOVE) {
      // Loaded here: node's zlib is not needed by the runs that send nothing this large to Sentry.
      const { gzip } = await import("node:zlib");
      payload = await new Promise<Uint8Array>((resolve, reject) =>
        gzip(body, (error, out) => (error ? reject(error) : resolve(new Uint8Array(out)))),
      );
      headers["content-encoding"] = "gzip";
    }
    if (url.startsWith("https:")) trustDeferredExtraCa();
    const response = await fetch(url, {
      method: "POST",
      headers,
      body: payload,
      signal: AbortSignal.timeout(this.timeoutMs),
    });
    await response.arrayBuffer().catch(() => undefined);
    if (response.status >= 300) {
      const retryAfter = response.headers.get("retry-after");
      const message = `Sentry answered HTTP ${response.status}${retryAfter ? ` (retry after ${retryAfter} s)` : ""}`;
      throw Object.assign(new Error(message), { status: response.status });
    }
  }
}
