/**
 * The agents of a run: the main one (the root span) and each subagent, an `invoke_agent {type}`
 * span under the tool call that started it. Each keeps the sum of its calls (usage, cost, model);
 * a subagent's span ends with those and its last answer. With Claude Code's accounting on, a
 * subagent that has finished keeps its span open until the run ends, for its calls still being
 * joined with their exact usage and price.
 */
import { type Attributes, type Context, type Span, SpanKind, type Tracer, trace } from "@opentelemetry/api";
import { emptyUsage, type TokenUsage } from "../events.ts";
import { answerMessages, type Conversations } from "./messages.ts";
import { addUsage } from "./run-outcome.ts";
import { ATTR, OPERATION, PROVIDER } from "./semconv.ts";
import { type SemconvMode, usageAttributes } from "./semconv-mode.ts";
import type { SpanContent } from "./span-content.ts";

export interface AgentState {
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

export interface SubagentStart {
  agentId: string;
  agentType: string;
  background: boolean;
  time: number;
  /** The run's session, when known. */
  sessionId?: string;
}

export class AgentSpans {
  private readonly agents = new Map<string | null, AgentState>();
  readonly main: AgentState;

  constructor(
    private readonly tracer: Tracer,
    private readonly content: SpanContent,
    private readonly semconv: SemconvMode,
    private readonly conversations: Conversations,
    root: Span,
    rootContext: Context,
    /** Subagents' spans stay open until the run ends (their calls wait for Claude Code's accounting). */
    private readonly endWithRun: boolean,
  ) {
    this.main = { span: root, context: rootContext, usage: emptyUsage(), cost: 0 };
    this.agents.set(null, this.main);
  }

  /** The agent of that id, if its span is open. */
  find(agentId: string | null): AgentState | undefined {
    return this.agents.get(agentId);
  }

  /** The agent of that id, or the main one when it is unknown (or already ended). */
  of(agentId: string | null): AgentState {
    return this.agents.get(agentId) ?? this.main;
  }

  /** One of its model calls: added to its totals. */
  called(agent: AgentState, usage: TokenUsage, cost: number | undefined, model: string): void {
    addUsage(agent.usage, usage);
    agent.model = model;
    agent.cost = cost === undefined || agent.cost === undefined ? undefined : agent.cost + cost;
  }

  start(parent: Context, subagent: SubagentStart): void {
    const { agentId, agentType } = subagent;
    if (this.agents.has(agentId)) return;
    const attributes: Attributes = {
      [ATTR.operationName]: OPERATION.invokeAgent,
      [ATTR.providerName]: PROVIDER,
      [ATTR.agentName]: agentType,
      [ATTR.agentId]: agentId,
      [ATTR.ccSubagentId]: agentId,
      [ATTR.ccSubagentBackground]: subagent.background,
    };
    if (subagent.sessionId) attributes[ATTR.conversationId] = subagent.sessionId;
    const span = this.tracer.startSpan(
      `${OPERATION.invokeAgent} ${agentType}`,
      { kind: SpanKind.INTERNAL, startTime: subagent.time, attributes },
      parent,
    );
    this.agents.set(agentId, { span, context: trace.setSpan(parent, span), usage: emptyUsage(), cost: 0 });
  }

  /** A subagent finished: its span ends now, or with the run when its calls may still be joined. */
  ended(agentId: string, time: number): void {
    const agent = this.agents.get(agentId);
    if (!agent || agent.endedAt !== undefined) return;
    if (this.endWithRun) agent.endedAt = time;
    else this.end(agentId, time);
  }

  /** The run ends: every subagent still open ends (at the time it finished, if it did). */
  finish(endTime: number): void {
    for (const [agentId, agent] of this.agents) if (agentId !== null) this.end(agentId, agent.endedAt ?? endTime);
  }

  private end(agentId: string, time: number): void {
    const agent = this.agents.get(agentId);
    if (!agent) return;
    this.agents.delete(agentId);
    const attributes: Attributes = usageAttributes(agent.usage, this.semconv, "agent");
    const answer = this.conversations.endAgent(agentId);
    if (answer) this.content.set(agent.span, ATTR.outputMessages, answerMessages(answer.text, answer.finishReason));
    if (agent.model) {
      attributes[ATTR.requestModel] = agent.model;
      attributes[ATTR.responseModel] = agent.model;
    }
    if (agent.cost !== undefined) attributes[ATTR.cost] = agent.cost;
    agent.span.setAttributes(attributes);
    agent.span.end(time);
  }
}
