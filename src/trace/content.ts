/**
 * What of the conversation's content goes into spans, and how much of it (the policy is resolved
 * with the rest of the configuration, in `config/`), and how a value is cut to that limit.
 */

export interface ContentPolicy {
  capture: boolean;
  /** Longest value kept, in characters. */
  maxLength: number;
}

/**
 * Cut a text to the limit (in UTF-16 code units), saying exactly how many were cut; never between
 * the two halves of a surrogate pair (an emoji is kept whole or cut whole).
 */
export function truncate(text: string, maxLength: number): string {
  return cutWithMarker(text, text.length, maxLength);
}

/**
 * `truncate` for a text of which only the start (`head`, at least `maxLength` long when the text
 * is longer) was read: `total` is the whole text's length.
 */
export function cutWithMarker(head: string, total: number, maxLength: number): string {
  if (total <= maxLength) return head;
  let kept = 0;
  let marker = "";
  // The marker's length depends on the count it shows: settle both (at most a few rounds).
  for (let round = 0, guess = 16; round < 4; round++) {
    kept = Math.max(0, maxLength - guess);
    const code = head.charCodeAt(kept - 1);
    if (kept > 0 && code >= 0xd800 && code <= 0xdbff) kept--;
    marker = `…[${total - kept} more chars]`;
    if (marker.length === guess) break;
    guess = marker.length;
  }
  return head.slice(0, kept) + marker;
}

/**
 * JSON of a value within the limit, cutting the strings inside it (never the JSON itself), so the
 * result always parses. When even empty strings do not fit, the whole JSON is kept as one cut string.
 */
export function cutJson(value: unknown, maxLength: number): string {
  if (typeof value === "string" || value instanceof TextHead) return capText(value, maxLength);
  const whole = toJson(value);
  if (whole.length <= maxLength) return whole;
  const best = largestFitting(maxLength, (cap) => toJson(capStrings(value, cap, 0)));
  return best ?? JSON.stringify(truncate(whole, Math.max(0, maxLength - 2)));
}

/**
 * The JSON `render(cap)` gives for the largest cap (the longest string kept inside) that fits in
 * `maxLength`, found by halving: each try is linear, and there are log2(maxLength) of them.
 */
export function largestFitting(maxLength: number, render: (cap: number) => string): string | undefined {
  let low = 0;
  let high = maxLength;
  let best: string | undefined;
  while (low <= high) {
    const cap = Math.floor((low + high) / 2);
    const json = render(cap);
    if (json.length <= maxLength) {
      best = json;
      low = cap + 1;
    } else {
      high = cap - 1;
    }
  }
  return best;
}

const MAX_DEPTH = 64;
/** What stands in for a value nested deeper than MAX_DEPTH (it is neither kept nor redacted). */
export const TOO_DEEP = `[nested more than ${MAX_DEPTH} levels deep]`;

/**
 * The start of a long text, read (and redacted) only as far as a cut can need, with the whole
 * text's length: cut again later, it still says exactly how much of the whole was cut. In JSON it
 * is its head with that marker.
 */
export class TextHead {
  constructor(
    readonly head: string,
    readonly total: number,
  ) {}

  cut(maxLength: number): string {
    return cutWithMarker(this.head, this.total, Math.min(maxLength, this.head.length));
  }

  toJSON(): string {
    return this.cut(this.head.length);
  }
}

/** A text cut to `cap`, whether whole or only its head was read. */
export const capText = (text: string | TextHead, cap: number): string =>
  typeof text === "string" ? truncate(text, cap) : text.cut(cap);

const capStrings = (value: unknown, cap: number, depth: number): unknown =>
  mapTexts(value, (text) => capText(text, cap), depth);

/** A copy of a JSON-like value with every string inside it passed through `fn` (e.g. redaction). */
export function mapStrings(value: unknown, fn: (text: string) => unknown, depth = 0): unknown {
  return mapTexts(value, (text) => (typeof text === "string" ? fn(text) : text), depth);
}

/**
 * `mapStrings` over texts whole or read only in part (`TextHead`). A value nested deeper than
 * MAX_DEPTH becomes TOO_DEEP: the result is always shallow enough to encode, and nothing is left
 * unredacted below the cap.
 */
export function mapTexts(value: unknown, fn: (text: string | TextHead) => unknown, depth = 0): unknown {
  if (typeof value === "string" || value instanceof TextHead) return fn(value);
  if (value === null || typeof value !== "object") return value;
  if (depth > MAX_DEPTH) return TOO_DEEP;
  if (Array.isArray(value)) return value.map((item) => mapTexts(item, fn, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) out[key] = mapTexts(item, fn, depth + 1);
  return out;
}

/** JSON for an attribute, never throwing. */
export function toJson(value: unknown): string {
  if (typeof value === "string") return value;
  try {
    return JSON.stringify(value) ?? "";
  } catch {
    return String(value);
  }
}
