/**
 * The price of one model call, from the maintained price table `@pydantic/genai-prices`.
 *
 * Claude Code reports cost for the whole run (the agent span carries exactly that figure); a
 * single call's price comes from the table. Pure: no I/O, no clock.
 */
import { calcPrice } from "@pydantic/genai-prices";
import { type TokenUsage, totalInput } from "../events.ts";

/** USD for one call made at `time` (epoch ms), or undefined when the table does not know the model. */
export function callCost(model: string, usage: TokenUsage, time: number = Date.now()): number | undefined {
  try {
    const price = calcPrice(
      {
        input_tokens: totalInput(usage),
        output_tokens: usage.output,
        cache_read_tokens: usage.cacheRead,
        cache_write_tokens: usage.cacheCreation,
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
