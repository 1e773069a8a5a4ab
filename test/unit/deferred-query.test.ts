/**
 * The Query `tracedQuery` hands out before Claude Code's accounting endpoint listens. The real
 * query's behaviour through it is in test/e2e/exact-library.test.ts; here, what a stand-in shows.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import type { Query } from "@anthropic-ai/claude-agent-sdk";
import { deferredQuery } from "../../src/sources/deferred-query.ts";

/** A stand-in for the SDK's Query: an async generator of messages with one control method. */
function standIn(messages: string[], calls: string[]): Query {
  async function* gen() {
    for (const m of messages) yield { type: m };
  }
  return Object.assign(gen(), {
    supportedModels: async () => {
      calls.push("supportedModels");
      return [{ value: "m" }];
    },
    close: () => calls.push("close"),
  }) as unknown as Query;
}

test("not a thenable: awaiting the query gives the query, and starts nothing", async () => {
  let started = 0;
  const q = deferredQuery(Promise.resolve(), () => {
    started++;
    return standIn([], []);
  });
  assert.equal(await q, q);
  assert.equal(typeof (q as unknown as { toJSON?: unknown }).toJSON, "undefined");
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(started, 1, "started once the promise settled");
});

test("methods called before the start wait for it; messages come through in order", async () => {
  const calls: string[] = [];
  let release: () => void = () => {};
  const ready = new Promise<void>((resolve) => {
    release = resolve;
  });
  const q = deferredQuery(ready, () => standIn(["system", "assistant", "result"], calls));
  const models = q.supportedModels();
  release();
  assert.deepEqual(await models, [{ value: "m" }]);
  const seen: string[] = [];
  for await (const m of q) seen.push(m.type);
  assert.deepEqual(seen, ["system", "assistant", "result"]);
  q.close();
  assert.deepEqual(calls, ["supportedModels", "close"]);
});

test("closed before the start: never started; iteration ends, methods reject with why", async () => {
  let started = false;
  const q = deferredQuery(Promise.resolve(), () => {
    started = true;
    return standIn(["result"], []);
  });
  q.close();
  assert.deepEqual(await q.next(), { done: true, value: undefined });
  await assert.rejects(q.supportedModels(), /closed before Claude Code started/);
  assert.equal(started, false);
});

test("a start that throws is the first message's error, not an unhandled rejection", async () => {
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => unhandled.push(reason);
  process.on("unhandledRejection", onUnhandled);
  try {
    const never = deferredQuery(Promise.resolve(), () => {
      throw new Error("bad options");
    });
    const q = deferredQuery(Promise.resolve(), () => {
      throw new Error("bad options");
    });
    await assert.rejects(q.next(), /bad options/);
    await new Promise((resolve) => setTimeout(resolve, 20));
    assert.deepEqual(unhandled, []);
    assert.equal(typeof never.next, "function");
  } finally {
    process.off("unhandledRejection", onUnhandled);
  }
});
