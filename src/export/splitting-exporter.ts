/**
 * Answers a backend's "413 payload too large" (or gRPC's message-too-large) without losing the run: the batch is split in
 * halves until each part is taken, and a single span that is still too large has its largest
 * content attributes trimmed (each time to half) until it fits.
 */
import { type ExportResult, ExportResultCode } from "@opentelemetry/core";
import type { ReadableSpan, SpanExporter } from "@opentelemetry/sdk-trace";
import { grpcError, isGrpcTooLarge } from "./grpc-error.ts";

const MAX_TRIMS = 8;
const TRIM_MARKER = "…[trimmed to fit the backend's size limit]";

/** Export once, as a promise. */
export function exportOnce(exporter: SpanExporter, spans: ReadableSpan[]): Promise<void> {
  return new Promise((resolve, reject) => {
    exporter.export(spans, (result) => {
      if (result.code === ExportResultCode.SUCCESS) resolve();
      else reject(result.error ?? new Error("export failed"));
    });
  });
}

/** HTTP's 413, or its gRPC equivalent: the batch is larger than the backend takes. */
export const isTooLarge = (error: unknown) =>
  isGrpcTooLarge(error) || (!grpcError(error) && (error as { code?: unknown } | undefined)?.code === 413);

/** A copy of a span with other attributes (a ReadableSpan is immutable). */
export function withAttributes(span: ReadableSpan, attributes: ReadableSpan["attributes"]): ReadableSpan {
  return {
    name: span.name,
    kind: span.kind,
    spanContext: () => span.spanContext(),
    parentSpanContext: span.parentSpanContext,
    startTime: span.startTime,
    endTime: span.endTime,
    status: span.status,
    attributes,
    links: span.links,
    events: span.events,
    duration: span.duration,
    ended: span.ended,
    resource: span.resource,
    instrumentationScope: span.instrumentationScope,
    droppedAttributesCount: span.droppedAttributesCount,
    droppedEventsCount: span.droppedEventsCount,
    droppedLinksCount: span.droppedLinksCount,
  };
}

/** A copy of the span whose largest string attribute is cut to half its length. */
export function trimLargest(span: ReadableSpan): ReadableSpan | undefined {
  let largest: string | undefined;
  for (const [key, value] of Object.entries(span.attributes)) {
    if (typeof value === "string" && value.length > TRIM_MARKER.length * 2) {
      if (largest === undefined || value.length > String(span.attributes[largest]).length) largest = key;
    }
  }
  if (largest === undefined) return undefined;
  const value = String(span.attributes[largest]);
  const keep = Math.floor(value.length / 2);
  return withAttributes(span, { ...span.attributes, [largest]: value.slice(0, keep) + TRIM_MARKER });
}

export class SplittingExporter implements SpanExporter {
  constructor(private readonly inner: SpanExporter) {}

  export(spans: ReadableSpan[], done: (result: ExportResult) => void): void {
    this.send(spans).then(
      () => done({ code: ExportResultCode.SUCCESS }),
      (error: unknown) => done({ code: ExportResultCode.FAILED, error: error as Error }),
    );
  }

  private async send(spans: ReadableSpan[]): Promise<void> {
    try {
      await exportOnce(this.inner, spans);
    } catch (error) {
      if (!isTooLarge(error) || spans.length === 0) throw error;
      if (spans.length > 1) {
        const middle = Math.ceil(spans.length / 2);
        await this.send(spans.slice(0, middle));
        await this.send(spans.slice(middle));
        return;
      }
      let span = spans[0] as ReadableSpan;
      for (let i = 0; i < MAX_TRIMS; i++) {
        const smaller = trimLargest(span);
        if (!smaller) break;
        span = smaller;
        try {
          await exportOnce(this.inner, [span]);
          return;
        } catch (again) {
          if (!isTooLarge(again)) throw again;
        }
      }
      throw error;
    }
  }

  shutdown(): Promise<void> {
    return this.inner.shutdown();
  }

  forceFlush(): Promise<void> {
    return this.inner.forceFlush?.() ?? Promise.resolve();
  }
}
