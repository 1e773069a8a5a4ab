/**
 * The `chat {model}` spans of a run: one per model call, the transcript's view of it (content)
 * joined with Claude Code's accounting (exact usage and price, see call-join.ts), under the agent
 * that made it, or under the tool that made it (WebSearch's own call, which waits for its tool's
 * span when the accounting comes first). Failed attempts and fallbacks become events on the call
 * that follows them. It keeps the run's totals over its calls.
 */
import { type Attributes, type Context, type Span, SpanKind, type Tracer, trace } from "@opentelemetry/api";
import {
  type ApiRequestEvent,
  type ApiRetryEvent,
  type ChatEvent,
  emptyUsage,
  type ModelFallbackEvent,
  type ResultEvent,
  type TokenUsage,
  toolCallKey,
  type UsageDetails,
} from "../events.ts";
import type { AgentSpans } from "./agent-spans.ts";
import type { ApiServer } from "./api-server.ts";
import { CallJoin, type JoinedCall } from "./call-join.ts";
import { type ChatNote, chatSpanPlan } from "./chat-span.ts";
import type { Conversations } from "./messages.ts";
import { remainderRequest } from "./remainder.ts";
import { addUsage } from "./run-outcome.ts";
import { ATTR, EVENT } from "./semconv.ts";
import type { SemconvMode } from "./semconv-mode.ts";
import type { SpanContent } from "./span-content.ts";
import type { ToolSpans } from "./tool-spans.ts";

export type CostOf = (model: string, usage: TokenUsage, time: number, details?: UsageDetails) => number | undefined;

export interface ChatSpansOptions {
  tracer: Tracer;
  content: SpanContent;
  semconv: SemconvMode;
  conversations: Conversations;
  agents: AgentSpans;
  tools: ToolSpans;
  rootContext: Context;
  costOf: CostOf;
  /** Calls wait for Claude Code's accounting of them. */
  exactCalls: boolean;
  apiServer?: ApiServer;
  /** The user's system prompt as `gen_ai.system_instructions`, on the main agent's calls. */
  instructions?: string;
}

export class ChatSpans {
  /** Calls traced, and the main agent's calls read from the transcript. */
  calls = 0;
  mainCalls = 0;
  readonly usage = emptyUsage();
  /** The cost of the calls traced; undefined once a call's price is unknown. */
  cost: number | undefined = 0;
  /** Every call so far was priced by Claude Code itself. */
  allExact = true;
  /** The main agent's latest answer text. */
  lastText: string | undefined;
  private readonly join: CallJoin<ChatNote>;
  /** Failed attempts and fallbacks per agent, waiting for the call that follows them. */
  private readonly notes = new Map<string | null, ChatNote[]>();
  /**
   * Calls a tool made itself (WebSearch's own model call) whose tool call is not read from the
   * transcript yet: Claude Code's accounting can come first. They wait for their tool's span
   * (by `toolCallKey`).
   */
  private readonly awaitingTool = new Map<string, JoinedCall<ChatNote>[]>();
  private awaitingToolCount = 0;
  /** Compactions the transcript recorded, and compaction summary calls accounted. */
  private compactions = 0;
  private compactCalls = 0;
  /** Usage of the calls traced, by the model that answered (Claude Code's totals are by model). */
  private readonly usageByModel = new Map<string, TokenUsage>();

  constructor(private readonly options: ChatSpansOptions) {
    this.join = new CallJoin<ChatNote>(options.exactCalls, (call) => this.emit(call));
  }

  /** A transcript call: it waits (when Claude Code's accounting is on) for its exact usage and price. */
  transcribed(call: ChatEvent): void {
    if (call.agentId === null && call.text) this.lastText = call.text;
    if (call.replaces) {
      this.join.replace(call);
      return;
    }
    if (call.agentId === null) this.mainCalls++;
    const notes = this.notes.get(call.agentId) ?? [];
    this.notes.delete(call.agentId);
    this.join.chat(call, notes);
  }

  /** Claude Code's accounting of one request. */
  accounted(request: ApiRequestEvent): void {
    if (request.querySource === "compact") this.compactCalls++;
    this.join.request(request);
  }

  /** A failed attempt: an event on the call that follows it. */
  retried(event: ApiRetryEvent): void {
    this.note(event.agentId, EVENT.apiRetry, event.time, {
      [ATTR.httpStatusCode]: event.status,
      [ATTR.errorType]: event.errorType ?? (event.status === undefined ? "api_error" : String(event.status)),
      [ATTR.ccRetryAttempt]: event.attempt,
      [ATTR.ccRetryMax]: event.maxRetries,
      [ATTR.ccErrorMessage]: this.options.content.cut(event.message),
    });
  }

  /** A switch to the fallback model: an event on the call that follows it. */
  fellBack(event: ModelFallbackEvent): void {
    this.note(event.agentId, EVENT.modelFallback, event.time, {
      [ATTR.ccFallbackFrom]: event.from,
      [ATTR.ccFallbackTo]: event.to,
    });
  }

