/**
 * The telemetry configuration of a run: claudia's flags over the standard `OTEL_*` variables.
 * Pure: reads only the values it is given.
 */

export type OtlpProtocol = "http/protobuf" | "http/json" | "grpc";

export interface TelemetryFlags {
  otelEndpoint?: string;
  otelHeaders?: string;
  serviceName?: string;
  logfireToken?: string;
}

/** One place traces go. Every configured backend gets the whole trace, independently of the others. */
export interface Backend {
  /** `otlp` (any OTLP endpoint), `logfire`, or a name given for a one-off export. */
  name: string;
  /** Full URL of the traces endpoint (http) or the collector address (grpc). */
  url: string;
  /** Where metrics go; undefined when metrics are off for this backend. */
  metricsUrl?: string;
  protocol: OtlpProtocol;
  headers: Record<string, string>;
}

export interface TelemetryConfig {
  serviceName: string;
  /** The generic OTLP backend (OTEL_EXPORTER_OTLP_*), when configured. */
  otlp?: Backend;
  /** Pydantic Logfire, when a write token is configured. */
  logfire?: Backend;
  /** Every configured backend. */
  backends: Backend[];
  /** Longest claudia waits at exit for the backend to take the spans. */
  exportTimeoutMs: number;
  /** Problems found in environment variables: reported once, never fatal. */
  warnings: string[];
}

export const DEFAULT_SERVICE_NAME = "claude-agents";
export const DEFAULT_EXPORT_TIMEOUT_MS = 5000;
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
export function resolveTelemetryConfig(flags: TelemetryFlags, env: NodeJS.ProcessEnv): TelemetryConfig {
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
  return {
    serviceName,
    otlp,
    logfire,
    backends: [otlp, logfire].filter((b): b is Backend => b !== undefined),
    exportTimeoutMs,
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
    exportTimeoutMs: config.exportTimeoutMs,
  };
}
