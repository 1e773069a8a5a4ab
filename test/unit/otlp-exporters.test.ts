/**
 * The OTLP exporters are built from the resolved endpoint alone: the `OTEL_EXPORTER_OTLP_*`
 * variables of the process (which the OpenTelemetry exporter classes would merge in) change nothing.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { MeterProvider, PeriodicExportingMetricReader } from "@opentelemetry/sdk-metrics";
import { BatchSpanProcessor, TracerProvider } from "@opentelemetry/sdk-trace";
import type { Endpoint, OtlpProtocol } from "../../src/config/backends.ts";
import { otlpTraceExporter, readTls, TlsFileError } from "../../src/export/otlp-exporters.ts";
import { otlpMetricExporter } from "../../src/export/otlp-metric-exporter.ts";
import { type OtlpReceiver, startOtlpReceiver } from "../support/otlp-receiver.ts";
import { setProcessEnv } from "../support/process-env.ts";

const POLLUTION: Record<string, string> = {
  OTEL_EXPORTER_OTLP_HEADERS: "x-leaked=from-env",
  OTEL_EXPORTER_OTLP_TRACES_HEADERS: "x-leaked-traces=from-env",
  OTEL_EXPORTER_OTLP_METRICS_HEADERS: "x-leaked-metrics=from-env",
  OTEL_EXPORTER_OTLP_COMPRESSION: "gzip",
  OTEL_EXPORTER_OTLP_TIMEOUT: "1",
  OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE: "cumulative",
};

describe("OTLP exporters read nothing but their endpoint", () => {
  let target: OtlpReceiver;
  let elsewhere: OtlpReceiver;
  let restoreEnv = () => {};
  before(async () => {
    target = await startOtlpReceiver();
    elsewhere = await startOtlpReceiver();
    const env = {
      ...POLLUTION,
      OTEL_EXPORTER_OTLP_ENDPOINT: elsewhere.url,
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `${elsewhere.url}/v1/traces`,
      OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: `${elsewhere.url}/v1/metrics`,
    };
    restoreEnv = setProcessEnv(env);
  });
  after(async () => {
    restoreEnv();
    await target.close();
    await elsewhere.close();
  });

  const endpointFor = (protocol: OtlpProtocol, signal: "traces" | "metrics"): Endpoint => ({
    url: protocol === "grpc" ? target.grpcUrl : `${target.url}/v1/${signal}`,
    protocol,
    headers: { "x-own": "mine" },
    compression: "none",
  });

  for (const protocol of ["http/protobuf", "http/json", "grpc"] as const) {
    test(`traces and metrics over ${protocol}: only the endpoint's URL and headers`, async () => {
      const from = target.requests.length;
      const tracer = new TracerProvider({
        spanProcessors: [
          new BatchSpanProcessor({ exporter: await otlpTraceExporter(endpointFor(protocol, "traces"), 5000) }),
        ],
      });
      tracer.getTracer("t").startSpan(`span ${protocol}`).end();
      await tracer.forceFlush();
      await tracer.shutdown();

      const exporter = await otlpMetricExporter(endpointFor(protocol, "metrics"), 5000, "delta");
      const meters = new MeterProvider({
        readers: [new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 60000 })],
      });
      meters
        .getMeter("m")
        .createCounter(`count.${protocol.replace("/", "_")}`)
        .add(3);
      await meters.forceFlush();
      await meters.shutdown();

      const requests = target.requests.slice(from);
      const paths = requests.map((r) => r.path).sort();
      assert.deepEqual(
        paths,
        protocol === "grpc" ? ["grpc:Export", "grpc:MetricsExport"] : ["/v1/metrics", "/v1/traces"],
      );
      for (const r of requests) {
        assert.equal(String(r.headers["x-own"]), "mine", r.path);
        for (const leaked of ["x-leaked", "x-leaked-traces", "x-leaked-metrics"])
          assert.equal(r.headers[leaked], undefined, `${r.path}: ${leaked}`);
        assert.equal(r.headers["content-encoding"], undefined, `${r.path}: not gzipped`);
        if (protocol !== "grpc") assert.match(r.contentType, protocol === "http/json" ? /json/ : /protobuf/, r.path);
      }
      assert.ok(target.spans.some((s) => s.name === `span ${protocol}`));
      const point = target.points.find((p) => p.metric === `count.${protocol.replace("/", "_")}`);
      assert.equal(point?.value, 3);
      assert.equal(elsewhere.requests.length, 0, "nothing goes to the environment's endpoint");
    });
  }
});

describe("certificate and key files", () => {
  const dir = mkdtempSync(join(tmpdir(), "claudia-tls-"));
  after(() => rmSync(dir, { recursive: true, force: true }));

  test("only a regular file of at most 4 MB is read: never a device, the terminal or a huge file", () => {
    const pem = join(dir, "ca.pem");
    writeFileSync(pem, "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n");
    const huge = join(dir, "huge.pem");
    writeFileSync(huge, "");
    truncateSync(huge, 5 * 1024 * 1024);
    const url = "https://otlp.example:4318/v1/traces";
    assert.match(String(readTls({ ca: pem }, url).ca), /BEGIN CERTIFICATE/);
    assert.throws(() => readTls({ ca: pem, cert: "/dev/null" }, url), TlsFileError, "a device is not a certificate");
    assert.throws(() => readTls({ ca: pem, key: huge }, url), /client key file .*huge\.pem/, "5 MB is not a key");
    assert.deepEqual(readTls({ ca: "/dev/null" }, "http://otlp.example:4318/v1/traces"), {}, "not used over http");
  });
});
