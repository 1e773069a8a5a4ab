/**
 * The Sentry exporter on its own: spans made by the OpenTelemetry SDK, posted to a local intake
 * that records the envelopes. Whole traces are kept or dropped, large traces are split within
 * Sentry's limits, and a refused post is a failed export.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, test } from "node:test";
import { gunzipSync } from "node:zlib";
import { context, ROOT_CONTEXT, SpanStatusCode, trace } from "@opentelemetry/api";
import { type ExportResult, ExportResultCode } from "@opentelemetry/core";
import {
  type IdGenerator,
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
  TracerProvider,
} from "@opentelemetry/sdk-trace";
import { resolveTelemetryConfig, type SentryTarget, sentryEnvelopeUrl } from "../../src/export/config.ts";
import { SentryExporter } from "../../src/export/sentry.ts";
import { loadSentryCore } from "../../src/export/sentry-core.ts";
import { MAX_SPANS_PER_TRANSACTION, sampleRand } from "../../src/export/sentry-event.ts";
import { freePort } from "../support/ports.ts";

interface Posted {
  header: Record<string, unknown>;
  itemType: string;
  payload: { spans?: { span_id: string }[]; contexts: { trace: { trace_id: string; span_id: string } } };
}

let server: Server;
let posted: Posted[] = [];
let dsn = "";
before(async () => {
  server = createServer((req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      let body = Buffer.concat(chunks);
      if (req.headers["content-encoding"] === "gzip") body = gunzipSync(body);
      const [header, itemHeader, payload] = body.toString("utf8").split("\n");
      posted.push({
        header: JSON.parse(header as string),
        itemType: JSON.parse(itemHeader as string).type,
        payload: JSON.parse(payload as string),
      });
      res.writeHead(200).end("{}");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  dsn = `http://key@127.0.0.1:${(server.address() as AddressInfo).port}/7`;
});
after(() => server.close());

/** Spans of `traces` traces (a root and `children` children each), made by the SDK. */
function makeTraces(
  traces: number,
  children: number,
  failed = false,
  ids: IdGenerator = new SeededIds(),
): ReadableSpan[] {
  const memory = new InMemorySpanExporter();
  const provider = new TracerProvider({
    idGenerator: ids,
    spanProcessors: [new SimpleSpanProcessor({ exporter: memory })],
  });
  const tracer = provider.getTracer("test");
  for (let t = 0; t < traces; t++) {
    const root = tracer.startSpan(
      "invoke_agent claude-code",
      { attributes: { "gen_ai.operation.name": "invoke_agent" } },
      ROOT_CONTEXT,
    );
    const ctx = trace.setSpan(context.active(), root);
    for (let c = 0; c < children; c++)
      tracer
        .startSpan("chat m", { attributes: { "gen_ai.operation.name": "chat", "gen_ai.usage.input_tokens": 5 } }, ctx)
        .end();
    if (failed) root.setStatus({ code: SpanStatusCode.ERROR, message: "boom" });
    root.end();
  }
  return memory.getFinishedSpans();
}

const target = (over: Partial<SentryTarget> = {}): SentryTarget => ({ dsn, tracesSampleRate: 1, ...over });

function exportAll(exporter: SentryExporter, batches: ReadableSpan[][]): Promise<ExportResult[]> {
  return Promise.all(batches.map((b) => new Promise<ExportResult>((resolve) => exporter.export(b, resolve))));
}

