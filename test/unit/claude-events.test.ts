/** Claude Code's log events as run events, the variables that switch them on, and the loopback endpoint. */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { gzipSync } from "node:zlib";
import type { RunEvent } from "../../src/events.ts";
import { ClaudeEventsParser, claudeEventsEnv, userLogsTarget } from "../../src/sources/claude-events.ts";
import { MAX_EVENTS_BODY, startClaudeEventsServer } from "../../src/sources/claude-events-server.ts";

const kv = (key: string, value: string | number) => ({
  key,
  value:
    typeof value === "number"
      ? Number.isInteger(value)
        ? { intValue: value }
        : { doubleValue: value }
      : { stringValue: value },
});
const record = (name: string, attributes: Record<string, string | number>, ms = 1_700_000_000_000) => ({
  timeUnixNano: `${ms}000000`,
  body: { stringValue: `claude_code.${name}` },
  attributes: [kv("event.name", name), kv("session.id", "s1"), ...Object.entries(attributes).map(([k, v]) => kv(k, v))],
});
const batch = (...records: unknown[]) => ({ resourceLogs: [{ scopeLogs: [{ logRecords: records }] }] });

const apiFields = {
  model: "claude-sonnet-4-5",
  input_tokens: 4,
  output_tokens: 36,
  cost_usd: 0.00103425,
  duration_ms: 100,
};
const apiRequest = (extra: Record<string, string | number> = {}) =>
  record("api_request", {
    model: "claude-sonnet-4-5",
    input_tokens: 4,
    output_tokens: 36,
    cache_read_tokens: 1270,
    cache_creation_tokens: 27,
    cache_creation_5m_tokens: 0,
    cache_creation_1h_tokens: 27,
    cost_usd: 0.00103425,
    duration_ms: 100,
    ttft_ms: 55,
    request_id: "req_1",
    query_source: "sdk",
    ...extra,
  });

function parse(...records: unknown[]): RunEvent[] {
  const out: RunEvent[] = [];
  new ClaudeEventsParser((e) => out.push(e)).batch(batch(...records));
  return out;
}

