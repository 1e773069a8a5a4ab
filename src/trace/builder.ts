/**
 * Builds the GenAI trace of one Claude Code run from run events.
 *
 * `invoke_agent claude-code` is the root; each model call is a `chat {model}` span and each tool
 * call an `execute_tool {tool}` span under the agent that made it; a subagent is an
 * `invoke_agent {type}` span under the tool call that started it. Spans carry the times the
 * events report, so the builder can follow a run live or replay it afterwards. Ended spans are
 * not kept: only open ones, and the context of tool calls a subagent or a tool's own model call
 * may still attach to.
 *
 * This file routes the events and makes the root; the spans under it are made by their own parts:
 * agent-spans.ts (subagents and each agent's totals), chat-spans.ts (model calls, joined with
 * Claude Code's accounting), tool-spans.ts (tool calls), and span-content.ts says what of the
 * session's text each of them records.
 */
import {
  type Attributes,
  type Context,
  type Span,
  SpanKind,
  SpanStatusCode,
  type Tracer,
  trace,
} from "@opentelemetry/api";
import type { ResultEvent, RunEvent, TokenUsage } from "../events.ts";
import { AgentSpans } from "./agent-spans.ts";
import type { ApiServer } from "./api-server.ts";
import { ChatSpans, type CostOf } from "./chat-spans.ts";
import type { ContentPolicy } from "./content.ts";
import { callCost } from "./cost.ts";
import {
  answerMessages,
  type ChatMessage,
  Conversations,
  systemInstructionParts,
  toolDefinitions,
  userMessages,
} from "./messages.ts";
import { ownTotals, type RunOutcome, runOutcome } from "./run-outcome.ts";
import { AGENT_NAME, ATTR, EVENT, OPERATION, PROVIDER } from "./semconv.ts";
import { type SemconvMode, usageAttributes } from "./semconv-mode.ts";
import { SpanContent } from "./span-content.ts";
import { type Interruption, ToolSpans } from "./tool-spans.ts";

export interface TraceBuilderOptions {
  tracer: Tracer;
  /** Parent of the root span (an incoming TRACEPARENT, or the caller's active span). */
  parentContext: Context;
  content: ContentPolicy;
  startTime: number;
  /** The model the user asked for (`--model`), if any. */
  requestModel?: string;
  /** The run resumed an earlier session (its totals are then the calls seen, not Claude Code's). */
  resumed?: boolean;
  /** Price of one call Claude Code did not price itself; defaults to the genai-prices table. */
  costOf?: CostOf;
  /**
   * Claude Code's per-request accounting (`api.request` events) is being received: each
   * transcript call waits for its request's exact usage and price (or the end of the run).
   */
  exactCalls?: boolean;
  /** Secret redaction applied to every captured text (prompt, arguments, results, answers, errors). */
  redact?: (text: string) => string;
  /** The GenAI conventions' dialect (default: the published names). */
  semconv?: SemconvMode;
  /** The system prompt texts the user gave (`--system-prompt`, `--append-system-prompt`, `systemPrompt`). */
  systemInstructions?: string[];
  /** Where the model calls go (`server.address`, `server.port` of `chat` spans), when known. */
  apiServer?: ApiServer;
  /** A `chat` span's input is the agent's whole conversation so far, not only what the call added. */
  fullHistory?: boolean;
  /** Record the session's tools as `gen_ai.tool.definitions` on the root (opt-in). */
  toolDefinitions?: boolean;
}

/** What a finished run amounted to, for summaries and callers. */
export interface RunSummary {
  traceId: string;
  spanId: string;
  startTime: number;
  sessionId?: string;
  usage: TokenUsage;
  costUsd?: number;
  toolCalls: number;
  failedToolCalls: number;
  chatCalls: number;
  durationMs: number;
  isError: boolean;
  errorType?: string;
  model?: string;
  prompt?: string;
  resultText?: string;
  numTurns?: number;
}

