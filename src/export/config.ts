/**
 * The telemetry configuration of a run: claudia's flags over the standard `OTEL_*` variables.
 * Pure: reads only the values it is given (and whether the optional Sentry SDK is installed).
 */
import { isSentryInstalled, SentryNotInstalled } from "./sentry-core.ts";

export type OtlpProtocol = "http/protobuf" | "http/json" | "grpc";
/** How spans reach a backend: OTLP in one of its protocols, or Sentry envelopes. */
export type Protocol = OtlpProtocol | "sentry";

export interface TelemetryFlags {
  otelEndpoint?: string;
  otelHeaders?: string;
  serviceName?: string;
  logfireToken?: string;
  sentryDsn?: string;
}

/** A Sentry project to send runs to, from `SENTRY_DSN` / `--sentry-dsn`. */
export interface SentryTarget {
  dsn: string;
  environment?: string;
  release?: string;
  /** Share of runs (traces) kept, 0..1; decided per trace id, so every part of a trace agrees. */
  tracesSampleRate: number;
}

/** One place traces go. Every configured backend gets the whole trace, independently of the others. */
export interface Backend {
  /** `otlp` (any OTLP endpoint), `logfire`, or a name given for a one-off export. */
  name: string;
  /** Full URL of the traces endpoint (http), the collector address (grpc) or Sentry's envelope endpoint. */
  url: string;
  /** Where metrics go; undefined when metrics are off for this backend. */
  metricsUrl?: string;
  protocol: Protocol;
  headers: Record<string, string>;
  /** Set for the Sentry backend only. */
  sentry?: SentryTarget;
}

export interface TelemetryConfig {
  serviceName: string;
  /** The generic OTLP backend (OTEL_EXPORTER_OTLP_*), when configured. */
  otlp?: Backend;
  /** Pydantic Logfire, when a write token is configured. */
  logfire?: Backend;
  /** Sentry, when a DSN is configured. */
  sentry?: Backend;
  /** Every configured backend. */
  backends: Backend[];
  /** Longest claudia waits at exit for the backend to take the spans. */
  exportTimeoutMs: number;
  /**
   * How long ended spans wait before they are sent (`OTEL_BSP_SCHEDULE_DELAY`). Short, so spans
   * reach the backend while the run goes on and little is left for the exit.
   */
  scheduleDelayMs: number;
  /** Problems found in environment variables: reported once, never fatal. */
  warnings: string[];
}

export const DEFAULT_SERVICE_NAME = "claude-agents";
export const DEFAULT_EXPORT_TIMEOUT_MS = 5000;
export const DEFAULT_SCHEDULE_DELAY_MS = 200;
const PROTOCOLS: OtlpProtocol[] = ["http/protobuf", "http/json", "grpc"];

export class ConfigError extends Error {
  constructor(
    readonly option: string,
    message: string,
  ) {
    super(message);
  }
}

/** Parse `k=v,k2=v2` (values may be percent-encoded, as the OTel spec allows). */
export function parseHeaders(text: string, option: string): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const raw of text.split(",")) {
    const pair = raw.trim();
    if (pair === "") continue;
    const eq = pair.indexOf("=");
    const key = eq > 0 ? pair.slice(0, eq).trim() : "";
    if (!key || !/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(key)) {
      throw new ConfigError(option, `${option}: expected key=value pairs separated by commas, got "${mask(pair)}"`);
    }
    let value = pair.slice(eq + 1).trim();
    try {
      value = decodeURIComponent(value);
    } catch {
      // Keep the raw value: not every header value is percent-encoded.
    }
    headers[key] = value;
  }
  return headers;
}

function checkUrl(value: string, option: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError(option, `${option}: "${value}" is not a URL (expected e.g. http://localhost:4318)`);
  }
  if (!/^https?:$/.test(url.protocol)) {
    throw new ConfigError(option, `${option}: "${value}" must be an http:// or https:// URL`);
  }
  return value;
}

const mask = (pair: string) => pair.replace(/=.*/, "=…");

/**
 * Resolve the configuration. Flag mistakes throw `ConfigError` (the CLI exits 2); the same
 * mistakes in environment variables become warnings and that part of the configuration is dropped.
 */
