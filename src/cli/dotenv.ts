/**
 * The working directory's `.env`: telemetry settings a project may share, and nothing else.
 *
 * A checkout is not trusted. From its `.env` claudia takes only settings that say where and how
 * traces are exported (OTEL_*, LOGFIRE_*, SENTRY_*, a few CLAUDIA_* ones), and only those that
 * cannot lower protection: never the program to run (CLAUDIA_CLAUDE_PATH), never Claude Code's
 * environment (the values go to claudia's configuration, never to the child), never redaction
 * off, content capture on, an exporter or the journal off, a shorter retention, long waits at exit,
 * or a journal elsewhere. A variable already set in the environment wins.
 * How a backend is reached (its endpoint, headers, protocol, compression) is also refused when the
 * environment (or the command line) already configures that backend (its endpoint, headers or
 * client certificate), whose credentials or traces would otherwise go to a host or account the
 * checkout chose; nor may it sample the runs of a Sentry project the environment configures, nor
 * shorten the waits for backends then (each send could time out); and
 * certificate or key paths are never taken (a local file is the user's to name). The file itself is
 * read without following a symlink, only when it is a small regular file.
 */
import { parseEnv } from "node:util";
import { readRegularFile } from "../config/read-file.ts";
import { SETTINGS, type SettingName, settingRow } from "../config/settings.ts";

export interface Dotenv {
  /** The accepted settings (none of them set in the environment). */
  values: Record<string, string>;
  /** Names found in the file that a `.env` may not set (telemetry settings already set in the environment are not listed). */
  ignored: string[];
  warnings: string[];
}

/** Larger than this, a `.env` is not a settings file. */
export const MAX_DOTENV_BYTES = 64 * 1024;

const OFF = new Set(["off", "false", "0", "no"]);
const isOff = (v: string) => OFF.has(v.trim().toLowerCase());
const within = (v: string, min: number, max: number) => Number(v) >= min && Number(v) <= max;
const exportsSomething = (v: string) => !v.split(",").some((exporter) => exporter.trim().toLowerCase() === "none");

/**
 * Settings taken only with a value that keeps or raises protection: redaction and the journal stay
 * on, content capture may only go off or shorter, no exporter is switched off, the journal keeps
 * runs at least as long as by default (a checkout may not delete the user's history), and the waits
 * at exit stay bounded (a checkout's slow backend may not hold a run for long).
 */
const ONLY_STRICTER: Record<string, (value: string) => boolean> = {
  CLAUDIA_REDACT: (v) => !isOff(v),
  OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT: isOff,
  CLAUDIA_CONTENT_MAX_LENGTH: (v) => within(v, 1, 8192),
  CLAUDIA_JOURNAL: (v) => !isOff(v),
  CLAUDIA_JOURNAL_MAX_AGE_DAYS: (v) => within(v, 30, Number.MAX_SAFE_INTEGER),
  CLAUDIA_JOURNAL_MAX_MB: (v) => within(v, 500, Number.MAX_SAFE_INTEGER),
  CLAUDIA_EXPORT_TIMEOUT_MS: (v) => within(v, 1, 30_000),
  CLAUDIA_RESEND_WAIT_MS: (v) => within(v, 0, 10_000),
  OTEL_TRACES_EXPORTER: exportsSomething,
  OTEL_METRICS_EXPORTER: exportsSomething,
  OTEL_SDK_DISABLED: (v) => v.trim().toLowerCase() !== "true",
};

/**
 * Per backend: how it is reached (address, credentials, wire format), and what in the environment
 * (or on the command line) makes it the user's: an endpoint, headers, a client certificate. The
 * checkout's `.env` then cannot change how it is reached, which would send the user's credentials
 * (or just their traces) to a host the checkout chose, put them in the checkout's account on a
 * shared endpoint (a header names the account), or make every send fail.
 */
const BACKENDS = [
  {
    reach: /^OTEL_EXPORTER_OTLP_(?:(?:TRACES|METRICS)_)?(?:ENDPOINT|HEADERS|PROTOCOL|COMPRESSION)$/,
    owned:
      /^OTEL_EXPORTER_OTLP_(?:(?:TRACES|METRICS)_)?(?:ENDPOINT|HEADERS|CERTIFICATE|CLIENT_CERTIFICATE|CLIENT_KEY)$/,
    flags: ["otelHeaders", "otelEndpoint"],
  },
  { reach: /^LOGFIRE_BASE_URL$/, owned: /^LOGFIRE_(?:TOKEN|BASE_URL)$/, flags: ["logfireToken"] },
  // Not an address, but a rate of 0 would leave the user's Sentry without a single run.
  { reach: /^SENTRY_TRACES_SAMPLE_RATE$/, owned: /^SENTRY_DSN$/, flags: ["sentryDsn"] },
] as const;

/**
 * Waits every backend shares. Shorter than their defaults, a checkout could make each send to the
 * user's backend time out (`CLAUDIA_EXPORT_TIMEOUT_MS=1`) or leave its undelivered runs unsent, so
 * they are taken below the default only when the environment configures no backend (longer waits
 * are bounded by `ONLY_STRICTER`).
 */
