/** Assertions shared by the end-to-end tests: a received trace against what the run really did. */
import assert from "node:assert/strict";
import type { ReceivedSpan } from "./otlp-receiver.ts";
import type { ServedCall } from "./scripted-model.ts";

export const traceIdFrom = (stderr: string): string => {
  const match = /trace ([0-9a-f]{32})/.exec(stderr);
  assert.ok(match, `no trace id in claudia's stderr:\n${stderr}`);
  return match[1] as string;
};

export async function waitForSpans(spans: ReceivedSpan[], traceId: string, atLeast = 1, ms = 5000) {
  const deadline = Date.now() + ms;
  for (;;) {
    const found = spans.filter((s) => s.traceId === traceId);
    if (found.length >= atLeast && found.some((s) => s.parentSpanId === "" || s.name === "invoke_agent claude-code")) {
      return found;
    }
    if (Date.now() > deadline) return found;
    await new Promise((r) => setTimeout(r, 50));
  }
}

export const root = (spans: ReceivedSpan[]) => {
  const roots = spans.filter((s) => s.name === "invoke_agent claude-code");
  assert.equal(roots.length, 1, "exactly one root span");
  return roots[0] as ReceivedSpan;
};

export const named = (spans: ReceivedSpan[], name: string) => spans.filter((s) => s.name === name);

/**
 * Every model call the endpoint served for this run is one `chat` span with exactly the usage
 * served (input including both cache counts, output the final count), and no other chat spans exist.
 */
export function assertChatSpansMatchServed(spans: ReceivedSpan[], served: ServedCall[]) {
  const chats = spans.filter((s) => s.attributes["gen_ai.operation.name"] === "chat");
  assert.deepEqual(
    chats.map((c) => c.attributes["gen_ai.response.id"]).sort(),
    served.map((c) => c.id).sort(),
    "one chat span per served call",
  );
  for (const call of served) {
    const span = chats.find((c) => c.attributes["gen_ai.response.id"] === call.id) as ReceivedSpan;
    const u = call.usage;
    assert.equal(span.name, `chat ${call.model}`);
    assert.equal(span.kind, 3, "chat spans are CLIENT spans");
    assert.equal(
      span.attributes["gen_ai.usage.input_tokens"],
      u.input_tokens + u.cache_read_input_tokens + u.cache_creation_input_tokens,
    );
    assert.equal(span.attributes["gen_ai.usage.output_tokens"], u.output_tokens);
    assert.equal(span.attributes["gen_ai.usage.cache_read.input_tokens"], u.cache_read_input_tokens);
    assert.equal(span.attributes["gen_ai.usage.cache_creation.input_tokens"], u.cache_creation_input_tokens);
    assert.deepEqual(span.attributes["gen_ai.response.finish_reasons"], [call.stopReason]);
    assert.equal(span.attributes["gen_ai.provider.name"], "anthropic");
  }
}

/** The root's totals and cost are what Claude Code's last result message reported. */
export function assertRootMatchesResult(spans: ReceivedSpan[], result: Record<string, unknown>) {
  const r = root(spans);
  const models = result.modelUsage as Record<string, Record<string, number>>;
  let input = 0;
  let output = 0;
  let cacheRead = 0;
  let cacheCreation = 0;
  for (const m of Object.values(models)) {
    input += (m.inputTokens ?? 0) + (m.cacheReadInputTokens ?? 0) + (m.cacheCreationInputTokens ?? 0);
    output += m.outputTokens ?? 0;
    cacheRead += m.cacheReadInputTokens ?? 0;
    cacheCreation += m.cacheCreationInputTokens ?? 0;
  }
  assert.equal(r.attributes["gen_ai.usage.input_tokens"], input);
  assert.equal(r.attributes["gen_ai.usage.output_tokens"], output);
  assert.equal(r.attributes["gen_ai.usage.cache_read.input_tokens"], cacheRead);
  assert.equal(r.attributes["gen_ai.usage.cache_creation.input_tokens"], cacheCreation);
  assert.equal(r.attributes["gen_ai.usage.cost"], result.total_cost_usd);
  assert.equal(r.attributes["gen_ai.conversation.id"], result.session_id);
}

/** The sum of what the served calls cost equals the root's input/output totals. */
export function assertTotalsAreSumOfCalls(spans: ReceivedSpan[], served: ServedCall[]) {
  const r = root(spans);
  const input = served.reduce(
    (n, c) => n + c.usage.input_tokens + c.usage.cache_read_input_tokens + c.usage.cache_creation_input_tokens,
    0,
  );
  const output = served.reduce((n, c) => n + c.usage.output_tokens, 0);
  assert.equal(r.attributes["gen_ai.usage.input_tokens"], input);
  assert.equal(r.attributes["gen_ai.usage.output_tokens"], output);
  const chatCost = spans
    .filter((s) => s.attributes["gen_ai.operation.name"] === "chat")
    .reduce((n, s) => n + Number(s.attributes["gen_ai.usage.cost"]), 0);
  assert.ok(
    Math.abs(chatCost - Number(r.attributes["gen_ai.usage.cost"])) < 1e-9,
    `chat costs ${chatCost} add up to the run's ${r.attributes["gen_ai.usage.cost"]}`,
  );
}

export const childOf = (child: ReceivedSpan, parent: ReceivedSpan) => {
  assert.equal(child.parentSpanId, parent.spanId, `${child.name} is a child of ${parent.name}`);
  assert.equal(child.traceId, parent.traceId);
};
