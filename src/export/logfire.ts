/**
 * What Logfire's UI reads beyond the GenAI conventions: a readable message per span
 * (`logfire.msg`), the `LLM` tag on model calls, and the cost as `operation.cost`. Added on the way
 * to Logfire only; other backends get the spans as they are.
 */
import type { Attributes } from "@opentelemetry/api";
import type { ExportResult } from "@opentelemetry/core";
import type { ReadableSpan, SpanExporter } from "@opentelemetry/sdk-trace";
import { messagesText } from "../trace/messages.ts";
import { ATTR, LOGFIRE } from "../trace/semconv.ts";
import { ellipsize } from "../trace/text.ts";
import { formatToolTitle, toolTitle } from "../trace/tool-title.ts";
import { withAttributes } from "./splitting-exporter.ts";

/** One line of at most 80 characters, for Logfire's message column. */
function oneLine(text: string, max = 80): string {
  const line = text.replace(/\s+/g, " ").trim();
  return ellipsize(line, max);
}

/** The prompt of an agent span: the text of its `gen_ai.input.messages`. */
function promptOf(span: ReadableSpan): string | undefined {
  return messagesText(span.attributes[ATTR.inputMessages]);
}

/** The attributes Logfire reads, for one span. Pure. */
export function logfireAttributes(span: ReadableSpan): Attributes {
  const a = span.attributes;
  const extra: Attributes = { [LOGFIRE.spanType]: "span" };
  const op = a[ATTR.operationName];
  if (op === "invoke_agent") {
    const prompt = promptOf(span);
    extra[LOGFIRE.msg] = prompt !== undefined ? `🤖 ${oneLine(prompt)}` : `🤖 ${span.name}`;
  } else if (op === "chat") {
    extra[LOGFIRE.msg] = span.name;
    extra[LOGFIRE.tags] = ["LLM"];
  } else if (op === "execute_tool") {
    let input: unknown = {};
    try {
      input = JSON.parse(String(a[ATTR.toolArguments] ?? "{}"));
    } catch {
      // Arguments not captured or cut: the title falls back to the description or the tool's name.
    }
    if (typeof a[ATTR.ccToolDescription] === "string") input = { description: a[ATTR.ccToolDescription] };
    extra[LOGFIRE.msg] = `🔧 ${oneLine(formatToolTitle(toolTitle(String(a[ATTR.toolName] ?? span.name), input)))}`;
  }
  if (typeof a[ATTR.cost] === "number") extra[LOGFIRE.cost] = a[ATTR.cost];
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
