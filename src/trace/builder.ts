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
import { type ChatEvent, emptyUsage, type ResultEvent, type RunEvent, type TokenUsage } from "../events.ts";
import type { ApiServer } from "./api-server.ts";
import { type ContentPolicy, cutJson, mapStrings, truncate } from "./content.ts";
import { callCost } from "./cost.ts";
import {
  answerMessages,
  Conversations,
  encodeDocument,
  systemInstructionParts,
  toolDefinitions,
  userMessages,
} from "./messages.ts";
import { addUsage, runOutcome } from "./run-outcome.ts";
import { AGENT_NAME, ATTR, OPERATION, PROVIDER } from "./semconv.ts";
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
  /** Price of one call; defaults to the genai-prices table. */
  costOf?: (model: string, usage: TokenUsage, time: number) => number | undefined;
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
  /** Its task (first prompt) is recorded. */
  task?: boolean;
}

interface ToolState {
  span: Span;
  name: string;
}

const SUBAGENT_TOOLS = new Set(["Agent", "Task"]);

export class TraceBuilder {
  readonly root: Span;
  readonly rootContext: Context;
  private readonly agents = new Map<string | null, AgentState>();
  private readonly tools = new Map<string, ToolState>();
  /** Span contexts of Agent/Task tool calls, kept after they end: a background subagent outlives its call. */
  private readonly subagentParents = new Map<string, SpanContext>();
  private readonly results: ResultEvent[] = [];
  private costState: ResultEvent | undefined;
  private sessionId: string | undefined;
  private version: string | undefined;
  private prompt: string | undefined;
  private lastText: string | undefined;
  private readonly chatUsage = emptyUsage();
  /** The price-table cost of the calls seen; undefined once a call's price is unknown. */
  private chatCost: number | undefined = 0;
  private toolCalls = 0;
  private failedToolCalls = 0;
  private chatCalls = 0;
  private apiError: { message: string; status?: number } | undefined;
  private readonly costOf: (model: string, usage: TokenUsage, time: number) => number | undefined;
  private readonly redact: (text: string) => string;
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
    this.agents.set(null, { span: this.root, context: this.rootContext, usage: emptyUsage() });
  }

  handle(event: RunEvent): void {
    if (this.finished) return;
    this.conversations.observe(event);
    switch (event.kind) {
      case "session":
        this.sessionId ??= event.sessionId;
        this.version ??= event.claudeCodeVersion;
        if (event.model && !this.options.requestModel) this.root.setAttribute(ATTR.requestModel, event.model);
        if (event.tools && this.options.toolDefinitions)
          this.setContent(this.root, ATTR.toolDefinitions, toolDefinitions(event.tools));
        break;
      case "prompt":
        if (event.agentId === null && !event.synthetic && this.prompt === undefined) {
          this.prompt = this.redact(event.text);
          this.setContent(this.root, ATTR.inputMessages, userMessages(event.text));
        } else if (event.agentId !== null && !event.synthetic) {
          // A subagent's first prompt is its task.
          const agent = this.agents.get(event.agentId);
          if (agent && !agent.task) {
            agent.task = true;
            this.setContent(agent.span, ATTR.inputMessages, userMessages(event.text));
          }
        }
        break;
      case "chat":
        this.chat(event);
        break;
      case "tool.start":
        this.toolStart(event.agentId, event.id, event.name, event.input, event.time);
        break;
      case "tool.end":
        this.toolEnd(event.id, event.time, event.isError, event.output, event.errorType);
        break;
      case "subagent.start":
        this.subagentStart(event.agentId, event.agentType, event.parentToolUseId, event.background, event.time);
        break;
      case "subagent.end":
        this.subagentEnd(event.agentId, event.time);
        break;
      case "api.error":
        this.apiError = { message: this.redact(event.message), status: event.status };
        break;
      case "result":
        if (event.source === "result") this.results.push(event);
        else this.costState = event;
        this.sessionId ??= event.sessionId;
        break;
    }
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
    for (const [agentId] of this.agents) if (agentId !== null) this.subagentEnd(agentId, endTime);
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
      resumed: this.options.resumed,
      interrupted: this.interrupted,
      apiError: this.apiError,
      exitCode: outcome.exitCode,
      error: outcome.error,
    });
    const { usage, shown } = run;
    // Claude Code's own total when it reported one; else the price table's sum of the calls.
    const costUsd = run.costUsd ?? (this.chatCalls > 0 ? this.chatCost : undefined);
    const costSource = run.costUsd !== undefined ? "claude_code" : costUsd !== undefined ? "price_table" : undefined;
    const attributes: Attributes = {
      ...usageAttributes(usage, this.semconv, "agent"),
      [ATTR.ccToolCalls]: this.toolCalls,
    };
    const responseModel = main.model ?? (run.models ? Object.keys(run.models)[0] : undefined);
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
      [ATTR.ccResultSubtype, shown?.subtype],
      [ATTR.ccTerminalReason, shown?.terminalReason],
      [ATTR.ccApiErrorStatus, run.apiErrorStatus],
      [ATTR.ccExitCode, typeof outcome.exitCode === "number" ? outcome.exitCode : undefined],
      [ATTR.ccInterruptSignal, this.interrupted?.signal],
      [ATTR.errorType, run.errorType],
    ];
    for (const [key, value] of optional) if (value !== undefined && value !== "") attributes[key] = value;
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

  private chat(call: ChatEvent): void {
    const agent = this.agents.get(call.agentId) ?? (this.agents.get(null) as AgentState);
    this.chatCalls++;
    addUsage(agent.usage, call.usage);
    addUsage(this.chatUsage, call.usage);
    agent.model = call.model;
    if (call.agentId === null && call.text) this.lastText = call.text;
    const attributes: Attributes = {
      [ATTR.operationName]: OPERATION.chat,
      [ATTR.providerName]: PROVIDER,
      [ATTR.requestModel]: call.model,
      [ATTR.responseModel]: call.model,
      [ATTR.responseId]: call.id,
      ...usageAttributes(call.usage, this.semconv, "inference"),
    };
    if (this.options.apiServer) {
      attributes[ATTR.serverAddress] = this.options.apiServer.address;
      attributes[ATTR.serverPort] = this.options.apiServer.port;
    }
    if (call.stopReason) attributes[ATTR.finishReasons] = [call.stopReason];
    const cost = this.costOf(call.model, call.usage, call.endTime);
    if (cost !== undefined) attributes[ATTR.cost] = cost;
    this.chatCost = cost === undefined || this.chatCost === undefined ? undefined : this.chatCost + cost;
    const span = this.options.tracer.startSpan(
      `${OPERATION.chat} ${call.model}`,
      { kind: SpanKind.CLIENT, startTime: call.startTime, attributes },
      agent.context,
    );
    this.callContent(span, call);
    span.end(call.endTime);
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
    if (typeof description === "string") attributes[ATTR.ccToolDescription] = this.cut(description);
    if (this.options.content.capture && input !== undefined)
      attributes[ATTR.toolArguments] = cutJson(mapStrings(input, this.redact), this.options.content.maxLength);
    const span = this.options.tracer.startSpan(
      `${OPERATION.executeTool} ${name}`,
      { kind: SpanKind.INTERNAL, startTime: time, attributes },
      agent.context,
    );
    this.tools.set(id, { span, name });
    if (SUBAGENT_TOOLS.has(name)) this.subagentParents.set(id, span.spanContext());
  }

  private toolEnd(id: string, time: number, isError: boolean, output: string, errorType?: string): void {
    const tool = this.tools.get(id);
    if (!tool) return;
    this.tools.delete(id);
    if (this.options.content.capture) tool.span.setAttribute(ATTR.toolResult, this.cut(output));
    if (isError) {
      this.failedToolCalls++;
      const reason = this.interrupted && time >= this.interrupted.time ? "interrupted" : (errorType ?? "tool_error");
      tool.span.setAttribute(ATTR.errorType, reason);
      tool.span.setStatus({ code: SpanStatusCode.ERROR, message: this.cut(output.split("\n")[0] ?? "") });
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
    this.agents.set(agentId, { span, context: trace.setSpan(parentContext, span), usage: emptyUsage() });
  }

  private subagentEnd(agentId: string, time: number): void {
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
    return encodeDocument(mapStrings(parts, this.redact) as unknown[], this.options.content.maxLength);
  }

  /** A content document (content capture): every text redacted, then cut inside its content, so it keeps its schema. */
  private setContent(span: Span, key: string, document: unknown[]): void {
    if (!this.options.content.capture) return;
    span.setAttribute(
      key,
      encodeDocument(mapStrings(document, this.redact) as unknown[], this.options.content.maxLength),
    );
  }

  /** Redact, then cut to the content limit: what every captured text goes through. */
  private cut(text: string): string {
    return truncate(this.redact(text), this.options.content.maxLength);
  }
}
