/**
 * `claudia`: a drop-in for `claude` that records every run as an OpenTelemetry trace.
 *
 * Kept small on purpose: everything needed before Claude Code starts is imported here, the rest
 * (OpenTelemetry, the trace builder) loads while Claude Code runs.
 */
import { spawn } from "node:child_process";
import { isatty } from "node:tty";
import { resolveDiagnostics } from "../config/resolve.ts";
import { ConfigError, describeConfig, resolveTelemetryConfig, type TelemetryConfig } from "../export/config.ts";
import { ClaudeNotFoundError, resolveClaudePath } from "../sources/claude-binary.ts";
import { stripControl } from "../trace/text.ts";
import { ArgvError, type SplitArgv, splitArgv } from "./argv.ts";
import { exitCodeOf, waitForExit } from "./child-exit.ts";
import { learnClaudeCli } from "./claude-help.ts";
import { dotenvNotice, readDotenv } from "./dotenv.ts";
import { type HeadlessOptions, runHeadless } from "./headless.ts";
import { createLog, stderrLine } from "./log.ts";
import { HELP, packageVersion } from "./texts.ts";

const USAGE_ERROR = 2;

async function runClaudeDirectly(claudePath: string, args: string[]): Promise<number> {
  const exit = await waitForExit(spawn(claudePath, args, { stdio: "inherit" }));
  if (exit.error) stderrLine(`claudia: could not start Claude Code: ${exit.error.message}`);
  return exitCodeOf(exit);
}

/** claudia's own subcommands: names Claude Code does not use. */
const OWN_COMMANDS = new Set(["traces", "demo"]);

async function main(argv: string[]): Promise<number> {
  // process.uptime(), not performance.now(): the latter loads node's perf_hooks (~1 ms before the spawn).
  const startTime = Date.now() - Math.round(process.uptime() * 1000);
  const env = process.env;
  if (argv[0] === "traces") {
    const dotenv = readDotenv(env);
    for (const warning of dotenv.warnings) stderrLine(`claudia: ${warning}`);
    return ownCommand(argv[0], argv.slice(1), { ...env, ...dotenv.values });
  }
  // The demo starts Claude Code with its environment: nothing from .env goes there.
  if (argv[0] && OWN_COMMANDS.has(argv[0])) return ownCommand(argv[0], argv.slice(1), env);
  let claudePath: string;
  let split: SplitArgv;
  try {
    claudePath = resolveClaudePath(env);
    split = splitArgv(argv, learnClaudeCli(claudePath, env));
  } catch (error) {
    return usageError(error);
  }
  const { claudia } = split;
  const { debug, quiet } = resolveDiagnostics({ debug: claudia.debug, quiet: claudia.quiet }, env);
  const log = createLog({ debug, quiet });
  if (claudia.help) {
    process.stdout.write(HELP);
    return 0;
  }
  if (claudia.version) {
    process.stdout.write(`claudia ${packageVersion()}\nClaude Code ${await claudeVersion(claudePath)}\n`);
    return 0;
  }
  for (const option of secretOptions(claudia)) {
    log.warn(
      `${option} on the command line is visible to other local users (ps); its variable in the environment is not`,
    );
  }
  // The checkout's .env shapes telemetry only: claudia's configuration, never Claude Code's environment.
  const dotenv = readDotenv(env, claudia);
  for (const line of [...dotenv.warnings, dotenvNotice(dotenv)]) if (line) log.warn(line);
  const telemetryEnv: NodeJS.ProcessEnv = { ...env, ...dotenv.values };
  let config: TelemetryConfig;
  try {
    config = resolveTelemetryConfig(
      {
        otelEndpoint: claudia.otelEndpoint,
        otelHeaders: claudia.otelHeaders,
        serviceName: claudia.serviceName,
        logfireToken: claudia.logfireToken,
        sentryDsn: claudia.sentryDsn,
      },
      telemetryEnv,
    );
  } catch (error) {
    return usageError(error);
  }
  for (const warning of config.warnings) log.warn(warning);
  if (claudia.config) {
    process.stdout.write(`${JSON.stringify(describeConfig(config), null, 2)}\n`);
    return 0;
  }
  return runClaude({ claudePath, split, config, env: telemetryEnv, claudeEnv: env, startTime, log }, { debug, quiet });
}

