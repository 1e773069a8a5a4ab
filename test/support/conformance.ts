/** The conformance checks over spans a real exporter delivered to the test receiver. */
import assert from "node:assert/strict";
import type { ReadableSpan } from "@opentelemetry/sdk-trace";
import type { ReceivedSpan } from "./otlp-receiver.ts";
import { type CheckedSpan, conformanceProblems } from "./semconv-check.ts";

const isReadable = (span: ReceivedSpan | ReadableSpan): span is ReadableSpan => "spanContext" in span;

/** A received (or in-memory) span as the checks read it (OTLP numbers its kinds one above the API's). */
export function checkedSpan(span: ReceivedSpan | ReadableSpan): CheckedSpan {
  if (isReadable(span)) {
    return {
      name: span.name,
      kind: span.kind,
      attributes: span.attributes,
      events: span.events,
      durationSeconds: span.duration[0] + span.duration[1] / 1e9,
    };
  }
  return {
    name: span.name,
    kind: span.kind - 1,
    attributes: span.attributes,
    events: span.events,
    durationSeconds: (span.endMs - span.startMs) / 1000,
  };
}

/** Every span of a trace follows the GenAI conventions (the published ones, or the newest when opted in). */
export function assertConforms(spans: (ReceivedSpan | ReadableSpan)[], options: { latest?: boolean } = {}): void {
  assert.ok(spans.length > 0, "no spans to check");
  const problems = conformanceProblems(spans.map(checkedSpan), { latest: options.latest === true });
  assert.deepEqual(problems, [], `the trace departs from the GenAI conventions:\n${problems.join("\n")}`);
}

/** The prompt an agent span carries: the text of its `gen_ai.input.messages`. */
export function promptOf(span: ReceivedSpan | ReadableSpan): string | undefined {
  const json = span.attributes["gen_ai.input.messages"];
  if (typeof json !== "string") return undefined;
  const messages = JSON.parse(json) as { parts: { type: string; content?: string }[] }[];
  return messages
    .flatMap((m) => m.parts)
    .filter((p) => p.type === "text")
    .map((p) => p.content)
    .join("\n");
}
