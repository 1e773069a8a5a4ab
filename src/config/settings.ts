/**
 * Every environment variable claudia reads, each listed once: its name, the flag that overrides it,
 * the kind of value (one parser per kind), its default, and what it does. The README's configuration
 * table lists exactly these (a unit test compares them). Reading goes through `SettingsReader`, so
 * a variable not in this table cannot be read.
 */
import {
  ConfigError,
  parseBoolean,
  parseEnum,
  parseLines,
  parseList,
  parseNumber,
  parsePairs,
  parsePositive,
  parseRatio,
  parseText,
  parseUrl,
} from "./parse.ts";

export const OTLP_PROTOCOLS = ["http/protobuf", "http/json", "grpc"] as const;
export const TEMPORALITIES = ["delta", "cumulative", "lowmemory"] as const;
export const COMPRESSIONS = ["none", "gzip"] as const;
/** OpenTelemetry's log levels; `debug`, `verbose` and `all` turn on claudia's diagnostics. */
export const LOG_LEVELS = ["none", "error", "warn", "info", "debug", "verbose", "all"] as const;

interface Row {
  readonly name: string;
  readonly kind: Kind;
  readonly description: string;
  readonly flag?: string;
  /** As the README shows it, and parsed by the same parser as a value set by the user. */
  readonly default?: string;
  readonly values?: readonly string[];
  readonly min?: number;
  readonly max?: number;
}

/** The longest wait a Node.js timer takes: a longer one fires at once, with a warning on stderr. */
const LONGEST_WAIT_MS = 2 ** 31 - 1;
/** Room for what the wait at exit adds to the export timeout (export/provider.ts). */
const EXIT_MARGIN_MS = 1000;

