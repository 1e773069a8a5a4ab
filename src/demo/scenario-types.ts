/** What a scripted model scenario sees and answers. */

export interface ScenarioContext {
  scenario: string;
  model: string;
  toolNames: string[];
  toolResults: { toolUseId: string; text: string; isError: boolean }[];
  assistantTurns: number;
  lastUserText: string;
  allText: string;
  /** The text of the conversation's first user message. */
  firstUserText: string;
  /** The system prompt's text. */
  system: string;
  /** How many times this same conversation was sent before (retries of a failed request). */
  attempt: number;
}

export type Block =
  | { type: "text"; text: string }
  | { type: "tool_use"; name: string; input: Record<string, unknown> }
  | { type: "thinking"; thinking: string }
  /** A server tool the API runs itself (web search): the call and its result, in one reply. */
  | { type: "server_tool_use"; name: string; input: Record<string, unknown> }
  | { type: "web_search_tool_result"; results: { url: string; title: string }[] };

/** What a reply reports beyond the counts derived from the conversation. */
export interface ReplyUsage {
  /** Thinking tokens (`output_tokens_details.thinking_tokens`). */
  thinkingTokens?: number;
  /** Server web searches (`server_tool_use.web_search_requests`). */
  webSearchRequests?: number;
  /** Cache writes reported as 1-hour ones (`cache_creation.ephemeral_1h_input_tokens`). */
  cache1h?: boolean;
  /** Extra cache-read tokens, to make a conversation look long (auto-compaction). */
  extraCacheRead?: number;
}

export type Reply =
  | {
      content: Block[];
      stop_reason: "end_turn" | "tool_use" | "max_tokens";
      usage?: ReplyUsage;
      /** The model id the answer names, when it differs from the one asked for (an alias answered by a dated id). */
      model?: string;
      /**
       * A pause in the stream before this content block, as a real model's stream has: Claude Code
       * runs a tool whose block is complete meanwhile, and records its result between the message's parts.
       */
      pause?: { beforeBlock: number; ms: number };
    }
  | { error: { status: number; type: string; message: string }; retryable?: boolean };

/** A scenario is a pure function of the conversation so far: it never counts calls. */
export type Scenario = (context: ScenarioContext) => Reply;

export const text = (t: string): Reply => ({ content: [{ type: "text", text: t }], stop_reason: "end_turn" });
export const tools = (...blocks: Block[]): Reply => ({ content: blocks, stop_reason: "tool_use" });
export const bash = (command: string, description: string): Block => ({
  type: "tool_use",
  name: "Bash",
  input: { command, description },
});
export const firstLine = (t: string | undefined): string => (t ?? "").trim().split("\n")[0] ?? "";

/** The session's working directory, as Claude Code tells the model. */
export function workingDirectory(context: ScenarioContext): string | undefined {
  const pattern = /working directory:\s*(\/[^\s"'<>]+)/i;
  return pattern.exec(context.system)?.[1] ?? pattern.exec(context.allText)?.[1];
}

/** A `[[key:value]]` parameter from the conversation (e.g. the workspace a scenario uses). */
export function param(context: ScenarioContext, key: string): string | undefined {
  return new RegExp(`\\[\\[${key}:([^\\]]+)\\]\\]`).exec(context.allText)?.[1];
}