describe("ClaudeEventsParser", () => {
  test("an api_request is one api.request with exact usage, Claude Code's price and times", () => {
    const [event] = parse(apiRequest());
    assert.deepEqual(event, {
      kind: "api.request",
      agentId: null,
      requestId: "req_1",
      model: "claude-sonnet-4-5",
      querySource: "sdk",
      toolUseId: undefined,
      startTime: 1_700_000_000_000 - 100,
      endTime: 1_700_000_000_000,
      usage: { input: 4, output: 36, cacheRead: 1270, cacheCreation: 27 },
      details: { cacheCreation5m: 0, cacheCreation1h: 27 },
      costUsd: 0.00103425,
      ttftMs: 55,
    });
  });

  test("a tool's own request is placed under the tool call running it; a subagent's under its agent", () => {
    const events = parse(
      record("tool_decision", { decision: "accept", source: "config", tool_name: "WebSearch", tool_use_id: "t1" }),
      apiRequest({ query_source: "web_search_tool", request_id: "req_2" }),
      record("tool_result", { tool_name: "WebSearch", tool_use_id: "t1", success: "true" }),
      apiRequest({ query_source: "agent:builtin:general-purpose", agent_id: "a1", request_id: "req_3" }),
    );
    const requests = events.filter((e) => e.kind === "api.request");
    assert.equal(requests[0]?.kind === "api.request" && requests[0].toolUseId, "t1");
    assert.equal(requests[1]?.kind === "api.request" && requests[1].agentId, "a1");
    assert.equal(requests[1]?.kind === "api.request" && requests[1].toolUseId, undefined);
    assert.deepEqual(events[0], {
      kind: "tool.decision",
      id: "t1",
      time: 1_700_000_000_000,
      decision: "accept",
      source: "config",
    });
  });

  test("tools running side by side: each search's own call under its own search, not under another tool", () => {
    const accept = (tool: string, id: string) =>
      record("tool_decision", { decision: "accept", source: "config", tool_name: tool, tool_use_id: id });
    const events = parse(
      accept("WebSearch", "s1"),
      accept("WebSearch", "s2"),
      accept("Bash", "b1"),
      apiRequest({ query_source: "web_search_tool", request_id: "req_2" }),
      apiRequest({ query_source: "web_search_tool", request_id: "req_3" }),
      apiRequest({ query_source: "hook_prompt", request_id: "req_4" }),
      apiRequest({ query_source: "web_search_tool", request_id: "req_5" }),
    );
    const placed = events.flatMap((e) => (e.kind === "api.request" ? [`${e.requestId}:${e.toolUseId}`] : []));
    // A hook's call (no tool of its own) stays with the newest running tool call, as before; a
    // search's second call goes to the newest running search, not to the Bash call.
    assert.deepEqual(placed, ["req_2:s1", "req_3:s2", "req_4:b1", "req_5:s2"]);
  });

  test("two fetches side by side, the second done first: one call under each", () => {
    const accept = (id: string) =>
      record("tool_decision", { decision: "accept", source: "config", tool_name: "WebFetch", tool_use_id: id });
    const result = (id: string, ms: number) =>
      record("tool_result", { tool_name: "WebFetch", tool_use_id: id, success: "true" }, ms);
    const fetchCall = (id: string, ms: number) =>
      record("api_request", { ...apiFields, query_source: "web_fetch_apply", request_id: id }, ms);
    const t = 1_700_000_000_000;
    const events = parse(
      accept("f1"),
      accept("f2"),
      fetchCall("req_2", t + 100),
      result("f2", t + 110),
      fetchCall("req_3", t + 300),
      result("f1", t + 310),
      // A fetch that ended without a call long before is not given a later one.
      accept("f3"),
      result("f3", t + 400),
      accept("f4"),
      fetchCall("req_4", t + 500),
      fetchCall("req_5", t + 5000),
    );
    const placed = events.flatMap((e) => (e.kind === "api.request" ? [`${e.requestId}:${e.toolUseId}`] : []));
    assert.deepEqual(placed, ["req_2:f1", "req_3:f2", "req_4:f4", "req_5:f4"]);
  });

  test("another session's events (a claude started by a tool) and malformed records are skipped", () => {
    const other = apiRequest({ request_id: "req_9" });
    other.attributes[1] = kv("session.id", "s2");
    const events = parse(apiRequest(), other, { attributes: "nope" }, null, record("api_request", { cost_usd: "x" }));
    assert.deepEqual(
      events.map((e) => e.kind === "api.request" && e.requestId),
      ["req_1"],
    );
    assert.doesNotThrow(() => new ClaudeEventsParser(() => {}).batch({ resourceLogs: "x" }));
  });
});

describe("claudeEventsEnv", () => {
  const endpoint = "http://127.0.0.1:1234/secret/v1/logs";

  test("telemetry off: logs to claudia only, metrics stay off, nothing else set", () => {
    assert.deepEqual(claudeEventsEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: "https://collector" }, endpoint), {
      CLAUDE_CODE_ENABLE_TELEMETRY: "1",
      OTEL_LOGS_EXPORTER: "otlp",
      OTEL_EXPORTER_OTLP_LOGS_PROTOCOL: "http/json",
      OTEL_EXPORTER_OTLP_LOGS_ENDPOINT: endpoint,
      OTEL_EXPORTER_OTLP_LOGS_COMPRESSION: "none",
      OTEL_LOGS_EXPORT_INTERVAL: "200",
      OTEL_METRICS_EXPORTER: "none",
    });
  });

  test("the user's own metrics keep going where they pointed them", () => {
    const env = claudeEventsEnv(
      { CLAUDE_CODE_ENABLE_TELEMETRY: "1", OTEL_METRICS_EXPORTER: "otlp", OTEL_EXPORTER_OTLP_PROTOCOL: "grpc" },
      endpoint,
    );
    assert.equal(env.OTEL_METRICS_EXPORTER, undefined);
    assert.equal(env.OTEL_EXPORTER_OTLP_PROTOCOL, undefined);
    assert.equal(env.OTEL_EXPORTER_OTLP_LOGS_ENDPOINT, endpoint);
  });

  test("the user's own OTLP/JSON logs are taken over and passed on; any other logs exporter is left alone", () => {
    const user = {
      CLAUDE_CODE_ENABLE_TELEMETRY: "1",
      OTEL_LOGS_EXPORTER: "otlp",
      OTEL_EXPORTER_OTLP_PROTOCOL: "http/json",
      OTEL_EXPORTER_OTLP_ENDPOINT: "https://collector:4318/",
      OTEL_EXPORTER_OTLP_HEADERS: "authorization=Bearer%20abc,x-a=1",
      OTEL_EXPORTER_OTLP_LOGS_HEADERS: "x-a=2",
    };
    assert.deepEqual(userLogsTarget(user), {
      url: "https://collector:4318/v1/logs",
      headers: { authorization: "Bearer abc", "x-a": "2" },
    });
    assert.equal(claudeEventsEnv(user, endpoint).OTEL_EXPORTER_OTLP_LOGS_ENDPOINT, endpoint);
    for (const other of [
      { ...user, OTEL_EXPORTER_OTLP_PROTOCOL: "grpc" },
      { ...user, OTEL_LOGS_EXPORTER: "console" },
      { OTEL_LOGS_EXPORTER: "otlp" },
      { OTEL_METRICS_EXPORTER: "prometheus" },
      { CLAUDE_CODE_ENHANCED_TELEMETRY_BETA: "1" },
    ]) {
      assert.deepEqual(claudeEventsEnv(other, endpoint), {}, JSON.stringify(other));
    }
  });
});

