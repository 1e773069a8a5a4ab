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
  const out: SplitArgv = {
    claudia: { debug: false, quiet: false, config: false, version: false, help: false },
    claudeArgs: [],
    positionals: [],
    subcommand: undefined,
    hasPrint: false,
    outputFormat: undefined,
    model: undefined,
    options: new Set<string>(),
    greedy: [],
    systemPrompts: [],
  };
  // Claude Code's option that can still take values (variadic, or optional and given none yet): a
  // claudia option between its values does not end them, as Claude Code never sees that option.
  let open: { spec: OptionSpec; name: string } | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (out.subcommand !== undefined) {
      // After a subcommand everything belongs to it (claudia's own flags included).
      out.claudeArgs.push(arg);
      continue;
    }
    if (arg === "--") {
      out.claudeArgs.push(...argv.slice(i));
      out.positionals.push(...argv.slice(i + 1));
      break;
    }
    const eq = arg.startsWith("--") ? arg.indexOf("=") : -1;
    const name = eq > 0 ? arg.slice(0, eq) : arg;
    const claudiaKey = CLAUDIA_VALUE_OPTIONS.get(name);
    if (claudiaKey) {
      const value = eq > 0 ? arg.slice(eq + 1) : argv[++i];
      if (value === undefined) throw new ArgvError(`${name} needs a value`);
      (out.claudia as unknown as Record<string, unknown>)[claudiaKey] = value;
    } else if (CLAUDIA_FLAGS.has(arg)) {
      (out.claudia as unknown as Record<string, unknown>)[CLAUDIA_FLAGS.get(arg) as string] = true;
    } else if (!arg.startsWith("-") || arg === "-") {
      if (out.positionals.length === 0 && cli.commands.includes(arg)) out.subcommand = arg;
      out.positionals.push(arg);
      out.claudeArgs.push(arg);
      open = undefined;
      continue;
    } else {
      out.claudeArgs.push(arg);
      const last = arg.startsWith("--")
        ? longOption(argv, i, name, eq, byName, out)
        : shortOptions(argv, i, byName, out);
      open = stillOpen(arg, name, eq, byName, last > i);
      i = last;
      continue;
    }
    if (!open) continue;
    const last = takeValues(argv, i, open.spec, open.name, out);
    if (open.spec.value === "optional" && last > i) open = undefined;
    i = last;
  }
  return out;
}

/**
 * The option `arg` when it can still take values after what it took (`took`): a variadic one, or
 * one whose value is optional and was not given. Never one written `--name=value`, nor a short
 * option whose value was the rest of its word.
 */
function stillOpen(
  arg: string,
  name: string,
  eq: number,
  byName: Map<string, OptionSpec>,
  took: boolean,
): { spec: OptionSpec; name: string } | undefined {
  if (eq > 0) return undefined;
  const spec = arg.startsWith("--") ? byName.get(name) : byName.get(`-${arg.slice(-1)}`);
  if (!spec || spec.value === "none") return undefined;
  if (
    !arg.startsWith("--") &&
    arg
      .slice(1, -1)
      .split("")
      .some((l) => (byName.get(`-${l}`)?.value ?? "none") !== "none")
  ) {
    return undefined;
  }
  const long = spec.names.find((n) => n.startsWith("--")) ?? name;
  if (spec.variadic) return { spec, name: long };
  return spec.value === "optional" && !took ? { spec, name: long } : undefined;
}

/** `--name`, `--name=value` or `--name value…`; returns the index of its last argument. */
function longOption(
  argv: string[],
  i: number,
  name: string,
  eq: number,
  byName: Map<string, OptionSpec>,
  out: SplitArgv,
): number {
  out.options.add(name);
  if (name === "--print") out.hasPrint = true;
  if (eq > 0) {
    noteValue(out, name, (argv[i] as string).slice(eq + 1));
    return i;
  }
  const spec = byName.get(name);
  if (!spec || spec.value === "none") return i;
  return takeValues(argv, i, spec, name, out);
}

/** Short options: -p, -r VALUE, -rVALUE, or several flags together (-cp); returns the index of the last argument. */
function shortOptions(argv: string[], i: number, byName: Map<string, OptionSpec>, out: SplitArgv): number {
  const letters = (argv[i] as string).slice(1);
  for (let j = 0; j < letters.length; j++) {
    const short = `-${letters[j]}`;
    if (short === "-p") out.hasPrint = true;
    const spec = byName.get(short);
    const long = spec?.names.find((n) => n.startsWith("--")) ?? short;
    out.options.add(long);
    if (!spec || spec.value === "none") continue;
    if (j < letters.length - 1) break; // The rest of the word is this option's value.
    return takeValues(argv, i, spec, long, out);
  }
  return i;
}

/** The values claudia reads from Claude Code's options. */
function noteValue(out: SplitArgv, name: string, value: string): void {
  if (name === "--output-format") out.outputFormat = value;
  if (name === "--model") out.model = value;
  if (SYSTEM_PROMPT_OPTION.test(name)) out.systemPrompts.push({ option: name, value });
}

/** Consume the value(s) of option `argv[i]` the way Claude Code's parser does; returns the new index. */
function takeValues(argv: string[], i: number, spec: OptionSpec, name: string, out: SplitArgv): number {
  let index = i;
  const next = argv[index + 1];
  if (next === undefined) return index;
  if (spec.value === "required" && !spec.variadic) {
    out.claudeArgs.push(next);
    noteValue(out, name, next);
    return index + 1;
  }
  if (next.startsWith("-") && next !== "-") return index;
  out.claudeArgs.push(next);
  noteValue(out, name, next);
  index++;
  if (spec.value === "optional" || spec.variadic) out.greedy.push({ option: name, value: next });
  if (spec.variadic) {
    while (argv[index + 1] !== undefined && !(argv[index + 1] as string).startsWith("-")) {
      index++;
      out.claudeArgs.push(argv[index] as string);
      out.greedy.push({ option: name, value: argv[index] as string });
    }
  }
  return index;
}
