/**
 * What of the conversation's content goes into spans, and how much of it.
 *
 * Content (prompt, tool arguments and results, model text) is captured by default and cut at a
 * limit; `OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT=false` turns it off.
 */

export interface ContentPolicy {
  capture: boolean;
  /** Longest value kept, in characters. */
  maxLength: number;
}

export const DEFAULT_CONTENT_MAX_LENGTH = 8192;

export function contentPolicyFromEnv(env: NodeJS.ProcessEnv = process.env): ContentPolicy {
  const flag = env.OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT?.trim().toLowerCase();
  const capture = !(flag === "false" || flag === "0" || flag === "no" || flag === "off");
  const fromEnv = Number.parseInt(env.CLAUDIA_CONTENT_MAX_LENGTH ?? "", 10);
  const otelLimit = Number.parseInt(env.OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT ?? "", 10);
  let maxLength = Number.isFinite(fromEnv) && fromEnv > 0 ? fromEnv : DEFAULT_CONTENT_MAX_LENGTH;
  if (Number.isFinite(otelLimit) && otelLimit > 0) maxLength = Math.min(maxLength, otelLimit);
  return { capture, maxLength };
}

/** Cut a value to the limit, saying how much was cut. */
export function truncate(text: string, maxLength: number): string {
  if (text.length <= maxLength) return text;
  const marker = `…[${text.length - maxLength} more chars]`;
  return text.slice(0, Math.max(0, maxLength - marker.length)) + marker;
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
