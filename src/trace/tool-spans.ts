/**
 * The `execute_tool {tool}` spans of a run: started under the agent that called the tool, ended
 * with its result (a failure's `error.type` from Claude Code's own fields: a refusal and who made
 * it, an interruption), or kept open while a background task runs. The contexts of ended calls are
 * kept (bounded) for what may still attach to them: a subagent, a tool's own model call.
 */
import {
  type Attributes,
  type Context,
  type Span,
  type SpanContext,
  SpanKind,
  SpanStatusCode,
  type Tracer,
} from "@opentelemetry/api";
import { toolCallKey } from "../events.ts";
import { ATTR, OPERATION } from "./semconv.ts";
import type { SpanContent } from "./span-content.ts";

interface ToolState {
  /** The call's id (the maps are keyed by agent and id: see `toolCallKey`). */
  id: string;
  span: Span;
  name: string;
  /** Who refused it, when Claude Code's accounting said so before it ended. */
  refusedBy?: string;
  /** Claude Code's accounting said it was allowed to run (a later "user" refusal is the user stopping the run). */
  accepted?: boolean;
}

/** Tool calls that start a subagent. */
const SUBAGENT_TOOLS = new Set(["Agent", "Task"]);
/** Contexts of ended tool calls kept for requests a tool made itself (newest kept). */
const MAX_TOOL_CONTEXTS = 1000;

/** The run is being interrupted: since when, and by which signal. */
export type Interruption = { signal: string; time: number } | undefined;

export class ToolSpans {
  /** Tool calls started, and those that failed. */
  calls = 0;
  failed = 0;
  private readonly open = new Map<string, ToolState>();
  /** Tool calls whose background task is still running: their spans end when it does. */
  private readonly background = new Map<string, ToolState>();
  /* The maps above and `contexts` are keyed by `toolCallKey(agent, id)`; `subagentParents` by id. */
  /** Span contexts of Agent/Task tool calls, kept after they end: a background subagent outlives its call. */
  private readonly subagentParents = new Map<string, SpanContext>();
  /** Span contexts of tool calls, kept after they end: a tool's own model call is placed under it. */
  private readonly contexts = new Map<string, SpanContext>();

  constructor(
    private readonly tracer: Tracer,
    private readonly content: SpanContent,
    private readonly interruption: () => Interruption,
    /** A tool call's span exists (its `toolCallKey`): what waited for it can be placed under it. */
    private readonly started: (key: string) => void,
  ) {}

  start(parent: Context, agentId: string | null, id: string, name: string, input: unknown, time: number): void {
    const key = toolCallKey(agentId, id);
    if (this.open.has(key)) return;
    this.calls++;
    const span = this.tracer.startSpan(
      `${OPERATION.executeTool} ${name}`,
      { kind: SpanKind.INTERNAL, startTime: time, attributes: this.startAttributes(id, name, input) },
      parent,
    );
    this.open.set(key, { id, span, name });
    if (SUBAGENT_TOOLS.has(name)) this.subagentParents.set(id, span.spanContext());
    this.contexts.set(key, span.spanContext());
    if (this.contexts.size > MAX_TOOL_CONTEXTS) this.contexts.delete(this.contexts.keys().next().value as string);
    this.started(key);
  }

  private startAttributes(id: string, name: string, input: unknown): Attributes {
    const attributes: Attributes = {
      [ATTR.operationName]: OPERATION.executeTool,
      [ATTR.toolName]: name,
      [ATTR.toolCallId]: id,
      [ATTR.toolType]: name.startsWith("mcp__") ? "extension" : "function",
    };
    const mcp = /^mcp__(.+?)__(.+)$/.exec(name);
    if (mcp?.[1]) attributes[ATTR.ccMcpServerName] = mcp[1];
    if (!this.content.capture) return attributes;
    const description = (input as { description?: unknown } | null)?.description;
    if (typeof description === "string") attributes[ATTR.ccToolDescription] = this.content.cut(description);
    if (input !== undefined) attributes[ATTR.toolArguments] = this.content.json(input);
    return attributes;
  }

