/** The scripted model with the test scenarios (and the demo's). */
import { demoScenarios } from "../../src/demo/scenario.ts";
import { type ScriptedModel, startScriptedModel as start } from "../../src/demo/scripted-model.ts";
import { exactScenarios } from "./exact-scenarios.ts";
import { scenarios } from "./scenarios.ts";

export type { ScriptedModel, ServedCall } from "../../src/demo/scripted-model.ts";

export function startScriptedModel(options: { latencyMs?: number } = {}): Promise<ScriptedModel> {
  return start({ scenarios: { ...scenarios, ...exactScenarios, ...demoScenarios }, ...options });
}
