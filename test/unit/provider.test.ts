import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { resolveTelemetryConfig } from "../../src/export/config.ts";
import { createRunProvider, ReportingExporter } from "../../src/export/provider.ts";
import { type OtlpReceiver, startOtlpReceiver } from "../support/otlp-receiver.ts";

let receiver: OtlpReceiver;
before(async () => {
  receiver = await startOtlpReceiver();
});
after(() => receiver.close());

async function until(check: () => boolean, ms = 5000): Promise<boolean> {
  for (const end = Date.now() + ms; Date.now() < end; await sleep(20)) if (check()) return true;
  return check();
}

test("the run's first span is sent as soon as it ends; later ones wait for the schedule or the end", async () => {
  const config = resolveTelemetryConfig(
    {},
    {
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
      OTEL_EXPORTER_OTLP_PROTOCOL: "http/json",
      OTEL_METRICS_EXPORTER: "none",
      OTEL_BSP_SCHEDULE_DELAY: "60000",
    },
  );
  const run = await createRunProvider(config);
  const tracer = run.provider.getTracer("t");
  const root = tracer.startSpan("root");
  tracer.startSpan("first").end();
  assert.ok(await until(() => receiver.spans.some((s) => s.name === "first")), "sent without waiting a minute");
  tracer.startSpan("second").end();
  // A second run's first span, ended after "second", goes at once: once it is in, "second" would be too
  // had it not waited for the schedule.
  const probe = await createRunProvider(config);
  probe.provider.getTracer("t").startSpan("probe").end();
  assert.ok(await until(() => receiver.spans.some((s) => s.name === "probe")));
  await probe.close();
  assert.deepEqual(
    receiver.spans.map((s) => s.name),
    ["first", "probe"],
    "the next span waits for the schedule",
  );
  root.end();
  await run.close();
  assert.deepEqual(receiver.spans.map((s) => s.name).sort(), ["first", "probe", "root", "second"]);
});

test("the first span's early send leaves the metrics to the end of the run", async () => {
  const own = await startOtlpReceiver();
  try {
    const config = resolveTelemetryConfig(
      {},
      {
        OTEL_EXPORTER_OTLP_ENDPOINT: own.url,
        OTEL_EXPORTER_OTLP_PROTOCOL: "http/json",
        OTEL_BSP_SCHEDULE_DELAY: "60000",
      },
    );
    const run = await createRunProvider(config);
    const tracer = run.provider.getTracer("t");
    const root = tracer.startSpan("invoke_agent", { attributes: { "gen_ai.operation.name": "invoke_agent" } });
    tracer.startSpan("execute_tool Bash", { attributes: { "gen_ai.operation.name": "execute_tool" } }).end();
    assert.ok(await until(() => own.spans.length === 1), "the first span is sent at once");
    await sleep(200);
    assert.deepEqual(
      own.requests.map((r) => r.path),
      ["/v1/traces"],
      "no metrics request before the end",
    );
    root.end();
    await run.close();
    assert.ok(
      own.points.some((p) => p.metric === "claudia.tool.calls"),
      "the metrics arrive at the end",
    );
  } finally {
    await own.close();
  }
});

test("flush and shutdown wait for an export still being answered (a timer's, or a 413 being split)", async () => {
  const slow = {
    export: (_spans: unknown[], done: (r: { code: number }) => void) => setTimeout(() => done({ code: 0 }), 100),
    shutdown: async () => {},
  };
  const reporting = new ReportingExporter(slow as never, "otlp");
  reporting.export([{} as never, {} as never], () => {});
  await reporting.forceFlush();
  assert.equal(reporting.report.exported, 2);
  reporting.export([{} as never], () => {});
  await reporting.shutdown();
  assert.equal(reporting.report.exported, 3);
});
