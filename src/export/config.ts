/**
 * The telemetry configuration of a run: claudia's flags over the standard `OTEL_*` variables.
 * Pure: reads only the values it is given.
 */

export type OtlpProtocol = "http/protobuf" | "http/json" | "grpc";

export interface TelemetryFlags {
  otelEndpoint?: string;
  otelHeaders?: string;
  serviceName?: string;
}

export interface TelemetryConfig {
  serviceName: string;
  /** Where traces go; undefined when no OTLP backend is configured. */
  otlp?: {
    /** Full URL of the traces endpoint (http) or the collector address (grpc). */
    url: string;
    protocol: OtlpProtocol;
    headers: Record<string, string>;
  };
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
  const resolved = protocol ?? "http/protobuf";
  const signalPath = resolved === "grpc" ? "" : "/v1/traces";
  if (flags.otelEndpoint !== undefined) {
    url = joinSignal(checkUrl(flags.otelEndpoint, "--otel-endpoint"), signalPath);
  } else if (env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) {
    const value = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT;
    url = fromEnv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", () => checkUrl(value, "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"));
  } else if (env.OTEL_EXPORTER_OTLP_ENDPOINT) {
    const value = env.OTEL_EXPORTER_OTLP_ENDPOINT;
    const base = fromEnv("OTEL_EXPORTER_OTLP_ENDPOINT", () => checkUrl(value, "OTEL_EXPORTER_OTLP_ENDPOINT"));
    if (base) url = joinSignal(base, signalPath);
  }
  const disabled = env.OTEL_TRACES_EXPORTER?.trim().toLowerCase() === "none";
  return {
    serviceName,
    otlp: url && !disabled ? { url, protocol: resolved, headers } : undefined,
    exportTimeoutMs,
    warnings,
  };
}

function joinSignal(base: string, path: string): string {
  if (!path) return base;
  return base.replace(/\/+$/, "") + path;
}

/** The configuration as `--config` prints it: header values masked. */
export function describeConfig(config: TelemetryConfig): Record<string, unknown> {
  return {
    serviceName: config.serviceName,
    otlp: config.otlp
      ? {
          url: config.otlp.url,
          protocol: config.otlp.protocol,
          headers: Object.fromEntries(Object.keys(config.otlp.headers).map((k) => [k, "***"])),
        }
      : "not configured",
    exportTimeoutMs: config.exportTimeoutMs,
  };
}
