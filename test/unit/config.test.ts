import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { ConfigError, describeConfig, parseHeaders, resolveTelemetryConfig } from "../../src/export/config.ts";
import { truncate } from "../../src/trace/content.ts";
import { childTraceparent, newRootIds, parseTraceparent } from "../../src/trace/ids.ts";

describe("telemetry configuration", () => {
  test("standard OTEL_* variables: endpoint gets /v1/traces, the traces endpoint is used as is", () => {
    const c = resolveTelemetryConfig({}, { OTEL_EXPORTER_OTLP_ENDPOINT: "http://h:4318/" });
    assert.equal(c.otlp?.url, "http://h:4318/v1/traces");
    assert.equal(c.otlp?.protocol, "http/protobuf");
    assert.equal(c.serviceName, "claude-agents");
    const t = resolveTelemetryConfig(
      {},
      { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: "http://h:4318/custom", OTEL_EXPORTER_OTLP_ENDPOINT: "http://x" },
    );
    assert.equal(t.otlp?.url, "http://h:4318/custom");
    const g = resolveTelemetryConfig(
      {},
      { OTEL_EXPORTER_OTLP_ENDPOINT: "http://h:4317", OTEL_EXPORTER_OTLP_PROTOCOL: "grpc" },
    );
    assert.equal(g.otlp?.url, "http://h:4317");
  });

  test("spans are sent 200 ms after they end unless OTEL_BSP_SCHEDULE_DELAY says otherwise", () => {
    assert.equal(resolveTelemetryConfig({}, {}).scheduleDelayMs, 200);
    assert.equal(resolveTelemetryConfig({}, { OTEL_BSP_SCHEDULE_DELAY: "5000" }).scheduleDelayMs, 5000);
    assert.equal(resolveTelemetryConfig({}, { OTEL_BSP_SCHEDULE_DELAY: "soon" }).scheduleDelayMs, 200);
  });

  test("a wait longer than a timer can hold is refused: it would fire at once, with a warning on stderr", () => {
    const huge = "99999999999";
    const c = resolveTelemetryConfig(
      {},
      {
        OTEL_BSP_SCHEDULE_DELAY: huge,
        CLAUDIA_EXPORT_TIMEOUT_MS: huge,
        CLAUDIA_RESEND_WAIT_MS: huge,
        CLAUDIA_KILL_AFTER_MS: huge,
      },
    );
    assert.deepEqual([c.scheduleDelayMs, c.exportTimeoutMs, c.resendWaitMs, c.killAfterMs], [200, 5000, 1000, 10000]);
    assert.equal(c.warnings.length, 4);
    assert.equal(resolveTelemetryConfig({}, { CLAUDIA_KILL_AFTER_MS: "2147483647" }).killAfterMs, 2147483647);
  });

  test("service.name: the flag, else OTEL_SERVICE_NAME, else OTEL_RESOURCE_ATTRIBUTES' service.name, else the default", () => {
    const attributes = { OTEL_RESOURCE_ATTRIBUTES: "service.name=billing%20bot,team=a" };
    assert.equal(resolveTelemetryConfig({}, attributes).serviceName, "billing bot");
    assert.equal(resolveTelemetryConfig({}, { ...attributes, OTEL_SERVICE_NAME: "svc" }).serviceName, "svc");
    assert.equal(resolveTelemetryConfig({}, { ...attributes, OTEL_SERVICE_NAME: " " }).serviceName, "billing bot");
    assert.equal(resolveTelemetryConfig({ serviceName: "flag" }, attributes).serviceName, "flag");
    assert.equal(resolveTelemetryConfig({}, { OTEL_RESOURCE_ATTRIBUTES: "team=a" }).serviceName, "claude-agents");
  });

  test("OTEL_TRACES_EXPORTER and OTEL_METRICS_EXPORTER say none in any case", () => {
    const endpoint = { OTEL_EXPORTER_OTLP_ENDPOINT: "http://h:4318" };
    assert.equal(resolveTelemetryConfig({}, { ...endpoint, OTEL_TRACES_EXPORTER: "NONE" }).otlp, undefined);
    const c = resolveTelemetryConfig({}, { ...endpoint, OTEL_METRICS_EXPORTER: "None" });
    assert.equal(c.otlp?.url, "http://h:4318/v1/traces");
    assert.equal(c.otlp?.metrics, undefined);
  });

  test("flags win over the environment; no endpoint means no OTLP backend", () => {
    const c = resolveTelemetryConfig(
      { otelEndpoint: "http://flag:1", otelHeaders: "a=1", serviceName: "svc" },
      { OTEL_EXPORTER_OTLP_ENDPOINT: "http://env:2", OTEL_EXPORTER_OTLP_HEADERS: "a=0,b=2", OTEL_SERVICE_NAME: "x" },
    );
    assert.equal(c.otlp?.url, "http://flag:1/v1/traces");
    assert.deepEqual(c.otlp?.headers, { a: "1", b: "2" });
    assert.equal(c.serviceName, "svc");
    assert.equal(resolveTelemetryConfig({}, {}).otlp, undefined);
    assert.equal(
      resolveTelemetryConfig({}, { OTEL_EXPORTER_OTLP_ENDPOINT: "http://h", OTEL_TRACES_EXPORTER: "none" }).otlp,
      undefined,
    );
  });

  test("bad flags throw naming the option; the same mistakes in the environment are warnings", () => {
    assert.throws(
      () => resolveTelemetryConfig({ otelEndpoint: "not a url" }, {}),
      (e: unknown) => e instanceof ConfigError && e.option === "--otel-endpoint",
    );
    assert.throws(() => resolveTelemetryConfig({ otelHeaders: "novalue" }, {}), ConfigError);
    const c = resolveTelemetryConfig(
      {},
      { OTEL_EXPORTER_OTLP_ENDPOINT: "nope", OTEL_EXPORTER_OTLP_PROTOCOL: "carrier-pigeon" },
    );
    assert.equal(c.otlp, undefined);
    assert.equal(c.warnings.length, 2);
  });

  test("header values are percent-decoded and never shown by --config", () => {
    assert.deepEqual(parseHeaders("authorization=Bearer%20s3cr3t", "x"), { authorization: "Bearer s3cr3t" });
    const shown = JSON.stringify(
      describeConfig(resolveTelemetryConfig({ otelEndpoint: "http://h", otelHeaders: "authorization=s3cr3t" }, {})),
    );
    assert.doesNotMatch(shown, /s3cr3t/);
  });
});

