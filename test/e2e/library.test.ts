/**
 * The library form against the real Claude Code (through the Agent SDK) and the scripted model;
 * spans are read from the OpenTelemetry in-memory exporter.
 */
import assert from "node:assert/strict";
import { after, before, beforeEach, describe, test } from "node:test";
import { AbortError, type Options, query } from "@anthropic-ai/claude-agent-sdk";
import { context, type DiagLogger, DiagLogLevel, diag, ROOT_CONTEXT, trace } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { TraceState } from "@opentelemetry/core";
import { InMemorySpanExporter, type ReadableSpan, SimpleSpanProcessor, TracerProvider } from "@opentelemetry/sdk-trace";
import { journalDir } from "../../src/export/journal.ts";
import { listRuns } from "../../src/export/journal-store.ts";
import { AgentRunError, runAgentWithTelemetry, tracedQuery } from "../../src/index.ts";
import { assertConforms, promptOf } from "../support/conformance.ts";
import { startOtlpReceiver } from "../support/otlp-receiver.ts";
import { freePort } from "../support/ports.ts";
import { createSandbox, MODEL, type Sandbox } from "../support/sandbox.ts";
import { type ScriptedModel, startScriptedModel } from "../support/scripted-model.ts";

let model: ScriptedModel;
let sandbox: Sandbox;
const exporter = new InMemorySpanExporter();
const provider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] });
const contextManager = new AsyncLocalStorageContextManager();

before(async () => {
  model = await startScriptedModel();
  sandbox = createSandbox(model.url);
  context.setGlobalContextManager(contextManager.enable());
});
after(async () => {
  context.disable();
  await model.close();
  sandbox.remove();
});
beforeEach(() => exporter.reset());

const sdkOptions = (): Options => ({
  cwd: sandbox.work,
  env: sandbox.env as Record<string, string>,
  model: MODEL,
  permissionMode: "bypassPermissions",
  allowDangerouslySkipPermissions: true,
});

const byName = (spans: ReadableSpan[], name: string) => spans.filter((s) => s.name === name);
const parentId = (s: ReadableSpan) => s.parentSpanContext?.spanId;

