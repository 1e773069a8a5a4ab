/**
 * A program ends a `tracedQuery` the ways it ends a `query()`: `return()` or `throw()` before it
 * read any message, disposing of it (`await using`), or `close()` with messages left unread. Claude
 * Code stops as it does for `query()`, the messages are the same, and the trace ends.
 */
import assert from "node:assert/strict";
import { after, before, beforeEach, test } from "node:test";
import { type Options, type Query, query } from "@anthropic-ai/claude-agent-sdk";
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from "@opentelemetry/sdk-trace";
import { tracedQuery } from "../../src/index.ts";
import { processesWith, until } from "../support/processes.ts";
import { createSandbox, MODEL, type Sandbox } from "../support/sandbox.ts";
import { type ScriptedModel, startScriptedModel } from "../support/scripted-model.ts";

let model: ScriptedModel;
let sandbox: Sandbox;
const exporter = new InMemorySpanExporter();
const provider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] });

before(async () => {
  model = await startScriptedModel();
  sandbox = createSandbox(model.url);
});
after(async () => {
  await model.close();
  sandbox.remove();
});
beforeEach(() => exporter.reset());

const options = (): Options => ({
  cwd: sandbox.work,
  env: sandbox.env as Record<string, string>,
  model: MODEL,
  permissionMode: "bypassPermissions",
  allowDangerouslySkipPermissions: true,
});
const roots = () => exporter.getFinishedSpans().filter((s) => s.name === "invoke_agent claude-code");
const asyncDispose = (q: Query) =>
  (q as unknown as Record<symbol, (() => Promise<void>) | undefined>)[Symbol.asyncDispose];

for (const end of ["return", "throw"] as const) {
  test(`${end}() before the first message read stops Claude Code, as query()'s does, and ends the trace`, async () => {
    const marker = `ending-${end}-${process.pid}`;
    const q = tracedQuery(
      { prompt: `[[scenario:sleep]] [[tag:${marker}]]`, options: options() },
      { tracerProvider: provider },
    );
    try {
      assert.ok(await until(() => processesWith(`37000.*${marker}`).length > 0, 20000), "the tool started");
      if (end === "return") assert.deepEqual(await q.return(undefined), { done: true, value: undefined });
      else await assert.rejects(q.throw(new Error("the program stops here")), /the program stops here/);
      assert.ok(
        await until(() => processesWith(`37000.*${marker}`).length === 0, 10000),
        "Claude Code stopped its tool",
      );
      assert.equal(roots().length, 1, "the trace ended");
      assert.deepEqual(await q.next(), { done: true, value: undefined });
    } finally {
      for (const pid of processesWith(marker)) process.kill(Number(pid), "SIGKILL");
    }
  });
}

test("disposable from the first moment, as query()'s Query is (`await using`)", async () => {
  const served = model.arrivals.length;
  const q = tracedQuery({ prompt: "[[scenario:text]] disposed", options: options() }, { tracerProvider: provider });
  const dispose = asyncDispose(q);
  assert.ok(dispose, "the Query has Symbol.asyncDispose");
  await dispose.call(q);
  assert.equal(roots().length, 1, "the trace ended");
  await new Promise((resolve) => setTimeout(resolve, 1000));
  assert.equal(model.arrivals.length, served, "Claude Code never started");
});

/** Read the first message, wait until Claude Code has answered, close, then read the rest. */
async function closeAfterFirst(q: Query, waitForTrace: boolean): Promise<string[]> {
  const served = model.served.length;
  const types = [String((await q.next()).value?.type)];
  assert.ok(await until(() => model.served.length === served + 2, 20000), "the run's two calls were served");
  await new Promise((resolve) => setTimeout(resolve, 500));
  q.close();
  if (waitForTrace) assert.ok(await until(() => roots().length === 1, 5000), "the trace ended with nothing read");
  for await (const m of q) types.push(m.type);
  return types;
}

test("close() with messages unread: the trace ends without them being read, and they are still there to read", async () => {
  const plain = await closeAfterFirst(query({ prompt: "[[scenario:bash]] closed", options: options() }), false);
  const q = tracedQuery({ prompt: "[[scenario:bash]] closed", options: options() }, { tracerProvider: provider });
  assert.deepEqual(await closeAfterFirst(q, true), plain);
  assert.ok(plain.includes("result"), plain.join(" "));
  assert.equal(exporter.getFinishedSpans().filter((s) => s.name === `chat ${MODEL}`).length, 2);
});
