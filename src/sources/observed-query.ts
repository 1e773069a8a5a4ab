/**
 * The `Query` `tracedQuery` hands out: `query()`'s own object, its messages read through a
 * generator that takes what the trace needs on the way and ends the trace however they end, its
 * control methods (interrupt, setModel, close, …) its own.
 *
 * A generator that has not started does not run its body when it is returned or thrown into: ending
 * the query before its first message (`return()`, `throw()`, disposing it) would then never reach
 * `query()`'s object, so Claude Code would go on running and the trace would never end. Those go to
 * `query()`'s object here, and the trace ends as it does after the last message.
 *
 * `close()` stops Claude Code, but `query()` still yields what it had received before; a program
 * that reads no further would leave the trace open, and with it the run's accounting endpoint and
 * transcript reading, for as long as it runs. So after `close()` the rest of the messages are read
 * here, the trace ends with them, and the program gets each of them, in order, if it reads on.
 */
import type { Query, SDKMessage } from "@anthropic-ai/claude-agent-sdk";

type Step = IteratorResult<SDKMessage, void>;

const DONE: Step = { done: true, value: undefined };

/** Read every step `source` has left, now; the function returned hands them out in order. */
function readAhead(source: AsyncGenerator<SDKMessage, void>): () => Promise<Step> {
  const steps: Promise<Step>[] = [];
  const pull = () => {
    const step = source.next();
    steps.push(step);
    // Registered first, so the following step is asked for before a reader waiting on this one resumes.
    step.then(
      (s) => (s.done ? undefined : pull()),
      () => {},
    );
  };
  pull();
  let taken = 0;
  const next = (): Promise<Step> => {
    const step = steps[taken];
    if (step) {
      taken++;
      return step;
    }
    const last = steps[taken - 1] as Promise<Step>;
    return last.then(
      (s) => (s.done ? DONE : next()),
      () => DONE,
    );
  };
  return next;
}

export function observedQuery(
  inner: Query,
  observed: AsyncGenerator<SDKMessage, void>,
  ended: (error?: unknown) => Promise<void>,
): Query {
  let started = false;
  let rest: (() => Promise<Step>) | undefined;
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
      return rest ? rest() : observed.next(...args);
    },
    return: (value?: unknown): Promise<Step> => {
      if (!started) return endUnstarted(() => inner.return(value as undefined));
      if (rest) rest = () => Promise.resolve(DONE);
      return observed.return(value as undefined);
    },
    throw: (error?: unknown): Promise<Step> => {
      if (!started) return endUnstarted(() => inner.throw(error), error);
      if (rest) rest = () => Promise.resolve(DONE);
      return observed.throw(error);
    },
  };
  const close = (): void => {
    inner.close();
    started = true;
    rest ??= readAhead(observed);
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
      if (property === "close") return close;
      const value = Reflect.get(target, property, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}
