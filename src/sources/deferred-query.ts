/**
 * A `Query` handed out at once whose real `query()` call waits for something asynchronous.
 *
 * The Agent SDK spawns Claude Code inside `query()`, with the environment it is given then; Claude
 * Code's accounting endpoint (`claude-events-server.ts`) must already listen, and listening is
 * asynchronous in node. `tracedQuery` must still return a `Query` synchronously, as `query()` does.
 * So the returned object forwards everything to the real query once it exists: the message
 * iteration and every control method (each returns a promise in the SDK, so waiting changes
 * nothing for the caller), and `close()`, the one synchronous method, which before the start means
 * Claude Code is never started.
 */
import type { Query, SDKMessage } from "@anthropic-ai/claude-agent-sdk";

/** Properties never forwarded before the query exists: probes for promises and serializers. */
const NOT_METHODS = new Set<PropertyKey>(["then", "toJSON", "constructor"]);

export function deferredQuery<T>(ready: Promise<T>, start: (value: T) => Query): Query {
  let inner: Query | undefined;
  let closed = false;
  const created: Promise<Query | undefined> = ready.then((value) => {
    if (closed) return undefined;
    inner = start(value);
    return inner;
  });
  // A start that failed (query() throwing on its options) is reported by the first call that waits
  // for it, not as an unhandled rejection when the caller never iterates.
  created.catch(() => {});
  const done: IteratorResult<SDKMessage, void> = { done: true, value: undefined };
  const iteration = {
    next: (...args: [] | [unknown]) => created.then((q) => (q ? q.next(...args) : done)),
    return: (value?: unknown) => created.then((q) => (q ? q.return(value as undefined) : done)),
    throw: (error?: unknown) =>
      created.then((q) =>
        q ? q.throw(error) : Promise.reject(error instanceof Error ? error : new Error(String(error))),
      ),
  };
  const close = () => {
    closed = true;
    inner?.close();
  };
  return new Proxy({} as Query, {
    get(_target, property, receiver) {
      if (property === "close") return close;
      if (property === "next" || property === "return" || property === "throw") return iteration[property];
      if (property === Symbol.asyncIterator) return () => receiver;
      if (inner) {
        const value = Reflect.get(inner, property, inner);
        return typeof value === "function" ? value.bind(inner) : value;
      }
      if (typeof property !== "string" || NOT_METHODS.has(property)) return undefined;
      // A control method called before Claude Code started: called on the query once it exists.
      return (...args: unknown[]) =>
        created.then((q) => {
          if (!q) throw new Error(`${property}() on a query closed before Claude Code started`);
          const method = Reflect.get(q, property, q);
          if (typeof method !== "function") throw new TypeError(`query.${property} is not a function`);
          return method.apply(q, args);
        });
    },
  });
}
