/**
 * Splits claudia's command line into claudia's own options and what goes to Claude Code.
 *
 * Claude Code's arguments are never rewritten: they reach it in the order and spelling the user
 * wrote. To know where the prompt is, the splitter reads them the way Claude Code's parser does,
 * using the option list learned from the installed binary's `--help`.
 */
import type { ClaudeCli, OptionSpec } from "./claude-help.ts";

export interface ClaudiaOptions {
  otelEndpoint?: string;
  otelHeaders?: string;
  serviceName?: string;
  logfireToken?: string;
  sentryDsn?: string;
  debug: boolean;
  quiet: boolean;
  config: boolean;
  version: boolean;
  help: boolean;
}

export interface SplitArgv {
  claudia: ClaudiaOptions;
  /** Everything for Claude Code, unchanged, in order. */
  claudeArgs: string[];
  /** Positional arguments Claude Code will see (the prompt, or a subcommand and its arguments). */
  positionals: string[];
  /** Claude Code's subcommand, when the first positional names one. */
  subcommand?: string;
  /** Whether -p/--print is already there. */
  hasPrint: boolean;
  /** The output format asked for, if any. */
  outputFormat?: string;
  /** The value of --model, if given. */
  model?: string;
  /** Claude Code's options on the command line, by their long name where they have one. */
  options: Set<string>;
  /** Values an optional or variadic option took that could have been meant as the prompt. */
  greedy: { option: string; value: string }[];
  /** The system prompt options given (`--system-prompt`, `--append-system-prompt`, their `-file` variants), in order. */
  systemPrompts: { option: string; value: string }[];
}

export class ArgvError extends Error {}

// Maps, not object literals: an argument such as "__proto__" or "toString" must not match anything.
const CLAUDIA_VALUE_OPTIONS = new Map<string, keyof ClaudiaOptions>([
  ["--otel-endpoint", "otelEndpoint"],
  ["--otel-headers", "otelHeaders"],
  ["--service-name", "serviceName"],
  ["--logfire-token", "logfireToken"],
  ["--sentry-dsn", "sentryDsn"],
]);
const SYSTEM_PROMPT_OPTION = /^--(append-)?system-prompt(-file)?$/;

const CLAUDIA_FLAGS = new Map<string, keyof ClaudiaOptions>([
  ["--claudia-debug", "debug"],
  ["--quiet", "quiet"],
  ["--config", "config"],
  ["--version", "version"],
  ["-v", "version"],
  ["--help", "help"],
  ["-h", "help"],
]);

export function splitArgv(argv: string[], cli: ClaudeCli): SplitArgv {
  const byName = new Map<string, OptionSpec>();
  for (const spec of cli.options) for (const name of spec.names) byName.set(name, spec);
  const claudia: ClaudiaOptions = { debug: false, quiet: false, config: false, version: false, help: false };
  const claudeArgs: string[] = [];
  const positionals: string[] = [];
  const greedy: SplitArgv["greedy"] = [];
  const options = new Set<string>();
  const systemPrompts: SplitArgv["systemPrompts"] = [];
  let hasPrint = false;
  let outputFormat: string | undefined;
  let model: string | undefined;
  let subcommand: string | undefined;

  const noteValue = (name: string, value: string) => {
    if (name === "--output-format") outputFormat = value;
    if (name === "--model") model = value;
    if (SYSTEM_PROMPT_OPTION.test(name)) systemPrompts.push({ option: name, value });
  };

  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (subcommand !== undefined) {
      // After a subcommand everything belongs to it (claudia's own flags included).
      claudeArgs.push(arg);
      continue;
    }
    if (arg === "--") {
      claudeArgs.push(...argv.slice(i));
      positionals.push(...argv.slice(i + 1));
      break;
    }
    const eq = arg.startsWith("--") ? arg.indexOf("=") : -1;
    const name = eq > 0 ? arg.slice(0, eq) : arg;
    const claudiaKey = CLAUDIA_VALUE_OPTIONS.get(name);
    if (claudiaKey) {
      let value: string | undefined;
      if (eq > 0) value = arg.slice(eq + 1);
      else value = argv[++i];
      if (value === undefined) throw new ArgvError(`${name} needs a value`);
      (claudia as unknown as Record<string, unknown>)[claudiaKey] = value;
      continue;
    }
    const flagKey = CLAUDIA_FLAGS.get(arg);
    if (flagKey) {
      (claudia as unknown as Record<string, unknown>)[flagKey] = true;
      continue;
    }
    if (!arg.startsWith("-") || arg === "-") {
      if (positionals.length === 0 && cli.commands.includes(arg)) subcommand = arg;
      positionals.push(arg);
      claudeArgs.push(arg);
      continue;
    }
    claudeArgs.push(arg);
    if (arg.startsWith("--")) {
      options.add(name);
      const spec = byName.get(name);
      if (name === "--print") hasPrint = true;
      if (eq > 0) {
        noteValue(name, arg.slice(eq + 1));
        continue;
      }
      if (!spec || spec.value === "none") continue;
      i = takeValues(argv, i, spec, name, claudeArgs, greedy, noteValue);
      continue;
    }
    // Short options: -p, -r VALUE, -rVALUE, or several flags together (-cp).
    const letters = arg.slice(1);
    for (let j = 0; j < letters.length; j++) {
      const short = `-${letters[j]}`;
      if (short === "-p") hasPrint = true;
      const spec = byName.get(short);
      const long = spec?.names.find((n) => n.startsWith("--")) ?? short;
      options.add(long);
      if (!spec || spec.value === "none") continue;
      if (j < letters.length - 1) break; // The rest of the word is this option's value.
      i = takeValues(argv, i, spec, long, claudeArgs, greedy, noteValue);
    }
  }
  return {
    claudia,
    claudeArgs,
    positionals,
    subcommand,
    hasPrint,
    outputFormat,
    model,
    options,
    greedy,
    systemPrompts,
  };
}

/** Consume the value(s) of option `argv[i]` the way Claude Code's parser does; returns the new index. */
function takeValues(
  argv: string[],
  i: number,
  spec: OptionSpec,
  name: string,
  claudeArgs: string[],
  greedy: SplitArgv["greedy"],
  noteValue: (name: string, value: string) => void,
): number {
  let index = i;
  const next = argv[index + 1];
  if (next === undefined) return index;
  if (spec.value === "required" && !spec.variadic) {
    claudeArgs.push(next);
    noteValue(name, next);
    return index + 1;
  }
  if (next.startsWith("-") && next !== "-") return index;
  claudeArgs.push(next);
  noteValue(name, next);
  index++;
  if (spec.value === "optional" || spec.variadic) greedy.push({ option: name, value: next });
  if (spec.variadic) {
    while (argv[index + 1] !== undefined && !(argv[index + 1] as string).startsWith("-")) {
      index++;
      claudeArgs.push(argv[index] as string);
      greedy.push({ option: name, value: argv[index] as string });
    }
  }
  return index;
}
