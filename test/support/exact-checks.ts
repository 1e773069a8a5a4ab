/** Assertions for per-call exactness: one chat span per served request, its usage, Claude Code's price. */
import assert from "node:assert/strict";
import type { ReceivedSpan } from "./otlp-receiver.ts";
import type { ServedCall } from "./scripted-model.ts";

export const chats = (spans: ReceivedSpan[]) => spans.filter((s) => s.attributes["gen_ai.operation.name"] === "chat");

/** The chat span of a served request (found by its request id). */
export function spanOf(spans: ReceivedSpan[], call: ServedCall): ReceivedSpan {
  const found = chats(spans).filter((s) => s.attributes["claude_code.request_id"] === call.requestId);
  assert.equal(found.length, 1, `one chat span for ${call.requestId}`);
  return found[0] as ReceivedSpan;
}

/**
 * Exactly one chat span per request the model served, each with the served usage (and its 5m/1h
 * split, reasoning and web search counts), and the chat spans' costs add up to Claude Code's total.
 */
export function assertExactCalls(spans: ReceivedSpan[], served: ServedCall[], totalCostUsd: number) {
  assert.deepEqual(
    chats(spans)
      .map((s) => s.attributes["claude_code.request_id"])
      .sort(),
    served.map((c) => c.requestId).sort(),
    "one chat span per served request",
  );
  for (const call of served) {
    const span = spanOf(spans, call);
    const u = call.usage;
    const a = span.attributes;
    assert.equal(
      a["gen_ai.usage.input_tokens"],
      u.input_tokens + u.cache_read_input_tokens + u.cache_creation_input_tokens,
    );
    assert.equal(a["gen_ai.usage.output_tokens"], u.output_tokens);
    assert.equal(a["gen_ai.usage.cache_read.input_tokens"], u.cache_read_input_tokens);
    assert.equal(a["gen_ai.usage.cache_creation.input_tokens"], u.cache_creation_input_tokens);
    assert.equal(a["claude_code.usage.cache_creation.1h.input_tokens"], u.cache_creation?.ephemeral_1h_input_tokens);
    assert.equal(a["claude_code.usage.cache_creation.5m.input_tokens"], u.cache_creation?.ephemeral_5m_input_tokens);
    // Claude Code's accounting does not count server tool requests: only a transcript call has them.
    if (a["gen_ai.response.id"] !== undefined) {
      assert.equal(a["claude_code.usage.web_search_requests"], u.server_tool_use?.web_search_requests || undefined);
    }
    assert.equal(a["gen_ai.response.model"], call.responseModel);
    assert.equal(a["claude_code.cost.source"], "claude_code", `${span.name} carries Claude Code's price`);
    assert.equal(typeof a["gen_ai.response.time_to_first_chunk"], "number");
  }
  const sum = chats(spans).reduce((n, s) => n + Number(s.attributes["gen_ai.usage.cost"]), 0);
  assert.ok(totalCostUsd > 0, "Claude Code reported a cost");
  assert.ok(
    Math.abs(sum - totalCostUsd) <= 1e-6 * totalCostUsd,
    `chat spans add up to ${sum}, Claude Code's total is ${totalCostUsd}`,
  );
}
