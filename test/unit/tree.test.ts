import assert from "node:assert/strict";
import { test } from "node:test";
import { renderTree } from "../../src/cli/traces/tree.ts";
import type { OtlpSpan } from "../../src/export/journal-store.ts";

const span = (spanId: string, name: string, startMs: number, endMs: number, parentSpanId?: string): OtlpSpan => ({
  traceId: `${"0".repeat(31)}1`,
  spanId,
  parentSpanId,
  name,
  startTimeUnixNano: String(BigInt(startMs) * 1_000_000n),
  endTimeUnixNano: String(BigInt(endMs) * 1_000_000n),
});

test("a span that starts before its root (clocks differ) is drawn from the left edge", () => {
  const text = renderTree([span("a", "invoke_agent claude-code", 1000, 2000), span("b", "chat m", 900, 1500, "a")], {
    full: false,
    color: false,
    barWidth: 10,
  });
  const lines = text.split("\n");
  assert.match(lines[0] as string, /invoke_agent claude-code .*██████████/);
  assert.match(lines[1] as string, /└─ chat m +600ms {2}██████\s*$/, "from the left edge");
});

test("an MCP tool's title keeps its whole argument (the server and tool name are not cut into it)", () => {
  const tool: OtlpSpan = {
    ...span("c", "execute_tool mcp__github__search_issues", 1100, 1200, "a"),
    attributes: [
      { key: "gen_ai.operation.name", value: { stringValue: "execute_tool" } },
      { key: "gen_ai.tool.name", value: { stringValue: "mcp__github__search_issues" } },
      { key: "gen_ai.tool.call.arguments", value: { stringValue: JSON.stringify({ query: "label:bug is:open" }) } },
    ],
  };
  const text = renderTree([span("a", "invoke_agent claude-code", 1000, 2000), tool], { full: false, color: false });
  assert.match(text, /execute_tool mcp__github__search_issues {2}label:bug is:open/);
});
