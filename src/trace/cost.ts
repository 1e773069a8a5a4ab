/**
 * The price of one model call from the maintained price table `@pydantic/genai-prices`: the
 * fallback for calls Claude Code did not price itself (its per-request events off or missing).
 *
 * 1-hour cache writes and server web searches are priced as such when the usage reports them.
 * No clock; the table is read from disk on the first call that needs it.
 */
import { createRequire } from "node:module";
import type { calcPrice as CalcPrice } from "@pydantic/genai-prices";
import { type TokenUsage, totalInput, type UsageDetails } from "../events.ts";

let table: typeof CalcPrice | undefined;

/**
 * The table, loaded on first use: building it costs ~40 ms of CPU, which runs where Claude Code boots,
 * and a run whose every call Claude Code priced itself never needs it.
 */
function calcPrice(...args: Parameters<typeof CalcPrice>): ReturnType<typeof CalcPrice> {
  table ??= (createRequire(import.meta.url)("@pydantic/genai-prices") as { calcPrice: typeof CalcPrice }).calcPrice;
  return table(...args);
}

/** USD for one call made at `time` (epoch ms), or undefined when the table does not know the model. */
export function callCost(
  model: string,
  usage: TokenUsage,
  time: number = Date.now(),
  details: UsageDetails = {},
): number | undefined {
  try {
    const price = calcPrice(
      {
        input_tokens: totalInput(usage),
        output_tokens: usage.output,
        cache_read_tokens: usage.cacheRead,
        cache_write_tokens: usage.cacheCreation,
        // A part of the cache writes, priced at the 1-hour rate.
        cache_write_1h_tokens: Math.min(details.cacheCreation1h ?? 0, usage.cacheCreation),
        web_searches: details.webSearchRequests ?? 0,
      },
      model,
      // The call's own time: prices can change over time (and the table is ~4x faster given one).
      { providerId: "anthropic", timestamp: new Date(time) },
    );
    return price ? price.total_price : undefined;
  } catch {
    return undefined;
  }
}
