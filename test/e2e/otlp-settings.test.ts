/**
 * The OTLP settings as a backend sees them: the wire format each protocol setting chooses (by the
 * content type that arrives), per-signal headers, where metrics go and with which temporality.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { scriptedRuns } from "../support/harness.ts";
import { storedRecord } from "../support/journal.ts";
import { type OtlpReceiver, startOtlpReceiver } from "../support/otlp-receiver.ts";
import { BASE_ARGS, claudia } from "../support/sandbox.ts";
import { traceIdFrom } from "../support/trace-checks.ts";

const h = scriptedRuns();

/** One run exporting to a receiver of its own, with the OTLP variables given (and no others). */
async function runTo(env: (receiver: OtlpReceiver) => NodeJS.ProcessEnv, prompt = "[[scenario:text]] settings") {
  const receiver = await startOtlpReceiver();
  try {
    const ran = await claudia(h.sandbox, [...BASE_ARGS, prompt], {
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
      OTEL_EXPORTER_OTLP_PROTOCOL: "",
      ...env(receiver),
    });
    assert.equal(ran.code, 0, ran.stderr);
    const traceId = traceIdFrom(ran.stderr);
    assert.equal(receiver.spans.filter((s) => s.traceId === traceId).length, 2, "the run arrived");
    return { ran, receiver };
  } finally {
    await receiver.close();
  }
}

const contentTypes = (receiver: OtlpReceiver, path: string) => [
  ...new Set(receiver.requests.filter((r) => r.path === path).map((r) => r.contentType)),
];

describe("OTLP protocol settings choose the wire format", () => {
  for (const [name, env, expected] of [
    ["no setting: http/protobuf", {}, "application/x-protobuf"],
    ["OTEL_EXPORTER_OTLP_PROTOCOL=http/json", { OTEL_EXPORTER_OTLP_PROTOCOL: "http/json" }, "application/json"],
    [
      "OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf",
      { OTEL_EXPORTER_OTLP_PROTOCOL: "http/protobuf" },
      "application/x-protobuf",
    ],
    [
      "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL wins over OTEL_EXPORTER_OTLP_PROTOCOL",
      { OTEL_EXPORTER_OTLP_PROTOCOL: "http/protobuf", OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: "http/json" },
      "application/json",
    ],
    [
      "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL=http/protobuf over http/json",
      { OTEL_EXPORTER_OTLP_PROTOCOL: "http/json", OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: "http/protobuf" },
      "application/x-protobuf",
    ],
  ] as const) {
    test(name, async () => {
      const { receiver } = await runTo(() => env);
      assert.deepEqual(contentTypes(receiver, "/v1/traces"), [expected]);
    });
  }
});

describe("headers, metrics endpoint and temporality", () => {
  test("OTEL_EXPORTER_OTLP_TRACES_HEADERS are sent with the traces, beside and over OTEL_EXPORTER_OTLP_HEADERS", async () => {
    const { receiver } = await runTo(() => ({
      OTEL_EXPORTER_OTLP_HEADERS: "x-general=from-general,x-both=from-general",
      OTEL_EXPORTER_OTLP_TRACES_HEADERS: "x-traces=from%20traces,x-both=from-traces",
    }));
    const traces = receiver.requests.filter((r) => r.path === "/v1/traces");
    assert.ok(traces.length > 0);
    for (const request of traces) {
      assert.equal(request.headers["x-general"], "from-general");
      assert.equal(request.headers["x-traces"], "from traces", "%-encoded values are decoded");
      assert.equal(request.headers["x-both"], "from-traces", "the traces variable wins");
    }
  });

  test("OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: metrics go there, traces to the OTLP endpoint", async () => {
    const metrics = await startOtlpReceiver();
    try {
      const { receiver } = await runTo(() => ({
        OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: `${metrics.url}/custom/metrics`,
      }));
      assert.deepEqual(
        [...new Set(metrics.requests.map((r) => r.path))],
        ["/custom/metrics"],
        "metrics, and only metrics, at the URL as given",
      );
      assert.equal(receiver.requests.filter((r) => r.path === "/v1/metrics").length, 0);
      assert.equal(receiver.points.length, 0);
    } finally {
      await metrics.close();
    }
  });

  for (const [name, preference, expected] of [
    ["delta by default", undefined, 1],
    ["cumulative when asked", "cumulative", 2],
  ] as const) {
    test(`metrics temporality: ${name}`, async () => {
      const { receiver } = await runTo(() =>
        preference ? { OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE: preference } : {},
      );
      const tokens = receiver.points.filter((p) => p.metric === "gen_ai.client.token.usage");
      const cost = receiver.points.filter((p) => p.metric === "claudia.cost.usage");
      assert.ok(tokens.length > 0 && cost.length > 0, "the run's metrics arrived");
      for (const p of [...tokens, ...cost]) assert.equal(p.temporality, expected, p.metric);
    });
  }
});

test("no wait a setting takes overflows a timer: no warning from Node.js, the run is delivered", async () => {
  const longest = String(2 ** 31 - 1);
  const { ran } = await runTo(() => ({
    OTEL_BSP_SCHEDULE_DELAY: longest,
    CLAUDIA_RESEND_WAIT_MS: longest,
    CLAUDIA_KILL_AFTER_MS: longest,
    CLAUDIA_EXPORT_TIMEOUT_MS: longest,
  }));
  assert.doesNotMatch(ran.stderr, /TimeoutOverflowWarning|not delivered/);
});

test("OTEL_SDK_DISABLED=true: no backend gets anything, the run is still journaled, and --config says so", async () => {
  const receiver = await startOtlpReceiver();
  try {
    const env = { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_SDK_DISABLED: "TRUE" };
    const ran = await claudia(h.sandbox, [...BASE_ARGS, "[[scenario:text]] disabled"], env);
    assert.equal(ran.code, 0, ran.stderr);
    const traceId = traceIdFrom(ran.stderr);
    assert.equal(receiver.arrivals, 0, "nothing reached the backend");
    assert.doesNotMatch(ran.stderr, /not delivered/);
    const record = await storedRecord(h.sandbox, traceId);
    assert.ok(record.spans > 0, "the journal has the run");
    assert.deepEqual(record.deliveries ?? {}, {});
    const config = JSON.parse((await claudia(h.sandbox, ["--config"], env)).stdout) as Record<string, unknown>;
    assert.match(String(config.exports), /^off \(OTEL_SDK_DISABLED\)/);
  } finally {
    await receiver.close();
  }
});

test("a CA file that cannot be read: nothing goes to that https backend, and the line says why", async () => {
  const ran = await claudia(h.sandbox, [...BASE_ARGS, "[[scenario:text]] no ca"], {
    OTEL_EXPORTER_OTLP_ENDPOINT: "https://127.0.0.1:9",
    OTEL_EXPORTER_OTLP_CERTIFICATE: "/nonexistent/ca.pem",
  });
  assert.equal(ran.code, 0, ran.stderr);
  assert.match(
    ran.stderr,
    /not delivered to otlp: could not read the CA certificate file \/nonexistent\/ca\.pem \(.*\), so nothing is sent there/,
  );
  const record = await storedRecord(h.sandbox, traceIdFrom(ran.stderr));
  assert.equal(record.deliveries?.otlp?.delivered, false, "kept for a push once the file is there");
});
