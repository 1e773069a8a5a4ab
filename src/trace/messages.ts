/**
 * The GenAI conventions' content documents, built from run events: `gen_ai.input.messages`,
 * `gen_ai.output.messages` and `gen_ai.system_instructions`, each an array following its published
 * JSON schema (messages with a role and parts; output messages with a finish reason). Pure: plain
 * objects in, plain objects out; redaction, cutting and serializing are the caller's.
 *
 * A `chat` span's input is what that call added to its agent's conversation since the agent's
 * previous call (new user text, tool results as `tool_call_response` parts); with the full-history
 * switch it is the whole conversation the agent has had so far within the run.
 */
import { type ChatEvent, type RunEvent, toolCallKey } from "../events.ts";
import { capText, largestFitting, TextHead } from "./content.ts";

export interface MessagePart {
  type: string;
  [field: string]: unknown;
}

export interface ChatMessage {
  role: string;
  parts: MessagePart[];
}

export interface OutputMessage extends ChatMessage {
  finish_reason: string;
}

/**
 * The answer of one model call, as the transcript has it. The optional fields are filled by
 * sources that know them (thinking blocks, tools the API ran itself).
 */
export interface CallAnswer {
  text: string;
  thinking?: string;
  toolCalls: { id: string; name: string }[];
  serverToolCalls?: { id: string; name: string; input: unknown }[];
  stopReason: string | null;
}

/** The Messages API's stop reasons as the conventions' finish reasons; others are kept as they are. */
const FINISH_REASONS = new Map<string, string>([
  ["end_turn", "stop"],
  ["stop_sequence", "stop"],
  ["pause_turn", "stop"],
  ["max_tokens", "length"],
  ["model_context_window_exceeded", "length"],
  ["tool_use", "tool_call"],
  ["refusal", "content_filter"],
]);

/** The conventions' finish reason of a stop reason (`end_turn` → `stop`, `tool_use` → `tool_call`, …). */
export function finishReasonOf(stopReason: string | null | undefined): string {
  if (!stopReason) return "";
  return FINISH_REASONS.get(stopReason) ?? stopReason;
}

const text = (content: string): MessagePart => ({ type: "text", content });

/** One user message holding a text: the run's prompt, or a subagent's task. */
export function userMessages(content: string): ChatMessage[] {
  return [{ role: "user", parts: [text(content)] }];
}

/** One assistant message holding a final answer. */
export function answerMessages(content: string, finishReason: string): OutputMessage[] {
  return [{ role: "assistant", parts: [text(content)], finish_reason: finishReason }];
}

/** The user's system prompt options, one text part each, in the order Claude Code applies them. */
export function systemInstructionParts(texts: readonly string[]): MessagePart[] {
  return texts.filter((t) => t !== "").map(text);
}

/**
 * `gen_ai.tool.definitions` from the tools' names: Claude Code's own tools are functions, MCP tools
 * (`mcp__server__tool`) extensions. Names only: descriptions and schemas are not reported.
 */
export function toolDefinitions(names: readonly string[]): { type: string; name: string }[] {
  return names.map((name) => ({ type: name.startsWith("mcp__") ? "extension" : "function", name }));
}

/** The parts of one call's answer: reasoning, server tool calls, text, tool calls (with arguments when known). */
export function answerParts(call: CallAnswer, argumentsOf: (id: string) => unknown = () => undefined): MessagePart[] {
  const parts: MessagePart[] = [];
  if (call.thinking) parts.push({ type: "reasoning", content: call.thinking });
  for (const tool of call.serverToolCalls ?? []) {
    parts.push({
      type: "server_tool_call",
      id: tool.id,
      name: tool.name,
      server_tool_call: { type: tool.name, input: tool.input },
    });
  }
  if (call.text) parts.push(text(call.text));
  for (const tool of call.toolCalls) {
    const args = argumentsOf(tool.id);
    parts.push(
      args === undefined
        ? { type: "tool_call", id: tool.id, name: tool.name }
        : { type: "tool_call", id: tool.id, name: tool.name, arguments: args },
    );
  }
  return parts;
}

/** A call's `gen_ai.output.messages`. */
export function callOutput(call: CallAnswer, argumentsOf?: (id: string) => unknown): OutputMessage[] {
  return [{ role: "assistant", parts: answerParts(call, argumentsOf), finish_reason: finishReasonOf(call.stopReason) }];
}