export class TraceBuilder {
  readonly root: Span;
  readonly rootContext: Context;
  private readonly agents: AgentSpans;
  private readonly tools: ToolSpans;
  private readonly results: ResultEvent[] = [];
  private costState: ResultEvent | undefined;
  private sessionId: string | undefined;
  private version: string | undefined;
  private prompt: string | undefined;
  /** The main agent's prompts so far: several when one process is given several (stream-json input). */
  private readonly prompts: ChatMessage[] = [];
  private readonly chats: ChatSpans;
  private compactions = 0;
  private apiError: { message: string; status?: number } | undefined;
  private maxTurns: { maxTurns?: number; turnCount?: number } | undefined;
  private readonly content: SpanContent;
  private readonly semconv: SemconvMode;
  /** Each agent's conversation, for the content of `chat` and `invoke_agent` spans. */
  private readonly conversations: Conversations;
  /** The user's system prompt as `gen_ai.system_instructions`, encoded once. */
  private readonly instructions: string | undefined;
  private finished: RunSummary | undefined;
  private interrupted: Interruption;

  constructor(private readonly options: TraceBuilderOptions) {
    this.content = new SpanContent(options.content, options.redact);
    this.semconv = options.semconv ?? { latest: false };
    this.conversations = new Conversations(options.fullHistory === true);
    const attributes: Attributes = {
      [ATTR.operationName]: OPERATION.invokeAgent,
      [ATTR.providerName]: PROVIDER,
      [ATTR.agentName]: AGENT_NAME,
    };
    if (options.requestModel) attributes[ATTR.requestModel] = options.requestModel;
    this.instructions = this.systemInstructions();
    if (this.instructions) attributes[ATTR.systemInstructions] = this.instructions;
    this.root = options.tracer.startSpan(
      `${OPERATION.invokeAgent} ${AGENT_NAME}`,
      { kind: SpanKind.INTERNAL, startTime: options.startTime, attributes },
      options.parentContext,
    );
    this.rootContext = trace.setSpan(options.parentContext, this.root);
    this.agents = new AgentSpans(
      options.tracer,
      this.content,
      this.semconv,
      this.conversations,
      this.root,
      this.rootContext,
      options.exactCalls === true,
    );
    this.tools = new ToolSpans(
      options.tracer,
      this.content,
      () => this.interrupted,
      (id) => this.chats.toolStarted(id),
    );
    this.chats = new ChatSpans({
      tracer: options.tracer,
      content: this.content,
      semconv: this.semconv,
      conversations: this.conversations,
      agents: this.agents,
      tools: this.tools,
      rootContext: this.rootContext,
      costOf: options.costOf ?? callCost,
      exactCalls: options.exactCalls === true,
      apiServer: options.apiServer,
      instructions: this.instructions,
    });
  }

  handle(event: RunEvent): void {
    if (this.finished) return;
    this.conversations.observe(event);
    switch (event.kind) {
      case "session":
        this.session(event);
        break;
      case "prompt":
        this.promptOf(event);
        break;
      case "chat":
        this.chats.transcribed(event);
        break;
      case "tool.start":
        this.tools.start(
          this.agents.of(event.agentId).context,
          event.agentId,
          event.id,
          event.name,
          event.input,
          event.time,
        );
        break;
      case "tool.end":
        if (event.background) this.tools.backgroundStart(event.agentId, event.id, event.output);
        else this.toolEnd(event);
        break;
      case "tool.background.end":
        this.tools.backgroundEnd(event.id, event.time, event.status, event.exitCode);
        break;
      case "tool.decision":
        this.tools.decided(event.agentId, event.id, event.decision, event.source);
        break;
      case "subagent.start":
        this.subagentStart(event);
        break;
      case "subagent.end":
        this.agents.ended(event.agentId, event.time);
        break;
      case "api.request":
        this.chats.accounted(event);
        break;
      case "api.retry":
        this.chats.retried(event);
        break;
      case "model.fallback":
        this.chats.fellBack(event);
        break;
      case "compaction":
        this.compaction(event.agentId, event.time, event.trigger, event.preTokens, event.postTokens);
        break;
      case "api.error":
      case "max_turns":
      case "result":
        this.reported(event);
        break;
    }
  }

  /** What Claude Code said about how the run ended (or its saved totals). */
  private reported(event: Extract<RunEvent, { kind: "api.error" | "max_turns" | "result" }>): void {
    if (event.kind === "api.error")
      this.apiError = { message: this.content.redact(event.message), status: event.status };
    else if (event.kind === "max_turns") this.maxTurns = event;
    else {
      if (event.source === "result") this.results.push(event);
      else this.costState = event;
      this.sessionId ??= event.sessionId;
    }
  }

