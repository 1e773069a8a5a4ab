import assert from "node:assert/strict";
import { test } from "node:test";
import { renderList } from "../../src/cli/traces/list.ts";
import { renderTree } from "../../src/cli/traces/tree.ts";
import type { OtlpSpan } from "../../src/export/journal-store.ts";
import { ellipsize } from "../../src/trace/text.ts";
import { head } from "../../src/ui/format.ts";

const ESC = "\u001b";
const BEL = "\u0007";
const TITLE = `${ESC}]0;pwned${BEL}`;
const CLEAR = `${ESC}[2J\u009b31m`;
const text = (key: string, value: string) => ({ key, value: { stringValue: value } });

test("traces show --full and traces list write no control character from the session", () => {
  const spans: OtlpSpan[] = [
    {
      traceId: "1".repeat(32),
      spanId: "a".repeat(16),
      name: `invoke_agent claude-code${CLEAR}`,
      startTimeUnixNano: "1000000000",
      endTimeUnixNano: "2000000000",
      attributes: [text("gen_ai.operation.name", "invoke_agent")],
      events: [{ name: "user.prompt", timeUnixNano: "1000000000", attributes: [text("gen_ai.prompt", `hi ${TITLE}`)] }],
    },
    {
      traceId: "1".repeat(32),
      spanId: "b".repeat(16),
      parentSpanId: "a".repeat(16),
      name: "execute_tool Bash",
      startTimeUnixNano: "1100000000",
      endTimeUnixNano: "1900000000",
      attributes: [
        text("gen_ai.operation.name", "execute_tool"),
        text("gen_ai.tool.name", "Bash"),
        text("claude_code.tool.description", `list ${TITLE}files`),
        text("gen_ai.tool.call.result", `out${CLEAR}\r\b`),
        text("error.type", `boom${ESC}[5m`),
      ],
      status: { code: 2, message: `failed ${TITLE}` },
    },
  ];
  const shown = renderTree(spans, { full: true, color: false });
  // biome-ignore lint/suspicious/noControlCharactersInRegex: looking for control characters
  assert.doesNotMatch(shown, /[\x00-\x08\x0b-\x1f\x7f-\x9f]/);
  // Whole sequences go, not only their control characters: no "]0;pwned" or "[2J" left as text.
  assert.match(shown, /list files/);
  assert.match(shown, /prompt: hi\s*$/m);
  assert.doesNotMatch(shown, /pwned|\[2J|31m|\[5m/);

  const listed = renderList(
    [
      {
        record: {
          traceId: "1".repeat(32),
          startTime: 0,
          endTime: 1,
          durationMs: 1,
          status: "error",
          errorType: `x${TITLE}`,
          prompt: `p${TITLE}`,
          model: `m${CLEAR}`,
          toolCalls: 0,
          inputTokens: 0,
          outputTokens: 0,
          spans: 1,
          deliveries: {},
        },
        recordPath: "",
        spansPath: "",
      },
    ],
    false,
  );
  // biome-ignore lint/suspicious/noControlCharactersInRegex: looking for control characters
  assert.doesNotMatch(listed, /[\x00-\x08\x0b-\x1f\x7f-\x9f]/);
  assert.doesNotMatch(listed, /pwned|\[2J|31m/);
});

test("a cut never splits an emoji: the pair is kept whole or dropped whole", () => {
  const emoji = "😀";
  assert.equal(ellipsize(`abc${emoji}`, 5), `abc${emoji}`);
  assert.equal(ellipsize(`abcd${emoji}xyz`, 6), "abcd…");
  assert.equal(ellipsize(`abc${emoji}xyz`, 6), `abc${emoji}…`);
  for (let max = 1; max < 12; max++) {
    const cut = ellipsize(`${emoji}a${emoji}${emoji}bc${emoji}`, max);
    assert.ok(!/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(cut), `${max}: ${cut}`);
  }
});

test("the viewer's prompt heads are cut the same way: never inside an emoji", () => {
  const prompt = `${"a".repeat(88)}😀 and more`;
  assert.equal(head(prompt, 90), `${"a".repeat(88)}…`);
  assert.equal(head(undefined, 90), "");
  assert.equal(head("short", 90), "short");
});

test("a line break in a model, tool or span name, an error type or message stays in its row", () => {
  const forged = "\nffffffffffff  2026-01-01 00:00:00  ok  forged";
  const spans: OtlpSpan[] = [
    {
      traceId: "1".repeat(32),
      spanId: "a".repeat(16),
      name: `invoke_agent claude-code${forged}`,
      startTimeUnixNano: "1000000000",
      endTimeUnixNano: "2000000000",
      attributes: [text("gen_ai.operation.name", "invoke_agent")],
    },
    {
      traceId: "1".repeat(32),
      spanId: "b".repeat(16),
      parentSpanId: "a".repeat(16),
      name: `execute_tool Bash${forged}`,
      startTimeUnixNano: "1100000000",
      endTimeUnixNano: "1900000000",
      attributes: [
        text("gen_ai.operation.name", "execute_tool"),
        text("gen_ai.tool.name", `Bash${forged}`),
        text("claude_code.tool.description", `list${forged}`),
        text("error.type", `boom${forged}`),
      ],
      status: { code: 2, message: `failed\r\n${forged}` },
    },
  ];
  const shown = renderTree(spans, { full: false, color: false });
  assert.equal(shown.trimEnd().split("\n").length, 2, shown);
  const record = {
    traceId: "1".repeat(32),
    startTime: 0,
    endTime: 1,
    durationMs: 1,
    status: "error" as const,
    errorType: `x${forged}`,
    prompt: `p${forged}`,
    model: `m${forged}`,
    toolCalls: 0,
    inputTokens: 0,
    outputTokens: 0,
    spans: 1,
    deliveries: {},
  };
  const listed = renderList([{ record, recordPath: "", spansPath: "" }], false);
  assert.equal(listed.trimEnd().split("\n").length, 2, listed);
});
