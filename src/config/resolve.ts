/**
 * The resolved configuration of a run: claudia's flags over the environment, read once, through
 * the settings table. Everything a run needs is here (backends, content and redaction policy,
 * journal, timings, diagnostics), so no other module reads a `CLAUDIA_*`, `OTEL_*`, `LOGFIRE_*`
 * or `SENTRY_*` variable. Pure, but for whether the optional Sentry SDK is installed.
 */
import { homedir } from "node:os";
import { isAbsolute, join } from "node:path";
import { type Backend, type BackendFlags, logfireBackend, otlpBackend, sentryBackend } from "./backends.ts";
import { isSentryInstalled, SentryNotInstalled } from "./peers.ts";
import { SettingsReader, TEMPORALITIES } from "./settings.ts";

export interface ConfigFlags extends BackendFlags {
  serviceName?: string;
  debug?: boolean;
  quiet?: boolean;
}

export type Temporality = (typeof TEMPORALITIES)[number];

export interface ContentSettings {
  /** Prompt, tool arguments and results, model text: captured at all? */
  capture: boolean;
  /** Longest value kept, in characters. */
  maxLength: number;
}

export interface RedactionSettings {
  enabled: boolean;
  /** The user's extra patterns (sources, not compiled: the redactor reports those that do not compile). */
  patterns: string[];
}

/** Which GenAI names and content documents a run writes. */
export interface GenAiSettings {
  /** `OTEL_SEMCONV_STABILITY_OPT_IN` holds `gen_ai_latest_experimental`: the newest conventions' names. */
  latest: boolean;
  /** `CLAUDIA_CHAT_HISTORY=full`: a `chat` span's input is its agent's whole conversation so far. */
  fullHistory: boolean;
  /** `CLAUDIA_CAPTURE_TOOL_DEFINITIONS`: `gen_ai.tool.definitions` on the root. */
  toolDefinitions: boolean;
}

export interface JournalSettings {
  enabled: boolean;
  /** `$CLAUDIA_HOME`, else `$XDG_DATA_HOME/claudia`, else `~/.local/share/claudia`. */
  home: string;
  /** `home/journal`. */
  dir: string;
  maxAgeDays: number;
  maxBytes: number;
}

export interface Config {
  serviceName: string;
  /** `OTEL_RESOURCE_ATTRIBUTES`; `service.name` is `serviceName`. */
  resourceAttributes: Record<string, string>;
  /** The generic OTLP backend (OTEL_EXPORTER_OTLP_*), when configured. */
  otlp?: Backend;
  /** Pydantic Logfire, when a write token is configured. */
  logfire?: Backend;
  /** Sentry, when a DSN is configured (and `@sentry/node` installed). */
  sentry?: Backend;
  /** `OTEL_SDK_DISABLED=true`: no backend gets anything (`backends` is empty); the journal still records. */
  exportsDisabled: boolean;
  /** Every configured backend. */
  backends: Backend[];
  metricsTemporality: Temporality;
  /** Longest claudia waits at exit for the backends to take the spans. */
  exportTimeoutMs: number;
  /** How long ended spans wait before they are sent (`OTEL_BSP_SCHEDULE_DELAY`). */
  scheduleDelayMs: number;
  /** Longest a run waits at exit for the re-send of earlier undelivered runs. */
  resendWaitMs: number;
  /** How long Claude Code gets to stop after a signal before it is killed. */
  killAfterMs: number;
  /** `CLAUDIA_TRACE_URL`: the backend's trace page, `{trace_id}` in it (checked where it is used). */
  traceUrl?: string;
  /** Put the CI pipeline and the checkout's commit on the resource (`CLAUDIA_DETECT_CI`). */
  detectCi: boolean;
  genAi: GenAiSettings;
  content: ContentSettings;
  redaction: RedactionSettings;
  journal: JournalSettings;
  /** claudia's diagnostics: `--claudia-debug`, `CLAUDIA_DEBUG`, `OTEL_DEBUG`, `OTEL_LOG_LEVEL=debug`. */
  debug: boolean;
  quiet: boolean;
  /** `CLAUDIA_CLAUDE_PATH`: the `claude` binary to run instead of the bundled one. */
  claudePath?: string;
  /** The incoming trace context (W3C), unparsed. */
  traceparent?: string;
  tracestate?: string;
  /** Problems found in environment variables: reported once, never fatal. */
  warnings: string[];
}

type Env = Readonly<Record<string, string | undefined>>;

/**
 * Resolve the configuration. Flag mistakes throw `ConfigError` (the CLI exits 2); the same
 * mistakes in environment variables become warnings and the default is used.
 */
