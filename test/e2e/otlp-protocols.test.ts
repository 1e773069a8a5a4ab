/**
 * What a backend receives, per OTLP protocol: the same run over grpc, http/protobuf and http/json
 * arrives as the same spans (ids, parents, typed attributes, events, status), and each protocol's
 * metrics add up to its run's trace, with either temporality.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { scriptedRuns } from "../support/harness.ts";
import {
  type OtlpReceiver,
  type ReceivedPoint,
  type ReceivedSpan,
  startOtlpReceiver,
} from "../support/otlp-receiver.ts";
import { BASE_ARGS, claudia } from "../support/sandbox.ts";
import { traceIdFrom } from "../support/trace-checks.ts";

const h = scriptedRuns();
const PROTOCOLS = ["grpc", "http/protobuf", "http/json"] as const;
type Protocol = (typeof PROTOCOLS)[number];
const endpointOf = (r: OtlpReceiver, p: Protocol) => (p === "grpc" ? r.grpcUrl : r.url);

/** A span as a backend stores it, in a form two deliveries can be compared by. */
const comparable = (s: ReceivedSpan) => ({
  traceId: s.traceId,
  spanId: s.spanId,
  parentSpanId: s.parentSpanId,
  name: s.name,
  kind: s.kind,
  startMs: s.startMs,
  endMs: s.endMs,
  typed: s.typed,
  status: s.status.code === 0 ? { code: 0 } : { code: s.status.code, message: s.status.message ?? "" },
  events: s.events.map((e) => ({ name: e.name, typed: e.typed })),
  resource: s.resource,
});
const sorted = (spans: ReceivedSpan[]) => spans.map(comparable).sort((a, b) => a.spanId.localeCompare(b.spanId));

describe("the same run over every protocol", () => {
  test("grpc, http/protobuf and http/json deliver the same spans", async () => {
    const live = await startOtlpReceiver();
    let traceId = "";
    try {
      const ran = await claudia(h.sandbox, [...BASE_ARGS, "[[scenario:subagent-fail]] protocols"], {
        OTEL_EXPORTER_OTLP_ENDPOINT: live.grpcUrl,
        OTEL_EXPORTER_OTLP_PROTOCOL: "grpc",
      });
      assert.equal(ran.code, 0, ran.stderr);
      traceId = traceIdFrom(ran.stderr);
    } finally {
      await live.close();
    }
    const delivered: Record<string, ReturnType<typeof sorted>> = {
      live: sorted(live.spans.filter((s) => s.traceId === traceId)),
    };
    for (const protocol of PROTOCOLS) {
      const other = await startOtlpReceiver();
      try {
        const args = ["traces", "export", traceId, "--endpoint", endpointOf(other, protocol), "--protocol", protocol];
        const out = await claudia(h.sandbox, args);
        assert.equal(out.code, 0, out.stderr);
        delivered[protocol] = sorted(other.spans.filter((s) => s.traceId === traceId));
      } finally {
        await other.close();
      }
    }
    assert.ok((delivered.live?.length ?? 0) >= 7, `the run arrived: ${delivered.live?.map((s) => s.name)}`);
    if (process.env.DUMP) (await import("node:fs")).writeFileSync(process.env.DUMP, JSON.stringify(delivered));
    for (const protocol of PROTOCOLS) assert.deepEqual(delivered[protocol], delivered.live, protocol);
  });
});

/** Sums by key: a delta series adds up over exports; a cumulative one is its last export's value. */
function totals(points: ReceivedPoint[], cumulative: boolean, key: (p: ReceivedPoint) => string | undefined) {
  const last = new Map<string, ReceivedPoint>();
  const sums = new Map<string, number>();
  for (const p of points) {
    const k = key(p);
    if (k === undefined) continue;
    if (cumulative) last.set(`${k}|${JSON.stringify(p.attributes)}`, p);
    else sums.set(k, (sums.get(k) ?? 0) + (p.sum ?? p.value ?? 0));
  }
  if (cumulative) {
    for (const [series, p] of last) {
      const k = series.slice(0, series.indexOf("|"));
      sums.set(k, (sums.get(k) ?? 0) + (p.sum ?? p.value ?? 0));
    }
  }
  return Object.fromEntries([...sums].sort());
}

