/**
 * The library's `options.env` is the configuration, exactly as the process environment is the CLI's:
 * the program's own `OTEL_*` variables do not reach the exporters.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { runAgentWithTelemetry } from "../../src/index.ts";
import { type OtlpReceiver, startOtlpReceiver } from "../support/otlp-receiver.ts";
import { setProcessEnv } from "../support/process-env.ts";
import { createSandbox, MODEL, type Sandbox } from "../support/sandbox.ts";
import { type ScriptedModel, startScriptedModel } from "../support/scripted-model.ts";

let model: ScriptedModel;
let sandbox: Sandbox;
let meant: OtlpReceiver;
let processWide: OtlpReceiver;
let restoreEnv = () => {};

before(async () => {
  model = await startScriptedModel();
  sandbox = createSandbox(model.url);
  meant = await startOtlpReceiver();
  processWide = await startOtlpReceiver();
  // What the program around the library has in its own environment: not for this run.
  const programEnv = {
    OTEL_EXPORTER_OTLP_HEADERS: "x-process=leaked",
    OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `${processWide.url}/v1/traces`,
    OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: `${processWide.url}/v1/metrics`,
    OTEL_RESOURCE_ATTRIBUTES: "team=process",
  };
  restoreEnv = setProcessEnv(programEnv);
});
after(async () => {
  restoreEnv();
  await model.close();
  await meant.close();
  await processWide.close();
  sandbox.remove();
});

test("runAgentWithTelemetry exports by options.env alone: its endpoint, headers and resource", async () => {
  const env: Record<string, string> = {
    ...(sandbox.env as Record<string, string>),
    OTEL_EXPORTER_OTLP_ENDPOINT: meant.url,
    OTEL_EXPORTER_OTLP_PROTOCOL: "http/protobuf",
    OTEL_EXPORTER_OTLP_HEADERS: "x-own=mine",
    OTEL_RESOURCE_ATTRIBUTES: "team=library",
  };
  const result = await runAgentWithTelemetry({
    prompt: "[[scenario:bash]] library env",
    options: {
      cwd: sandbox.work,
      env,
      model: MODEL,
      permissionMode: "bypassPermissions",
      allowDangerouslySkipPermissions: true,
    },
  });
  const spans = meant.spans.filter((s) => s.traceId === result.traceId);
  assert.equal(spans.length, 4);
  for (const span of spans) assert.equal(span.resource.team, "library");
  assert.ok(meant.requests.some((r) => r.path === "/v1/metrics"));
  for (const r of meant.requests) {
    assert.equal(r.headers["x-own"], "mine", r.path);
    assert.equal(r.headers["x-process"], undefined, r.path);
  }
  assert.equal(processWide.requests.length, 0, "nothing goes to the program's own OTLP endpoint");
});
