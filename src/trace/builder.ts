/**
 * Builds the GenAI trace of one Claude Code run from run events.
 *
 * `invoke_agent claude-code` is the root; each model call is a `chat {model}` span and each tool
 * call an `execute_tool {tool}` span under the agent that made it; a subagent is an
 * `invoke_agent {type}` span under the tool call that started it. Spans carry the times the
 * events report, so the builder can follow a run live or replay it afterwards. Ended spans are
 * not kept: only open ones, and the context of Agent tool calls a subagent may still attach to.
 */
import {
  type Attributes,
  type Context,
  type Span,
  type SpanContext,
  SpanKind,
  SpanStatusCode,
  type Tracer,
  trace,
} from "@opentelemetry/api";
import {
  type ChatEvent,
  emptyUsage,
  type ResultEvent,
  type RunEvent,
  type TokenUsage,
  type UsageDetails,
} from "../events.ts";
import type { ApiServer } from "./api-server.ts";
import { CallJoin, type JoinedCall } from "./call-join.ts";
import { type ChatNote, chatSpanPlan } from "./chat-span.ts";
import { type ContentPolicy, cutJson, mapStrings, TextHead, truncate } from "./content.ts";
import { callCost } from "./cost.ts";
import {
  answerMessages,
  Conversations,
  encodeDocument,
  systemInstructionParts,
  toolDefinitions,
  userMessages,
} from "./messages.ts";
import { addUsage, type RunOutcome, runOutcome } from "./run-outcome.ts";
import { AGENT_NAME, ATTR, EVENT, OPERATION, PROVIDER } from "./semconv.ts";
import { type SemconvMode, usageAttributes } from "./semconv-mode.ts";

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
  costOf?: (model: string, usage: TokenUsage, time: number, details?: UsageDetails) => number | undefined;
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

interface AgentState {
  span: Span;
  context: Context;
  usage: TokenUsage;
  model?: string;
  /** Sum of its calls' costs; undefined once one is unknown. */
  cost: number | undefined;
  /** When it ended, while its span waits for calls still being joined. */
  endedAt?: number;
  /** Its task (first prompt) is recorded. */
  task?: boolean;
}

interface ToolState {
  span: Span;
  name: string;
  /** Who refused it, when Claude Code's accounting said so before it ended. */
  refusedBy?: string;
}

const SUBAGENT_TOOLS = new Set(["Agent", "Task"]);
/** Contexts of ended tool calls kept for requests a tool made itself (newest kept). */
const MAX_TOOL_CONTEXTS = 1000;

export class TraceBuilder {
  readonly root: Span;
  readonly rootContext: Context;
  private readonly agents = new Map<string | null, AgentState>();
  private readonly tools = new Map<string, ToolState>();
  /** Tool calls whose background task is still running: their spans end when it does. */
  private readonly backgroundTools = new Map<string, ToolState>();
  /** Span contexts of Agent/Task tool calls, kept after they end: a background subagent outlives its call. */
  private readonly subagentParents = new Map<string, SpanContext>();
  private readonly results: ResultEvent[] = [];
  private costState: ResultEvent | undefined;
  private sessionId: string | undefined;
  private version: string | undefined;
  private prompt: string | undefined;
  private lastText: string | undefined;
  private readonly chatUsage = emptyUsage();
  /** The cost of the calls seen; undefined once a call's price is unknown. */
  private chatCost: number | undefined = 0;
  /** Every call so far was priced by Claude Code itself. */
  private allExact = true;
  private readonly join: CallJoin<ChatNote>;
  /** Failed attempts and fallbacks per agent, waiting for the call that follows them. */
  private readonly notes = new Map<string | null, ChatNote[]>();
  /** Span contexts of tool calls, kept after they end: a tool's own model call is placed under it. */
  private readonly toolContexts = new Map<string, SpanContext>();
  /**
   * Calls a tool made itself (WebSearch's own model call) whose tool call is not read from the
   * transcript yet: Claude Code's accounting can come first. They wait for their tool's span.
   */
  private readonly awaitingTool = new Map<string, JoinedCall<ChatNote>[]>();
  private awaitingToolCount = 0;
  private compactions = 0;
  /** The main agent's model calls in the transcript. */
  private mainCalls = 0;
  private toolCalls = 0;
  private failedToolCalls = 0;
  private chatCalls = 0;
  private apiError: { message: string; status?: number } | undefined;
  private readonly costOf: (
    model: string,
    usage: TokenUsage,
    time: number,
    details?: UsageDetails,
  ) => number | undefined;
  private readonly redact: (text: string) => string;
  /** Redact and cut to the content limit: reading no more of a long text than the cut needs. */
  private readonly redactCut: (text: string) => string;
  /** Redact a text inside a JSON value: whole when short, else only its head (cut later, with exact counts). */
  private readonly redactHead: (text: string) => string | TextHead;
  private readonly semconv: SemconvMode;
  /** Each agent's conversation, for the content of `chat` and `invoke_agent` spans. */
  private readonly conversations: Conversations;
  /** The user's system prompt as `gen_ai.system_instructions`, encoded once. */
  private readonly instructions: string | undefined;
  private finished: RunSummary | undefined;
  private interrupted: { signal: string; time: number } | undefined;