export function resolveTelemetryConfig(
  flags: TelemetryFlags,
  env: NodeJS.ProcessEnv,
  sentryInstalled: () => boolean = isSentryInstalled,
): TelemetryConfig {
  const warnings: string[] = [];
  const fromEnv = <T>(name: string, parse: () => T): T | undefined => {
    try {
      return parse();
    } catch (error) {
      warnings.push(error instanceof ConfigError ? error.message : `${name}: ${String(error)}`);
      return undefined;
    }
  };

  const serviceName = flags.serviceName || env.OTEL_SERVICE_NAME || DEFAULT_SERVICE_NAME;
  const timeout = Number.parseInt(env.CLAUDIA_EXPORT_TIMEOUT_MS ?? "", 10);
  const exportTimeoutMs = Number.isFinite(timeout) && timeout > 0 ? timeout : DEFAULT_EXPORT_TIMEOUT_MS;
  const delay = Number.parseInt(env.OTEL_BSP_SCHEDULE_DELAY ?? "", 10);
  const scheduleDelayMs = Number.isFinite(delay) && delay >= 0 ? delay : DEFAULT_SCHEDULE_DELAY_MS;

  const protocolText = env.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL || env.OTEL_EXPORTER_OTLP_PROTOCOL || "http/protobuf";
  const protocol = fromEnv("OTEL_EXPORTER_OTLP_PROTOCOL", () => {
    if (!PROTOCOLS.includes(protocolText as OtlpProtocol)) {
      throw new ConfigError(
        "OTEL_EXPORTER_OTLP_PROTOCOL",
        `OTEL_EXPORTER_OTLP_PROTOCOL: unknown protocol "${protocolText}" (use ${PROTOCOLS.join(", ")}); using http/protobuf`,
      );
    }
    return protocolText as OtlpProtocol;
  });

  const headers: Record<string, string> = {};
  for (const name of ["OTEL_EXPORTER_OTLP_HEADERS", "OTEL_EXPORTER_OTLP_TRACES_HEADERS"]) {
    const text = env[name];
    if (text) Object.assign(headers, fromEnv(name, () => parseHeaders(text, name)) ?? {});
  }
  if (flags.otelHeaders !== undefined) Object.assign(headers, parseHeaders(flags.otelHeaders, "--otel-headers"));

  let url: string | undefined;
  let metricsUrl: string | undefined;
  const resolved = protocol ?? "http/protobuf";
  const path = (signal: string) => (resolved === "grpc" ? "" : `/v1/${signal}`);
  let base: string | undefined;
  if (flags.otelEndpoint !== undefined) {
    base = checkUrl(flags.otelEndpoint, "--otel-endpoint");
  } else if (env.OTEL_EXPORTER_OTLP_ENDPOINT) {
    const value = env.OTEL_EXPORTER_OTLP_ENDPOINT;
    base = fromEnv("OTEL_EXPORTER_OTLP_ENDPOINT", () => checkUrl(value, "OTEL_EXPORTER_OTLP_ENDPOINT"));
  }
  if (base) {
    url = joinSignal(base, path("traces"));
    metricsUrl = joinSignal(base, path("metrics"));
  }
  // The per-signal variables win over the base endpoint (but not over the flag).
  if (flags.otelEndpoint === undefined && env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) {
    const value = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT;
    url = fromEnv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", () => checkUrl(value, "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"));
  }
  if (flags.otelEndpoint === undefined && env.OTEL_EXPORTER_OTLP_METRICS_ENDPOINT) {
    const value = env.OTEL_EXPORTER_OTLP_METRICS_ENDPOINT;
    metricsUrl = fromEnv("OTEL_EXPORTER_OTLP_METRICS_ENDPOINT", () =>
      checkUrl(value, "OTEL_EXPORTER_OTLP_METRICS_ENDPOINT"),
    );
  }
  const metricsOff = env.OTEL_METRICS_EXPORTER?.trim().toLowerCase() === "none";
  const disabled = env.OTEL_TRACES_EXPORTER?.trim().toLowerCase() === "none";
  const otlp: Backend | undefined =
    url && !disabled
      ? { name: "otlp", url, metricsUrl: metricsOff ? undefined : metricsUrl, protocol: resolved, headers }
      : undefined;
  const logfire = logfireBackend(flags.logfireToken, env, warnings);
  if (logfire && metricsOff) logfire.metricsUrl = undefined;
  let sentry = sentryBackend(flags.sentryDsn, env, warnings);
  if (sentry && !sentryInstalled()) {
    warnings.push(new SentryNotInstalled().message);
    sentry = undefined;
  }
  return {
    serviceName,
    otlp,
    logfire,
    sentry,
    backends: [otlp, logfire, sentry].filter((b): b is Backend => b !== undefined),
    exportTimeoutMs,
    scheduleDelayMs,
    warnings,
  };
}

/**
 * Logfire's OTLP intake for a write token: the region comes from the token (`pylf_v1_eu_…` is the
 * EU region; anything else the US), `LOGFIRE_BASE_URL` overrides it.
 */
