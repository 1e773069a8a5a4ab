/**
 * Finding the optional peer `@sentry/node` and the `@sentry/core` it brings, without loading
 * either until a trace is sent.
 */
import { createRequire } from "node:module";

/** The few `@sentry/core` functions claudia uses (typed here: it is a peer's dependency). */
export interface SentryCore {
  makeDsn(dsn: string): { publicKey?: string } | undefined;
  getEnvelopeEndpointWithUrlEncodedAuth(dsn: object, tunnel?: string, sdk?: object): string;
  createEventEnvelope(event: object, dsn: object, metadata?: object): unknown;
  serializeEnvelope(envelope: unknown): string | Uint8Array;
  uuid4(): string;
}

export class SentryNotInstalled extends Error {
  constructor() {
    super(
      "SENTRY_DSN is set but @sentry/node is not installed (npm install @sentry/node); sending to the other backends",
    );
  }
}

/** Where `@sentry/core` is, as `@sentry/node` resolves it. Only resolves paths. */
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

export function loadSentryCore(): SentryCore {
  return createRequire(import.meta.url)(locateSentryCore()) as SentryCore;
}
