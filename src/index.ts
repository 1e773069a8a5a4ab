/**
 * claude-telemetry: OpenTelemetry GenAI traces for Claude Code runs.
 */
export type { RunEvent, TokenUsage } from "./events.ts";
export {
  AgentRunError,
  type RunAgentParams,
  type RunAgentResult,
  runAgentWithTelemetry,
  type TelemetryOptions,
  TRACER_NAME,
  tracedQuery,
} from "./sdk.ts";
export type { RunSummary } from "./trace/builder.ts";
export { ATTR, OPERATION } from "./trace/semconv.ts";