export const SETTINGS = [
  {
    name: "OTEL_EXPORTER_OTLP_ENDPOINT",
    flag: "--otel-endpoint",
    kind: "url",
    description: "OTLP endpoint; `/v1/traces` and `/v1/metrics` are added to its path (http)",
  },
  { name: "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", kind: "url", description: "full traces URL, used as is" },
  {
    name: "OTEL_EXPORTER_OTLP_METRICS_ENDPOINT",
    kind: "url",
    description: "full metrics URL, used as is (else the OTLP endpoint's `/v1/metrics`)",
  },
  {
    name: "OTEL_EXPORTER_OTLP_HEADERS",
    flag: "--otel-headers",
    kind: "pairs",
    description: "headers `k=v,k2=v2` (values may be %-encoded), sent to the OTLP endpoint only",
  },
  { name: "OTEL_EXPORTER_OTLP_TRACES_HEADERS", kind: "pairs", description: "more headers, for traces only" },
  { name: "OTEL_EXPORTER_OTLP_METRICS_HEADERS", kind: "pairs", description: "more headers, for metrics only" },
  {
    name: "OTEL_EXPORTER_OTLP_PROTOCOL",
    kind: "enum",
    values: OTLP_PROTOCOLS,
    default: "http/protobuf",
    description: "`http/protobuf`, `http/json` or `grpc`",
  },
  { name: "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", kind: "enum", values: OTLP_PROTOCOLS, description: "for traces only" },
  {
    name: "OTEL_EXPORTER_OTLP_METRICS_PROTOCOL",
    kind: "enum",
    values: OTLP_PROTOCOLS,
    description: "for metrics only",
  },
  {
    name: "OTEL_EXPORTER_OTLP_COMPRESSION",
    kind: "enum",
    values: COMPRESSIONS,
    default: "none",
    description: "`gzip` compresses what goes to the OTLP endpoint",
  },
  { name: "OTEL_EXPORTER_OTLP_CERTIFICATE", kind: "text", description: "CA certificate file for the OTLP endpoint" },
  {
    name: "OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE",
    kind: "text",
    description: "client certificate file for the OTLP endpoint (mTLS)",
  },
  { name: "OTEL_EXPORTER_OTLP_CLIENT_KEY", kind: "text", description: "client key file for the OTLP endpoint (mTLS)" },
  {
    name: "OTEL_SDK_DISABLED",
    kind: "boolean",
    default: "false",
    description: "`true`: nothing goes to any backend (the journal still records every run)",
  },
  {
    name: "OTEL_TRACES_EXPORTER",
    kind: "list",
    default: "otlp",
    description: "`none`: nothing goes to the OTLP endpoint",
  },
  {
    name: "OTEL_METRICS_EXPORTER",
    kind: "list",
    default: "otlp",
    description: "`none`: traces only, to every backend",
  },
  {
    name: "OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE",
    kind: "enum",
    values: TEMPORALITIES,
    default: "delta",
    description: "`delta` (each run is its own process), `cumulative` or `lowmemory`",
  },
  {
    name: "OTEL_SERVICE_NAME",
    flag: "--service-name",
    kind: "text",
    default: "claude-agents",
    description: "`service.name` of the traces and metrics",
  },
  { name: "OTEL_RESOURCE_ATTRIBUTES", kind: "pairs", description: "more resource attributes, `k=v,k2=v2`" },
  {
    name: "OTEL_BSP_SCHEDULE_DELAY",
    kind: "number",
    max: LONGEST_WAIT_MS,
    default: "200",
    description: "ms ended spans wait before they are sent during the run (the run's first span goes at once)",
  },
  {
    name: "OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT",
    kind: "boolean",
    default: "true",
    description: "`false`: no prompt, tool input/output or model text in spans",
  },
  {
    name: "OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT",
    kind: "number",
    min: 1,
    description: "caps `CLAUDIA_CONTENT_MAX_LENGTH`",
  },
  {
    name: "OTEL_LOG_LEVEL",
    kind: "enum",
    values: LOG_LEVELS,
    default: "info",
    description: "`debug` (or `verbose`, `all`) turns on claudia's diagnostics, like `--claudia-debug`",
  },
  { name: "OTEL_DEBUG", kind: "boolean", default: "false", description: "`1` turns on claudia's diagnostics" },
  {
    name: "OTEL_SEMCONV_STABILITY_OPT_IN",
    kind: "list",
    description:
      "`gen_ai_latest_experimental`: the newest GenAI conventions' names ([docs/TRACES.md](docs/TRACES.md#the-newest-conventions-opt-in))",
  },
  {
    name: "CLAUDIA_CHAT_HISTORY",
    kind: "enum",
    values: ["new", "full"],
    default: "new",
    description: "`full`: each `chat` span's input is its agent's whole conversation, not only what the call added",
  },
  {
    name: "CLAUDIA_CAPTURE_TOOL_DEFINITIONS",
    kind: "boolean",
    default: "false",
    description:
      "the session's tools as `gen_ai.tool.definitions` (library, and `--output-format stream-json --verbose`)",
  },
  { name: "TRACEPARENT", kind: "text", description: "the run joins this trace (e.g. your CI pipeline's span)" },
  { name: "TRACESTATE", kind: "text", description: "kept with `TRACEPARENT`" },
  {
    name: "CLAUDIA_CONTENT_MAX_LENGTH",
    kind: "number",
    min: 1,
    default: "8192",
    description: "longest content value kept, in characters",
  },
  {
    name: "CLAUDIA_EXPORT_TIMEOUT_MS",
    kind: "number",
    max: LONGEST_WAIT_MS - EXIT_MARGIN_MS,
    min: 1,
    default: "5000",
    description: "longest wait for the backends at exit",
  },
  {
    name: "CLAUDIA_RESEND_WAIT_MS",
    kind: "number",
    max: LONGEST_WAIT_MS,
    default: "1000",
    description: "longest a run waits at exit for the re-send of earlier undelivered runs",
  },
  {
    name: "CLAUDIA_TRACE_URL",
    kind: "text",
    description: "your backend's trace page, with `{trace_id}`: shown in the summary line and the GitHub job summary",
  },
  {
    name: "CLAUDIA_DETECT_CI",
    kind: "boolean",
    default: "on",
    description: "`off`: no pipeline, branch, commit or pull request on the resource",
  },
  {
    name: "CLAUDIA_KILL_AFTER_MS",
    kind: "number",
    max: LONGEST_WAIT_MS,
    min: 1,
    default: "10000",
    description: "how long Claude Code gets to stop after a signal before it is killed",
  },
  { name: "CLAUDIA_QUIET", flag: "--quiet", kind: "boolean", default: "false", description: "no progress lines" },
  {
    name: "CLAUDIA_DEBUG",
    flag: "--claudia-debug",
    kind: "boolean",
    default: "false",
    description: "claudia's own diagnostics on stderr",
  },
  { name: "CLAUDIA_CLAUDE_PATH", kind: "text", description: "the `claude` binary to run (default: the bundled one)" },
  { name: "CLAUDIA_REDACT", kind: "boolean", default: "on", description: "`off`: no secret redaction" },
  {
    name: "CLAUDIA_REDACT_PATTERNS",
    kind: "lines",
    description: "more secret patterns: a JSON array of regular expressions, or one per line",
  },
  {
    name: "CLAUDIA_HOME",
    kind: "text",
    description: "where the journal lives (default `$XDG_DATA_HOME/claudia`, else `~/.local/share/claudia`)",
  },
  {
    name: "CLAUDIA_JOURNAL",
    kind: "boolean",
    default: "on",
    description: "`off`: no journal (spans still go to the backends)",
  },
  {
    name: "CLAUDIA_JOURNAL_MAX_AGE_DAYS",
    kind: "positive",
    default: "30",
    description: "runs older than this are removed",
  },
  {
    name: "CLAUDIA_JOURNAL_MAX_MB",
    kind: "positive",
    default: "500",
    description: "the oldest runs are removed beyond this size; the newest run is always kept",
  },
  {
    name: "LOGFIRE_TOKEN",
    flag: "--logfire-token",
    kind: "text",
    description: "send traces and metrics to Pydantic Logfire (region from the token)",
  },
  { name: "LOGFIRE_BASE_URL", kind: "url", description: "Logfire's address, instead of the one the token implies" },
  {
    name: "SENTRY_DSN",
    flag: "--sentry-dsn",
    kind: "text",
    description: "send traces, and failed runs as errors, to Sentry (needs `@sentry/node` installed)",
  },
  {
    name: "SENTRY_ENVIRONMENT",
    kind: "text",
    default: "production",
    description: "the runs' environment in Sentry",
  },
  { name: "SENTRY_RELEASE", kind: "text", description: "the runs' release in Sentry" },
  {
    name: "SENTRY_TRACES_SAMPLE_RATE",
    kind: "ratio",
    default: "1",
    description: "share of runs whose trace is kept, 0 to 1",
  },
] as const satisfies readonly Row[];