interface AgentConversation {
  /** What the conversation gained since the agent's previous call. */
  pending: ChatMessage[];
  /** Everything before that (full history only). */
  history: ChatMessage[];
  /** The agent's latest answer with text, and why its latest call stopped. */
  lastText?: string;
  lastStop: string | null;
  /** The agent's previous call: its input, and the arguments of its tool calls (for more of its message). */
  last?: { input: ChatMessage[]; args: Map<string, unknown> };
}

/** A chat call's content documents, taken when its event was seen. */
export interface CallMessages {
  input: ChatMessage[];
  output: OutputMessage[];
}

/**
 * Follows each agent's conversation through the run's events, so every model call can say what it
 * was sent (what was added since the agent's previous call, or the full history) and answered.
 * Feed it every event before the trace builder handles it; ask for a call's messages when its
 * span is made. Memory: per agent, one turn's worth of new content (plus the history when the full
 * history is asked for), and the arguments of tool calls whose model call has not been seen yet.
 */
export class Conversations {
  private readonly agents = new Map<string | null, AgentConversation>();
  /* Tool calls are keyed by `toolCallKey` (agent and id) throughout. */
  /** Tool calls seen but not yet ended. */
  private readonly openTools = new Set<string>();
  /** Tool calls whose model call has not been seen yet (its message is still being read), with their arguments. */
  private readonly toolArguments = new Map<string, unknown>();
  /** Results of such tool calls: they join the conversation after the call that made them. */
  private readonly early = new Map<string, { agentId: string | null; id: string; message: ChatMessage }>();
  private readonly calls = new WeakMap<ChatEvent, CallMessages>();

  constructor(private readonly fullHistory = false) {}

  observe(event: RunEvent): void {
    switch (event.kind) {
      case "prompt":
        this.agent(event.agentId).pending.push(userMessages(event.text)[0] as ChatMessage);
        break;
      case "tool.start": {
        const key = toolCallKey(event.agentId, event.id);
        this.openTools.add(key);
        this.toolArguments.set(key, event.input);
        break;
      }
      case "tool.end": {
        const { agentId, id } = event;
        const key = toolCallKey(agentId, id);
        if (!this.openTools.delete(key)) break;
        const message: ChatMessage = {
          role: "tool",
          parts: [{ type: "tool_call_response", id, response: event.output }],
        };
        if (this.toolArguments.has(key)) this.early.set(key, { agentId, id, message });
        else this.agent(agentId).pending.push(message);
        break;
      }
      case "chat":
        this.chat(event);
        break;
    }
  }

  /** The messages of a call whose event was observed. */
  messagesOf(call: ChatEvent): CallMessages | undefined {
    return this.calls.get(call);
  }

  /** An agent's final answer (its latest text, with the finish reason of its latest call); forgets the agent. */
  endAgent(agentId: string | null): { text: string; finishReason: string } | undefined {
    const agent = this.agents.get(agentId);
    if (agentId !== null) this.agents.delete(agentId);
    if (agent?.lastText === undefined) return undefined;
    return { text: agent.lastText, finishReason: finishReasonOf(agent.lastStop) || "stop" };
  }

  private chat(call: ChatEvent): void {
    const agent = this.agent(call.agentId);
    if (call.replaces && agent.last) {
      this.more(agent, agent.last, call);
      return;
    }
    this.earlierResults(call);
    const args = this.takeArguments(call, new Map());
    const output = callOutput(call, (id) => args.get(id));
    const input = this.fullHistory ? [...agent.history, ...agent.pending] : agent.pending;
    this.calls.set(call, { input, output });
    if (this.fullHistory) {
      agent.history.push(...agent.pending, { role: "assistant", parts: output[0]?.parts ?? [] });
    }
    agent.pending = [];
    agent.last = { input, args };
    this.answered(agent, call);
  }

  /** More of the agent's previous call's message: the same input, the whole answer. */
  private more(agent: AgentConversation, last: { input: ChatMessage[]; args: Map<string, unknown> }, call: ChatEvent) {
    this.takeArguments(call, last.args);
    const output = callOutput(call, (id) => last.args.get(id));
    this.calls.set(call, { input: last.input, output });
    if (this.fullHistory)
      agent.history[agent.history.length - 1] = { role: "assistant", parts: output[0]?.parts ?? [] };
    this.answered(agent, call);
  }