describe("the loopback endpoint", () => {
  test("takes only its secret path, bounds bodies, emits what it parses, and passes bodies on unchanged", async () => {
    const { createServer } = await import("node:http");
    const forwarded: { body: string; auth?: string }[] = [];
    const target = createServer((req, res) => {
      let body = "";
      req.on("data", (c: Buffer) => {
        body += c.toString();
      });
      req.on("end", () => {
        forwarded.push({ body, auth: req.headers.authorization });
        res.end("{}");
      });
    });
    await new Promise<void>((r) => target.listen(0, "127.0.0.1", r));
    const port = (target.address() as { port: number }).port;
    const events: RunEvent[] = [];
    const server = await startClaudeEventsServer({
      emit: (e) => events.push(e),
      forward: { url: `http://127.0.0.1:${port}/v1/logs`, headers: { authorization: "Bearer u" } },
    });
    const body = JSON.stringify(batch(apiRequest()));
    const post = (url: string, data: string | Buffer) => fetch(url, { method: "POST", body: data });
    assert.equal((await post(server.endpoint.replace(/\/[0-9a-f]{48}\//, "/wrong/"), body)).status, 404);
    assert.equal((await post(server.endpoint, Buffer.alloc(MAX_EVENTS_BODY + 1))).status, 413);
    assert.equal(events.length, 0);
    assert.equal((await post(server.endpoint, body)).status, 200);
    assert.equal(events.length, 1);
    // A compressed body is taken too (its decompression loads only then); a broken one is refused.
    const gzipped = (data: Buffer) =>
      fetch(server.endpoint, { method: "POST", body: data, headers: { "content-encoding": "gzip" } });
    assert.equal((await gzipped(gzipSync(body))).status, 200);
    assert.equal(events.length, 2);
    assert.equal((await gzipped(Buffer.from("not gzip"))).status, 400);
    assert.equal(events.length, 2);
    await server.close();
    target.close();
    assert.deepEqual(forwarded, [
      { body, auth: "Bearer u" },
      { body, auth: "Bearer u" },
    ]);
  });

  test("an endpoint with credentials in its URL gets them as Basic authorization, and they are never shown", async () => {
    const { createServer } = await import("node:http");
    const auth: (string | undefined)[] = [];
    const target = createServer((req, res) => {
      auth.push(req.headers.authorization);
      req.resume();
      req.on("end", () => res.writeHead(503).end());
    });
    await new Promise<void>((r) => target.listen(0, "127.0.0.1", r));
    const port = (target.address() as { port: number }).port;
    const warnings: string[] = [];
    const server = await startClaudeEventsServer({
      emit: () => {},
      forward: { url: `http://otel:Sup3r%20S3cret@127.0.0.1:${port}/v1/logs?api_key=KEY123456`, headers: {} },
      warn: (m) => warnings.push(m),
    });
    await fetch(server.endpoint, { method: "POST", body: JSON.stringify(batch(apiRequest())) });
    await server.close();
    target.close();
    assert.deepEqual(auth, [`Basic ${Buffer.from("otel:Sup3r S3cret").toString("base64")}`]);
    assert.equal(warnings.length, 1);
    assert.match(
      warnings[0] as string,
      /not accepted by http:\/\/127\.0\.0\.1:\d+\/v1\/logs\?api_key=\*\*\* \(HTTP 503\)/,
    );
    assert.doesNotMatch(warnings[0] as string, /Sup3r|KEY123456|otel:/);
  });
});
