import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { ResultEvent } from "../../src/events.ts";
import { runOutcome } from "../../src/trace/run-outcome.ts";

const models = (input: number, output: number, cost: number) => ({
  m: { usage: { input, output, cacheRead: 100, cacheCreation: 10 }, costUsd: cost },
});
const result = (over: Partial<ResultEvent>): ResultEvent => ({ kind: "result", source: "result", time: 0, ...over });
const none = { input: 0, output: 0, cacheRead: 0, cacheCreation: 0 };

describe("runOutcome", () => {
  test("several results (a background task reporting back): the last totals, turns and denials summed", () => {
    const o = runOutcome({
      results: [
        result({
          numTurns: 2,
          permissionDenials: 1,
          totalCostUsd: 0.1,
          models: models(5, 50, 0.1),
          subtype: "success",
        }),
        result({
          numTurns: 1,
          permissionDenials: 0,
          totalCostUsd: 0.3,
          models: models(9, 90, 0.3),
          subtype: "success",
        }),
      ],
      chatUsage: none,
    });
    assert.deepEqual(o.usage, { input: 9, output: 90, cacheRead: 100, cacheCreation: 10 });
    assert.equal(o.costUsd, 0.3);
    assert.equal(o.numTurns, 3);
    assert.equal(o.permissionDenials, 1);
    assert.equal(o.errorType, undefined);
  });

  test("the first failed result names the failure, even when a later one succeeded", () => {
    const o = runOutcome({
      results: [
        result({ subtype: "error_max_turns", isError: true, terminalReason: "max_turns", errors: ["too many"] }),
        result({ subtype: "success" }),
      ],
      chatUsage: none,
      exitCode: 1,
    });
    assert.equal(o.errorType, "max_turns");
    assert.equal(o.errorMessage, "too many");
    assert.equal(o.shown?.subtype, "error_max_turns");
  });

  test("no result, but the transcript says the turn limit was reached: max_turns, as the live result says", () => {
    const o = runOutcome({ results: [], chatUsage: none, mainCalls: 2, maxTurns: { maxTurns: 2, turnCount: 3 } });
    assert.equal(o.errorType, "max_turns");
    assert.equal(o.errorMessage, "Reached maximum number of turns (2)");
    assert.equal(o.numTurns, 3);
    // The result message, when there is one, says it first.
    const live = runOutcome({
      results: [result({ subtype: "error_max_turns", isError: true, terminalReason: "max_turns", errors: ["x"] })],
      chatUsage: none,
      maxTurns: { maxTurns: 2 },
    });
    assert.equal(live.errorMessage, "x");
  });

  test("a saved cost state that does not cover the calls seen is an earlier run's: the calls seen", () => {
    const costState = { kind: "result" as const, source: "cost-state" as const, time: 0, totalCostUsd: 0.2 };
    const seen = { input: 2, output: 2, cacheRead: 100, cacheCreation: 10 };
    const stale = runOutcome({ results: [], costState: { ...costState, models: models(1, 2, 0.2) }, chatUsage: seen });
    assert.equal(stale.costUsd, undefined);
    assert.deepEqual(stale.usage, seen);
    const bare = runOutcome({ results: [], costState, chatUsage: seen });
    assert.equal(bare.costUsd, undefined, "totals without their tokens cannot be checked");
    const covering = runOutcome({
      results: [],
      costState: { ...costState, models: models(2, 3, 0.2) },
      chatUsage: seen,
    });
    assert.equal(covering.costUsd, 0.2);
  });

  test("no result: the saved cost state, else the calls seen; failures by precedence", () => {
    const fromState = runOutcome({
      results: [],
      costState: { kind: "result", source: "cost-state", time: 0, totalCostUsd: 0.2, models: models(1, 2, 0.2) },
      // Claude Code's totals hold calls the transcript has none for (the compaction summary).
      chatUsage: { input: 1, output: 1, cacheRead: 50, cacheCreation: 5 },
    });
    assert.equal(fromState.costUsd, 0.2);
    assert.equal(fromState.usage.output, 2);
    assert.equal(fromState.numTurns, undefined);
    const fromCalls = runOutcome({
      results: [],
      chatUsage: { input: 7, output: 8, cacheRead: 0, cacheCreation: 0 },
      exitCode: 2,
    });
    assert.equal(fromCalls.usage.output, 8);
    assert.equal(fromCalls.costUsd, undefined);
    assert.equal(fromCalls.errorType, "exit_code_2");
    assert.equal(
      runOutcome({ results: [], chatUsage: none, apiError: { message: "API Error: 529", status: 529 }, exitCode: 1 })
        .errorType,
      "api_error",
    );
    assert.equal(
      runOutcome({ results: [], chatUsage: none, error: "spawn failed", exitCode: 127 }).errorType,
      "run_error",
    );
    const interrupted = runOutcome({
      results: [result({ isError: true, subtype: "error_during_execution" })],
      chatUsage: none,
      interrupted: { signal: "SIGTERM" },
    });
    assert.equal(interrupted.errorType, "interrupted");
    assert.equal(interrupted.errorMessage, "interrupted by SIGTERM");
  });

  test("a resumed session: Claude Code's totals cover earlier runs too, so the run's are the calls seen", () => {
    const o = runOutcome({
      results: [result({ numTurns: 1, totalCostUsd: 0.3, models: models(9, 90, 0.3), durationApiMs: 900 })],
      costState: result({ source: "cost-state", totalCostUsd: 0.5, models: models(1, 2, 0.5) }),
      chatUsage: { input: 3, output: 4, cacheRead: 0, cacheCreation: 0 },
      resumed: true,
    });
    assert.deepEqual(o.usage, { input: 3, output: 4, cacheRead: 0, cacheCreation: 0 });
    assert.equal(o.costUsd, undefined);
    assert.equal(o.models, undefined);
    assert.equal(o.durationApiMs, undefined);
    assert.equal(o.numTurns, 1, "turns are this run's either way");
  });
});
