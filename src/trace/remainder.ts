/**
 * A request Claude Code counted but sent no accounting for: one stopped mid-stream (Ctrl+C, an
 * SDK interrupt) is in its run totals, and the transcript has only the stream's placeholder usage
 * for it. When it is the run's only such call and every other call carries Claude Code's own
 * price, its exact usage and price are what the totals have beyond the others.
 */
import type { ApiRequestEvent, ChatEvent, ResultEvent, TokenUsage } from "../events.ts";

/** What the calls traced so far add up to: their cost, and their usage by model. */
export interface TracedSoFar {
  costUsd: number;
  byModel: Map<string, TokenUsage>;
}

/** The call's accounting, from Claude Code's totals; undefined when the totals do not say. */
export function remainderRequest(
  chat: ChatEvent,
  totals: ResultEvent,
  traced: TracedSoFar,
): ApiRequestEvent | undefined {
  const model = totals.models?.[chat.model];
  if (totals.totalCostUsd === undefined || !model) return undefined;
  const seen = traced.byModel.get(chat.model) ?? { input: 0, output: 0, cacheRead: 0, cacheCreation: 0 };
  const usage: TokenUsage = {
    input: model.usage.input - seen.input,
    output: model.usage.output - seen.output,
    cacheRead: model.usage.cacheRead - seen.cacheRead,
    cacheCreation: model.usage.cacheCreation - seen.cacheCreation,
  };
  const costUsd = totals.totalCostUsd - traced.costUsd;
  // Less than nothing: the totals are not this run's alone (or not yet complete).
  if (costUsd < -1e-12 || Object.values(usage).some((n) => n < 0)) return undefined;
  return {
    kind: "api.request",
    agentId: chat.agentId,
    requestId: chat.requestId,
    model: chat.model,
    startTime: chat.startTime,
    endTime: chat.endTime,
    usage,
    details: {},
    costUsd: Math.max(0, costUsd),
    fromTotals: true,
  };
}
