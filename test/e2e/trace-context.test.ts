/**
 * An incoming W3C TRACEPARENT makes the run part of the caller's trace (a CI pipeline's span),
 * and Claude Code and its Bash tools run inside the root span's context.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { scriptedRuns } from "../support/harness.ts";
import { startOtlpReceiver } from "../support/otlp-receiver.ts";
import { BASE_ARGS, claudia } from "../support/sandbox.ts";
import {
  assertChatSpansMatchServed,
  assertTotalsAreSumOfCalls,
  named,
  root,
  traceIdFrom,
  waitForSpans,
} from "../support/trace-checks.ts";

const h = scriptedRuns({
  OTEL_SERVICE_NAME: "nightly-agent",
  OTEL_RESOURCE_ATTRIBUTES: "deployment.environment=ci,team=platform",
});

const PARENT_TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
const PARENT_SPAN = "00f067aa0ba902b7";

test("TRACEPARENT in: the root is a child of the incoming span, in its trace", async () => {
  const ran = await claudia(h.sandbox, [...BASE_ARGS, "[[scenario:traceparent]] go"], {
    TRACEPARENT: `00-${PARENT_TRACE}-${PARENT_SPAN}-01`,
  });
  assert.equal(ran.code, 0);
  assert.equal(traceIdFrom(ran.stderr), PARENT_TRACE);
  const spans = await waitForSpans(h.receiver.spans, PARENT_TRACE, 3);
  const agent = root(spans);
  assert.equal(agent.traceId, PARENT_TRACE);
  assert.equal(agent.parentSpanId, PARENT_SPAN);
  for (const span of spans) assert.equal(span.traceId, PARENT_TRACE);

  // The Bash tool process saw the root span as its parent context.
  const bash = named(spans, "execute_tool Bash")[0];
  assert.match(
    String(bash?.attributes["gen_ai.tool.call.result"]),
    new RegExp(`tp=00-${PARENT_TRACE}-${agent.spanId}-01`),
  );
});

test("without TRACEPARENT: a new trace, and tools still run inside the root span's context", async () => {
  const ran = await claudia(h.sandbox, [...BASE_ARGS, "[[scenario:traceparent]] go"]);
  assert.equal(ran.code, 0);
  const traceId = traceIdFrom(ran.stderr);
  assert.notEqual(traceId, PARENT_TRACE);
  const spans = await waitForSpans(h.receiver.spans, traceId, 3);
  const agent = root(spans);
  assert.equal(agent.parentSpanId, "");
  const bash = named(spans, "execute_tool Bash")[0];
  assert.match(String(bash?.attributes["gen_ai.tool.call.result"]), new RegExp(`tp=00-${traceId}-${agent.spanId}-01`));
});

test("service name and resource attributes follow OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES; --service-name wins", async () => {
  const first = await claudia(h.sandbox, [...BASE_ARGS, "[[scenario:text]] go"]);
  const a = root(await waitForSpans(h.receiver.spans, traceIdFrom(first.stderr)));
  assert.equal(a.resource["service.name"], "nightly-agent");
  assert.equal(a.resource["deployment.environment"], "ci");
  assert.equal(a.resource.team, "platform");
  const second = await claudia(h.sandbox, ["--service-name", "override", ...BASE_ARGS, "[[scenario:text]] go"]);
  const b = root(await waitForSpans(h.receiver.spans, traceIdFrom(second.stderr)));
  assert.equal(b.resource["service.name"], "override");
});

test("--otel-endpoint and --otel-headers send to that endpoint with those headers", async () => {
  const other = await startOtlpReceiver();
  try {
    const ran = await claudia(h.sandbox, [
      "--otel-endpoint",
      other.url,
      "--otel-headers",
      "x-team=platform,authorization=Bearer%20abc",
      ...BASE_ARGS,
      "[[scenario:text]] go",
    ]);
    assert.equal(ran.code, 0);
    const spans = await waitForSpans(other.spans, traceIdFrom(ran.stderr));
    assert.equal(spans.length, 2);
    const request = other.requests.find((r) => r.path === "/v1/traces");
    assert.equal(request?.headers["x-team"], "platform");
    assert.equal(request?.headers.authorization, "Bearer abc");
  } finally {
    await other.close();
  }
});

for (const protocol of ["http/protobuf", "grpc"] as const) {
  test(`OTEL_EXPORTER_OTLP_PROTOCOL=${protocol} delivers the same trace, headers included`, async () => {
    const endpoint = protocol === "grpc" ? h.receiver.grpcUrl : h.receiver.url;
    const before = h.model.served.length;
    const ran = await claudia(h.sandbox, [...BASE_ARGS, "[[scenario:bash]] go"], {
      OTEL_EXPORTER_OTLP_PROTOCOL: protocol,
      OTEL_EXPORTER_OTLP_ENDPOINT: endpoint,
      OTEL_EXPORTER_OTLP_HEADERS: "x-team=platform",
    });
    assert.equal(ran.code, 0);
    const spans = await waitForSpans(h.receiver.spans, traceIdFrom(ran.stderr), 4);
    assert.deepEqual(spans.map((s) => s.name).sort(), [
      "chat claude-sonnet-4-5",
      "chat claude-sonnet-4-5",
      "execute_tool Bash",
      "invoke_agent claude-code",
    ]);
    assertChatSpansMatchServed(spans, h.model.served.slice(before));
    assertTotalsAreSumOfCalls(spans, h.model.served.slice(before));
    const path = protocol === "grpc" ? "grpc:Export" : "/v1/traces";
    const request = h.receiver.requests.filter((r) => r.path === path).at(-1);
    assert.ok(request, `a request to ${path}`);
    assert.equal(request.headers["x-team"], "platform");
  });
}
