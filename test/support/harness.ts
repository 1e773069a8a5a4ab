/**
 * The setup most end-to-end test files share: a scripted model, an OTLP receiver, and a sandbox
 * whose Claude Code talks to the one and whose claudia exports to the other.
 */
import { after, before } from "node:test";
import { type OtlpReceiver, startOtlpReceiver } from "./otlp-receiver.ts";
import { createSandbox, type Sandbox } from "./sandbox.ts";
import { type ScriptedModel, startScriptedModel } from "./scripted-model.ts";

export interface ScriptedRuns {
  model: ScriptedModel;
  receiver: OtlpReceiver;
  sandbox: Sandbox;
}

/** Start everything before the file's tests and stop it after; `extraEnv` is added to the sandbox. */
export function scriptedRuns(extraEnv: NodeJS.ProcessEnv = {}): ScriptedRuns {
  const h = {} as ScriptedRuns;
  before(async () => {
    h.model = await startScriptedModel();
    h.receiver = await startOtlpReceiver();
    h.sandbox = createSandbox(h.model.url, {
      OTEL_EXPORTER_OTLP_ENDPOINT: h.receiver.url,
      OTEL_EXPORTER_OTLP_PROTOCOL: "http/json",
      ...extraEnv,
    });
  });
  after(async () => {
    await h.model.close();
    await h.receiver.close();
    h.sandbox.remove();
  });
  return h;
}
