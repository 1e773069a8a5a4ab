/**
 * The backends a run sends to, each complete in itself: its own URLs, headers, protocol and TLS
 * files. `OTEL_EXPORTER_OTLP_*` belongs to the OTLP endpoint alone; Logfire gets its token and
 * Sentry its DSN, nothing else. Pure.
 */
import { ConfigError, parseEnum, parsePairs, parseUrl } from "./parse.ts";
import { COMPRESSIONS, OTLP_PROTOCOLS, oneOf, type SettingsReader } from "./settings.ts";
import { endpointIdentity, signalUrl } from "./urls.ts";

export type OtlpProtocol = (typeof OTLP_PROTOCOLS)[number];
/** How spans reach a backend: OTLP in one of its protocols, or Sentry envelopes. */
export type Protocol = OtlpProtocol | "sentry";
export type Compression = (typeof COMPRESSIONS)[number];

/** TLS files for an https endpoint (paths, read when the exporter is built). */
export interface TlsFiles {
  ca?: string;
  cert?: string;
  key?: string;
}

/** Everything an OTLP exporter needs for one signal: nothing is taken from anywhere else. */
export interface Endpoint {
  /** Full URL (http) or the collector's address (grpc). */
  url: string;
  protocol: OtlpProtocol;
  headers: Record<string, string>;
  compression: Compression;
  tls?: TlsFiles;
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
  /** `otlp`, `logfire`, `sentry`, or a name given for a one-off export. */
  name: string;
  /** Its traces endpoint without credentials: what the journal records, and how runs are matched to it. */
  identity: string;
  /** Full URL of the traces endpoint (http), the collector address (grpc) or Sentry's envelope endpoint. */
  url: string;
  protocol: Protocol;
  headers: Record<string, string>;
  compression: Compression;
  tls?: TlsFiles;
  /** Where metrics go; undefined when this backend takes no metrics. */
  metrics?: Endpoint;
  /** Set for the Sentry backend only. */
  sentry?: SentryTarget;
}

export interface BackendFlags {
  otelEndpoint?: string;
  otelHeaders?: string;
  logfireToken?: string;
  sentryDsn?: string;
}

/** The traces endpoint of an OTLP backend; undefined for Sentry. */
export function tracesEndpoint(backend: Backend): Endpoint | undefined {
  const { url, protocol, headers, compression, tls } = backend;
  return oneOf(OTLP_PROTOCOLS, protocol) ? { url, protocol, headers, compression, tls } : undefined;
}

const signal = (base: string, name: "traces" | "metrics", protocol: OtlpProtocol) =>
  protocol === "grpc" ? base : signalUrl(base, name);

/** The generic OTLP backend (`OTEL_EXPORTER_OTLP_*` and `--otel-*`), when an endpoint is configured. */
export function otlpBackend(flags: BackendFlags, read: SettingsReader): Backend | undefined {
  const protocol = read.get("OTEL_EXPORTER_OTLP_PROTOCOL") ?? "http/protobuf";
  const tracesProtocol = read.get("OTEL_EXPORTER_OTLP_TRACES_PROTOCOL") ?? protocol;
  const metricsProtocol = read.get("OTEL_EXPORTER_OTLP_METRICS_PROTOCOL") ?? protocol;
  if (!oneOf(OTLP_PROTOCOLS, tracesProtocol) || !oneOf(OTLP_PROTOCOLS, metricsProtocol)) return undefined;
  const flagHeaders = flags.otelHeaders === undefined ? {} : read.flag("OTEL_EXPORTER_OTLP_HEADERS", flags.otelHeaders);
  const base =
    flags.otelEndpoint === undefined
      ? read.get("OTEL_EXPORTER_OTLP_ENDPOINT")
      : read.flag("OTEL_EXPORTER_OTLP_ENDPOINT", flags.otelEndpoint);
  // The per-signal variables win over the base endpoint, but not over the flag.
  const fromFlag = flags.otelEndpoint !== undefined;
  const tracesUrl =
    (fromFlag ? undefined : read.get("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")) ??
    (base ? signal(base, "traces", tracesProtocol) : undefined);
  const metricsUrl =
    (fromFlag ? undefined : read.get("OTEL_EXPORTER_OTLP_METRICS_ENDPOINT")) ??
    (base ? signal(base, "metrics", metricsProtocol) : undefined);
  if (!tracesUrl || namesNone(read.get("OTEL_TRACES_EXPORTER"))) return undefined;
  const common = read.get("OTEL_EXPORTER_OTLP_HEADERS") ?? {};
  const compression = read.get("OTEL_EXPORTER_OTLP_COMPRESSION") ?? "none";
  if (!oneOf(COMPRESSIONS, compression)) return undefined;
  const tls = tlsFiles(read);
  const headers = { ...common, ...read.get("OTEL_EXPORTER_OTLP_TRACES_HEADERS"), ...flagHeaders };
  return {
    name: "otlp",
    identity: endpointIdentity(tracesUrl),
    url: tracesUrl,
    protocol: tracesProtocol,
    headers,
    compression,
    tls,
    metrics:
      metricsUrl && !metricsOff(read)
        ? {
            url: metricsUrl,
            protocol: metricsProtocol,
            headers: { ...common, ...read.get("OTEL_EXPORTER_OTLP_METRICS_HEADERS"), ...flagHeaders },
            compression,
            tls,
          }
        : undefined,
  };
}