describe("runAgentWithTelemetry", () => {
  test("resolves to the final text, the result messages and the trace id; the trace is complete", async () => {
    const served = model.served.length;
    const result = await runAgentWithTelemetry({
      prompt: "[[scenario:bash]] library",
      extraArgs: { model: MODEL, "permission-mode": "bypassPermissions" },
      tracerProvider: provider,
      options: { cwd: sandbox.work, env: sandbox.env as Record<string, string>, allowDangerouslySkipPermissions: true },
    });
    assert.equal(result.text, "The command printed: hello-from-bash");
    assert.equal(result.results.length, 1);
    const spans = exporter.getFinishedSpans();
    const root = byName(spans, "invoke_agent claude-code")[0] as ReadableSpan;
    assert.equal(root.spanContext().traceId, result.traceId);
    assert.equal(root.attributes["gen_ai.usage.cost"], result.results[0]?.total_cost_usd);
    assert.equal(root.attributes["gen_ai.conversation.id"], result.sessionId);
    const chats = byName(spans, `chat ${MODEL}`);
    assert.deepEqual(
      chats.map((c) => c.attributes["gen_ai.response.id"]).sort(),
      model.served
        .slice(served)
        .map((c) => c.id)
        .sort(),
    );
    for (const c of chats) assert.equal(parentId(c), root.spanContext().spanId);
    const bash = byName(spans, "execute_tool Bash")[0] as ReadableSpan;
    assert.equal(parentId(bash), root.spanContext().spanId);
    assert.equal(bash.status.code, 0);
    assertConforms(spans);
  });

  test("systemPrompt and the opted-in tool definitions reach the root, in the conventions' shapes", async () => {
    await runAgentWithTelemetry({
      prompt: "[[scenario:text]] with a system prompt",
      tracerProvider: provider,
      options: {
        ...sdkOptions(),
        env: { ...(sandbox.env as Record<string, string>), CLAUDIA_CAPTURE_TOOL_DEFINITIONS: "true" },
        systemPrompt: { type: "preset", preset: "claude_code", append: "Answer in one line." },
      },
    });
    const spans = exporter.getFinishedSpans();
    assertConforms(spans);
    const root = byName(spans, "invoke_agent claude-code")[0] as ReadableSpan;
    const instructions = [{ type: "text", content: "Answer in one line." }];
    assert.deepEqual(JSON.parse(String(root.attributes["gen_ai.system_instructions"])), instructions);
    for (const chat of byName(spans, `chat ${MODEL}`))
      assert.deepEqual(JSON.parse(String(chat.attributes["gen_ai.system_instructions"])), instructions);
    const tools = JSON.parse(String(root.attributes["gen_ai.tool.definitions"])) as { type: string; name: string }[];
    assert.ok(
      tools.some((t) => t.name === "Bash" && t.type === "function"),
      JSON.stringify(tools),
    );
    assert.equal(promptOf(root), "[[scenario:text]] with a system prompt");
  });

  test("rejects with the agent's error; the trace is still recorded, with ERROR", async () => {
    await assert.rejects(
      runAgentWithTelemetry({
        prompt: "[[scenario:api-400]] library",
        tracerProvider: provider,
        options: sdkOptions(),
      }),
      (error: unknown) => {
        assert.ok(error instanceof AgentRunError);
        assert.match(error.message, /API Error: 400/);
        const root = byName(exporter.getFinishedSpans(), "invoke_agent claude-code")[0] as ReadableSpan;
        assert.equal(root.spanContext().traceId, error.traceId);
        assert.equal(root.status.code, 2);
        assert.equal(root.attributes["error.type"], "api_error");
        assertConforms(exporter.getFinishedSpans());
        return true;
      },
    );
  });

  test("a run the program aborts: the AgentRunError's cause is the SDK's AbortError, as query() throws it", async () => {
    const abortController = new AbortController();
    const aborting = setTimeout(() => abortController.abort(), 2000);
    try {
      await assert.rejects(
        runAgentWithTelemetry({
          prompt: "[[scenario:sleep]] aborted",
          tracerProvider: provider,
          options: { ...sdkOptions(), abortController },
        }),
        (error: unknown) => {
          assert.ok(error instanceof AgentRunError);
          assert.ok(error.cause instanceof AbortError, String(error.cause));
          const root = byName(exporter.getFinishedSpans(), "invoke_agent claude-code")[0] as ReadableSpan;
          assert.equal(root.spanContext().traceId, error.traceId);
          return true;
        },
      );
    } finally {
      clearTimeout(aborting);
    }
  });
});

describe("runAgentWithTelemetry without a tracer provider", () => {
  test("exports by the OTEL_* variables and records the run in the journal, as the CLI does", async () => {
    const receiver = await startOtlpReceiver();
    try {
      const env = {
        ...(sandbox.env as Record<string, string>),
        OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
        OTEL_EXPORTER_OTLP_PROTOCOL: "http/json",
      };
      const result = await runAgentWithTelemetry({
        prompt: "[[scenario:bash]] own provider",
        options: { ...sdkOptions(), env },
      });
      const delivered = receiver.spans.filter((s) => s.traceId === result.traceId);
      assert.equal(delivered.length, 4);
      const runs = listRuns(journalDir(env));
      const run = runs.find((r) => r.record.traceId === result.traceId);
      assert.ok(run, "the run is in the journal");
      assert.equal(run.record.spans, 4);
      assert.equal(run.record.deliveries.otlp?.delivered, true);
      assert.equal(run.record.costUsd, result.results[0]?.total_cost_usd);
    } finally {
      await receiver.close();
    }
  });
});