/** claudia's own options given that hold a credential (their variables keep it off the command line). */
function secretOptions(claudia: SplitArgv["claudia"]): string[] {
  const given: [string, unknown][] = [
    ["--otel-headers (OTEL_EXPORTER_OTLP_HEADERS)", claudia.otelHeaders],
    ["--logfire-token (LOGFIRE_TOKEN)", claudia.logfireToken],
    ["--sentry-dsn (SENTRY_DSN)", claudia.sentryDsn],
  ];
  return given.filter(([, value]) => value !== undefined).map(([option]) => option);
}

/** A known problem with what claudia was given, as one line and its exit code; anything else is thrown on. */
function usageError(error: unknown): number {
  const code =
    error instanceof ClaudeNotFoundError
      ? 127
      : error instanceof ArgvError || error instanceof ConfigError
        ? USAGE_ERROR
        : undefined;
  if (code === undefined) throw error;
  stderrLine(`claudia: ${(error as Error).message}`);
  return code;
}

/** Claude Code run untraced (its own subcommands), in its terminal UI, or headless. */
async function runClaude(options: HeadlessOptions, diagnostics: { debug: boolean; quiet: boolean }): Promise<number> {
  const { split, log } = options;
  if (split.subcommand) {
    log.debug(`running claude ${split.subcommand} directly (untraced)`);
    return runClaudeDirectly(options.claudePath, split.claudeArgs);
  }
  if (split.positionals.length === 0 && !split.hasPrint && isatty(0)) {
    const greedy = split.greedy.at(-1);
    if (greedy) log.debug(`"${greedy.value}" was read as the value of ${greedy.option}: no prompt, so the terminal UI`);
    const { runInteractive } = await import("./interactive.ts");
    return runInteractive({ ...options, ...diagnostics });
  }
  return runHeadless(options);
}

/** `claude --version`'s answer, or "unknown". */
function claudeVersion(claudePath: string): Promise<string> {
  return new Promise<string>((resolve) => {
    const child = spawn(claudePath, ["--version"], { stdio: ["ignore", "pipe", "ignore"] });
    let out = "";
    child.stdout.on("data", (c: Buffer) => {
      out += c.toString();
    });
    child.once("error", () => resolve("unknown"));
    child.once("close", () => resolve(out.trim() || "unknown"));
  });
}

async function ownCommand(name: string, args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const color = process.stdout.isTTY === true && !env.NO_COLOR;
  if (name === "traces") {
    const { tracesCommand } = await import("./traces/command.ts");
    return tracesCommand(args, {
      out: (t) => process.stdout.write(t),
      // What the traces commands report quotes the journal and the checkout: no control sequence
      // passes, but for the carriage returns of the progress bar.
      err: (t) => process.stderr.write(t.split("\r").map(stripControl).join("\r")),
      env,
      color,
    });
  }
  const { demoCommand } = await import("./demo.ts");
  return demoCommand(args, env, color);
}

/** Exit once stdout has taken everything written to it: nothing claudia started may hold the exit. */
function exit(code: number): void {
  process.stdout.write("", () => process.exit(code));
}

// A reader that went away (`claudia … | head`) is not the run's failure, as it is not Claude Code's:
// what claudia would still write there is dropped (see also the JSON output's pass-through).
for (const stream of [process.stdout, process.stderr]) stream.on("error", () => {});

main(process.argv.slice(2)).then(
  (code) => exit(code),
  (error: unknown) => {
    stderrLine(`claudia: internal error: ${error instanceof Error ? error.message : String(error)}`);
    exit(70);
  },
);
