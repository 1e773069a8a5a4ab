/**
 * Finding the optional peer `@sentry/node` and the `@sentry/core` it brings, without loading
 * either until a trace is sent.
 */
import { createRequire } from "node:module";
import { locateSentryCore } from "../config/peers.ts";

export { isSentryInstalled, locateSentryCore, SentryNotInstalled } from "../config/peers.ts";

/** The few `@sentry/core` functions claudia uses (typed here: it is a peer's dependency). */
export interface SentryCore {
  makeDsn(dsn: string): { publicKey?: string } | undefined;
  getEnvelopeEndpointWithUrlEncodedAuth(dsn: object, tunnel?: string, sdk?: object): string;
  createEventEnvelope(event: object, dsn: object, metadata?: object): unknown;
  serializeEnvelope(envelope: unknown): string | Uint8Array;
  uuid4(): string;
}

export function loadSentryCore(): SentryCore {
  return createRequire(import.meta.url)(locateSentryCore()) as SentryCore;
}
