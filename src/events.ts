/**
 * The one event model every source produces and the trace builder consumes.
 *
 * Sources (the session transcript, the Agent SDK's result messages, Claude Code's printed result)
 * translate what Claude Code tells them into these events; nothing downstream knows where an
 * event came from. Times are epoch milliseconds. `agentId` is `null` for the main agent and the
 * subagent's id for everything a subagent does.
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
  /** True for turns Claude Code starts itself (e.g. a background subagent reporting back). */
  synthetic: boolean;
}

/** One model API call, complete: it is emitted once the response has ended. */
export interface ChatEvent {
  kind: "chat";
  agentId: string | null;
  /** The Messages API message id (`msg_…`). */
  id: string;
  model: string;
  startTime: number;
  endTime: number;
  usage: TokenUsage;
  stopReason: string | null;
  /** Text blocks of the answer, joined. */
  text: string;
  toolCalls: { id: string; name: string }[];
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
  id: string;
  time: number;
  isError: boolean;
  /** What the tool returned to the model (text). */
  output: string;
  /** Why it failed, when it did: `tool_error`, `permission_denied`, `interrupted`. */
  errorType?: string;
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
  | ResultEvent
  | SessionEvent;

export const emptyUsage = (): TokenUsage => ({ input: 0, output: 0, cacheRead: 0, cacheCreation: 0 });

/** Input tokens as the GenAI conventions count them: cache reads and writes included. */
export const totalInput = (u: TokenUsage): number => u.input + u.cacheRead + u.cacheCreation;
