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
import { grpcError } from "../../src/export/grpc-error.ts";
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

  test("a retry refused for good (UNAUTHENTICATED after a restart) is the answer, not the first failure", async () => {
    const { result, attempts } = await schedule([grpcFailure(14), grpcFailure(16)], 10000);
    assert.equal(grpcError(result.error)?.code, 16);
    assert.equal(attempts, 2);
  });

  test("an HTTP or other failure (no gRPC status) is not retried here: the SDK's HTTP transport does its own", async () => {
    const http = { code: ExportResultCode.FAILED, error: Object.assign(new Error("HTTP 503"), { code: 503 }) };
    const { attempts } = await schedule([http, OK], 10000);
    assert.equal(attempts, 1);
  });

  test("at most 5 retries, each wait at most 5 s; the first failure is the answer", async () => {
    const { result, waits, attempts } = await schedule([grpcFailure(14), grpcFailure(4)], 60000);
    assert.equal(grpcError(result.error)?.code, 14, "why it failed first, not the retries' echo of it");
    assert.deepEqual(waits, [1000, 1500, 2250, 3375, 5000]);
    assert.equal(attempts, 6);
  });

  test("every attempt ends within the export's time: a retry gets only what is left of it", async () => {
    let clock = 0;
    const given: number[] = [];
    // Each attempt takes all the time it is given, as against a backend that never answers.
    const result = await withGrpcRetries(
      async (ms) => {
        if (given.length >= 10) throw new Error("attempted again and again");
        given.push(Math.round(ms));
        clock += given.length === 1 ? 10 : ms;
        return grpcFailure(given.length === 1 ? 14 : 4);
      },
      {
        timeoutMillis: 3000,
        detached: true,
        now: () => clock,
        random: () => 0.5,
        wait: async (ms) => {
          clock += ms;
        },
      },
    );
    assert.equal(grpcError(result.error)?.code, 14);
    assert.deepEqual(given, [3000, 1990], "the retry after 10 ms and a 1 s wait has 1990 ms");
    assert.equal(clock, 3000, "the export ended at its time, not a whole attempt's time later");
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

  test("spans: UNAVAILABLE, then no answer: the export still ends within its time", async () => {
    receiver.fault = { kind: "grpc-status", code: 14, details: "starting", times: 1, after: { kind: "blackhole" } };
    const exporter = await otlpTraceExporter(endpoint(), 3000, true);
    const started = Date.now();
    const result = await new Promise<ExportResult>((resolve) => exporter.export([aSpan("held")], resolve));
    const took = Date.now() - started;
    receiver.fault = undefined;
    await exporter.shutdown();
    assert.equal(result.code, ExportResultCode.FAILED);
    assert.match(String(result.error), /UNAVAILABLE: starting/, "why it failed first");
    // A retry given a whole attempt's time would end ~1 s later (4 s).
    assert.ok(took < 3000 + 700, `the export took ${took} ms, for 3000 ms of time`);
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