describe("SentryExporter", () => {
  test("holds a trace's spans across batches and keeps or drops each trace whole, by its id", async () => {
    posted = [];
    // Trace ids made to be kept or dropped at 0.5 by their random low 56 bits (the high bits say the opposite).
    const spans = makeTraces(40, 3, false, new SplitIds());
    const exporter = new SentryExporter(target({ tracesSampleRate: 0.5 }), 5000);
    // Batches of 7 cut across traces; a trace's root ends (and arrives) after its children.
    const batches: ReadableSpan[][] = [];
    for (let i = 0; i < spans.length; i += 7) batches.push(spans.slice(i, i + 7));
    const results = await exportAll(exporter, batches);
    await exporter.shutdown();
    assert.ok(results.every((r) => r.code === ExportResultCode.SUCCESS));
    const traceIds = [...new Set(spans.map((s) => s.spanContext().traceId))];
    const kept = traceIds.filter((id) => SplitIds.keep(id));
    assert.equal(kept.length, 20);
    assert.deepEqual(posted.map((p) => p.payload.contexts.trace.trace_id).sort(), kept.sort());
    for (const p of posted) {
      assert.equal(p.itemType, "transaction");
      assert.equal(p.payload.spans?.length, 3, "every child of a kept root is sent with it");
      assert.equal((p.header.trace as Record<string, string>).sampled, "true");
    }
  });

  test("a trace sent again gets the same decision", async () => {
    const spans = makeTraces(12, 1, false, new SplitIds());
    const sent: string[][] = [];
    for (let attempt = 0; attempt < 2; attempt++) {
      posted = [];
      const exporter = new SentryExporter(target({ tracesSampleRate: 0.5 }), 5000);
      await exportAll(exporter, [spans]);
      await exporter.shutdown();
      sent.push(posted.map((p) => p.payload.contexts.trace.trace_id).sort());
    }
    assert.equal(sent[0]?.length, 6);
    assert.deepEqual(sent[1], sent[0]);
  });

  test("a trace beyond Sentry's per-transaction span limit is split into transactions of the same trace", async () => {
    posted = [];
    const spans = makeTraces(1, 2500);
    const exporter = new SentryExporter(target(), 5000);
    const results = await exportAll(exporter, [spans.slice(0, 1200), spans.slice(1200)]);
    assert.ok(results.every((r) => r.code === ExportResultCode.SUCCESS));
    assert.equal(posted.length, 3);
    const ids = posted.flatMap((p) => [
      p.payload.contexts.trace.span_id,
      ...(p.payload.spans ?? []).map((s) => s.span_id),
    ]);
    assert.equal(ids.length, 2501);
    assert.equal(new Set(ids).size, 2501);
    for (const p of posted) assert.ok(1 + (p.payload.spans?.length ?? 0) <= MAX_SPANS_PER_TRANSACTION);
  });

  test("a failed root also sends an error event linked to the trace; a refused post fails the export", async () => {
    posted = [];
    const spans = makeTraces(1, 1, true);
    const results = await exportAll(new SentryExporter(target(), 5000), [spans]);
    assert.equal(results[0]?.code, ExportResultCode.SUCCESS);
    const error = posted.find((p) => p.itemType === "event");
    assert.equal(error?.payload.contexts.trace.trace_id, spans[0]?.spanContext().traceId);

    const refused = `http://key@127.0.0.1:${await freePort()}/7`;
    const [down] = await exportAll(new SentryExporter(target({ dsn: refused }), 2000), [makeTraces(1, 1)]);
    assert.equal(down?.code, ExportResultCode.FAILED);
  });
});