  constructor(private readonly options: TraceBuilderOptions) {
    this.costOf = options.costOf ?? callCost;
    this.redact = options.redact ?? ((text) => text);
    // A redactor that can cut while it redacts (see redact.ts) reads only the cut plus its margin of
    // a long text (a 20 MB tool input), instead of redacting all of it first.
    const max = options.content.maxLength;
    const bounded = (options.redact as { redactAndCut?: (text: string, maxLength: number) => string } | undefined)
      ?.redactAndCut;
    this.redactCut = bounded ? (text) => bounded(text, max) : (text) => truncate(this.redact(text), max);
    const head = (options.redact as { head?: (text: string, maxLength: number) => { head: string; total: number } })
      ?.head;
    this.redactHead = head
      ? (text) => {
          const read = head(text, max);
          return read.total > read.head.length ? new TextHead(read.head, read.total) : read.head;
        }
      : this.redact;
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
    this.agents.set(null, { span: this.root, context: this.rootContext, usage: emptyUsage(), cost: 0 });
    this.join = new CallJoin<ChatNote>(options.exactCalls === true, (call) => this.emitCall(call));
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
        this.chat(event);
        break;
      case "tool.start":
        this.toolStart(event.agentId, event.id, event.name, event.input, event.time);
        break;
      case "tool.end":
        if (event.background) this.backgroundStart(event.id, event.output);
        else this.toolEnd(event.id, event.time, event.isError, event.output, event.errorType, event.denialSource);
        break;
      case "tool.background.end":
        this.backgroundEnd(event.id, event.time, event.status, event.exitCode);
        break;
      case "tool.decision": {
        const tool = this.tools.get(event.id);
        if (tool && event.decision === "reject") tool.refusedBy = event.source === "hook" ? "hook" : event.source;
        break;
      }
      case "subagent.start":
        this.subagentStart(event.agentId, event.agentType, event.parentToolUseId, event.background, event.time);
        break;
      case "subagent.end":
        this.subagentEnd(event.agentId, event.time);
        break;
      case "api.error":
        this.apiError = { message: this.redact(event.message), status: event.status };
        break;
      case "api.request":
        this.join.request(event);
        break;
      case "api.retry":
        this.retry(event);
        break;
      case "model.fallback":
        this.note(event.agentId, EVENT.modelFallback, event.time, {
          [ATTR.ccFallbackFrom]: event.from,
          [ATTR.ccFallbackTo]: event.to,
        });
        break;
      case "compaction":
        this.compaction(event.agentId, event.time, event.trigger, event.preTokens, event.postTokens);
        break;
      case "result":
        if (event.source === "result") this.results.push(event);
        else this.costState = event;
        this.sessionId ??= event.sessionId;
        break;
    }
  }

  private session(event: Extract<RunEvent, { kind: "session" }>): void {
    this.sessionId ??= event.sessionId;
    this.version ??= event.claudeCodeVersion;
    if (event.model && !this.options.requestModel) this.root.setAttribute(ATTR.requestModel, event.model);
    if (event.tools && this.options.toolDefinitions)
      this.setContent(this.root, ATTR.toolDefinitions, toolDefinitions(event.tools));
  }

  /** The run's prompt is the main agent's first; a subagent's first prompt is its task. */
  private promptOf(event: Extract<RunEvent, { kind: "prompt" }>): void {
    if (event.synthetic) return;
    if (event.agentId === null) {
      if (this.prompt !== undefined) return;
      this.prompt = this.redact(event.text);
      this.setContent(this.root, ATTR.inputMessages, userMessages(event.text));
      return;
    }
    const agent = this.agents.get(event.agentId);
    if (agent && !agent.task) {
      agent.task = true;
      this.setContent(agent.span, ATTR.inputMessages, userMessages(event.text));
    }
  }

  /** A failed attempt: an event on the call that follows it (see `note`). */
  private retry(event: Extract<RunEvent, { kind: "api.retry" }>): void {
    this.note(event.agentId, EVENT.apiRetry, event.time, {
      [ATTR.httpStatusCode]: event.status,
      [ATTR.errorType]: event.errorType ?? (event.status === undefined ? "api_error" : String(event.status)),
      [ATTR.ccRetryAttempt]: event.attempt,
      [ATTR.ccRetryMax]: event.maxRetries,
      [ATTR.ccErrorMessage]: this.cut(event.message),
    });
  }

  /** Model calls from the transcript still waiting for Claude Code's accounting of them. */
  get waitingCalls(): number {
    return this.join.waiting + this.awaitingToolCount;
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
    for (const [id, tool] of this.tools) {
      const reason = this.interrupted ? "interrupted" : "incomplete";
      tool.span.setStatus({
        code: SpanStatusCode.ERROR,
        message: this.interrupted ? `interrupted by ${this.interrupted.signal}` : "the tool call never returned",
      });
      tool.span.setAttribute(ATTR.errorType, reason);
      tool.span.end(endTime);
      this.tools.delete(id);
      this.failedToolCalls++;
    }
    this.join.flush();
    // A tool whose call never reached the transcript: its calls go under their agent.
    const orphans = [...this.awaitingTool.values()].flat();
    this.awaitingTool.clear();
    this.awaitingToolCount = 0;
    for (const call of orphans) this.emitCall(call, true);
    for (const [id] of this.backgroundTools) this.backgroundEnd(id, endTime, "running");
    for (const [agentId, agent] of this.agents) {
      if (agentId !== null) this.endAgent(agentId, agent.endedAt ?? endTime);
    }
    // Attempts and fallbacks no call followed (the run failed) stay on the agent that made them.
    for (const [agentId, notes] of this.notes) {
      const span = (this.agents.get(agentId) ?? (this.agents.get(null) as AgentState)).span;
      for (const note of notes) span.addEvent(note.name, note.attributes, note.time);
    }
    this.notes.clear();
    this.finished = this.finishRoot(endTime, outcome);
    return this.finished;
  }

  private finishRoot(endTime: number, outcome: { exitCode?: number | null; error?: string }): RunSummary {
    const root = this.root;
    const main = this.agents.get(null) as AgentState;
    const run = runOutcome({
      results: this.results,
      costState: this.costState,
      chatUsage: this.chatUsage,
      mainCalls: this.mainCalls,
      resumed: this.options.resumed,
      interrupted: this.interrupted,
      apiError: this.apiError,
      exitCode: outcome.exitCode,
      error: outcome.error,
    });
    const { usage, shown } = run;
    // Claude Code's own total when it reported one; else the price table's sum of the calls.
    const costUsd = run.costUsd ?? (this.chatCalls > 0 ? this.chatCost : undefined);
    const responseModel = main.model ?? (run.models ? Object.keys(run.models)[0] : undefined);
    const attributes = this.rootAttributes(run, costUsd, responseModel, outcome.exitCode);
    root.setAttributes(attributes);

    const rawResult = shown?.resultText ?? shown?.errors?.join("\n") ?? this.lastText;
    const resultText = rawResult === undefined ? undefined : this.redact(rawResult);
    if (rawResult !== undefined) {
      const main = this.conversations.endAgent(null);
      const finishReason = run.errorType ? "error" : (main?.finishReason ?? "stop");
      this.setContent(root, ATTR.outputMessages, answerMessages(rawResult, finishReason));
    }
    if (run.errorType) {
      const message = run.errorMessage === undefined ? run.errorType : this.cut(run.errorMessage);
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
      toolCalls: this.toolCalls,
      failedToolCalls: this.failedToolCalls,
      chatCalls: this.chatCalls,
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
      run.costUsd !== undefined || (costUsd !== undefined && this.allExact)
        ? "claude_code"
        : costUsd !== undefined
          ? "price_table"
          : undefined;
    const attributes: Attributes = {
      ...usageAttributes(run.usage, this.semconv, "agent"),
      [ATTR.ccToolCalls]: this.toolCalls,
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

  /** A transcript call: it waits (when Claude Code's accounting is on) for its exact usage and price. */
  private chat(call: ChatEvent): void {
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

  /** One model call, joined: its `chat` span under the agent, or the tool, that made it. */
  private emitCall(call: JoinedCall<ChatNote>, orphan = false): void {
    const toolId = call.request?.toolUseId;
    if (toolId && !orphan && !this.toolContexts.has(toolId)) {
      this.awaitingTool.set(toolId, [...(this.awaitingTool.get(toolId) ?? []), call]);
      this.awaitingToolCount++;
      return;
    }
    const plan = chatSpanPlan(call, this.costOf, this.semconv);
    if (this.options.apiServer) {
      plan.attributes[ATTR.serverAddress] = this.options.apiServer.address;
      plan.attributes[ATTR.serverPort] = this.options.apiServer.port;
    }
    const agent = this.agents.get(plan.agentId) ?? (this.agents.get(null) as AgentState);
    const tool = call.request?.toolUseId ? this.toolContexts.get(call.request.toolUseId) : undefined;
    const parent = tool ? trace.setSpanContext(this.rootContext, tool) : agent.context;
    this.chatCalls++;
    addUsage(agent.usage, plan.usage);
    addUsage(this.chatUsage, plan.usage);
    agent.model = plan.model;
    agent.cost = plan.cost === undefined || agent.cost === undefined ? undefined : agent.cost + plan.cost;
    if (!plan.exactCost) this.allExact = false;
    this.chatCost = plan.cost === undefined || this.chatCost === undefined ? undefined : this.chatCost + plan.cost;
    const span = this.options.tracer.startSpan(
      plan.name,
      { kind: SpanKind.CLIENT, startTime: plan.startTime, attributes: plan.attributes },
      parent,
    );
    if (call.chat) this.callContent(span, call.chat);
    for (const note of call.notes) span.addEvent(note.name, note.attributes, note.time);
    span.end(plan.endTime);
  }

  /** Something that happened before an agent's next call (a failed attempt, a fallback). */
  private note(
    agentId: string | null,
    name: string,
    time: number,
    raw: Record<string, string | number | undefined>,
  ): void {
    const attributes: Attributes = {};
    for (const [key, value] of Object.entries(raw)) if (value !== undefined) attributes[key] = value;
    const notes = this.notes.get(agentId) ?? [];
    notes.push({ name, time, attributes });
    this.notes.set(agentId, notes);
  }

  /** The conversation was compacted: an event on the agent that was compacted. */
  private compaction(agentId: string | null, time: number, trigger?: string, pre?: number, post?: number): void {
    this.compactions++;
    const agent = this.agents.get(agentId) ?? (this.agents.get(null) as AgentState);
    const attributes: Attributes = {};
    if (trigger) attributes[ATTR.ccCompactionTrigger] = trigger;
    if (pre !== undefined) attributes[ATTR.ccCompactionPreTokens] = pre;
    if (post !== undefined) attributes[ATTR.ccCompactionPostTokens] = post;
    agent.span.addEvent(EVENT.compaction, attributes, time);
  }

  private toolStart(agentId: string | null, id: string, name: string, input: unknown, time: number): void {
    if (this.tools.has(id)) return;
    const agent = this.agents.get(agentId) ?? (this.agents.get(null) as AgentState);
    this.toolCalls++;
    const attributes: Attributes = {
      [ATTR.operationName]: OPERATION.executeTool,
      [ATTR.toolName]: name,
      [ATTR.toolCallId]: id,
      [ATTR.toolType]: name.startsWith("mcp__") ? "extension" : "function",
    };
    const mcp = /^mcp__(.+?)__(.+)$/.exec(name);
    if (mcp?.[1]) attributes[ATTR.ccMcpServerName] = mcp[1];
    const description = (input as { description?: unknown } | null)?.description;
    if (this.options.content.capture && typeof description === "string")
      attributes[ATTR.ccToolDescription] = this.cut(description);
    if (this.options.content.capture && input !== undefined) {
      attributes[ATTR.toolArguments] = cutJson(mapStrings(input, this.redactHead), this.options.content.maxLength);
    }
    const span = this.options.tracer.startSpan(
      `${OPERATION.executeTool} ${name}`,
      { kind: SpanKind.INTERNAL, startTime: time, attributes },
      agent.context,
    );
    this.tools.set(id, { span, name });
    if (SUBAGENT_TOOLS.has(name)) this.subagentParents.set(id, span.spanContext());
    this.toolContexts.set(id, span.spanContext());
    if (this.toolContexts.size > MAX_TOOL_CONTEXTS) {
      this.toolContexts.delete(this.toolContexts.keys().next().value as string);
    }
    const waiting = this.awaitingTool.get(id);
    if (waiting) {
      this.awaitingTool.delete(id);
      this.awaitingToolCount -= waiting.length;
      for (const call of waiting) this.emitCall(call);
    }
  }

  private toolEnd(
    id: string,
    time: number,
    isError: boolean,
    output: string,
    errorType?: string,
    denial?: string,
  ): void {
    const tool = this.tools.get(id);
    if (!tool) return;
    this.tools.delete(id);
    if (this.options.content.capture) tool.span.setAttribute(ATTR.toolResult, this.cut(output));
    if (isError) {
      this.failedToolCalls++;
      const source = denial ?? (errorType === "interrupted" ? undefined : tool.refusedBy);
      const type = source ? "permission_denied" : (errorType ?? "tool_error");
      const reason = this.interrupted && time >= this.interrupted.time ? "interrupted" : type;
      if (source && reason === "permission_denied") tool.span.setAttribute(ATTR.ccPermissionSource, source);
      tool.span.setAttribute(ATTR.errorType, reason);
      tool.span.setStatus({ code: SpanStatusCode.ERROR, message: this.cut(output.split("\n")[0] ?? "") });
    }
    tool.span.end(time);
  }

  /** The call started a background task: its span stays open until the task ends. */
  private backgroundStart(id: string, output: string): void {
    const tool = this.tools.get(id);
    if (!tool) return;
    this.tools.delete(id);
    this.backgroundTools.set(id, tool);
    tool.span.setAttribute(ATTR.ccToolBackground, true);
    if (this.options.content.capture) tool.span.setAttribute(ATTR.toolResult, this.cut(output));
  }

  private backgroundEnd(id: string, time: number, status: string, exitCode?: number): void {
    const tool = this.backgroundTools.get(id);
    if (!tool) return;
    this.backgroundTools.delete(id);
    tool.span.setAttribute(ATTR.ccBackgroundStatus, status);
    if (exitCode !== undefined) tool.span.setAttribute(ATTR.ccBackgroundExitCode, exitCode);
    if (status === "failed") {
      this.failedToolCalls++;
      tool.span.setAttribute(ATTR.errorType, "tool_error");
      tool.span.setStatus({ code: SpanStatusCode.ERROR, message: `background task ${status}` });
    }
    tool.span.end(time);
  }

  private subagentStart(
    agentId: string,
    agentType: string,
    parentToolUseId: string | null,
    background: boolean,
    time: number,
  ): void {
    if (this.agents.has(agentId)) return;
    const parent = parentToolUseId ? this.subagentParents.get(parentToolUseId) : undefined;
    const parentContext = parent ? trace.setSpanContext(this.rootContext, parent) : this.rootContext;
    const attributes: Attributes = {
      [ATTR.operationName]: OPERATION.invokeAgent,
      [ATTR.providerName]: PROVIDER,
      [ATTR.agentName]: agentType,
      [ATTR.agentId]: agentId,
      [ATTR.ccSubagentId]: agentId,
      [ATTR.ccSubagentBackground]: background,
    };
    if (this.sessionId) attributes[ATTR.conversationId] = this.sessionId;
    const span = this.options.tracer.startSpan(
      `${OPERATION.invokeAgent} ${agentType}`,
      { kind: SpanKind.INTERNAL, startTime: time, attributes },
      parentContext,
    );
    this.agents.set(agentId, { span, context: trace.setSpan(parentContext, span), usage: emptyUsage(), cost: 0 });
  }

  private subagentEnd(agentId: string, time: number): void {
    const agent = this.agents.get(agentId);
    if (!agent || agent.endedAt !== undefined) return;
    // Its calls may still be waiting for their exact usage and price: its span ends with the run.
    if (this.options.exactCalls) agent.endedAt = time;
    else this.endAgent(agentId, time);
  }

  private endAgent(agentId: string, time: number): void {
    const agent = this.agents.get(agentId);
    if (!agent) return;
    this.agents.delete(agentId);
    const attributes: Attributes = usageAttributes(agent.usage, this.semconv, "agent");
    const answer = this.conversations.endAgent(agentId);
    if (answer) this.setContent(agent.span, ATTR.outputMessages, answerMessages(answer.text, answer.finishReason));
    if (agent.model) {
      attributes[ATTR.requestModel] = agent.model;
      attributes[ATTR.responseModel] = agent.model;
    }
    if (agent.cost !== undefined) attributes[ATTR.cost] = agent.cost;
    agent.span.setAttributes(attributes);
    agent.span.end(time);
  }

  /** A call's input and output messages (content capture), and the system instructions of the main agent's calls. */
  private callContent(span: Span, call: ChatEvent): void {
    const messages = this.conversations.messagesOf(call);
    if (messages && messages.input.length > 0) this.setContent(span, ATTR.inputMessages, messages.input);
    if (messages) this.setContent(span, ATTR.outputMessages, messages.output);
    if (call.agentId === null && this.instructions) span.setAttribute(ATTR.systemInstructions, this.instructions);
  }

  /** `gen_ai.system_instructions` (content capture), when the user gave a system prompt. */
  private systemInstructions(): string | undefined {
    const parts = systemInstructionParts(this.options.systemInstructions ?? []);
    if (!this.options.content.capture || parts.length === 0) return undefined;
    return encodeDocument(mapStrings(parts, this.redactHead) as unknown[], this.options.content.maxLength);
  }

  /** A content document (content capture): every text redacted, then cut inside its content, so it keeps its schema. */
  private setContent(span: Span, key: string, document: unknown[]): void {
    if (!this.options.content.capture) return;
    span.setAttribute(
      key,
      encodeDocument(mapStrings(document, this.redactHead) as unknown[], this.options.content.maxLength),
    );
  }

  /** Redact, then cut to the content limit: what every captured text goes through. */
  private cut(text: string): string {
    return this.redactCut(text);
  }
}
