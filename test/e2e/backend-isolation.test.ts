/**
 * Each backend gets exactly its own configuration: the OTLP endpoint its `OTEL_EXPORTER_OTLP_*`
 * headers, Logfire its token (traces and metrics), Sentry its DSN; `traces export` only the headers
 * it is given; undelivered runs go only to the endpoint they were recorded for.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { scriptedRuns } from "../support/harness.ts";
import { storedRecord } from "../support/journal.ts";
import { type OtlpReceiver, startOtlpReceiver } from "../support/otlp-receiver.ts";
import { freePort } from "../support/ports.ts";
import { BASE_ARGS, claudia } from "../support/sandbox.ts";
import { type Spotlight, sentrySpansOf, startSpotlight, transactionsOf } from "../support/spotlight.ts";
import { traceIdFrom, waitForSpans } from "../support/trace-checks.ts";

const h = scriptedRuns();
const HONEYCOMB_KEY = "hc-key-0123456789abcdef";
const TRACES_ONLY = "traces-only-0123456789";
const LOGFIRE_TOKEN = "pylf_v1_us_0123456789abcdefghijklmnopqrstuvwxyz";

/** Every header value a receiver saw, lower-cased names, one list. */
const headerValues = (requests: { headers: Record<string, unknown> }[]) =>
  requests.flatMap((r) => Object.entries(r.headers).map(([k, v]) => `${k.toLowerCase()}: ${String(v)}`));

describe("each backend gets only its own credentials", () => {
  let spotlight: Spotlight;
  let otlp: OtlpReceiver;
  let logfire: OtlpReceiver;
  before(async () => {
    spotlight = await startSpotlight();
    otlp = await startOtlpReceiver();
    logfire = await startOtlpReceiver();
  });
  after(async () => {
    await spotlight.close();
    await otlp.close();
    await logfire.close();
  });

  test("OTLP, Logfire and Sentry at once with OTEL_EXPORTER_OTLP_HEADERS set", async () => {
    const ran = await claudia(h.sandbox, [...BASE_ARGS, "[[scenario:bash]] three backends"], {
      OTEL_EXPORTER_OTLP_ENDPOINT: otlp.url,
      OTEL_EXPORTER_OTLP_PROTOCOL: "http/protobuf",
      OTEL_EXPORTER_OTLP_HEADERS: `x-honeycomb-team=${HONEYCOMB_KEY}`,
      OTEL_EXPORTER_OTLP_TRACES_HEADERS: `x-traces-only=${TRACES_ONLY}`,
      LOGFIRE_TOKEN,
      LOGFIRE_BASE_URL: logfire.url,
      SENTRY_DSN: spotlight.dsn,
    });
    assert.equal(ran.code, 0, ran.stderr);
    const traceId = traceIdFrom(ran.stderr);
    await waitForSpans(otlp.spans, traceId, 4);
    await waitForSpans(logfire.spans, traceId, 4);

    // The OTLP endpoint: its own headers on every request (traces-only ones on traces only), no token.
    const otlpPaths = otlp.requests.map((r) => r.path).sort();
    assert.deepEqual([...new Set(otlpPaths)], ["/v1/metrics", "/v1/traces"]);
    for (const r of otlp.requests) {
      assert.equal(r.headers["x-honeycomb-team"], HONEYCOMB_KEY, r.path);
      assert.equal(r.headers["x-traces-only"], r.path === "/v1/traces" ? TRACES_ONLY : undefined, r.path);
      assert.equal(r.headers.authorization, undefined, r.path);
      assert.match(r.contentType, /protobuf/);
    }

    // Logfire: traces and metrics, each with the token and nothing of the OTLP endpoint's.
    assert.deepEqual([...new Set(logfire.requests.map((r) => r.path))].sort(), ["/v1/metrics", "/v1/traces"]);
    for (const r of logfire.requests) {
      assert.equal(r.headers.authorization, LOGFIRE_TOKEN, r.path);
      assert.match(r.contentType, /protobuf/);
    }
    const seenByLogfire = headerValues(logfire.requests).join("\n");
    assert.ok(!seenByLogfire.includes(HONEYCOMB_KEY), seenByLogfire);
    assert.ok(!seenByLogfire.includes(TRACES_ONLY), seenByLogfire);
    const tokens = logfire.points.filter((p) => p.metric === "gen_ai.client.token.usage");
    assert.ok(tokens.length > 0, "Logfire receives the token usage metric");

    // Sentry: the run arrived, and no request carried the OTLP headers or the Logfire token.
    const spans = sentrySpansOf(transactionsOf(await spotlight.envelopes(), traceId));
    assert.equal(spans.length, 4);
    const envelopePosts = spotlight.requests.filter((r) => r.path.includes("/envelope/"));
    assert.ok(envelopePosts.length > 0);
    const seenBySentry = headerValues(envelopePosts).join("\n");
    for (const secret of [HONEYCOMB_KEY, TRACES_ONLY, LOGFIRE_TOKEN]) assert.ok(!seenBySentry.includes(secret), secret);

    // And nothing of Logfire's token reached the OTLP endpoint.
    assert.ok(!headerValues(otlp.requests).join("\n").includes(LOGFIRE_TOKEN));
    const record = await storedRecord(h.sandbox, traceId);
    for (const name of ["otlp", "logfire", "sentry"]) assert.equal(record.deliveries[name]?.delivered, true, name);
  });

  test("`traces export --endpoint X` sends only the headers it is given, in any protocol", async () => {
    const ran = await claudia(h.sandbox, [...BASE_ARGS, "[[scenario:text]] export elsewhere"]);
    const traceId = traceIdFrom(ran.stderr);
    const configured = {
      OTEL_EXPORTER_OTLP_HEADERS: `x-honeycomb-team=${HONEYCOMB_KEY}`,
      OTEL_EXPORTER_OTLP_TRACES_HEADERS: `x-traces-only=${TRACES_ONLY}`,
      OTEL_EXPORTER_OTLP_PROTOCOL: "grpc",
      LOGFIRE_TOKEN,
    };
    for (const protocol of [undefined, "http/json", "grpc"]) {
      const other = await startOtlpReceiver();
      try {
        const endpoint = protocol === "grpc" ? other.grpcUrl : other.url;
        const args = ["traces", "export", traceId, "--endpoint", endpoint, "--headers", "x-given=yes"];
        const out = await claudia(h.sandbox, protocol ? [...args, "--protocol", protocol] : args, configured);
        assert.equal(out.code, 0, out.stderr);
        assert.equal(other.spans.filter((s) => s.traceId === traceId).length, 2);
        assert.ok(other.requests.length > 0);
        for (const r of other.requests) {
          assert.equal(r.headers["x-given"], "yes");
          for (const name of ["x-honeycomb-team", "x-traces-only", "authorization"])
            assert.equal(r.headers[name], undefined, `${protocol}: ${name}`);
          // Without --protocol, http/protobuf: the configured OTEL_EXPORTER_OTLP_PROTOCOL is not for this endpoint.
          if (protocol === undefined) assert.match(r.contentType, /protobuf/);
        }
      } finally {
        await other.close();
      }
    }
  });
});

