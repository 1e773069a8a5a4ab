/**
 * The library form is exact too: `runAgentWithTelemetry` and `tracedQuery` receive Claude Code's
 * per-request accounting, so a run that auto-compacts has one chat span per served request at
 * Claude Code's price. `tracedQuery` returns its Query at once while the accounting endpoint starts:
 * the Query's methods work from the first moment, and closing it before Claude Code starts means
 * Claude Code never starts.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { InMemorySpanExporter, type ReadableSpan, SimpleSpanProcessor, TracerProvider } from "@opentelemetry/sdk-trace";
import { runAgentWithTelemetry, tracedQuery } from "../../src/index.ts";
import { assertExactCalls, chats } from "../support/exact-checks.ts";
import type { ReceivedSpan } from "../support/otlp-receiver.ts";
import { createSandbox, MODEL, type Sandbox } from "../support/sandbox.ts";
import { type ScriptedModel, startScriptedModel } from "../support/scripted-model.ts";

let model: ScriptedModel;
let sandbox: Sandbox;
const exporter = new InMemorySpanExporter();
const provider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] });

before(async () => {
  model = await startScriptedModel();
  sandbox = createSandbox(model.url, {
    CLAUDE_AUTOCOMPACT_PCT_OVERRIDE: "50",
    CLAUDE_CODE_AUTO_COMPACT_WINDOW: "100000",
  });
});
after(async () => {
  await model.close();
  sandbox.remove();
});

/** An SDK span in the shape the OTLP receiver gives (what the shared checks read). */
function received(span: ReadableSpan): ReceivedSpan {
  const ms = ([s, ns]: [number, number]) => s * 1000 + ns / 1e6;
  return {
    traceId: span.spanContext().traceId,
    spanId: span.spanContext().spanId,
    parentSpanId: span.parentSpanContext?.spanId ?? "",
    name: span.name,
    kind: span.kind,
    startMs: ms(span.startTime),
    endMs: ms(span.endTime),
    attributes: { ...span.attributes } as ReceivedSpan["attributes"],
    status: { code: span.status.code, message: span.status.message },
    events: span.events.map((e) => ({ name: e.name, attributes: { ...e.attributes } as ReceivedSpan["attributes"] })),
    resource: {},
  };
}

describe("runAgentWithTelemetry exactness", () => {
  test("a run that compacts: every request a chat span at Claude Code's price", async () => {
    const result = await runAgentWithTelemetry({
      prompt: "[[scenario:compact]] library",
      extraArgs: { model: MODEL, "permission-mode": "bypassPermissions" },
      tracerProvider: provider,
      options: { cwd: sandbox.work, env: sandbox.env as Record<string, string>, allowDangerouslySkipPermissions: true },
    });
    const spans = exporter.getFinishedSpans().map(received);
    assertExactCalls(spans, model.served, Number(result.results.at(-1)?.total_cost_usd));
    assert.equal(chats(spans).filter((s) => s.attributes["claude_code.query_source"] === "compact").length, 1);
  });
});

describe("tracedQuery exactness", () => {
  const options = () => ({
    cwd: sandbox.work,
    env: sandbox.env as Record<string, string>,
    model: MODEL,
    permissionMode: "bypassPermissions" as const,
    allowDangerouslySkipPermissions: true,
  });

  test("a run that compacts: every request a chat span at Claude Code's price", async () => {
    exporter.reset();
    const before = model.served.length;
    let total: number | undefined;
    const q = tracedQuery(
      { prompt: "[[scenario:compact]] traced query", options: options() },
      { tracerProvider: provider },
    );
    // Called before Claude Code has started: answered once it has.
    const init = await q.initializationResult();
    assert.ok(init.models.length > 0, "the initialize response lists models");
    for await (const m of q) if (m.type === "result") total = m.total_cost_usd;
    const spans = exporter.getFinishedSpans().map(received);
    assertExactCalls(spans, model.served.slice(before), Number(total));
    const compaction = chats(spans).filter((s) => s.attributes["claude_code.query_source"] === "compact");
    assert.equal(compaction.length, 1);
  });

  test("a caller that stops reading at the result: the last call is still at Claude Code's price", async () => {
    exporter.reset();
    const before = model.served.length;
    let total: number | undefined;
    const q = tracedQuery(
      { prompt: "[[scenario:bash]] stop at the result", options: options() },
      { tracerProvider: provider },
    );
    for await (const m of q) {
      if (m.type !== "result") continue;
      total = m.total_cost_usd;
      break;
    }
    const spans = exporter.getFinishedSpans().map(received);
    assert.equal(model.served.length - before, 2);
    assertExactCalls(spans, model.served.slice(before), Number(total));
  });

  test("interrupted while its tools run: both tool calls are interrupted, not refused", async () => {
    exporter.reset();
    const q = tracedQuery(
      { prompt: "[[scenario:sleep-two]] interrupt me", options: options() },
      { tracerProvider: provider },
    );
    let interrupting: Promise<unknown> | undefined;
    // The interrupted run ends with Claude Code's error result, which the SDK throws.
    await assert.rejects(async () => {
      for await (const m of q) {
        if (interrupting || m.type !== "assistant" || !JSON.stringify(m.message.content).includes("tool_use")) continue;
        // Once the first tool runs (the second waits its turn), the caller stops the run.
        interrupting = new Promise((resolve) => setTimeout(resolve, 1500)).then(() => q.interrupt());
      }
    }, /error result/);
    await interrupting;
    const tools = exporter.getFinishedSpans().filter((s) => s.name === "execute_tool Bash");
    assert.equal(tools.length, 2);
    for (const tool of tools) {
      assert.equal(tool.attributes["error.type"], "interrupted");
      assert.equal(tool.attributes["claude_code.permission.source"], undefined);
    }
  });

  test("closed before Claude Code started: it never starts, and iterating ends at once", async () => {
    const served = model.arrivals.length;
    const q = tracedQuery({ prompt: "[[scenario:text]] never", options: options() }, { tracerProvider: provider });
    q.close();
    const seen: string[] = [];
    for await (const m of q) seen.push(m.type);
    assert.deepEqual(seen, []);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    assert.equal(model.arrivals.length, served, "no request reached the model");
    await assert.rejects(q.supportedModels(), /closed before Claude Code started/);
  });
});
