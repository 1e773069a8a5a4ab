/**
 * The conformance checks themselves: a span that follows the conventions passes, and each kind of
 * departure is caught (so a conformance test over real traces can fail).
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { type CheckedSpan, conformanceProblems } from "../support/semconv-check.ts";

const chat = (extra: Record<string, unknown> = {}): CheckedSpan => ({
  name: "chat claude-sonnet-4-5",
  kind: 2,
  attributes: {
    "gen_ai.operation.name": "chat",
    "gen_ai.provider.name": "anthropic",
    "gen_ai.request.model": "claude-sonnet-4-5",
    "gen_ai.usage.input_tokens": 10,
    "gen_ai.usage.cost": 0.001,
    "gen_ai.output.messages": JSON.stringify([
      { role: "assistant", parts: [{ type: "text", content: "hi" }], finish_reason: "stop" },
    ]),
    ...extra,
  },
});

test("a conforming chat span has no problems", () => {
  assert.deepEqual(conformanceProblems([chat()], { latest: false }), []);
});

test("each departure is named", () => {
  const cases: [CheckedSpan, RegExp][] = [
    [chat({ "gen_ai.usage.input_tokens": 1.5 }), /input_tokens: expected an integer/],
    [chat({ "gen_ai.made_up": 1 }), /gen_ai.made_up is not a registered/],
    [chat({ "gen_ai.system": "anthropic" }), /gen_ai.system is deprecated/],
    [chat({ "my.custom": 1 }), /my.custom is neither/],
    [chat({ "gen_ai.output.messages": '[{"role":"assistant","parts":[]' }), /not valid JSON/],
    [chat({ "gen_ai.output.messages": '[{"role":"assistant","parts":[]}]' }), /no finish_reason/],
    [
      chat({ "gen_ai.input.messages": '[{"role":"user","parts":[{"type":"text"}]}]' }),
      /text part without string content/,
    ],
    [chat({ "gen_ai.usage.cache_write.input_tokens": 3 }), /only for the opted-in/],
    [{ ...chat(), kind: 0 }, /span kind 0, expected 2/],
    [chat({ "mcp.server.name": "fixtures" }), /mcp.server.name is neither/],
    [chat({ "server.address": "api.anthropic.com" }), /server.port must be an integer/],
    [
      { ...chat({ "gen_ai.response.time_to_first_chunk": 250 }), durationSeconds: 0.3 },
      /time_to_first_chunk 250 is longer than the span/,
    ],
    [
      chat({
        "gen_ai.output.messages": JSON.stringify([{ role: "assistant", parts: [], finish_reason: "end_turn" }]),
      }),
      /finish_reason end_turn is the provider's/,
    ],
    [{ ...chat(), name: "chat other" }, /name should be "chat claude-sonnet-4-5"/],
    [
      { ...chat(), events: [{ name: "user.prompt", attributes: { "gen_ai.prompt": "hi" } }] },
      /event user.prompt: gen_ai.prompt is deprecated/,
    ],
  ];
  for (const [span, expected] of cases) {
    const problems = conformanceProblems([span], { latest: false });
    assert.ok(
      problems.some((p) => expected.test(p)),
      `${expected}: ${problems.join("; ")}`,
    );
  }
  const { "gen_ai.provider.name": _, ...withoutProvider } = chat().attributes;
  assert.match(
    conformanceProblems([{ ...chat(), attributes: withoutProvider }], { latest: false }).join(),
    /missing required gen_ai.provider.name/,
  );
  assert.match(
    conformanceProblems([chat({ "gen_ai.usage.cache_creation.input_tokens": 3 })], { latest: true }).join(),
    /renamed in the newest conventions/,
  );
  const agent: CheckedSpan = {
    name: "invoke_agent claude-code",
    kind: 0,
    attributes: {
      "gen_ai.operation.name": "invoke_agent",
      "gen_ai.provider.name": "anthropic",
      "gen_ai.agent.name": "claude-code",
      "gen_ai.usage.cache_read.input_tokens": 3,
    },
  };
  assert.deepEqual(conformanceProblems([agent], { latest: false }), []);
  assert.match(conformanceProblems([agent], { latest: true }).join(), /not on invoke_agent spans in the newest/);
});
