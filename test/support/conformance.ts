/** The conformance checks over spans a real exporter delivered to the test receiver. */
import assert from "node:assert/strict";
import type { ReceivedSpan } from "./otlp-receiver.ts";
import { type CheckedSpan, conformanceProblems } from "./semconv-check.ts";

/** A received span as the checks read it (OTLP numbers its kinds one above the API's). */
export function checkedSpan(span: ReceivedSpan): CheckedSpan {
  return {
    name: span.name,
    kind: span.kind - 1,
    attributes: span.attributes,
    events: span.events,
    durationSeconds: (span.endMs - span.startMs) / 1000,
  };
}

/** Every span of a trace follows the GenAI conventions (the published ones, or the newest when opted in). */
export function assertConforms(spans: ReceivedSpan[], options: { latest?: boolean } = {}): void {
  assert.ok(spans.length > 0, "no spans to check");
  const problems = conformanceProblems(spans.map(checkedSpan), { latest: options.latest === true });
  assert.deepEqual(problems, [], `the trace departs from the GenAI conventions:\n${problems.join("\n")}`);
}
