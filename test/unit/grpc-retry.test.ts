/**
 * OTLP/gRPC exports are retried as the OTLP specification asks: the retryable statuses with backoff
 * while time is left, nothing else. First the schedule, with a clock the test drives; then the real
 * exporters (spans and metrics) against a receiver answering UNAVAILABLE before it comes back.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { type ExportResult, ExportResultCode } from "@opentelemetry/core";
import { MeterProvider, PeriodicExportingMetricReader } from "@opentelemetry/sdk-metrics";
import { type ReadableSpan, TracerProvider } from "@opentelemetry/sdk-trace";
import type { Endpoint } from "../../src/config/backends.ts";
import { withGrpcRetries } from "../../src/export/grpc-retry.ts";
import { otlpTraceExporter } from "../../src/export/otlp-exporters.ts";
import { otlpMetricExporter } from "../../src/export/otlp-metric-exporter.ts";
import { type OtlpReceiver, startOtlpReceiver } from "../support/otlp-receiver.ts";

/** A failure as grpc-js gives it: a status code, its details, the server's metadata. */
const grpcFailure = (code: number): ExportResult => ({
  code: ExportResultCode.FAILED,
  error: Object.assign(new Error(`${code}: x`), { code, details: "x", metadata: {} }),
});
const OK: ExportResult = { code: ExportResultCode.SUCCESS };

/** Runs `withGrpcRetries` over scripted answers on a clock that only the waits move. */
async function schedule(answers: ExportResult[], timeoutMillis: number, random = 0.5) {
  let clock = 0;
  const waits: number[] = [];
  let attempts = 0;
  const result = await withGrpcRetries(async () => answers[Math.min(attempts++, answers.length - 1)] as ExportResult, {
    timeoutMillis,
    detached: true,
    now: () => clock,
    random: () => random,
    wait: async (ms) => {
      waits.push(Math.round(ms));
      clock += ms;
    },
  });
  return { result, waits, attempts };
}

describe("the retry schedule", () => {
  test("UNAVAILABLE is tried again after 1 s, then 1.5 s, until it succeeds", async () => {
    const { result, waits, attempts } = await schedule([grpcFailure(14), grpcFailure(14), OK], 10000);
    assert.equal(result.code, ExportResultCode.SUCCESS);
    assert.deepEqual(waits, [1000, 1500]);
    assert.equal(attempts, 3);
  });

  test("every status the specification calls retryable is retried; the others are answered at once", async () => {
    for (const code of [1, 4, 10, 11, 14, 15]) {
      const { attempts } = await schedule([grpcFailure(code), OK], 10000);
      assert.equal(attempts, 2, `status ${code} is retried`);
    }
    // UNKNOWN, INVALID_ARGUMENT, NOT_FOUND, ALREADY_EXISTS, PERMISSION_DENIED, RESOURCE_EXHAUSTED,
    // FAILED_PRECONDITION, UNIMPLEMENTED, INTERNAL, UNAUTHENTICATED.
    for (const code of [2, 3, 5, 6, 7, 8, 9, 12, 13, 16]) {
      const { result, attempts, waits } = await schedule([grpcFailure(code), OK], 10000);
      assert.equal(result.code, ExportResultCode.FAILED, `status ${code} is not retried`);
      assert.equal(attempts, 1);
      assert.deepEqual(waits, []);
    }
  });

  test("an HTTP or other failure (no gRPC status) is not retried here: the SDK's HTTP transport does its own", async () => {
    const http = { code: ExportResultCode.FAILED, error: Object.assign(new Error("HTTP 503"), { code: 503 }) };
    const { attempts } = await schedule([http, OK], 10000);
    assert.equal(attempts, 1);
  });

  test("no attempt starts after the export's time: the waits stop at 5 s each and the last failure is the answer", async () => {
    const { result, waits, attempts } = await schedule([grpcFailure(14)], 20000);
    assert.equal(result.code, ExportResultCode.FAILED);
    // 1000 + 1500 + 2250 + 3375 + 5000 (capped) = 13125; a further 5000 would pass 20000.
    assert.deepEqual(waits, [1000, 1500, 2250, 3375, 5000, 5000]);
    assert.equal(attempts, 7);
    const short = await schedule([grpcFailure(14)], 900);
    assert.equal(short.attempts, 1, "a first wait that would end after the time is not taken");
  });

  test("the jitter is ±20 % of the wait", async () => {
    assert.deepEqual((await schedule([grpcFailure(14), OK], 10000, 0)).waits, [800]);
    assert.deepEqual((await schedule([grpcFailure(14), OK], 10000, 1)).waits, [1200]);
  });
});

describe("the gRPC exporters retry against a backend that comes back", () => {
  let receiver: OtlpReceiver;
  before(async () => {
    receiver = await startOtlpReceiver();
  });
  after(() => receiver.close());

  const endpoint = (): Endpoint => ({ url: receiver.grpcUrl, protocol: "grpc", headers: {}, compression: "none" });
  /** A finished span, as a batch processor hands it to its exporter. */
  const aSpan = (name: string): ReadableSpan => {
    let ended: ReadableSpan | undefined;
    const provider = new TracerProvider({
      spanProcessors: [
        {
          onStart: () => {},
          onEnd: (span) => {
            ended = span;
          },
          forceFlush: async () => {},
          shutdown: async () => {},
        },
      ],
    });
    provider.getTracer("t").startSpan(name).end();
    return ended as ReadableSpan;
  };
  const exportSpan = async (name: string) => {
    const exporter = await otlpTraceExporter(endpoint(), 5000, true);
    const result = await new Promise<ExportResult>((resolve) => exporter.export([aSpan(name)], resolve));
    await exporter.shutdown();
    return result;
  };

  test("spans: UNAVAILABLE twice, then taken, within one export", async () => {
    receiver.fault = { kind: "grpc-status", code: 14, details: "starting", times: 2 };
    const from = receiver.arrivals;
    const result = await exportSpan("retried");
    assert.equal(result.code, ExportResultCode.SUCCESS, String(result.error));
    assert.equal(receiver.arrivals - from, 3, "two refused attempts and the one taken");
    assert.ok(receiver.spans.some((s) => s.name === "retried"));
  });

  test("spans: UNAUTHENTICATED is answered at once", async () => {
    receiver.fault = { kind: "grpc-status", code: 16, details: "no", times: 1 };
    const from = receiver.arrivals;
    const result = await exportSpan("refused");
    assert.equal(result.code, ExportResultCode.FAILED);
    assert.equal(receiver.arrivals - from, 1);
    assert.ok(!receiver.spans.some((s) => s.name === "refused"));
  });

  test("metrics: UNAVAILABLE once, then taken", async () => {
    receiver.fault = { kind: "grpc-status", code: 14, details: "starting", times: 1 };
    const from = receiver.arrivals;
    const exporter = await otlpMetricExporter(endpoint(), 5000, "delta");
    const meters = new MeterProvider({
      readers: [new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 60000 })],
    });
    meters.getMeter("t").createCounter("retried.counter").add(1);
    await meters.forceFlush();
    await meters.shutdown();
    assert.equal(receiver.arrivals - from, 2);
    assert.ok(receiver.points.some((p) => p.metric === "retried.counter"));
  });
});