  private session(event: Extract<RunEvent, { kind: "session" }>): void {
    this.sessionId ??= event.sessionId;
    this.version ??= event.claudeCodeVersion;
    if (event.model && !this.options.requestModel) this.root.setAttribute(ATTR.requestModel, event.model);
    if (event.tools && this.options.toolDefinitions)
      this.content.set(this.root, ATTR.toolDefinitions, toolDefinitions(event.tools));
  }

  /**
   * The run's prompt is the main agent's first; the root's input is every prompt the main agent
   * was given (one process can be given several); a subagent's first prompt is its task.
   */
  private promptOf(event: Extract<RunEvent, { kind: "prompt" }>): void {
    if (event.synthetic) return;
    if (event.agentId === null) {
      this.prompt ??= this.content.redact(event.text);
      // Set on the root when it ends: once, however many prompts there are.
      this.prompts.push(...userMessages(event.text));
      return;
    }
    const agent = this.agents.find(event.agentId);
    if (agent && !agent.task) {
      agent.task = true;
      this.content.set(agent.span, ATTR.inputMessages, userMessages(event.text));
    }
  }

  /** Model calls from the transcript still waiting for Claude Code's accounting of them. */
  get waitingCalls(): number {
    return this.chats.waiting;
  }

  /**
   * The run is being interrupted (SIGINT, SIGTERM, …): tool calls that fail from now on, and
   * whatever is still open at the end, are marked `interrupted`, and so is the run.
   */
  interrupt(signal: string, time = Date.now()): void {
    this.interrupted ??= { signal, time };
  }

  /** End every open span and the root. Safe to call once; later calls return the same summary. */
  finish(outcome: { endTime?: number; exitCode?: number | null; error?: string } = {}): RunSummary {
    if (this.finished) return this.finished;
    const endTime = outcome.endTime ?? Date.now();
    this.tools.finish(endTime);
    const { results, costState } = this;
    this.chats.finish(ownTotals({ results, costState, chatUsage: this.chats.usage, resumed: this.options.resumed }));
    // Attempts and fallbacks no call followed (the run failed) stay on the agent that made them.
    for (const [agentId, notes] of this.chats.leftoverNotes()) {
      const span = this.agents.of(agentId).span;
      for (const note of notes) span.addEvent(note.name, note.attributes, note.time);
    }
    this.agents.finish(endTime);
    this.finished = this.finishRoot(endTime, outcome);
    return this.finished;
  }

  private finishRoot(endTime: number, outcome: { exitCode?: number | null; error?: string }): RunSummary {
    const root = this.root;
    if (this.prompts.length > 0) this.content.set(root, ATTR.inputMessages, this.prompts);
    const main = this.agents.main;
    const run = runOutcome({
      results: this.results,
      costState: this.costState,
      chatUsage: this.chats.usage,
      mainCalls: this.chats.mainCalls,
      resumed: this.options.resumed,
      interrupted: this.interrupted,
      maxTurns: this.maxTurns,
      apiError: this.apiError,
      exitCode: outcome.exitCode,
      error: outcome.error,
    });
    const { usage, shown } = run;
    // Claude Code's own total when it reported one; else the price table's sum of the calls.
    const costUsd = run.costUsd ?? (this.chats.calls > 0 ? this.chats.cost : undefined);
    const responseModel = main.model ?? (run.models ? Object.keys(run.models)[0] : undefined);
    const attributes = this.rootAttributes(run, costUsd, responseModel, outcome.exitCode);
    root.setAttributes(attributes);

    const rawResult = shown?.resultText ?? shown?.errors?.join("\n") ?? this.chats.lastText;
    const resultText = rawResult === undefined ? undefined : this.content.redact(rawResult);
    if (rawResult !== undefined) {
      const main = this.conversations.endAgent(null);
      const finishReason = run.errorType ? "error" : (main?.finishReason ?? "stop");
      this.content.set(root, ATTR.outputMessages, answerMessages(rawResult, finishReason));
    }
    if (run.errorType) {
      const message = run.errorMessage === undefined ? run.errorType : this.content.cut(run.errorMessage);
      root.setStatus({ code: SpanStatusCode.ERROR, message });
    }
    root.end(endTime);

    const { traceId, spanId } = root.spanContext();
    return {
      traceId,
      spanId,
      startTime: this.options.startTime,
      sessionId: this.sessionId,
      usage,
      costUsd,
      toolCalls: this.tools.calls,
      failedToolCalls: this.tools.failed,
      chatCalls: this.chats.calls,
      durationMs: endTime - this.options.startTime,
      isError: run.errorType !== undefined,
      errorType: run.errorType,
      model: responseModel,
      prompt: this.prompt,
      resultText,
      numTurns: run.numTurns,
    };
  }

