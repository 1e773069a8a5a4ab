/**
 * Every span and attribute name claudia writes, in one place.
 *
 * GenAI names come from `@opentelemetry/semantic-conventions/incubating` where it has them;
 * `claude_code.*` holds what Claude Code reports beyond the conventions.
 */
import {
  ATTR_ERROR_TYPE,
  ATTR_SERVER_ADDRESS,
  ATTR_SERVER_PORT,
  ATTR_SERVICE_NAME,
} from "@opentelemetry/semantic-conventions";
import {
  ATTR_GEN_AI_AGENT_ID,
  ATTR_GEN_AI_AGENT_NAME,
  ATTR_GEN_AI_CONVERSATION_ID,
  ATTR_GEN_AI_INPUT_MESSAGES,
  ATTR_GEN_AI_OPERATION_NAME,
  ATTR_GEN_AI_OUTPUT_MESSAGES,
  ATTR_GEN_AI_PROVIDER_NAME,
  ATTR_GEN_AI_REQUEST_MODEL,
  ATTR_GEN_AI_RESPONSE_FINISH_REASONS,
  ATTR_GEN_AI_RESPONSE_ID,
  ATTR_GEN_AI_RESPONSE_MODEL,
  ATTR_GEN_AI_SYSTEM_INSTRUCTIONS,
  ATTR_GEN_AI_TOOL_CALL_ARGUMENTS,
  ATTR_GEN_AI_TOOL_CALL_ID,
  ATTR_GEN_AI_TOOL_CALL_RESULT,
  ATTR_GEN_AI_TOOL_DEFINITIONS,
  ATTR_GEN_AI_TOOL_NAME,
  ATTR_GEN_AI_TOOL_TYPE,
  ATTR_GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_OUTPUT_TOKENS,
} from "@opentelemetry/semantic-conventions/incubating";

export const ATTR = {
  operationName: ATTR_GEN_AI_OPERATION_NAME,
  providerName: ATTR_GEN_AI_PROVIDER_NAME,
  agentName: ATTR_GEN_AI_AGENT_NAME,
  agentId: ATTR_GEN_AI_AGENT_ID,
  conversationId: ATTR_GEN_AI_CONVERSATION_ID,
  requestModel: ATTR_GEN_AI_REQUEST_MODEL,
  responseModel: ATTR_GEN_AI_RESPONSE_MODEL,
  responseId: ATTR_GEN_AI_RESPONSE_ID,
  finishReasons: ATTR_GEN_AI_RESPONSE_FINISH_REASONS,
  inputTokens: ATTR_GEN_AI_USAGE_INPUT_TOKENS,
  outputTokens: ATTR_GEN_AI_USAGE_OUTPUT_TOKENS,
  cacheReadTokens: ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS,
  cacheCreationTokens: ATTR_GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS,
  /** The newest conventions' name for cache writes (opt-in: `gen_ai_latest_experimental`). */
  cacheWriteTokens: "gen_ai.usage.cache_write.input_tokens",
  /** claudia's extension: the call's (or run's) price in USD, a name several backends read. */
  cost: "gen_ai.usage.cost",
  toolName: ATTR_GEN_AI_TOOL_NAME,
  toolCallId: ATTR_GEN_AI_TOOL_CALL_ID,
  toolType: ATTR_GEN_AI_TOOL_TYPE,
  toolArguments: ATTR_GEN_AI_TOOL_CALL_ARGUMENTS,
  toolResult: ATTR_GEN_AI_TOOL_CALL_RESULT,
  inputMessages: ATTR_GEN_AI_INPUT_MESSAGES,
  outputMessages: ATTR_GEN_AI_OUTPUT_MESSAGES,
  systemInstructions: ATTR_GEN_AI_SYSTEM_INSTRUCTIONS,
  toolDefinitions: ATTR_GEN_AI_TOOL_DEFINITIONS,
  serverAddress: ATTR_SERVER_ADDRESS,
  serverPort: ATTR_SERVER_PORT,
  errorType: ATTR_ERROR_TYPE,
  serviceName: ATTR_SERVICE_NAME,

  ccVersion: "claude_code.version",
  ccNumTurns: "claude_code.num_turns",
  ccDurationApiMs: "claude_code.duration_api_ms",
  ccResultSubtype: "claude_code.result.subtype",
  ccTerminalReason: "claude_code.terminal_reason",
  ccToolCalls: "claude_code.tool_calls",
  ccPermissionDenials: "claude_code.permission_denials",
  ccApiErrorStatus: "claude_code.api_error_status",
  ccExitCode: "claude_code.exit_code",
  ccInterruptSignal: "claude_code.interrupt.signal",
  ccSubagentId: "claude_code.subagent.id",
  ccSubagentBackground: "claude_code.subagent.background",
  ccToolDescription: "claude_code.tool.description",
  /** The MCP server of an MCP tool (the MCP conventions register no such name). */
  ccMcpServerName: "claude_code.mcp.server.name",
  ccCostSource: "claude_code.cost.source",
} as const;

/** The instrumentation scope of every span and metric claudia makes. */
export const TRACER_NAME = "claude-telemetry";

export const PROVIDER = "anthropic";
export const AGENT_NAME = "claude-code";

export const OPERATION = {
  invokeAgent: "invoke_agent",
  chat: "chat",
  executeTool: "execute_tool",
} as const;

export const EVENT = {
  userPrompt: "user.prompt",
  agentCompleted: "agent.completed",
} as const;

/** Deprecated content attributes of those events: read from older journals, never written. */
export const LEGACY = {
  prompt: "gen_ai.prompt",
  completion: "gen_ai.completion",
} as const;

/** Metric names: the GenAI conventions' client metrics, and claudia's own. */
export const METRIC = {
  tokenUsage: "gen_ai.client.token.usage",
  /** The newest conventions' per-direction token histograms (opt-in: `gen_ai_latest_experimental`). */
  inputTokensPerOperation: "gen_ai.client.inference.operation.input_tokens",
  outputTokensPerOperation: "gen_ai.client.inference.operation.output_tokens",
  operationDuration: "gen_ai.client.operation.duration",
  cost: "claudia.cost.usage",
  toolCalls: "claudia.tool.calls",
  toolDuration: "claudia.tool.duration",
  /** The token type dimension of `tokenUsage`. */
  tokenType: "gen_ai.token.type",
} as const;

/** What Logfire's views read beyond the conventions (added on the way to Logfire only). */
export const LOGFIRE = {
  spanType: "logfire.span_type",
  msg: "logfire.msg",
  tags: "logfire.tags",
  cost: "operation.cost",
} as const;

/** Sentry's AI Agents names (its span data and error tags), added on the way to Sentry only. */
export const SENTRY = {
  op: "sentry.op",
  origin: "sentry.origin",
  cachedInput: "gen_ai.usage.input_tokens.cached",
  cacheWriteInput: "gen_ai.usage.input_tokens.cache_write",
  totalTokens: "gen_ai.usage.total_tokens",
  system: "gen_ai.system",
  cost: "gen_ai.cost.total_tokens",
  errorType: "gen_ai.error.type",
  agentName: "gen_ai.agent.name",
  exitCode: "claude_code.exit_code",
} as const;

/** OpenTelemetry span status codes as stored (OTLP's numbers). */
export const STATUS_CODE = { unset: 0, ok: 1, error: 2 } as const;