describe("tracedQuery", () => {
  test("yields the same messages as query(), keeps the caller's hooks, nests under the caller's span", async () => {
    const plainTypes: string[] = [];
    for await (const m of query({ prompt: "[[scenario:bash]] plain", options: sdkOptions() })) {
      plainTypes.push(m.type === "system" ? `system/${m.subtype}` : m.type);
    }

    const seenByHook: string[] = [];
    const tracer = provider.getTracer("caller");
    const types: string[] = [];
    await tracer.startActiveSpan("ci job", async (callerSpan) => {
      const q = tracedQuery(
        {
          prompt: "[[scenario:bash]] traced",
          options: {
            ...sdkOptions(),
            hooks: {
              PreToolUse: [
                {
                  hooks: [
                    async (input) => {
                      seenByHook.push((input as { tool_name: string }).tool_name);
                      return {};
                    },
                  ],
                },
              ],
            },
          },
        },
        { tracerProvider: provider },
      );
      assert.equal(typeof q.interrupt, "function", "the Query's own methods are still there");
      for await (const m of q) types.push(m.type === "system" ? `system/${m.subtype}` : m.type);
      callerSpan.end();
    });
    assert.deepEqual(types, plainTypes);
    assert.deepEqual(seenByHook, ["Bash"]);
    const spans = exporter.getFinishedSpans();
    const caller = byName(spans, "ci job")[0] as ReadableSpan;
    const root = byName(spans, "invoke_agent claude-code")[0] as ReadableSpan;
    assert.equal(parentId(root), caller.spanContext().spanId);
    assert.equal(root.spanContext().traceId, caller.spanContext().traceId);
    assert.equal(byName(spans, "execute_tool Bash").length, 1);
    assert.equal(byName(spans, `chat ${MODEL}`).length, 2);
    assert.ok(trace.getActiveSpan() === undefined);
  });

  test("resume: the trace is this query's prompt, calls and totals, not the session's history", async () => {
    let session: string | undefined;
    for await (const m of tracedQuery(
      { prompt: "[[scenario:bash]] before", options: sdkOptions() },
      { tracerProvider: provider },
    ))
      if (m.type === "result") session = m.session_id;
    assert.ok(session);
    exporter.reset();
    const served = model.served.length;
    let cost = 0;
    for await (const m of tracedQuery(
      { prompt: "[[scenario:text]] after", options: { ...sdkOptions(), resume: session } },
      { tracerProvider: provider },
    ))
      if (m.type === "result") cost = m.total_cost_usd;
    const spans = exporter.getFinishedSpans();
    const root = byName(spans, "invoke_agent claude-code")[0] as ReadableSpan;
    assert.equal(root.attributes["gen_ai.conversation.id"], session);
    assert.equal(byName(spans, "execute_tool Bash").length, 0, "the earlier tool call is history");
    const chats = byName(spans, `chat ${MODEL}`);
    assert.deepEqual(
      chats.map((c) => c.attributes["gen_ai.response.id"]),
      model.served.slice(served).map((c) => c.id),
    );
    const chatCost = chats.reduce((n, c) => n + Number(c.attributes["gen_ai.usage.cost"]), 0);
    assert.ok(Math.abs(Number(root.attributes["gen_ai.usage.cost"]) - chatCost) < 1e-12);
    assert.ok(cost > chatCost, "Claude Code's own total covers the whole session");
    assert.deepEqual(JSON.parse(String(root.attributes["gen_ai.input.messages"])), [
      { role: "user", parts: [{ type: "text", content: "[[scenario:text]] after" }] },
    ]);
  });
});