describe("trace context", () => {
  test("an incoming traceparent is the parent; malformed ones are ignored", () => {
    const ids = newRootIds({
      TRACEPARENT: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
      TRACESTATE: "k=v",
    });
    assert.equal(ids.traceId, "4bf92f3577b34da6a3ce929d0e0e4736");
    assert.equal(ids.parent?.spanId, "00f067aa0ba902b7");
    assert.equal(ids.parent?.traceState, "k=v");
    assert.equal(childTraceparent(ids), `00-4bf92f3577b34da6a3ce929d0e0e4736-${ids.spanId}-01`);
    assert.equal(parseTraceparent("00-00000000000000000000000000000000-00f067aa0ba902b7-01"), undefined);
    assert.equal(parseTraceparent("garbage"), undefined);
    assert.match(newRootIds({}).traceId, /^[0-9a-f]{32}$/);
  });
});

describe("content limits", () => {
  test("long values are cut to the limit and say how much was cut", () => {
    const cut = truncate("x".repeat(10000), 100);
    assert.equal(cut.length, 100);
    assert.match(cut, /more chars\]$/);
    assert.equal(truncate("short", 100), "short");
  });
});

describe("Logfire configuration", () => {
  test("the region comes from the token; LOGFIRE_BASE_URL overrides it; the flag wins over the variable", () => {
    const eu = resolveTelemetryConfig({}, { LOGFIRE_TOKEN: "pylf_v1_eu_abc" });
    assert.equal(eu.logfire?.url, "https://logfire-eu.pydantic.dev/v1/traces");
    assert.deepEqual(eu.logfire?.headers, { Authorization: "pylf_v1_eu_abc" });
    assert.equal(
      resolveTelemetryConfig({}, { LOGFIRE_TOKEN: "pylf_v1_us_abc" }).logfire?.url,
      "https://logfire-us.pydantic.dev/v1/traces",
    );
    assert.equal(
      resolveTelemetryConfig({}, { LOGFIRE_TOKEN: "legacy" }).logfire?.url,
      "https://logfire-us.pydantic.dev/v1/traces",
    );
    const local = resolveTelemetryConfig(
      { logfireToken: "flag" },
      { LOGFIRE_TOKEN: "env", LOGFIRE_BASE_URL: "http://127.0.0.1:9/" },
    );
    assert.equal(local.logfire?.url, "http://127.0.0.1:9/v1/traces");
    assert.equal(local.logfire?.headers.Authorization, "flag");
    assert.deepEqual(
      resolveTelemetryConfig({ otelEndpoint: "http://o" }, { LOGFIRE_TOKEN: "t" }).backends.map((b) => b.name),
      ["otlp", "logfire"],
    );
  });
});
