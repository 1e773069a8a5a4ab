/**
 * The one event model every source produces and the trace builder consumes.
 *
 * Sources (the session transcript, the Agent SDK's result messages, Claude Code's printed result)
 * translate what Claude Code tells them into these events; nothing downstream knows where an
 * event came from. Times are epoch milliseconds. `agentId` is `null` for the main agent and the
 * subagent's id for everything a subagent does.
 *
 * Two sources describe model calls: the transcript (`chat`: content, tool calls, where in the
 * conversation) and Claude Code's own per-request accounting (`api.request`: exact usage and
 * price of every request, tool-internal and compaction ones included). The trace builder joins
 * them by `requestId` into one span per request.
 */

/** Token counts of one model call or of a whole run. `input` excludes the cache counts. */
export interface TokenUsage {
  input: number;
  output: number;
  cacheRead: number;
  cacheCreation: number;
}

/** The user's prompt (or a new turn, such as a background task's notification). */
export interface PromptEvent {
  kind: "prompt";
  agentId: string | null;
  time: number;
  text: string;
  /**
   * True for turns Claude Code starts itself (e.g. a background subagent reporting back), and for
   * a later prompt whose origin the transcript does not give.
   */
  synthetic: boolean;
  /** A prompt typed while the agent worked, given to it within the turn (after a tool's result). */
  queued?: boolean;
}

/** What a call's usage reports beyond the four counts (absent: not reported). */
export interface UsageDetails {
  /** Cache writes kept 5 minutes / 1 hour (their sum is `cacheCreation`). */
  cacheCreation5m?: number;
  cacheCreation1h?: number;
  /** Output tokens spent thinking (part of `output`). */
  reasoning?: number;
  /** Server-side tool requests the API ran and bills (web search, web fetch). */
  webSearchRequests?: number;
  webFetchRequests?: number;
}

/** One model API call, complete: it is emitted once the response has ended. */
export interface ChatEvent {
  kind: "chat";
  agentId: string | null;
  /** The Messages API message id (`msg_…`). */
  id: string;
  /** The API's `request-id` (joins the call with its `api.request`). */
  requestId?: string;
  /** The model that answered. */
  model: string;
  /** The model Claude Code asked for, when it says (an alias answered by a dated id differs). */
  requestedModel?: string;
  startTime: number;
  endTime: number;
  usage: TokenUsage;
  details?: UsageDetails;
  stopReason: string | null;
  /** Text blocks of the answer, joined. */
  text: string;
  /** Thinking blocks of the answer, joined. */
  thinking?: string;
  toolCalls: { id: string; name: string }[];
  /** Tools the API ran itself within this call (web search). */
  serverToolCalls?: { id: string; name: string; input: unknown }[];
  /**
   * More of the message of the agent's previous call came after another line (not a tool's result):
   * this event is that call whole, and takes its place.
   */
  replaces?: boolean;
}

/**
 * One Messages API request that succeeded, as Claude Code itself accounted it (its `api_request`
 * log event): exact usage and Claude Code's own price, for every request it made, including the
 * ones the transcript has no call for (the compaction summary, a tool's own model call).
 */
export interface ApiRequestEvent {
  kind: "api.request";
  agentId: string | null;
  requestId?: string;
  /** The model that answered. */
  model: string;
  /** Why Claude Code made it: `sdk`/`repl_main_thread` (main loop), `compact`, `web_search_tool`, `agent:…`. */
  querySource?: string;
  /** The tool call during which a tool made it (the WebSearch tool's own call). */
  toolUseId?: string;
  startTime: number;
  endTime: number;
  usage: TokenUsage;
  details: UsageDetails;
  costUsd: number;
  /** Time to the first streamed chunk, ms. */
  ttftMs?: number;
  /** Not an accounting record: what Claude Code's run totals hold beyond its other calls (see trace/remainder.ts). */
  fromTotals?: boolean;
}

/** A failed attempt of a model call that Claude Code retried (5xx, 529, …). */
export interface ApiRetryEvent {
  kind: "api.retry";
  agentId: string | null;
  time: number;
  status?: number;
  /** The API's error type (`overloaded_error`, `api_error`, …). */
  errorType?: string;
  message: string;
  attempt: number;
  maxRetries?: number;
}

/** Claude Code switched to the fallback model (`--fallback-model`). */
export interface ModelFallbackEvent {
  kind: "model.fallback";
  agentId: string | null;
  time: number;
  from: string;
  to: string;
}

/** The conversation was compacted: its history replaced by a summary. */
export interface CompactionEvent {
  kind: "compaction";
  agentId: string | null;
  time: number;
  /** `auto` or `manual`. */
  trigger?: string;
  preTokens?: number;
  postTokens?: number;
}