function tlsFiles(read: SettingsReader): TlsFiles | undefined {
  const files = {
    ca: read.get("OTEL_EXPORTER_OTLP_CERTIFICATE"),
    cert: read.get("OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE"),
    key: read.get("OTEL_EXPORTER_OTLP_CLIENT_KEY"),
  };
  return files.ca || files.cert || files.key ? files : undefined;
}

/** An exporter list holding `none`, in any case (the specification's enum values are case-insensitive). */
const namesNone = (exporters: string[] | undefined) => exporters?.some((e) => e.toLowerCase() === "none") === true;

export const metricsOff = (read: SettingsReader) => namesNone(read.get("OTEL_METRICS_EXPORTER"));

/**
 * Logfire's OTLP intake for a write token, traces and metrics: the region comes from the token
 * (`pylf_v1_eu_…` is the EU region; anything else the US), `LOGFIRE_BASE_URL` overrides it.
 */
export function logfireBackend(flagToken: string | undefined, read: SettingsReader): Backend | undefined {
  const token = flagToken?.trim() || read.get("LOGFIRE_TOKEN");
  if (!token) return undefined;
  const region = /^pylf_v\d+_(eu|us)_/.exec(token)?.[1] ?? "us";
  const base = read.get("LOGFIRE_BASE_URL") ?? `https://logfire-${region}.pydantic.dev`;
  const headers = { Authorization: token };
  const url = signalUrl(base, "traces");
  return {
    name: "logfire",
    identity: endpointIdentity(url),
    url,
    protocol: "http/protobuf",
    headers,
    compression: "none",
    metrics: metricsOff(read)
      ? undefined
      : { url: signalUrl(base, "metrics"), protocol: "http/protobuf", headers, compression: "none" },
  };
}

/**
 * `{protocol}://{public_key}[:secret]@{host}[:port][/path]/{project_id}`, no more than Sentry's SDK
 * takes (a key and secret of word characters, a numeric project id, no trailing slash): a DSN it
 * refuses would fail every send, and its parser prints a refused DSN, key and all, on stderr.
 */
const DSN = /^(https?):\/\/\w+(?::\w*)?@(\[[:.%\w]+\]|[\w.-]+)(:\d+)?((?:\/[^/?#]+)*)\/(\d+)$/;

/** Sentry's envelope endpoint for a DSN (without the key), or a ConfigError. Pure. */
export function sentryEnvelopeUrl(dsn: string, option: string): string {
  const m = DSN.exec(dsn.trim());
  if (!m) {
    throw new ConfigError(
      option,
      // Not the value: a DSN holds its key, and what is not a DSN may be another credential.
      `${option}: not a Sentry DSN (expected https://KEY@HOST/PROJECT_ID)`,
    );
  }
  return `${m[1]}://${m[2]}${m[3] ?? ""}${m[4]}/api/${m[5]}/envelope/`;
}

/**
 * Sentry from `--sentry-dsn` / `SENTRY_DSN`, with `SENTRY_ENVIRONMENT`, `SENTRY_RELEASE` and
 * `SENTRY_TRACES_SAMPLE_RATE`. A bad flag throws; a bad variable is a warning and no Sentry.
 */
export function sentryBackend(flagDsn: string | undefined, read: SettingsReader): Backend | undefined {
  const fromFlag = flagDsn !== undefined;
  const dsn = fromFlag ? flagDsn.trim() : read.get("SENTRY_DSN");
  if (!dsn) return undefined;
  let url: string;
  try {
    url = sentryEnvelopeUrl(dsn, fromFlag ? "--sentry-dsn" : "SENTRY_DSN");
  } catch (error) {
    if (fromFlag || !(error instanceof ConfigError)) throw error;
    read.warnings.push(`${error.message}; not sending to Sentry`);
    return undefined;
  }
  return {
    name: "sentry",
    identity: endpointIdentity(url),
    url,
    protocol: "sentry",
    headers: {},
    compression: "none",
    sentry: {
      dsn,
      environment: read.get("SENTRY_ENVIRONMENT"),
      release: read.get("SENTRY_RELEASE"),
      tracesSampleRate: read.get("SENTRY_TRACES_SAMPLE_RATE") ?? 1,
    },
  };
}

/**
 * A one-off target of `claudia traces export`: built from its own flags alone, so no configured
 * header, token or protocol goes to an endpoint the user named for this export.
 */
export function exportTarget(flags: { endpoint: string; headers?: string; protocol?: string }): Backend {
  const base = parseUrl(flags.endpoint, "--endpoint");
  const protocol =
    flags.protocol === undefined ? "http/protobuf" : parseEnum(flags.protocol, "--protocol", OTLP_PROTOCOLS);
  const url = signal(base, "traces", protocol);
  return {
    name: "export",
    identity: endpointIdentity(url),
    url,
    protocol,
    headers: flags.headers === undefined ? {} : parsePairs(flags.headers, "--headers"),
    compression: "none",
  };
}
