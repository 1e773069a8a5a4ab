/**
 * Which dialect of the GenAI conventions a run speaks.
 *
 * By default claudia writes the names of the `@opentelemetry/semantic-conventions` package it
 * depends on (the published conventions). `OTEL_SEMCONV_STABILITY_OPT_IN=gen_ai_latest_experimental`
 * (a comma-separated list, as OpenTelemetry instrumentations read it) switches to the newest,
 * still-in-development conventions: cache writes as `gen_ai.usage.cache_write.input_tokens`, no
 * cache breakdown on `invoke_agent` spans, and token usage as one histogram per direction.
 */
import type { Attributes } from "@opentelemetry/api";
import { type TokenUsage, totalInput } from "../events.ts";
import { ATTR } from "./semconv.ts";

export interface SemconvMode {
  /** The newest (development) GenAI conventions were opted in. */
  latest: boolean;
}

/**
 * The usage attributes of a span in the run's dialect. Input includes cache reads and writes. The
 * newest conventions call cache writes `cache_write` and keep the cache breakdown off agent spans.
 */
export function usageAttributes(usage: TokenUsage, mode: SemconvMode, span: "inference" | "agent"): Attributes {
  const attributes: Attributes = {
    [ATTR.inputTokens]: totalInput(usage),
    [ATTR.outputTokens]: usage.output,
  };
  if (mode.latest && span === "agent") return attributes;
  attributes[ATTR.cacheReadTokens] = usage.cacheRead;
  attributes[mode.latest ? ATTR.cacheWriteTokens : ATTR.cacheCreationTokens] = usage.cacheCreation;
  return attributes;
}

/** Cache writes of a span, whichever dialect wrote it. */
export function cacheWritesOf(attributes: Attributes): number | undefined {
  const value = attributes[ATTR.cacheWriteTokens] ?? attributes[ATTR.cacheCreationTokens];
  return typeof value === "number" ? value : undefined;
}

/** What of the GenAI content documents a run records, beyond the content policy (from the run's configuration). */
export interface GenAiOptions {
  semconv: SemconvMode;
  /** `CLAUDIA_CHAT_HISTORY=full`: a `chat` span's input is its agent's whole conversation so far. */
  fullHistory: boolean;
  /** `CLAUDIA_CAPTURE_TOOL_DEFINITIONS=true`: `gen_ai.tool.definitions` on the root. */
  toolDefinitions: boolean;
}