export function logfireBackend(
  flagToken: string | undefined,
  env: NodeJS.ProcessEnv,
  warnings: string[],
): Backend | undefined {
  const token = (flagToken ?? env.LOGFIRE_TOKEN ?? "").trim();
  if (!token) return undefined;
  let base = env.LOGFIRE_BASE_URL?.trim();
  if (base) {
    try {
      base = checkUrl(base, "LOGFIRE_BASE_URL");
    } catch (error) {
      warnings.push((error as Error).message);
      base = undefined;
    }
  }
  const region = /^pylf_v\d+_(eu|us)_/.exec(token)?.[1] ?? "us";
  base ??= `https://logfire-${region}.pydantic.dev`;
  return {
    name: "logfire",
    url: joinSignal(base, "/v1/traces"),
    protocol: "http/protobuf",
    headers: { Authorization: token },
  };
}

/** `{protocol}://{public_key}[:secret]@{host}[:port][/path]/{project_id}`, as Sentry's SDKs read it. */
const DSN = /^(https?):\/\/([^:@/]+)(?::[^@/]*)?@([^/?#]+)((?:\/[^/?#]+)*)\/([^/?#]+)\/?$/;

/** Sentry's envelope endpoint for a DSN (without the key), or a ConfigError. Pure. */
export function sentryEnvelopeUrl(dsn: string, option: string): string {
  const m = DSN.exec(dsn.trim());
  if (!m) {
    throw new ConfigError(
      option,
      `${option}: "${dsn.replace(/\/\/[^@]*@/, "//…@")}" is not a Sentry DSN (expected https://KEY@HOST/PROJECT_ID)`,
    );
  }
  return `${m[1]}://${m[3]}${m[4]}/api/${m[5]}/envelope/`;
}

/**
 * Sentry from `--sentry-dsn` / `SENTRY_DSN`, with `SENTRY_ENVIRONMENT`, `SENTRY_RELEASE` and
 * `SENTRY_TRACES_SAMPLE_RATE` (default 1: every run; a bad value is a warning and keeps 1).
 */
export function sentryBackend(
  flagDsn: string | undefined,
  env: NodeJS.ProcessEnv,
  warnings: string[],
): Backend | undefined {
  const fromFlag = flagDsn !== undefined;
  const dsn = (flagDsn ?? env.SENTRY_DSN ?? "").trim();
  if (!dsn) return undefined;
  let url: string;
  try {
    url = sentryEnvelopeUrl(dsn, fromFlag ? "--sentry-dsn" : "SENTRY_DSN");
  } catch (error) {
    if (fromFlag) throw error;
    warnings.push(`${(error as Error).message}; not sending to Sentry`);
    return undefined;
  }
  let tracesSampleRate = 1;
  const rateText = env.SENTRY_TRACES_SAMPLE_RATE?.trim();
  if (rateText) {
    const rate = Number(rateText);
    if (Number.isFinite(rate) && rate >= 0 && rate <= 1) tracesSampleRate = rate;
    else warnings.push(`SENTRY_TRACES_SAMPLE_RATE: "${rateText}" is not a number from 0 to 1; keeping every run`);
  }
  return {
    name: "sentry",
    url,
    protocol: "sentry",
    headers: {},
    sentry: {
      dsn,
      environment: env.SENTRY_ENVIRONMENT?.trim() || undefined,
      release: env.SENTRY_RELEASE?.trim() || undefined,
      tracesSampleRate,
    },
  };
}

function joinSignal(base: string, path: string): string {
  if (!path) return base;
  return base.replace(/\/+$/, "") + path;
}

/** The configuration as `--config` prints it: header values (tokens included) masked. */
export function describeConfig(config: TelemetryConfig): Record<string, unknown> {
  const shown = (b: Backend | undefined) =>
    b
      ? {
          url: b.url,
          metrics: b.metricsUrl ?? "off",
          protocol: b.protocol,
          headers: Object.fromEntries(Object.keys(b.headers).map((k) => [k, "***"])),
        }
      : "not configured";
  return {
    serviceName: config.serviceName,
    otlp: shown(config.otlp),
    logfire: shown(config.logfire),
    sentry: config.sentry?.sentry
      ? {
          url: config.sentry.url,
          environment: config.sentry.sentry.environment ?? "production",
          release: config.sentry.sentry.release ?? "not set",
          tracesSampleRate: config.sentry.sentry.tracesSampleRate,
        }
      : "not configured",
    exportTimeoutMs: config.exportTimeoutMs,
    scheduleDelayMs: config.scheduleDelayMs,
  };
}