  /** The root's totals and outcome. */
  private rootAttributes(
    run: RunOutcome,
    costUsd: number | undefined,
    responseModel: string | undefined,
    exitCode: number | null | undefined,
  ): Attributes {
    const costSource =
      run.costUsd !== undefined || (costUsd !== undefined && this.chats.allExact)
        ? "claude_code"
        : costUsd !== undefined
          ? "price_table"
          : undefined;
    const attributes: Attributes = {
      ...usageAttributes(run.usage, this.semconv, "agent"),
      [ATTR.ccToolCalls]: this.tools.calls,
    };
    const optional: [string, string | number | undefined][] = [
      [ATTR.conversationId, this.sessionId],
      [ATTR.responseModel, responseModel],
      [ATTR.requestModel, this.options.requestModel ? undefined : responseModel],
      [ATTR.cost, costUsd],
      [ATTR.ccCostSource, costSource],
      [ATTR.ccVersion, this.version],
      [ATTR.ccNumTurns, run.numTurns],
      [ATTR.ccPermissionDenials, run.permissionDenials],
      [ATTR.ccDurationApiMs, run.durationApiMs],
      [ATTR.ccResultSubtype, run.shown?.subtype],
      [ATTR.ccTerminalReason, run.shown?.terminalReason],
      [ATTR.ccApiErrorStatus, run.apiErrorStatus],
      [ATTR.ccExitCode, typeof exitCode === "number" ? exitCode : undefined],
      [ATTR.ccCompactions, this.compactions || undefined],
      [ATTR.ccInterruptSignal, this.interrupted?.signal],
      [ATTR.errorType, run.errorType],
    ];
    for (const [key, value] of optional) if (value !== undefined && value !== "") attributes[key] = value;
    return attributes;
  }

  /** The conversation was compacted: an event on the agent that was compacted. */
  private compaction(agentId: string | null, time: number, trigger?: string, pre?: number, post?: number): void {
    this.compactions++;
    this.chats.compacted();
    const agent = this.agents.of(agentId);
    const attributes: Attributes = {};
    if (trigger) attributes[ATTR.ccCompactionTrigger] = trigger;
    if (pre !== undefined) attributes[ATTR.ccCompactionPreTokens] = pre;
    if (post !== undefined) attributes[ATTR.ccCompactionPostTokens] = post;
    agent.span.addEvent(EVENT.compaction, attributes, time);
  }

  private toolEnd(event: Extract<RunEvent, { kind: "tool.end" }>): void {
    const { agentId, id, time, isError, output, errorType, denialSource } = event;
    this.tools.end(agentId, id, time, isError, output, errorType, denialSource);
  }

  /** A subagent: under the Agent/Task call that started it (kept after that call ended), else under the root. */
  private subagentStart(event: Extract<RunEvent, { kind: "subagent.start" }>): void {
    const parent = event.parentToolUseId ? this.tools.subagentParent(event.parentToolUseId) : undefined;
    const context = parent ? trace.setSpanContext(this.rootContext, parent) : this.rootContext;
    this.agents.start(context, { ...event, sessionId: this.sessionId });
  }

  /** `gen_ai.system_instructions` (content capture), when the user gave a system prompt. */
  private systemInstructions(): string | undefined {
    const parts = systemInstructionParts(this.options.systemInstructions ?? []);
    if (!this.content.capture || parts.length === 0) return undefined;
    return this.content.document(parts);
  }
}
