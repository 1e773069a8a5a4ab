/**
 * What one `chat {model}` span says about a model call: the transcript's view (content, the
 * model asked for and the one that answered) and Claude Code's accounting (exact usage, its own
 * price, time to first chunk, why the request was made), whichever of them is known.
 */
import type { Attributes } from "@opentelemetry/api";
import { type TokenUsage, totalInput, type UsageDetails } from "../events.ts";
import type { JoinedCall } from "./call-join.ts";
import { ATTR, OPERATION, PROVIDER } from "./semconv.ts";

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
 * The span of one call. `messages` builds `gen_ai.output.messages` (content capture on), given
 * the parts; undefined leaves it out.
 */
export function chatSpanPlan(
  call: JoinedCall<ChatNote>,
  costOf: CostOf,
  messages?: (parts: unknown[], finishReason: string) => string,
): ChatSpanPlan {
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
    [ATTR.inputTokens]: totalInput(usage),
    [ATTR.outputTokens]: usage.output,
    [ATTR.cacheReadTokens]: usage.cacheRead,
    [ATTR.cacheCreationTokens]: usage.cacheCreation,
    [ATTR.ccCostSource]: request ? "claude_code" : "price_table",
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
  if (messages && chat) attributes[ATTR.outputMessages] = messages(partsOf(chat), chat.stopReason ?? "");
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
function partsOf(chat: NonNullable<JoinedCall<ChatNote>["chat"]>): unknown[] {
  const parts: unknown[] = [];
  if (chat.thinking) parts.push({ type: "reasoning", content: chat.thinking });
  for (const tool of chat.serverToolCalls ?? []) {
    parts.push({
      type: "server_tool_call",
      id: tool.id,
      name: tool.name,
      server_tool_call: { type: tool.name, input: tool.input },
    });
  }
  if (chat.text) parts.push({ type: "text", content: chat.text });
  for (const tool of chat.toolCalls) parts.push({ type: "tool_call", id: tool.id, name: tool.name });
  return parts;
}

function definedOf(details: UsageDetails | undefined): UsageDetails {
  const out: UsageDetails = {};
  for (const [key, value] of Object.entries(details ?? {})) {
    if (value !== undefined) out[key as keyof UsageDetails] = value;
  }
  return out;
}