/** The same sums from the trace's spans. */
function fromTrace(spans: ReceivedSpan[]) {
  const sums: Record<string, number> = {};
  const add = (k: string, n: number) => {
    sums[k] = (sums[k] ?? 0) + n;
  };
  for (const s of spans) {
    const a = s.attributes;
    if (a["gen_ai.operation.name"] === "chat") {
      add(`tokens ${a["gen_ai.request.model"]} input`, Number(a["gen_ai.usage.input_tokens"]));
      add(`tokens ${a["gen_ai.request.model"]} output`, Number(a["gen_ai.usage.output_tokens"]));
      add(`cost ${a["gen_ai.request.model"]}`, Number(a["gen_ai.usage.cost"]));
    }
    if (a["gen_ai.operation.name"] === "execute_tool") {
      add(`calls ${a["gen_ai.tool.name"]} ${s.status.code === 2 ? a["error.type"] : "success"}`, 1);
    }
  }
  return sums;
}

/** Names, units and attributes as semconv's metrics.yaml has them (and claudia's own metrics'). */
function assertConventions(points: ReceivedPoint[], chat: ReceivedSpan) {
  const units: Record<string, string> = {
    "gen_ai.client.token.usage": "{token}",
    "gen_ai.client.operation.duration": "s",
    "claudia.cost.usage": "USD",
    "claudia.tool.calls": "{call}",
    "claudia.tool.duration": "s",
  };
  assert.deepEqual([...new Set(points.map((p) => p.metric))].sort(), Object.keys(units).sort());
  for (const p of points) {
    assert.equal(p.unit, units[p.metric], p.metric);
    if (!p.metric.startsWith("gen_ai.")) continue;
    for (const required of ["gen_ai.operation.name", "gen_ai.provider.name", "gen_ai.request.model"])
      assert.ok(p.attributes[required] !== undefined, `${p.metric}: ${required}`);
    if (p.metric === "gen_ai.client.token.usage") assert.ok(p.attributes["gen_ai.token.type"] !== undefined);
    if (p.attributes["gen_ai.operation.name"] !== "chat") continue;
    // Where the calls went, as on the chat spans (recommended; the port required with the address).
    assert.equal(p.attributes["server.address"], chat.attributes["server.address"], p.metric);
    assert.equal(p.attributes["server.port"], chat.attributes["server.port"], p.metric);
  }
}

describe("metrics over every protocol add up to the run's trace", () => {
  for (const protocol of PROTOCOLS) {
    for (const temporality of ["delta", "cumulative"] as const) {
      test(`${protocol}, ${temporality}: a subagent on another model and a failing tool`, async () => {
        const receiver = await startOtlpReceiver();
        try {
          const ran = await claudia(h.sandbox, [...BASE_ARGS, "[[scenario:subagent-fail]] metrics"], {
            OTEL_EXPORTER_OTLP_ENDPOINT: endpointOf(receiver, protocol),
            OTEL_EXPORTER_OTLP_PROTOCOL: protocol,
            OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE: temporality,
          });
          assert.equal(ran.code, 0, ran.stderr);
          const spans = receiver.spans.filter((s) => s.traceId === traceIdFrom(ran.stderr));
          const points = receiver.points;
          const cumulative = temporality === "cumulative";
          assert.deepEqual(new Set(points.map((p) => p.temporality)), new Set([cumulative ? 2 : 1]));
          const trace = fromTrace(spans);
          const models = new Set(Object.keys(trace).filter((k) => k.startsWith("cost ")));
          assert.equal(models.size, 2, "the subagent's model is another");
          assert.ok(trace["calls Bash tool_error"] === 1, "the failing tool");
          const metrics = {
            ...totals(points, cumulative, (p) =>
              p.metric === "gen_ai.client.token.usage"
                ? `tokens ${p.attributes["gen_ai.request.model"]} ${p.attributes["gen_ai.token.type"]}`
                : undefined,
            ),
            ...totals(points, cumulative, (p) =>
              p.metric === "claudia.cost.usage" ? `cost ${p.attributes["gen_ai.request.model"]}` : undefined,
            ),
            ...totals(points, cumulative, (p) =>
              p.metric === "claudia.tool.calls"
                ? `calls ${p.attributes["gen_ai.tool.name"]} ${p.attributes.outcome}`
                : undefined,
            ),
          };
          const rounded = (o: Record<string, number>) =>
            Object.fromEntries(Object.entries(o).map(([k, v]) => [k, Math.round(v * 1e12) / 1e12]));
          assert.deepEqual(rounded(metrics), rounded(Object.fromEntries(Object.entries(trace).sort())));
          const chat = spans.find((s) => s.attributes["gen_ai.operation.name"] === "chat");
          assert.ok(chat);
          assertConventions(points, chat);
        } finally {
          await receiver.close();
        }
      });
    }
  }
});
