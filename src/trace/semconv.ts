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
  ATTR_CICD_PIPELINE_NAME,
  ATTR_CICD_PIPELINE_RUN_ID,
  ATTR_CICD_PIPELINE_RUN_URL_FULL,
  ATTR_CICD_PIPELINE_TASK_NAME,
  ATTR_CICD_PIPELINE_TASK_RUN_ID,
  ATTR_CICD_PIPELINE_TASK_RUN_URL_FULL,
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
  ATTR_VCS_CHANGE_ID,
  ATTR_VCS_PROVIDER_NAME,
  ATTR_VCS_REF_HEAD_NAME,
  ATTR_VCS_REF_HEAD_REVISION,
  ATTR_VCS_REF_HEAD_TYPE,
  ATTR_VCS_REPOSITORY_URL_FULL,
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
  ccToolBackground: "claude_code.tool.background",
  ccBackgroundStatus: "claude_code.tool.background.status",
  ccBackgroundExitCode: "claude_code.tool.background.exit_code",
  /** The MCP server of an MCP tool (the MCP conventions register no such name). */
  ccMcpServerName: "claude_code.mcp.server.name",
  ccCostSource: "claude_code.cost.source",

  reasoningTokens: "gen_ai.usage.reasoning.output_tokens",
  timeToFirstChunk: "gen_ai.response.time_to_first_chunk",
  httpStatusCode: "http.response.status_code",
  ccCacheCreation5m: "claude_code.usage.cache_creation.5m.input_tokens",
  ccCacheCreation1h: "claude_code.usage.cache_creation.1h.input_tokens",
  ccWebSearchRequests: "claude_code.usage.web_search_requests",
  ccWebFetchRequests: "claude_code.usage.web_fetch_requests",
  ccQuerySource: "claude_code.query_source",
  ccRequestId: "claude_code.request_id",
  ccRetryAttempt: "claude_code.retry.attempt",
  ccRetryMax: "claude_code.retry.max_retries",
  ccErrorMessage: "claude_code.error.message",
  ccFallbackFrom: "claude_code.fallback.from_model",
  ccFallbackTo: "claude_code.fallback.to_model",
  ccCompactionTrigger: "claude_code.compaction.trigger",
  ccCompactionPreTokens: "claude_code.compaction.pre_tokens",
  ccCompactionPostTokens: "claude_code.compaction.post_tokens",
  ccCompactions: "claude_code.compactions",
  ccPermissionSource: "claude_code.permission.source",
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
  /** A failed attempt before the call that finally succeeded. */
  apiRetry: "claude_code.api.retry",
  /** Claude Code switched to the fallback model. */
  modelFallback: "claude_code.model.fallback",
  /** The conversation was compacted (on the agent span). */
  compaction: "claude_code.compaction",
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

/** The run's pipeline and commit, on the resource (CI/CD and VCS conventions). */
export const CI_ATTR = {
  pipelineName: ATTR_CICD_PIPELINE_NAME,
  pipelineRunId: ATTR_CICD_PIPELINE_RUN_ID,
  pipelineRunUrl: ATTR_CICD_PIPELINE_RUN_URL_FULL,
  taskName: ATTR_CICD_PIPELINE_TASK_NAME,
  taskRunId: ATTR_CICD_PIPELINE_TASK_RUN_ID,
  taskRunUrl: ATTR_CICD_PIPELINE_TASK_RUN_URL_FULL,
  repositoryUrl: ATTR_VCS_REPOSITORY_URL_FULL,
  refHeadName: ATTR_VCS_REF_HEAD_NAME,
  refHeadRevision: ATTR_VCS_REF_HEAD_REVISION,
  refHeadType: ATTR_VCS_REF_HEAD_TYPE,
  changeId: ATTR_VCS_CHANGE_ID,
  providerName: ATTR_VCS_PROVIDER_NAME,
} as const;

/** `claude_code.query_source` of the compaction summary call. */
export const COMPACTION_QUERY_SOURCE = "compact";
