/**
 * The export side's view of the configuration, which `src/config/` owns: the backends and the
 * resolved values. `resolveTelemetryConfig` is `resolveConfig` under its earlier name.
 */
import { type ConfigFlags, resolveConfig } from "../config/resolve.ts";

export type {
  Backend,
  Compression,
  Endpoint,
  OtlpProtocol,
  Protocol,
  SentryTarget,
  TlsFiles,
} from "../config/backends.ts";
export { logfireBackend, sentryBackend, sentryEnvelopeUrl, tracesEndpoint } from "../config/backends.ts";
export { describeConfig } from "../config/describe.ts";
export { ConfigError, parsePairs as parseHeaders } from "../config/parse.ts";
export type { Config, Config as TelemetryConfig, ConfigFlags as TelemetryFlags } from "../config/resolve.ts";
export { resolveConfig } from "../config/resolve.ts";

/** `resolveConfig`: kept for the callers that use this name. */
export const resolveTelemetryConfig = (
  flags: ConfigFlags,
  env: Readonly<Record<string, string | undefined>>,
  sentryInstalled?: () => boolean,
) => resolveConfig(flags, env, sentryInstalled);