/**
 * Claude Code stopped the run at its turn limit (`--max-turns`): the transcript's `max_turns_reached`
 * attachment, for a transcript read without the `result` message that says so (an imported session).
 */
export interface MaxTurnsEvent {
  kind: "max_turns";
  time: number;
  maxTurns?: number;
  /** Claude Code's count of the main agent's turns when it stopped. */
  turnCount?: number;
}

/** Claude Code's permission decision for one tool call (`accept`/`reject`, and who decided). */
export interface ToolDecisionEvent {
  kind: "tool.decision";
  /** The agent whose call it is, when the accounting names it (`null`: the main agent). */
  agentId?: string | null;
  id: string;
  time: number;
  decision: string;
  /** `config` (settings rules, permission mode), `hook`, `user`, … */
  source?: string;
}

export interface ToolStartEvent {
  kind: "tool.start";
  agentId: string | null;
  id: string;
  name: string;
  input: unknown;
  time: number;
}

export interface ToolEndEvent {
  kind: "tool.end";
  agentId: string | null;
  id: string;
  time: number;
  isError: boolean;
  /** What the tool returned to the model (text). */
  output: string;
  /** Why it failed, when it did: `tool_error`, `permission_denied`, `interrupted`. */
  errorType?: string;
  /** Who refused it, for `permission_denied`: `mode`, `rule`, `hook`, `user`, … */
  denialSource?: string;
  /** The call started a background task (a Bash `run_in_background`): it completes later. */
  background?: boolean;
}

/** A background task a tool call started has ended (Claude Code's task notification). */
export interface BackgroundEndEvent {
  kind: "tool.background.end";
  /** The tool call that started it. */
  id: string;
  time: number;
  /** `completed`, `failed`, `killed`, … */
  status: string;
  exitCode?: number;
}

export interface SubagentStartEvent {
  kind: "subagent.start";
  agentId: string;
  agentType: string;
  /** The Agent/Task tool call that started it. */
  parentToolUseId: string | null;
  description: string;
  background: boolean;
  time: number;
}

export interface SubagentEndEvent {
  kind: "subagent.end";
  agentId: string;
  time: number;
}

/** A model call that failed (API error); Claude Code records a synthetic message for it. */
export interface ApiErrorEvent {
  kind: "api.error";
  agentId: string | null;
  time: number;
  message: string;
  status?: number;
}

/** Per-model totals as Claude Code accounts them (subagents included). */
export interface ModelTotals {
  usage: TokenUsage;
  costUsd: number;
}

/**
 * What Claude Code reported at the end of a turn (a `result` message) or of the session (its
 * saved cost state, when no result message was seen). Fields it did not report are undefined.
 */
export interface ResultEvent {
  kind: "result";
  time: number;
  sessionId?: string;
  subtype?: string;
  isError?: boolean;
  resultText?: string;
  errors?: string[];
  numTurns?: number;
  durationApiMs?: number;
  totalCostUsd?: number;
  terminalReason?: string;
  apiErrorStatus?: number | null;
  permissionDenials?: number;
  stopReason?: string | null;
  models?: Record<string, ModelTotals>;
  /** `result` for a result message, `cost-state` for the session's saved totals. */
  source: "result" | "cost-state";
}

/** Facts about the session itself, from the transcript or the SDK's init message. */
export interface SessionEvent {
  kind: "session";
  time: number;
  sessionId: string;
  model?: string;
  claudeCodeVersion?: string;
  cwd?: string;
  /** The tools the session offers the model, by name (the `system/init` message's list). */
  tools?: string[];
}

export type RunEvent =
  | PromptEvent
  | ChatEvent
  | ToolStartEvent
  | ToolEndEvent
  | SubagentStartEvent
  | SubagentEndEvent
  | ApiErrorEvent
  | ApiRequestEvent
  | ApiRetryEvent
  | ModelFallbackEvent
  | CompactionEvent
  | MaxTurnsEvent
  | ToolDecisionEvent
  | BackgroundEndEvent
  | ResultEvent
  | SessionEvent;

export const emptyUsage = (): TokenUsage => ({ input: 0, output: 0, cacheRead: 0, cacheCreation: 0 });

/** Input tokens as the GenAI conventions count them: cache reads and writes included. */
export const totalInput = (u: TokenUsage): number => u.input + u.cacheRead + u.cacheCreation;

/**
 * A tool call within a run: its id within the agent that made it. Ids are the API's and unique,
 * except where a gateway replays a cached answer to two agents (the same ids come back twice).
 */
export const toolCallKey = (agentId: string | null, id: string): string => `${agentId ?? ""}\u0000${id}`;