const SHARED_WAITS: readonly SettingName[] = ["CLAUDIA_EXPORT_TIMEOUT_MS", "CLAUDIA_RESEND_WAIT_MS"];
const shorterWait = (name: string, value: string) =>
  SHARED_WAITS.includes(name as SettingName) && Number(value) < Number(settingRow(name as SettingName).default);

/** Paths of files to read (certificates, keys): a local file is the user's to name, not the checkout's. */
const FILE_PATH = /^OTEL_EXPORTER_OTLP_(?:[A-Z]+_)?(?:CERTIFICATE|CLIENT_CERTIFICATE|CLIENT_KEY)$/;

function telemetryName(name: string): boolean {
  if (FILE_PATH.test(name)) return false;
  return /^(OTEL|LOGFIRE|SENTRY)_[A-Z0-9_]+$/.test(name) || name in ONLY_STRICTER;
}

/** Read a small regular file without following a symlink or blocking on a FIFO; undefined when absent. */
export function readSmallFile(path: string, maxBytes: number): { text?: string; problem?: string } {
  try {
    return { text: readRegularFile(path, maxBytes, { followLinks: false }).toString("utf8") };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT") return {};
    if (code === "ELOOP") return { problem: "it is a symbolic link" };
    return { problem: code ? `it cannot be read (${code})` : (error as Error).message };
  }
}

/**
 * The telemetry settings `.env` in `cwd` may give. `env` is the real environment (its values win);
 * `flags` says which backends the command line configures (`--otel-*`, `--logfire-token`, `--sentry-dsn`).
 */
export function readDotenv(
  env: NodeJS.ProcessEnv,
  flags: { otelHeaders?: string; otelEndpoint?: string; logfireToken?: string; sentryDsn?: string } = {},
  path = ".env",
): Dotenv {
  const result: Dotenv = { values: {}, ignored: [], warnings: [] };
  const { text, problem } = readSmallFile(path, MAX_DOTENV_BYTES);
  if (problem) result.warnings.push(`.env skipped: ${problem}`);
  if (text === undefined) return result;
  let parsed: Record<string, string>;
  try {
    parsed = parseEnv(text) as Record<string, string>;
  } catch {
    result.warnings.push(".env skipped: it cannot be parsed");
    return result;
  }
  for (const [name, value] of Object.entries(parsed)) {
    const stricter = ONLY_STRICTER[name];
    if (!telemetryName(name) || (stricter && !stricter(value))) result.ignored.push(name);
    else if (env[name] === undefined) result.values[name] = value;
  }
  const owned = BACKENDS.filter(
    (backend) =>
      Object.keys(env).some((name) => env[name] !== undefined && backend.owned.test(name)) ||
      backend.flags.some((flag) => (flags as Record<string, string | undefined>)[flag] !== undefined),
  );
  for (const backend of owned) refuse(result, (name) => backend.reach.test(name));
  if (owned.length > 0) refuse(result, shorterWait);
  const warning = ignoredWarning(result.ignored);
  if (warning) result.warnings.push(warning);
  return result;
}

/** Move the taken settings that `refused` says a `.env` may not set to the ignored ones. */
function refuse(result: Dotenv, refused: (name: string, value: string) => boolean): void {
  for (const [name, value] of Object.entries(result.values)) {
    if (!refused(name, value)) continue;
    delete result.values[name];
    result.ignored.push(name);
  }
}

/** Names claudia or Claude Code would have read: these are named; the project's own are counted. */
const NOTABLE = /^(CLAUDIA_|ANTHROPIC_|CLAUDE_|OTEL_|LOGFIRE_|SENTRY_|AWS_|GOOGLE_|VERTEX_|NODE_|PATH$|HOME$)/;

function ignoredWarning(ignored: string[]): string | undefined {
  if (ignored.length === 0) return undefined;
  const named = ignored.filter((name) => NOTABLE.test(name));
  const others = ignored.length - named.length;
  const list = [...named, ...(others > 0 ? [`${others} other variable${others === 1 ? "" : "s"}`] : [])];
  return `.env: ignored ${list.join(", ")} (a checkout's .env may set only telemetry settings that keep protection, and never reaches Claude Code; see docs/SECURITY.md)`;
}

const READ = new Set<string>(SETTINGS.map((setting) => setting.name));

/**
 * The one line saying which settings came from `.env`, or undefined when none did. A telemetry name
 * claudia does not read (`OTEL_BSP_MAX_QUEUE_SIZE`, `OTEL_EXPORTER_OTLP_TIMEOUT`) is taken and
 * changes nothing: it is listed apart, so the line does not claim it had an effect.
 */
export function dotenvNotice(dotenv: Dotenv): string | undefined {
  const names = Object.keys(dotenv.values);
  if (names.length === 0) return undefined;
  const used = names.filter((name) => READ.has(name));
  const unread = names.filter((name) => !READ.has(name));
  const parts = [
    ...(used.length > 0 ? [`settings from .env: ${used.join(", ")}`] : []),
    ...(unread.length > 0 ? [`not read by claudia: ${unread.join(", ")}`] : []),
  ];
  return `${used.length > 0 ? "" : ".env: "}${parts.join("; ")}`;
}
