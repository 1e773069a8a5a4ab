/**
 * Whether the optional peer `@sentry/node` (and the `@sentry/core` it brings) is installed. Only
 * resolves paths: nothing is loaded until a trace is sent (see export/sentry-core.ts).
 */
import { createRequire } from "node:module";

export class SentryNotInstalled extends Error {
  constructor() {
    super(
      "SENTRY_DSN is set but @sentry/node is not installed (npm install @sentry/node); sending to the other backends",
    );
  }
}

/** Where `@sentry/core` is, as `@sentry/node` resolves it. */
export function locateSentryCore(): string {
  const require = createRequire(import.meta.url);
  try {
    const node = require.resolve("@sentry/node");
    return createRequire(node).resolve("@sentry/core");
  } catch {
    throw new SentryNotInstalled();
  }
}

export function isSentryInstalled(): boolean {
  try {
    locateSentryCore();
    return true;
  } catch {
    return false;
  }
}