  /**
   * Model calls still waiting for Claude Code's accounting of them: from the transcript, and the
   * summary call of each compaction the transcript recorded (that call is in the accounting only).
   */
  get waiting(): number {
    const summaries = this.options.exactCalls ? Math.max(0, this.compactions - this.compactCalls) : 0;
    return this.join.waiting + this.awaitingToolCount + summaries;
  }

  /** The transcript recorded a compaction: its summary call's accounting is to come. */
  compacted(): void {
    this.compactions++;
  }

  /** A tool call's span exists (its `toolCallKey`): the calls it made itself, read before it, go under it now. */
  toolStarted(key: string): void {
    const waiting = this.awaitingTool.get(key);
    if (!waiting) return;
    this.awaitingTool.delete(key);
    this.awaitingToolCount -= waiting.length;
    for (const call of waiting) this.emit(call);
  }

  /**
   * The run ends: calls still waiting go out as they are (the only one left, given what Claude
   * Code's `totals` hold beyond the others, when they are the run's own), a tool's calls whose tool
   * never reached the transcript go under their agent, and attempts no call followed (the run
   * failed) stay on the agent that made them.
   */
  finish(totals?: ResultEvent): void {
    const settled = this.allExact && this.cost !== undefined && this.awaitingToolCount === 0;
    const lone = totals && settled ? this.join.takeLone() : undefined;
    if (lone && totals) {
      const traced = { costUsd: this.cost ?? 0, byModel: this.usageByModel };
      this.emit({ ...lone, request: remainderRequest(lone.chat, totals, traced) });
    }
    this.join.flush();
    const orphans = [...this.awaitingTool.values()].flat();
    this.awaitingTool.clear();
    this.awaitingToolCount = 0;
    for (const call of orphans) this.emit(call, true);
  }

  /** Attempts and fallbacks no call followed, to be left on their agents (before those end). */
  leftoverNotes(): [string | null, ChatNote[]][] {
    const left = [...this.notes];
    this.notes.clear();
    return left;
  }

  /** One model call, joined: its `chat` span under the agent, or the tool, that made it. */
  private emit(call: JoinedCall<ChatNote>, orphan = false): void {
    const { tools, agents } = this.options;
    const toolId = call.request?.toolUseId;
    const toolKey = toolId ? toolCallKey(call.request?.agentId ?? null, toolId) : undefined;
    const tool = toolKey ? tools.contextOf(toolKey) : undefined;
    if (toolKey && !orphan && !tool) {
      this.awaitingTool.set(toolKey, [...(this.awaitingTool.get(toolKey) ?? []), call]);
      this.awaitingToolCount++;
      return;
    }
    const plan = chatSpanPlan(call, this.options.costOf, this.options.semconv);
    if (this.options.apiServer) {
      plan.attributes[ATTR.serverAddress] = this.options.apiServer.address;
      plan.attributes[ATTR.serverPort] = this.options.apiServer.port;
    }
    const agent = agents.of(plan.agentId);
    const parent = tool ? trace.setSpanContext(this.options.rootContext, tool) : agent.context;
    this.calls++;
    agents.called(agent, plan.usage, plan.cost, plan.model);
    addUsage(this.usage, plan.usage);
    const byModel = this.usageByModel.get(plan.model) ?? emptyUsage();
    this.usageByModel.set(plan.model, byModel);
    addUsage(byModel, plan.usage);
    if (!plan.exactCost) this.allExact = false;
    this.cost = plan.cost === undefined || this.cost === undefined ? undefined : this.cost + plan.cost;
    const span = this.options.tracer.startSpan(
      plan.name,
      { kind: SpanKind.CLIENT, startTime: plan.startTime, attributes: plan.attributes },
      parent,
    );
    if (call.chat) this.content(span, call.chat);
    for (const note of call.notes) span.addEvent(note.name, note.attributes, note.time);
    span.end(plan.endTime);
  }

  /** A call's input and output messages (content capture), and the system instructions of the main agent's calls. */
  private content(span: Span, call: ChatEvent): void {
    const { conversations, content, instructions } = this.options;
    const messages = conversations.messagesOf(call);
    if (messages && messages.input.length > 0) content.set(span, ATTR.inputMessages, messages.input);
    if (messages) content.set(span, ATTR.outputMessages, messages.output);
    if (call.agentId === null && instructions) span.setAttribute(ATTR.systemInstructions, instructions);
  }

  private note(agentId: string | null, name: string, time: number, raw: Record<string, string | number | undefined>) {
    const attributes: Attributes = {};
    for (const [key, value] of Object.entries(raw)) if (value !== undefined) attributes[key] = value;
    const notes = this.notes.get(agentId) ?? [];
    notes.push({ name, time, attributes });
    this.notes.set(agentId, notes);
  }
}