export function resolveConfig(
  flags: ConfigFlags,
  env: Env,
  sentryInstalled: () => boolean = isSentryInstalled,
): Config {
  const read = new SettingsReader(env);
  const otlp = otlpBackend(flags, read);
  const logfire = logfireBackend(flags.logfireToken, read);
  let sentry = sentryBackend(flags.sentryDsn, read);
  if (sentry && !sentryInstalled()) {
    read.warnings.push(new SentryNotInstalled().message);
    sentry = undefined;
  }
  const disabled = read.value("OTEL_SDK_DISABLED");
  const limit = read.get("OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT");
  const maxLength = read.value("CLAUDIA_CONTENT_MAX_LENGTH");
  const resourceAttributes = read.get("OTEL_RESOURCE_ATTRIBUTES") ?? {};
  return {
    serviceName: serviceName(flags, read, resourceAttributes),
    resourceAttributes,
    otlp,
    logfire,
    sentry,
    // OTEL_SDK_DISABLED: the OpenTelemetry SDK sends nothing anywhere; the local journal is claudia's own.
    exportsDisabled: disabled,
    backends: disabled ? [] : [otlp, logfire, sentry].filter((b): b is Backend => b !== undefined),
    metricsTemporality: temporality(read),
    exportTimeoutMs: read.value("CLAUDIA_EXPORT_TIMEOUT_MS"),
    scheduleDelayMs: read.value("OTEL_BSP_SCHEDULE_DELAY"),
    resendWaitMs: read.value("CLAUDIA_RESEND_WAIT_MS"),
    killAfterMs: read.value("CLAUDIA_KILL_AFTER_MS"),
    traceUrl: read.get("CLAUDIA_TRACE_URL"),
    detectCi: read.value("CLAUDIA_DETECT_CI"),
    genAi: {
      latest: (read.get("OTEL_SEMCONV_STABILITY_OPT_IN") ?? []).some(
        (v) => v.trim().toLowerCase() === "gen_ai_latest_experimental",
      ),
      fullHistory: read.value("CLAUDIA_CHAT_HISTORY") === "full",
      toolDefinitions: read.value("CLAUDIA_CAPTURE_TOOL_DEFINITIONS"),
    },
    content: {
      capture: read.value("OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT"),
      maxLength: limit === undefined ? maxLength : Math.min(maxLength, limit),
    },
    redaction: {
      enabled: read.value("CLAUDIA_REDACT"),
      patterns: read.get("CLAUDIA_REDACT_PATTERNS") ?? [],
    },
    journal: journalSettings(read, env),
    ...diagnosticsFrom(flags, read),
    claudePath: read.get("CLAUDIA_CLAUDE_PATH"),
    traceparent: read.get("TRACEPARENT"),
    tracestate: read.get("TRACESTATE"),
    warnings: read.warnings,
  };
}

/**
 * `--service-name`, else `OTEL_SERVICE_NAME`, else `service.name` in `OTEL_RESOURCE_ATTRIBUTES` (as
 * the OpenTelemetry specification orders them), else the default.
 */
function serviceName(flags: ConfigFlags, read: SettingsReader, attributes: Record<string, string>): string {
  const fromVariable = read.isSet("OTEL_SERVICE_NAME") ? read.get("OTEL_SERVICE_NAME") : undefined;
  return (
    flags.serviceName?.trim() || fromVariable || attributes["service.name"]?.trim() || read.value("OTEL_SERVICE_NAME")
  );
}

/** Only `--claudia-debug`/`--quiet` and their variables: for what runs before the rest is resolved. */
export function resolveDiagnostics(flags: ConfigFlags, env: Env): { debug: boolean; quiet: boolean } {
  return diagnosticsFrom(flags, new SettingsReader(env));
}

const DEBUG_LEVELS = ["debug", "verbose", "all"];

function diagnosticsFrom(flags: ConfigFlags, read: SettingsReader): { debug: boolean; quiet: boolean } {
  const level = read.value("OTEL_LOG_LEVEL");
  return {
    debug:
      flags.debug === true ||
      read.get("CLAUDIA_DEBUG") === true ||
      read.get("OTEL_DEBUG") === true ||
      DEBUG_LEVELS.includes(level),
    quiet: flags.quiet === true || read.get("CLAUDIA_QUIET") === true,
  };
}

function temporality(read: SettingsReader): Temporality {
  const value = read.value("OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE");
  return TEMPORALITIES.find((t) => t === value) ?? "delta";
}

function journalSettings(read: SettingsReader, env: Env): JournalSettings {
  const xdg = env.XDG_DATA_HOME?.trim();
  // The XDG specification: a relative XDG_DATA_HOME is invalid and ignored.
  const home =
    read.get("CLAUDIA_HOME") || join(xdg && isAbsolute(xdg) ? xdg : join(homedir(), ".local", "share"), "claudia");
  return {
    enabled: read.value("CLAUDIA_JOURNAL"),
    home,
    dir: join(home, "journal"),
    maxAgeDays: read.value("CLAUDIA_JOURNAL_MAX_AGE_DAYS"),
    maxBytes: read.value("CLAUDIA_JOURNAL_MAX_MB") * 1024 * 1024,
  };
}
