/**
 * The `Query` `tracedQuery` hands out: `query()`'s own object, its messages read through a
 * generator that takes what the trace needs on the way and ends the trace however they end, its
 * control methods (interrupt, setModel, close, …) its own.
 *
 * A generator that has not started does not run its body when it is returned or thrown into: ending
 * the query before its first message (`return()`, `throw()`, disposing it) would then never reach
 * `query()`'s object, so Claude Code would go on running and the trace would never end. Those go to
 * `query()`'s object here, and the trace ends as it does after the last message.
 */
import type { Query, SDKMessage } from "@anthropic-ai/claude-agent-sdk";

type Step = IteratorResult<SDKMessage, void>;

export function observedQuery(
  inner: Query,
  observed: AsyncGenerator<SDKMessage, void>,
  ended: (error?: unknown) => Promise<void>,
): Query {
  let started = false;
  // Ended before the first message: the observing generator is closed unstarted, query()'s object is told.
  const endUnstarted = async (end: () => Promise<Step>, error?: unknown): Promise<Step> => {
    started = true;
    await observed.return();
    try {
      return await end();
    } finally {
      await ended(error);
    }
  };
  const iteration = {
    next: (...args: [] | [unknown]): Promise<Step> => {
      started = true;
      return observed.next(...args);
    },
    return: (value?: unknown): Promise<Step> =>
      started ? observed.return(undefined) : endUnstarted(() => inner.return(value as undefined)),
    throw: (error?: unknown): Promise<Step> =>
      started ? observed.throw(error) : endUnstarted(() => inner.throw(error), error),
  };
  // As query()'s own: Claude Code stopped; the messages not read are dropped.
  const dispose = async (): Promise<void> => {
    inner.close();
    await iteration.return();
  };
  return new Proxy(inner, {
    get(target, property, receiver) {
      if (property === "next" || property === "return" || property === "throw") return iteration[property];
      if (property === Symbol.asyncIterator) return () => receiver;
      if (property === Symbol.asyncDispose) return dispose;
      const value = Reflect.get(target, property, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}