describe("the library keeps the CLI's promises", () => {
  test("TRACEPARENT is the root and TRACESTATE the caller's, as a Bash tool sees them", async () => {
    const remote = trace.setSpanContext(ROOT_CONTEXT, {
      traceId: "4bf92f3577b34da6a3ce929d0e0e4736",
      spanId: "00f067aa0ba902b7",
      traceFlags: 1,
      traceState: new TraceState("vendor=abc,other=1"),
      isRemote: true,
    });
    await context.with(remote, async () => {
      for await (const _ of tracedQuery(
        { prompt: "[[scenario:traceparent]] library", options: sdkOptions() },
        { tracerProvider: provider },
      ));
    });
    const spans = exporter.getFinishedSpans();
    const root = byName(spans, "invoke_agent claude-code")[0] as ReadableSpan;
    assert.equal(root.spanContext().traceId, "4bf92f3577b34da6a3ce929d0e0e4736");
    assert.equal(parentId(root), "00f067aa0ba902b7");
    const bash = byName(spans, "execute_tool Bash")[0] as ReadableSpan;
    assert.match(
      String(bash.attributes["gen_ai.tool.call.result"]),
      new RegExp(`tp=00-${root.spanContext().traceId}-${root.spanContext().spanId}-01 ts=vendor=abc,other=1`),
    );
  });

  test("warnings go to OpenTelemetry's diag (an invalid CLAUDIA_REDACT_PATTERNS)", async () => {
    const warned: string[] = [];
    const logger: DiagLogger = {
      error: () => {},
      warn: (message) => warned.push(message),
      info: () => {},
      debug: () => {},
      verbose: () => {},
    };
    diag.setLogger(logger, DiagLogLevel.WARN);
    try {
      const env = { ...(sandbox.env as Record<string, string>), CLAUDIA_REDACT_PATTERNS: '["(unclosed"]' };
      for await (const _ of tracedQuery(
        { prompt: "[[scenario:text]] warn", options: { ...sdkOptions(), env } },
        { tracerProvider: provider },
      ));
    } finally {
      diag.disable();
    }
    assert.ok(
      warned.some((w) => /CLAUDIA_REDACT_PATTERNS: "\(unclosed" is not a valid regular expression/.test(w)),
      warned.join("\n"),
    );
  });

  test("without any provider, tracedQuery exports by the OTEL_* variables of options.env and journals the run", async () => {
    const receiver = await startOtlpReceiver();
    try {
      const env = {
        ...(sandbox.env as Record<string, string>),
        OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
        OTEL_EXPORTER_OTLP_PROTOCOL: "http/json",
      };
      let traceId = "";
      for await (const _ of tracedQuery(
        { prompt: "[[scenario:bash]] no provider", options: { ...sdkOptions(), env } },
        { onFinish: (summary) => (traceId = summary.traceId) },
      ));
      assert.match(traceId, /^[0-9a-f]{32}$/);
      assert.equal(receiver.spans.filter((s) => s.traceId === traceId).length, 4);
      const run = listRuns(journalDir(env)).find((r) => r.record.traceId === traceId);
      assert.equal(run?.record.deliveries.otlp?.delivered, true);
    } finally {
      await receiver.close();
    }
  });

  test("an undelivered run is re-sent by the next library run, as the CLI does", async () => {
    const port = await freePort();
    const env = {
      ...(sandbox.env as Record<string, string>),
      OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${port}`,
      OTEL_EXPORTER_OTLP_PROTOCOL: "http/json",
      CLAUDIA_EXPORT_TIMEOUT_MS: "1000",
      CLAUDIA_RESEND_WAIT_MS: "5000",
    };
    const late = await runAgentWithTelemetry({ prompt: "[[scenario:text]] late", options: { ...sdkOptions(), env } });
    const recordOf = (traceId: string) => listRuns(journalDir(env)).find((r) => r.record.traceId === traceId)?.record;
    assert.equal(recordOf(late.traceId)?.deliveries.otlp?.delivered, false);
    const back = await startOtlpReceiver({ port });
    try {
      const next = await runAgentWithTelemetry({ prompt: "[[scenario:text]] next", options: { ...sdkOptions(), env } });
      assert.equal(recordOf(next.traceId)?.deliveries.otlp?.delivered, true);
      assert.equal(recordOf(late.traceId)?.deliveries.otlp?.delivered, true, "the earlier run was re-sent");
      assert.equal(back.spans.filter((s) => s.traceId === late.traceId).length, 2);
    } finally {
      await back.close();
    }
  });
});