  /**
   * Claude Code's accounting said who decided on the call (of `agentId`, or of the agent with the
   * newest open call of that id when it did not say): a refusal is remembered for its end.
   */
  decided(agentId: string | null | undefined, id: string, decision: string, source?: string): void {
    const key = agentId === undefined ? newestKeyOf(this.open, id) : toolCallKey(agentId, id);
    const tool = key === undefined ? undefined : this.open.get(key);
    if (tool && decision === "reject") tool.refusedBy = source === "hook" ? "hook" : source;
    if (tool && decision === "accept") tool.accepted = true;
  }

  end(
    agentId: string | null,
    id: string,
    time: number,
    isError: boolean,
    output: string,
    errorType?: string,
    denial?: string,
  ): void {
    const key = toolCallKey(agentId, id);
    const tool = this.open.get(key);
    if (!tool) return;
    this.open.delete(key);
    if (this.content.capture) tool.span.setAttribute(ATTR.toolResult, this.content.cut(output));
    if (isError) {
      this.failed++;
      // Allowed to run, then refused by the user: the user stopped the run before it started.
      const stopped = denial === "user" && tool.accepted === true;
      const source = stopped ? undefined : (denial ?? (errorType === "interrupted" ? undefined : tool.refusedBy));
      const type = stopped ? "interrupted" : source ? "permission_denied" : (errorType ?? "tool_error");
      const interrupted = this.interruption();
      const reason = interrupted && time >= interrupted.time ? "interrupted" : type;
      if (source && reason === "permission_denied") tool.span.setAttribute(ATTR.ccPermissionSource, source);
      tool.span.setAttribute(ATTR.errorType, reason);
      tool.span.setStatus({ code: SpanStatusCode.ERROR, message: this.content.cut(output.split("\n")[0] ?? "") });
    }
    tool.span.end(time);
  }

  /** The call started a background task: its span stays open until the task ends. */
  backgroundStart(agentId: string | null, id: string, output: string): void {
    const key = toolCallKey(agentId, id);
    const tool = this.open.get(key);
    if (!tool) return;
    this.open.delete(key);
    this.background.set(key, tool);
    tool.span.setAttribute(ATTR.ccToolBackground, true);
    if (this.content.capture) tool.span.setAttribute(ATTR.toolResult, this.content.cut(output));
  }

  /** A background task ended (its notification names the call, not the agent that made it). */
  backgroundEnd(id: string, time: number, status: string, exitCode?: number): void {
    const key = newestKeyOf(this.background, id);
    if (key !== undefined) this.endBackground(key, time, status, exitCode);
  }

  private endBackground(key: string, time: number, status: string, exitCode?: number): void {
    const tool = this.background.get(key);
    if (!tool) return;
    this.background.delete(key);
    tool.span.setAttribute(ATTR.ccBackgroundStatus, status);
    if (exitCode !== undefined) tool.span.setAttribute(ATTR.ccBackgroundExitCode, exitCode);
    if (status === "failed") {
      this.failed++;
      tool.span.setAttribute(ATTR.errorType, "tool_error");
      tool.span.setStatus({ code: SpanStatusCode.ERROR, message: `background task ${status}` });
    }
    tool.span.end(time);
  }

  /** The span context of a tool call (open or ended; by its `toolCallKey`), for a model call the tool made itself. */
  contextOf(key: string): SpanContext | undefined {
    return this.contexts.get(key);
  }

  /** The span context of the Agent/Task call that started a subagent. */
  subagentParent(id: string): SpanContext | undefined {
    return this.subagentParents.get(id);
  }

  /**
   * The run ends: calls that never returned fail (`interrupted` when the run was, else
   * `incomplete`); background tasks still running end as `running`.
   */
  finish(endTime: number): void {
    const interrupted = this.interruption();
    for (const [key, tool] of this.open) {
      tool.span.setStatus({
        code: SpanStatusCode.ERROR,
        message: interrupted ? `interrupted by ${interrupted.signal}` : "the tool call never returned",
      });
      tool.span.setAttribute(ATTR.errorType, interrupted ? "interrupted" : "incomplete");
      tool.span.end(endTime);
      this.open.delete(key);
      this.failed++;
    }
    for (const key of [...this.background.keys()]) this.endBackground(key, endTime, "running");
  }
}

/** The key of the newest call with this id in `calls` (whatever agent made it). */
function newestKeyOf(calls: Map<string, ToolState>, id: string): string | undefined {
  let found: string | undefined;
  for (const [key, tool] of calls) if (tool.id === id) found = key;
  return found;
}