  /** The arguments of the call's tool calls, moved into `into`. */
  private takeArguments(call: ChatEvent, into: Map<string, unknown>): Map<string, unknown> {
    for (const tool of call.toolCalls) {
      if (into.has(tool.id)) continue;
      const key = toolCallKey(call.agentId, tool.id);
      into.set(tool.id, this.toolArguments.get(key));
      this.toolArguments.delete(key);
    }
    return into;
  }

  /** Results waiting for a call of this agent that was never seen: they are this call's input. */
  private earlierResults(call: ChatEvent): void {
    if (this.early.size === 0) return;
    const own = new Set(call.toolCalls.map((tool) => tool.id));
    for (const [key, result] of this.early) {
      if (result.agentId !== call.agentId || own.has(result.id)) continue;
      this.early.delete(key);
      this.toolArguments.delete(key);
      this.agent(call.agentId).pending.push(result.message);
    }
  }

  /** The call is seen: results its tools already returned join the conversation after it. */
  private answered(agent: AgentConversation, call: ChatEvent): void {
    for (const tool of call.toolCalls) {
      const key = toolCallKey(call.agentId, tool.id);
      const result = this.early.get(key);
      if (!result) continue;
      this.early.delete(key);
      agent.pending.push(result.message);
    }
    if (call.text) agent.lastText = call.text;
    agent.lastStop = call.stopReason;
  }

  private agent(agentId: string | null): AgentConversation {
    let agent = this.agents.get(agentId);
    if (!agent) {
      agent = { pending: [], history: [], lastStop: null };
      this.agents.set(agentId, agent);
    }
    return agent;
  }
}

/** The text parts of a messages document, joined (for one-line views); undefined when it has none. */
export function messagesText(json: unknown): string | undefined {
  if (typeof json !== "string") return undefined;
  let doc: unknown;
  try {
    doc = JSON.parse(json);
  } catch {
    return undefined;
  }
  if (!Array.isArray(doc)) return undefined;
  const texts: string[] = [];
  for (const message of doc) {
    const parts = (message as { parts?: unknown } | null)?.parts;
    if (!Array.isArray(parts)) continue;
    for (const part of parts) {
      const p = part as { type?: unknown; content?: unknown } | null;
      if (p?.type === "text" && typeof p.content === "string") texts.push(p.content);
    }
  }
  return texts.length > 0 ? texts.join("\n") : undefined;
}

/** Fields of a part whose strings are content (cut when a document is too long); the rest is structure. */
const CONTENT_FIELDS = new Set(["content", "response", "arguments", "server_tool_call", "server_tool_call_response"]);
const MAX_DEPTH = 64;

/** A copy with every string inside a content field cut to `cap`. */
function capContent(value: unknown, cap: number, inContent: boolean, depth = 0): unknown {
  if (typeof value === "string" || value instanceof TextHead) return inContent ? capText(value, cap) : value;
  if (value === null || typeof value !== "object" || depth > MAX_DEPTH) return value;
  if (Array.isArray(value)) return value.map((item) => capContent(item, cap, inContent, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    out[key] = capContent(item, cap, inContent || CONTENT_FIELDS.has(key), depth + 1);
  }
  return out;
}

/** The document with its content cut as little as needed to fit, or undefined when its structure alone is too long. */
function fit(items: unknown[], maxLength: number): string | undefined {
  const whole = JSON.stringify(items);
  if (whole.length <= maxLength) return whole;
  return largestFitting(maxLength, (cap) => JSON.stringify(capContent(items, cap, false)));
}

/**
 * A content document as JSON of at most `maxLength` characters that still follows its schema: the
 * texts, arguments and responses inside are cut (each saying how much), never roles, types, ids or
 * names. When even that is too long, the oldest messages (or an answer's last parts) are left out.
 */
export function encodeDocument(items: readonly unknown[], maxLength: number): string {
  let kept = [...items];
  for (;;) {
    const json = fit(kept, maxLength);
    if (json !== undefined) return json;
    if (kept.length > 1) {
      kept = kept.slice(Math.max(1, Math.floor(kept.length / 8)));
      continue;
    }
    const only = kept[0] as { parts?: unknown[] } | undefined;
    if (only && Array.isArray(only.parts) && only.parts.length > 0) {
      kept = [{ ...only, parts: only.parts.slice(0, -1) }];
      continue;
    }
    return "[]";
  }
}
