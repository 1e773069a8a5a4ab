/**
 * What one `chat {model}` span says about a model call: the transcript's view (content, the
 * model asked for and the one that answered) and Claude Code's accounting (exact usage, its own
 * price, time to first chunk, why the request was made), whichever of them is known.
 */
import type { Attributes } from "@opentelemetry/api";
import type { TokenUsage, UsageDetails } from "../events.ts";
import type { JoinedCall } from "./call-join.ts";
import { ATTR, OPERATION, PROVIDER } from "./semconv.ts";
import { type SemconvMode, usageAttributes } from "./semconv-mode.ts";

/** Something that happened before the call succeeded, shown as an event on its span. */
export interface ChatNote {
  name: string;
  time: number;
  attributes: Attributes;
}

export interface ChatSpanPlan {
  name: string;
  agentId: string | null;
  startTime: number;
  endTime: number;
  usage: TokenUsage;
  /** The model that answered. */
  model: string;
  cost: number | undefined;
  /** Whether the cost is Claude Code's own (else the price table's). */
  exactCost: boolean;
  attributes: Attributes;
}

export type CostOf = (model: string, usage: TokenUsage, time: number, details?: UsageDetails) => number | undefined;

/**
 * The span of one call: names, usage in the run's dialect of the conventions, cost and Claude
 * Code's details. Its content (the messages) is added by the builder.
 */
export function chatSpanPlan(call: JoinedCall<ChatNote>, costOf: CostOf, semconv: SemconvMode): ChatSpanPlan {
  const { chat, request } = call;
  const model = chat?.model ?? request?.model ?? "unknown";
  const requested = chat?.requestedModel ?? model;
  const usage = request?.usage ?? chat?.usage ?? { input: 0, output: 0, cacheRead: 0, cacheCreation: 0 };
  const details: UsageDetails = { ...chat?.details, ...definedOf(request?.details) };
  const startTime = chat?.startTime ?? request?.startTime ?? 0;
  const endTime = chat?.endTime ?? request?.endTime ?? startTime;
  const cost = request ? request.costUsd : costOf(requested, usage, endTime, details);
  const attributes: Attributes = {
    [ATTR.operationName]: OPERATION.chat,
    [ATTR.providerName]: PROVIDER,
    [ATTR.requestModel]: requested,
    [ATTR.responseModel]: model,
    ...usageAttributes(usage, semconv, "inference"),
    [ATTR.ccCostSource]: request ? (request.fromTotals ? "claude_code_total" : "claude_code") : "price_table",
  };
  const optional: [string, string | number | undefined][] = [
    [ATTR.responseId, chat?.id || undefined],
    [ATTR.cost, cost],
    [ATTR.reasoningTokens, details.reasoning],
    [ATTR.timeToFirstChunk, request?.ttftMs === undefined ? undefined : request.ttftMs / 1000],
    [ATTR.ccCacheCreation5m, details.cacheCreation5m],
    [ATTR.ccCacheCreation1h, details.cacheCreation1h],
    [ATTR.ccWebSearchRequests, details.webSearchRequests || undefined],
    [ATTR.ccWebFetchRequests, details.webFetchRequests || undefined],
    [ATTR.ccQuerySource, request?.querySource],
    [ATTR.ccRequestId, chat?.requestId ?? request?.requestId],
  ];
  for (const [key, value] of optional) if (value !== undefined) attributes[key] = value;
  if (chat?.stopReason) attributes[ATTR.finishReasons] = [chat.stopReason];
  return {
    name: `${OPERATION.chat} ${requested}`,
    agentId: chat?.agentId ?? request?.agentId ?? null,
    startTime,
    endTime,
    usage,
    model,
    cost,
    exactCost: request !== undefined,
    attributes,
  };
}

/** The answer's parts as the GenAI output-message schema has them. */
function definedOf(details: UsageDetails | undefined): UsageDetails {
  const out: UsageDetails = {};
  for (const [key, value] of Object.entries(details ?? {})) {
    if (value !== undefined) out[key as keyof UsageDetails] = value;
  }
  return out;
}