describe("undelivered runs go only to the endpoint they were recorded for", () => {
  test("two runs for two endpoints, both down; back up, configured for one: the other's run is not sent there", async () => {
    const [portA, portB] = [await freePort(), await freePort()];
    const endpointA = { OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${portA}`, CLAUDIA_RESEND_WAIT_MS: "0" };
    const endpointB = { OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${portB}`, CLAUDIA_RESEND_WAIT_MS: "0" };
    const runA = traceIdFrom(
      (await claudia(h.sandbox, [...BASE_ARGS, "[[scenario:text]] meant for A"], endpointA)).stderr,
    );
    const runB = traceIdFrom(
      (await claudia(h.sandbox, [...BASE_ARGS, "[[scenario:text]] meant for B"], endpointB)).stderr,
    );
    assert.equal((await storedRecord(h.sandbox, runA)).deliveries.otlp?.delivered, false);
    assert.equal((await storedRecord(h.sandbox, runB)).deliveries.otlp?.delivered, false);

    const a = await startOtlpReceiver({ port: portA });
    const b = await startOtlpReceiver({ port: portB });
    try {
      // The re-send at the start of a run configured for A: A's run goes to A, B's does not.
      const next = await claudia(h.sandbox, [...BASE_ARGS, "[[scenario:text]] configured for A"], {
        ...endpointA,
        CLAUDIA_RESEND_WAIT_MS: "5000",
      });
      const nextId = traceIdFrom(next.stderr);
      await waitForSpans(a.spans, runA, 2);
      await waitForSpans(a.spans, nextId, 2);
      assert.equal((await storedRecord(h.sandbox, runA)).deliveries.otlp?.delivered, true);

      // `traces push` configured for A: nothing more to send there, B's run still waits for B.
      const pushA = await claudia(h.sandbox, ["traces", "push"], endpointA);
      assert.equal(pushA.code, 0, pushA.stderr);
      assert.ok(!pushA.stdout.includes(runB), pushA.stdout);
      assert.match(pushA.stderr, new RegExp(`127\\.0\\.0\\.1:${portB}/v1/traces`));
      assert.deepEqual(
        a.spans.filter((s) => s.traceId === runB),
        [],
        "B's run never reaches A",
      );
      assert.equal((await storedRecord(h.sandbox, runB)).deliveries.otlp?.delivered, false);
      assert.equal(b.spans.length, 0, "nothing is sent to B while B is not configured");

      // Configured for B: B's run goes to B, and only there.
      const pushB = await claudia(h.sandbox, ["traces", "push"], endpointB);
      assert.equal(pushB.code, 0, pushB.stderr);
      assert.match(pushB.stdout, new RegExp(`${runB}  delivered 2 spans to otlp`));
      assert.equal(b.spans.filter((s) => s.traceId === runB).length, 2);
      assert.deepEqual(
        b.spans.filter((s) => s.traceId !== runB),
        [],
      );
      assert.equal((await storedRecord(h.sandbox, runB)).deliveries.otlp?.delivered, true);
    } finally {
      await a.close();
      await b.close();
    }
  });
});
