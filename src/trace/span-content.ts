/**
 * What the trace says of the session's text: every captured text redacted, then cut to the content
 * limit, and every JSON-valued attribute (messages, arguments) cut inside its values so it stays
 * valid JSON. Nothing is captured when content capture is off; error messages are redacted and cut
 * either way.
 */
import type { Span } from "@opentelemetry/api";
import { type ContentPolicy, cutJson, mapStrings, TextHead, truncate } from "./content.ts";
import { encodeDocument } from "./messages.ts";

/** A redactor that can also cut while it redacts, reading no more of a long text than the cut needs (redact.ts). */
interface BoundedRedactor {
  (text: string): string;
  redactAndCut?: (text: string, maxLength: number) => string;
  head?: (text: string, maxLength: number) => { head: string; total: number };
}

export class SpanContent {
  readonly capture: boolean;
  readonly redact: (text: string) => string;
  private readonly max: number;
  private readonly redactCut: (text: string) => string;
  private readonly redactHead: (text: string) => string | TextHead;

  constructor(policy: ContentPolicy, redact?: BoundedRedactor) {
    this.capture = policy.capture;
    this.max = policy.maxLength;
    this.redact = redact ?? ((text) => text);
    const max = this.max;
    // A 20 MB tool input is read only as far as its cut (plus a margin), not redacted whole first.
    const bounded = redact?.redactAndCut;
    this.redactCut = bounded ? (text) => bounded(text, max) : (text) => truncate(this.redact(text), max);
    const head = redact?.head;
    this.redactHead = head
      ? (text) => {
          const read = head(text, max);
          return read.total > read.head.length ? new TextHead(read.head, read.total) : read.head;
        }
      : this.redact;
  }

  /** Redact, then cut to the content limit: what every captured text goes through. */
  cut(text: string): string {
    return this.redactCut(text);
  }

  /** A JSON value (a tool's arguments): its texts redacted, cut inside its values. */
  json(value: unknown): string {
    return cutJson(mapStrings(value, this.redactHead), this.max);
  }

  /** A content document (messages, instructions): every text redacted, cut inside its content, so it keeps its schema. */
  document(document: unknown[]): string {
    return encodeDocument(mapStrings(document, this.redactHead) as unknown[], this.max);
  }

  /** Set a content document on a span, when content is captured. */
  set(span: Span, key: string, document: unknown[]): void {
    if (this.capture) span.setAttribute(key, this.document(document));
  }
}
