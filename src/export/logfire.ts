/**
 * What Logfire's UI reads beyond the GenAI conventions: a readable message per span
 * (`logfire.msg`), the `LLM` tag on model calls, and the cost as `operation.cost`. Added on the way
 * to Logfire only; other backends get the spans as they are.
 */
import type { Attributes } from "@opentelemetry/api";
import type { ExportResult } from "@opentelemetry/core";
import type { ReadableSpan, SpanExporter } from "@opentelemetry/sdk-trace";
import { ATTR } from "../trace/semconv.ts";
import { cut, toolTitle } from "../trace/tool-title.ts";
import { withAttributes } from "./splitting-exporter.ts";

function promptOf(span: ReadableSpan): string | undefined {
  const event = span.events.find((e) => e.name === "user.prompt");
  const prompt = event?.attributes?.["gen_ai.prompt"];
  return typeof prompt === "string" ? prompt : undefined;
}

/** The attributes Logfire reads, for one span. Pure. */
export function logfireAttributes(span: ReadableSpan): Attributes {
  const a = span.attributes;
  const extra: Attributes = { "logfire.span_type": "span" };
  const op = a[ATTR.operationName];
  if (op === "invoke_agent") {
    const prompt = promptOf(span);
    extra["logfire.msg"] = prompt !== undefined ? `🤖 ${cut(prompt)}` : `🤖 ${span.name}`;
  } else if (op === "chat") {
    extra["logfire.msg"] = span.name;
    extra["logfire.tags"] = ["LLM"];
  } else if (op === "execute_tool") {
    let input: unknown = {};
    try {
      input = JSON.parse(String(a[ATTR.toolArguments] ?? "{}"));
    } catch {
      // Arguments not captured or cut: the title falls back to the description or the tool's name.
    }
    if (typeof a[ATTR.ccToolDescription] === "string") input = { description: a[ATTR.ccToolDescription] };
    extra["logfire.msg"] = `🔧 ${toolTitle(String(a[ATTR.toolName] ?? span.name), input)}`;
  }
  if (typeof a[ATTR.cost] === "number") extra["operation.cost"] = a[ATTR.cost];
  return extra;
}

export class LogfireExporter implements SpanExporter {
  constructor(private readonly inner: SpanExporter) {}
  export(spans: ReadableSpan[], done: (result: ExportResult) => void): void {
    this.inner.export(
      spans.map((span) => withAttributes(span, { ...span.attributes, ...logfireAttributes(span) })),
      done,
    );
  }
  shutdown(): Promise<void> {
    return this.inner.shutdown();
  }
  forceFlush(): Promise<void> {
    return this.inner.forceFlush?.() ?? Promise.resolve();
  }
}
