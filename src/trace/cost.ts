/**
 * The price of one model call from the maintained price table `@pydantic/genai-prices`: the
 * fallback for calls Claude Code did not price itself (its per-request events off or missing).
 *
 * 1-hour cache writes and server web searches are priced as such when the usage reports them.
 * Pure: no I/O, no clock.
 */
import { calcPrice } from "@pydantic/genai-prices";
import { type TokenUsage, totalInput, type UsageDetails } from "../events.ts";

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
