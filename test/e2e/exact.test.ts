/**
 * End to end: every API request Claude Code makes is one `chat` span with its exact usage and
 * Claude Code's own price, whatever made it (the main loop, auto-compaction, the WebSearch tool,
 * a subagent on another model), so the chat spans add up to `total_cost_usd`.
 */
import assert from "node:assert/strict";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { describe, test } from "node:test";
import { callCost } from "../../src/trace/cost.ts";
import { assertExactCalls, chats, spanOf } from "../support/exact-checks.ts";
import { scriptedRuns } from "../support/harness.ts";
import { httpsSiteUnavailable, startHttpsSite } from "../support/https-site.ts";
import type { ReceivedSpan } from "../support/otlp-receiver.ts";
import { BASE_ARGS, claudia, MODEL } from "../support/sandbox.ts";
import type { ServedCall } from "../support/scripted-model.ts";
import { childOf, named, root, traceIdFrom, waitForSpans } from "../support/trace-checks.ts";

const h = scriptedRuns();

interface Run {
  code: number | null;
  spans: ReceivedSpan[];
  served: ServedCall[];
  result: Record<string, unknown>;
}

async function scenario(
  name: string,
  extra: string[] = [],
  env: NodeJS.ProcessEnv = {},
  base: string[] = BASE_ARGS,
): Promise<Run> {
  const before = h.model.served.length;
  const ran = await claudia(h.sandbox, [...base, "--output-format", "json", ...extra, `[[scenario:${name}]] go`], env);
  const spans = await waitForSpans(h.receiver.spans, traceIdFrom(ran.stderr));
  const result = JSON.parse(ran.stdout) as Record<string, unknown>;
  return { code: ran.code, spans, served: h.model.served.slice(before), result };
}

const one = (spans: ReceivedSpan[], name: string) => {
  const found = named(spans, name);
  assert.equal(found.length, 1, `one ${name} span`);
  return found[0] as ReceivedSpan;
};