export type SettingName = (typeof SETTINGS)[number]["name"];
type SettingOf<N extends SettingName> = Extract<(typeof SETTINGS)[number], { name: N }>;

/** The parser of each kind of value. */
const PARSERS = {
  number: (text: string, option: string, row: Row) => parseNumber(text, option, { min: row.min ?? 0, max: row.max }),
  ratio: (text: string, option: string) => parseRatio(text, option),
  positive: (text: string, option: string) => parsePositive(text, option),
  boolean: (text: string, option: string) => parseBoolean(text, option),
  enum: (text: string, option: string, row: Row) => parseEnum(text, option, row.values ?? []),
  list: (text: string, option: string) => parseList(text, option),
  lines: (text: string, option: string) => parseLines(text, option),
  pairs: (text: string, option: string) => parsePairs(text, option),
  url: (text: string, option: string) => parseUrl(text, option),
  text: (text: string, option: string) => parseText(text, option),
} as const;

export type Kind = keyof typeof PARSERS;
type ValueOf<N extends SettingName> = ReturnType<(typeof PARSERS)[SettingOf<N>["kind"]]>;

const ROWS: ReadonlyMap<string, Row> = new Map(SETTINGS.map((row) => [row.name, row]));

export function settingRow(name: SettingName): Row {
  return ROWS.get(name) as Row;
}

/** The environment, read through the table: a bad value is a warning and the default is used. */
export class SettingsReader {
  readonly warnings: string[] = [];
  /** Each variable is parsed (and warned about) once. */
  private readonly values = new Map<string, unknown>();
  constructor(private readonly env: Readonly<Record<string, string | undefined>>) {}

  /** Whether the variable is set to something other than blanks. */
  isSet(name: SettingName): boolean {
    return (this.env[name] ?? "").trim() !== "";
  }

  /** The variable's value, else its default; undefined when neither. */
  get<N extends SettingName>(name: N): ValueOf<N> | undefined {
    if (!this.values.has(name)) this.values.set(name, this.parse(name));
    return this.values.get(name) as ValueOf<N> | undefined;
  }

  private parse(name: SettingName): unknown {
    const row = settingRow(name);
    const text = this.env[name];
    if (text !== undefined && text.trim() !== "") {
      try {
        return parseWith(row, text, name);
      } catch (error) {
        if (!(error instanceof ConfigError)) throw error;
        this.warnings.push(
          `${error.message}; ${row.default !== undefined ? `using the default (${row.default})` : "ignored"}`,
        );
      }
    }
    return row.default === undefined ? undefined : parseWith(row, row.default, name);
  }

  /** The value of a variable that has a default in the table. */
  value<N extends SettingName>(name: N): ValueOf<N> {
    const value = this.get(name);
    if (value === undefined) throw new Error(`${name} has no default in the settings table`);
    return value;
  }

  /** A flag's value, parsed like its variable; a mistake throws (the CLI exits 2). */
  flag<N extends SettingName>(name: N, text: string): ValueOf<N> {
    const row = settingRow(name);
    return parseWith(row, text, row.flag ?? name) as ValueOf<N>;
  }
}

function parseWith(row: Row, text: string, option: string): unknown {
  return PARSERS[row.kind](text, option, row);
}

/** Whether `value` is one of `values`: a guard for the enum kinds. */
export function oneOf<T extends string>(values: readonly T[], value: string | undefined): value is T {
  return value !== undefined && (values as readonly string[]).includes(value);
}