describe("Sentry configuration", () => {
  test("DSN, environment, release and sample rate; a bad DSN flag is an error, a bad variable a warning", () => {
    assert.equal(
      sentryEnvelopeUrl("https://abc@o1.ingest.sentry.io/42", "x"),
      "https://o1.ingest.sentry.io/api/42/envelope/",
    );
    assert.equal(
      sentryEnvelopeUrl("http://abc:secret@host:9000/sub/path/5", "x"),
      "http://host:9000/sub/path/api/5/envelope/",
    );
    const installed = () => true;
    const config = resolveTelemetryConfig(
      {},
      { SENTRY_DSN: "https://abc@o1.ingest.sentry.io/42", SENTRY_ENVIRONMENT: "ci", SENTRY_TRACES_SAMPLE_RATE: "0.25" },
      installed,
    );
    assert.deepEqual(config.sentry?.sentry, {
      dsn: "https://abc@o1.ingest.sentry.io/42",
      environment: "ci",
      release: undefined,
      tracesSampleRate: 0.25,
    });
    assert.deepEqual(
      config.backends.map((b) => b.name),
      ["sentry"],
    );
    assert.throws(
      () => resolveTelemetryConfig({ sentryDsn: "not a dsn" }, {}, installed),
      /--sentry-dsn: not a Sentry DSN/,
    );
    const bad = resolveTelemetryConfig({}, { SENTRY_DSN: "nope", SENTRY_TRACES_SAMPLE_RATE: "2" }, installed);
    assert.equal(bad.sentry, undefined);
    assert.match(bad.warnings.join("\n"), /SENTRY_DSN: not a Sentry DSN/);
    const rate = resolveTelemetryConfig({}, { SENTRY_DSN: "https://a@h/1", SENTRY_TRACES_SAMPLE_RATE: "2" }, installed);
    assert.equal(rate.sentry?.sentry?.tracesSampleRate, 1);
    assert.match(rate.warnings.join("\n"), /SENTRY_TRACES_SAMPLE_RATE/);
    const missing = resolveTelemetryConfig({}, { SENTRY_DSN: "https://a@h/1" }, () => false);
    assert.equal(missing.backends.length, 0);
    assert.match(missing.warnings.join("\n"), /npm install @sentry\/node/);
  });

  test("a DSN is taken exactly when Sentry's own SDK takes it, so the SDK never prints one it refuses", () => {
    const core = loadSentryCore();
    const candidates = [
      "https://abc@o1.ingest.sentry.io/42",
      "http://abc:secret@host:9000/sub/path/5",
      "https://abc@[::1]:9000/7",
      "https://abc:@host/7/",
      "https://my-secret-key@host/1",
      "https://k%65y@host/1",
      "https://key:se.cret@host/1",
      "https://key@host/abc",
      "https://key@host:port/1",
      "https://key@ho_st!/1",
      "https://@host/1",
      "ftp://key@host/1",
      "https://key@host",
    ];
    const printed: unknown[] = [];
    const error = console.error;
    console.error = (...args: unknown[]) => printed.push(args);
    try {
      for (const dsn of candidates) {
        let ours: string | undefined;
        try {
          ours = sentryEnvelopeUrl(dsn, "x");
        } catch {
          ours = undefined;
        }
        // Only a DSN claudia took reaches the SDK, which must take it and post where claudia says.
        if (ours === undefined) continue;
        const sdk = core.makeDsn(dsn);
        assert.ok(sdk, dsn);
        assert.equal(ours, core.getEnvelopeEndpointWithUrlEncodedAuth(sdk).replace(/\?.*$/, ""), dsn);
      }
    } finally {
      console.error = error;
    }
    assert.deepEqual(printed, []);
    for (const dsn of ["https://my-secret-key@host/1", "https://key@host/abc", "https://abc:@host/7/"])
      assert.throws(() => sentryEnvelopeUrl(dsn, "SENTRY_DSN"), /not a Sentry DSN/);
  });

  test("sample_rand is uniform over trace ids", () => {
    const ids = Array.from({ length: 2000 }, (_, i) => hex(`trace ${i}`, 32));
    const rands = ids.map(sampleRand);
    assert.ok(rands.every((r) => r >= 0 && r < 1));
    const below = rands.filter((r) => r < 0.3).length / rands.length;
    assert.ok(Math.abs(below - 0.3) < 0.05, `share below 0.3 is ${below}`);
  });

  test("sample_rand is the trace id's low 56 bits as a fraction; the high bits play no part", () => {
    const high = "0123456789abcdef01";
    assert.equal(sampleRand(`${high}00000000000000`), 0);
    assert.equal(sampleRand(`${high}40000000000000`), 0.25);
    assert.equal(sampleRand(`${high}80000000000000`), 0.5);
    assert.equal(sampleRand(`${high}c0000000000000`), 0.75);
    assert.ok(sampleRand(`${high}fffffffffff000`) > 0.999999);
    assert.equal(sampleRand("ffffffffffffffffff40000000000000"), 0.25);
  });

  test("sample_rand stays below 1 for the largest ids, so a sample rate of 1 keeps every trace", () => {
    const top = sampleRand("0123456789abcdef01ffffffffffffff");
    assert.ok(top < 1, `sample_rand is ${top}`);
  });
});

/** Deterministic ids, so the sampling checks give the same answer on every run. */
function hex(seed: string, length: number): string {
  return createHash("sha256").update(seed).digest("hex").slice(0, length);
}

class SeededIds implements IdGenerator {
  private n = 0;
  generateTraceId = () => hex(`t${this.n++}`, 32);
  generateSpanId = () => hex(`s${this.n++}`, 16);
}

/**
 * Trace ids kept and dropped in turn at a sample rate of 0.5: a kept one's low 56 bits start below
 * half their range (0x0…), a dropped one's above it (0xc…); the high bits are the opposite way round.
 */
class SplitIds implements IdGenerator {
  private n = 0;
  private traces = 0;
  static keep = (traceId: string) => traceId.slice(18, 19) === "3";
  generateTraceId = () => {
    const keep = this.traces++ % 2 === 0;
    return `${keep ? "ff" : "00"}${hex(`t${this.n++}`, 16)}${keep ? "3" : "c"}${hex(`u${this.n++}`, 13)}`;
  };
  generateSpanId = () => hex(`s${this.n++}`, 16);
}