describe("every API request at Claude Code's price", () => {
  test("auto-compaction: the summary call is a chat span, the boundary is on the agent", async () => {
    const r = await scenario("compact", [], {
      CLAUDE_AUTOCOMPACT_PCT_OVERRIDE: "50",
      CLAUDE_CODE_AUTO_COMPACT_WINDOW: "100000",
    });
    assert.equal(r.code, 0);
    assertExactCalls(r.spans, r.served, Number(r.result.total_cost_usd));
    const agent = root(r.spans);
    const summary = chats(r.spans).filter((s) => s.attributes["claude_code.query_source"] === "compact");
    assert.equal(summary.length, 1, "one compaction call");
    childOf(summary[0] as ReceivedSpan, agent);
    const boundary = agent.events.find((e) => e.name === "claude_code.compaction");
    assert.ok(boundary, "the compaction boundary is an event on the agent span");
    assert.equal(boundary.attributes["claude_code.compaction.trigger"], "auto");
    assert.ok(Number(boundary.attributes["claude_code.compaction.pre_tokens"]) > 80000);
    assert.ok(Number(boundary.attributes["claude_code.compaction.post_tokens"]) > 0);
    assert.equal(agent.attributes["claude_code.compactions"], 1);
    assert.equal(agent.attributes["gen_ai.usage.cost"], r.result.total_cost_usd);
  });

  test("the WebSearch tool: its own call is a chat span under the tool, with its web search", async () => {
    const r = await scenario("web-search-tool");
    assert.equal(r.code, 0);
    assertExactCalls(r.spans, r.served, Number(r.result.total_cost_usd));
    const tool = one(r.spans, "execute_tool WebSearch");
    const inner = chats(r.spans).filter((s) => s.attributes["claude_code.query_source"] === "web_search_tool");
    assert.equal(inner.length, 1);
    childOf(inner[0] as ReceivedSpan, tool);
    // Its price is Claude Code's, web search included ($10 per 1000), which the tokens alone are not.
    const served = r.served.find((c) => c.requestId === inner[0]?.attributes["claude_code.request_id"]) as ServedCall;
    const usage = {
      input: served.usage.input_tokens,
      output: served.usage.output_tokens,
      cacheRead: served.usage.cache_read_input_tokens,
      cacheCreation: served.usage.cache_creation_input_tokens,
    };
    const withSearch = callCost(served.model, usage, Date.now(), { webSearchRequests: 1 }) as number;
    assert.ok(Math.abs(Number(inner[0]?.attributes["gen_ai.usage.cost"]) - withSearch) < 1e-9);
  });

  test("two WebSearch calls side by side: each one's own call is under its own tool span", async () => {
    const r = await scenario("web-search-parallel");
    assert.equal(r.code, 0);
    assertExactCalls(r.spans, r.served, Number(r.result.total_cost_usd));
    const searches = named(r.spans, "execute_tool WebSearch");
    assert.equal(searches.length, 2);
    const inner = chats(r.spans).filter((s) => s.attributes["claude_code.query_source"] === "web_search_tool");
    assert.equal(inner.length, 2);
    assert.deepEqual(
      inner.map((s) => s.parentSpanId).sort(),
      searches.map((s) => s.spanId).sort(),
      "one own call under each search",
    );
  });

  test("two WebFetch calls side by side: each one's own call is under its own tool span", async (t) => {
    const unavailable = httpsSiteUnavailable();
    if (unavailable) return t.skip(unavailable);
    const site = await startHttpsSite((path) => `<html><body><h1>Page ${path}</h1><p>Text.</p></body></html>`);
    try {
      const before = h.model.served.length;
      const settings = JSON.stringify({ skipWebFetchPreflight: true });
      const ran = await claudia(
        h.sandbox,
        [
          ...BASE_ARGS,
          "--settings",
          settings,
          "--output-format",
          "json",
          `[[scenario:web-fetch-parallel]] ${site.url}`,
        ],
        { NODE_EXTRA_CA_CERTS: site.caFile },
      );
      assert.equal(ran.code, 0, ran.stderr);
      assert.deepEqual(site.requested.sort(), ["/a", "/b"]);
      const spans = await waitForSpans(h.receiver.spans, traceIdFrom(ran.stderr));
      assertExactCalls(spans, h.model.served.slice(before), Number(JSON.parse(ran.stdout).total_cost_usd));
      const fetches = named(spans, "execute_tool WebFetch");
      const inner = chats(spans).filter((s) => s.attributes["claude_code.query_source"] === "web_fetch_apply");
      assert.equal(fetches.length, 2);
      assert.equal(inner.length, 2);
      assert.deepEqual(
        inner.map((s) => s.parentSpanId).sort(),
        fetches.map((s) => s.spanId).sort(),
        "one own call under each fetch",
      );
    } finally {
      await site.close();
    }
  });

  test("server web searches in a main-loop reply are priced and shown as server tool calls", async () => {
    const r = await scenario("web-search-main");
    assert.equal(r.code, 0);
    assertExactCalls(r.spans, r.served, Number(r.result.total_cost_usd));
    const call = spanOf(r.spans, r.served[0] as ServedCall);
    assert.equal(call.attributes["claude_code.usage.web_search_requests"], 2);
    const message = JSON.parse(String(call.attributes["gen_ai.output.messages"]));
    const searches = message[0].parts.filter((p: { type: string }) => p.type === "server_tool_call");
    assert.equal(searches.length, 2);
    assert.equal(searches[0].name, "web_search");
  });

  test("1-hour cache writes keep their split and price", async () => {
    const r = await scenario("cache-1h");
    assert.equal(r.code, 0);
    assertExactCalls(r.spans, r.served, Number(r.result.total_cost_usd));
    for (const call of r.served) assert.ok((call.usage.cache_creation?.ephemeral_1h_input_tokens ?? 0) > 0);
  });

  test("thinking: reasoning tokens and a reasoning part", async () => {
    const r = await scenario("thinking");
    assert.equal(r.code, 0);
    assertExactCalls(r.spans, r.served, Number(r.result.total_cost_usd));
    const call = spanOf(r.spans, r.served[0] as ServedCall);
    assert.equal(call.attributes["gen_ai.usage.reasoning.output_tokens"], 42);
    const message = JSON.parse(String(call.attributes["gen_ai.output.messages"]));
    assert.deepEqual(message[0].parts[0], { type: "reasoning", content: "The user wants a greeting; keep it short." });
  });

  test("a 529, then a 500, then success: the failed attempts are events on the call", async () => {
    const r = await scenario("retry", [], { CLAUDE_CODE_MAX_RETRIES: "2" });
    assert.equal(r.code, 0);
    assert.equal(r.served.length, 1);
    assertExactCalls(r.spans, r.served, Number(r.result.total_cost_usd));
    const call = spanOf(r.spans, r.served[0] as ServedCall);
    const retries = call.events.filter((e) => e.name === "claude_code.api.retry");
    assert.deepEqual(
      retries.map((e) => [
        e.attributes["http.response.status_code"],
        e.attributes["error.type"],
        e.attributes["claude_code.retry.attempt"],
      ]),
      [
        [529, "overloaded_error", 1],
        [500, "api_error", 2],
      ],
    );
  });

  test("--fallback-model after repeated 529s: the fallback names both models", async () => {
    const r = await scenario("fallback", ["--fallback-model", "claude-haiku-4-5"], { CLAUDE_CODE_MAX_RETRIES: "2" });
    assert.equal(r.code, 0);
    assertExactCalls(r.spans, r.served, Number(r.result.total_cost_usd));
    const call = spanOf(r.spans, r.served[0] as ServedCall);
    assert.equal(call.name, "chat claude-haiku-4-5");
    const fallback = call.events.find((e) => e.name === "claude_code.model.fallback");
    assert.ok(fallback, "a fallback event on the call the fallback model answered");
    assert.equal(fallback.attributes["claude_code.fallback.from_model"], "claude-sonnet-4-5");
    assert.equal(fallback.attributes["claude_code.fallback.to_model"], "claude-haiku-4-5");
  });

  test("a reply streamed in parts with a tool's result between them: one call, both tool calls", async () => {
    const r = await scenario("interleaved");
    assert.equal(r.code, 0);
    assert.equal(r.served.length, 2);
    assertExactCalls(r.spans, r.served, Number(r.result.total_cost_usd));
    const first = spanOf(r.spans, r.served[0] as ServedCall);
    const parts = JSON.parse(String(first.attributes["gen_ai.output.messages"]))[0].parts;
    assert.deepEqual(
      parts.map((p: { type: string; name?: string }) => p.name ?? p.type),
      ["text", "Bash", "Bash"],
      "the call's answer has its text and both tool calls",
    );
    assert.equal(named(r.spans, "execute_tool Bash").length, 2);
    assert.equal(root(r.spans).attributes["claude_code.num_turns"], r.result.num_turns);
    // The first tool's result is the next call's input, not this one's.
    const next = spanOf(r.spans, r.served[1] as ServedCall);
    const input = String(next.attributes["gen_ai.input.messages"]);
    assert.match(input, /first/);
    assert.match(input, /second/);
  });

  test("an alias answered by a dated id: requested and response models differ", async () => {
    const r = await scenario("alias");
    assert.equal(r.code, 0);
    assertExactCalls(r.spans, r.served, Number(r.result.total_cost_usd));
    const call = spanOf(r.spans, r.served[0] as ServedCall);
    assert.equal(call.attributes["gen_ai.request.model"], "claude-sonnet-4-5");
    assert.equal(call.attributes["gen_ai.response.model"], "claude-sonnet-4-5-20990101");
    assert.equal(call.name, "chat claude-sonnet-4-5");
  });

  test("a subagent on another model: its calls at that model's price, its span with its cost", async () => {
    const r = await scenario("subagent-model");
    assert.equal(r.code, 0);
    assertExactCalls(r.spans, r.served, Number(r.result.total_cost_usd));
    const sub = one(r.spans, "invoke_agent general-purpose");
    const own = chats(r.spans).filter((s) => s.parentSpanId === sub.spanId);
    assert.ok(own.length >= 2, "the subagent's calls are under it");
    for (const call of own) assert.match(String(call.attributes["gen_ai.response.model"]), /haiku/);
    const cost = own.reduce((n, s) => n + Number(s.attributes["gen_ai.usage.cost"]), 0);
    assert.ok(
      Math.abs(Number(sub.attributes["gen_ai.usage.cost"]) - cost) < 1e-12,
      "the subagent's cost is its calls'",
    );
  });

  describe("tool error types from Claude Code's own fields", () => {
    const toolSpan = (r: Run) => one(r.spans, "execute_tool Bash");
    const hook = (command: string) =>
      JSON.stringify({ hooks: { PreToolUse: [{ matcher: "Bash", hooks: [{ type: "command", command }] }] } });

    test("refused in default permission mode: permission_denied by the mode", async () => {
      const r = await scenario("needs-permission", [], {}, ["--model", MODEL, "--permission-mode", "default"]);
      assertExactCalls(r.spans, r.served, Number(r.result.total_cost_usd));
      assert.equal(toolSpan(r).attributes["error.type"], "permission_denied");
      assert.equal(toolSpan(r).attributes["claude_code.permission.source"], "mode");
      assert.equal(root(r.spans).attributes["claude_code.permission_denials"], 1);
    });

    test("a PreToolUse hook that exits 2, or answers deny: permission_denied by the hook", async () => {
      const deny = {
        hookSpecificOutput: { hookEventName: "PreToolUse", permissionDecision: "deny", permissionDecisionReason: "no" },
      };
      for (const command of ["echo blocked >&2; exit 2", `echo '${JSON.stringify(deny)}'`]) {
        const r = await scenario("bash", ["--settings", hook(command)]);
        assertExactCalls(r.spans, r.served, Number(r.result.total_cost_usd));
        assert.equal(toolSpan(r).attributes["error.type"], "permission_denied", command);
        assert.equal(toolSpan(r).attributes["claude_code.permission.source"], "hook", command);
      }
    });

    test('a Bash failure that prints "Permission denied" is a tool_error', async () => {
      const r = await scenario("denied-text");
      assertExactCalls(r.spans, r.served, Number(r.result.total_cost_usd));
      assert.equal(toolSpan(r).attributes["error.type"], "tool_error");
      assert.equal(toolSpan(r).attributes["claude_code.permission.source"], undefined);
    });
  });

  test("a 200 kB Write and a 10,000-character answer: JSON stays valid, no half emoji, exact counts", async () => {
    const r = await scenario("big-content");
    assert.equal(r.code, 0);
    assertExactCalls(r.spans, r.served, Number(r.result.total_cost_usd));
    const loneSurrogate = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]|\ufffd/;
    const write = one(r.spans, "execute_tool Write");
    const args = JSON.parse(String(write.attributes["gen_ai.tool.call.arguments"]));
    assert.match(args.file_path, /big\.txt$/);
    const kept = /^(z*)…\[(\d+) more chars\]$/.exec(args.content);
    assert.ok(kept, "the content is cut inside the value, with a marker");
    assert.equal((kept[1] as string).length + Number(kept[2]), 200_000);
    const answer = spanOf(r.spans, r.served.at(-1) as ServedCall);
    const messages = String(answer.attributes["gen_ai.output.messages"]);
    assert.ok(messages.length <= 8192);
    const content = JSON.parse(messages)[0].parts[0].content as string;
    assert.doesNotMatch(content, loneSurrogate);
    const cut = /^((?:😀)*)…\[(\d+) more chars\]$/.exec(content);
    assert.ok(cut, "the answer is cut between two emoji");
    assert.equal((cut[1] as string).length + Number(cut[2]), 10_000);
    const final = String(root(r.spans).attributes["gen_ai.output.messages"]);
    assert.ok(final.length > 2 && final.length <= 8192, "the root's answer is there, and cut");
    assert.doesNotMatch(final, loneSurrogate);
  });

  test("num_turns does not depend on the output format (a background subagent reporting back)", async () => {
    const turns: unknown[] = [];
    for (const format of ["json", "stream-json"]) {
      const before = h.model.served.length;
      const ran = await claudia(h.sandbox, [
        ...BASE_ARGS,
        "--output-format",
        format,
        "--verbose",
        "[[scenario:background]] go",
      ]);
      assert.equal(ran.code, 0);
      const spans = await waitForSpans(h.receiver.spans, traceIdFrom(ran.stderr));
      const main = h.model.served.slice(before).filter((c) => c.scenario === "background").length;
      assert.equal(root(spans).attributes["claude_code.num_turns"], main, format);
      turns.push(root(spans).attributes["claude_code.num_turns"]);
    }
    assert.equal(turns[0], turns[1]);
  });

  test("background Bash: its span ends when the command does, with its exit status", async () => {
    const r = await scenario("background-bash");
    assert.equal(r.code, 0);
    assertExactCalls(r.spans, r.served, Number(r.result.total_cost_usd));
    const bash = one(r.spans, "execute_tool Bash");
    assert.equal(bash.attributes["claude_code.tool.background"], true);
    assert.equal(bash.attributes["claude_code.tool.background.status"], "failed");
    assert.equal(bash.attributes["claude_code.tool.background.exit_code"], 3);
    assert.equal(bash.attributes["error.type"], "tool_error");
    assert.ok(bash.endMs - bash.startMs >= 900, "the span lasts as long as the command (sleep 1)");
  });

  test("the user's own Claude Code telemetry keeps reaching their endpoint: logs passed on, metrics untouched", async () => {
    const got: { path: string; body: string; auth?: string }[] = [];
    const theirs = createServer((req, res) => {
      let body = "";
      req.on("data", (c: Buffer) => {
        body += c.toString();
      });
      req.on("end", () => {
        got.push({ path: req.url ?? "", body, auth: req.headers.authorization });
        res.writeHead(200, { "content-type": "application/json" }).end("{}");
      });
    });
    await new Promise<void>((resolve) => theirs.listen(0, "127.0.0.1", resolve));
    const url = `http://127.0.0.1:${(theirs.address() as AddressInfo).port}`;
    try {
      const r = await scenario("bash", [], {
        CLAUDE_CODE_ENABLE_TELEMETRY: "1",
        OTEL_LOGS_EXPORTER: "otlp",
        OTEL_METRICS_EXPORTER: "otlp",
        OTEL_EXPORTER_OTLP_LOGS_PROTOCOL: "http/json",
        OTEL_EXPORTER_OTLP_LOGS_ENDPOINT: `${url}/v1/logs`,
        OTEL_EXPORTER_OTLP_LOGS_HEADERS: "authorization=Bearer%20theirs",
        OTEL_EXPORTER_OTLP_METRICS_PROTOCOL: "http/json",
        OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: `${url}/v1/metrics`,
        OTEL_METRIC_EXPORT_INTERVAL: "500",
      });
      assert.equal(r.code, 0);
      assertExactCalls(r.spans, r.served, Number(r.result.total_cost_usd));
      const logs = got.filter((g) => g.path === "/v1/logs");
      const requests = logs.filter((g) => g.body.includes('"stringValue":"api_request"'));
      assert.ok(requests.length > 0, "their logs endpoint got the api_request events");
      assert.ok(
        logs.every((g) => g.auth === "Bearer theirs"),
        "with their headers",
      );
      for (const call of r.served)
        assert.ok(
          logs.some((g) => g.body.includes(call.requestId)),
          call.requestId,
        );
      assert.ok(
        got.some((g) => g.path === "/v1/metrics"),
        "their metrics still reach them",
      );
    } finally {
      theirs.closeAllConnections();
      theirs.close();
    }
  });
});
