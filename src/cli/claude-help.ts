/**
 * What the Claude Code about to run accepts: its options (and which take a value) and its
 * subcommands. For the binary the Agent SDK bundles, that is the table written at build time from
 * that very binary (claude-cli-table.ts), so no run pays for learning it. Any other binary
 * (CLAUDIA_CLAUDE_PATH, another version) is learned from its own `--help` and cached per binary
 * (path, size, mtime); claudia never keeps a hand-written list.
 */
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { closeSync, constants, openSync, readFileSync, readSync, statSync, writeSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join } from "node:path";
import { makeDirs } from "../export/private-fs.ts";
import { BUNDLED_CLI } from "./claude-cli-table.ts";

export type ValueKind = "none" | "required" | "optional";

export interface OptionSpec {
  names: string[];
  value: ValueKind;
  variadic: boolean;
}

export interface ClaudeCli {
  options: OptionSpec[];
  commands: string[];
}

/** The bundled binary's table: what `--help` lists, and the options it hides. */
export interface BundledCli {
  /** Version of the Agent SDK platform package the binary comes in. */
  packageVersion: string;
  claudeVersion: string;
  commands: string[];
  options: OptionSpec[];
  hidden: OptionSpec[];
}

const OPTION_LINE = /^ {2}(-[\w-]+(?:, -[\w-]+)*)(?: (<[^>]+>|\[[^\]]+\]))?(?: |$)/;
const COMMAND_LINE = /^ {2}([a-z][\w-]*(?:\|[a-z][\w-]*)*)(?: |$)/;

/** Parse `claude --help` output. Pure. */
export function parseHelp(text: string): ClaudeCli {
  const options: OptionSpec[] = [];
  const commands: string[] = [];
  let section: "options" | "commands" | "other" = "other";
  for (const line of text.split("\n")) {
    if (/^Options:/.test(line)) section = "options";
    else if (/^Commands:/.test(line)) section = "commands";
    else if (/^\S/.test(line)) section = "other";
    else if (section === "options") {
      const m = OPTION_LINE.exec(line);
      if (!m?.[1]) continue;
      const arg = m[2];
      options.push({
        names: m[1].split(", "),
        value: arg === undefined ? "none" : arg.startsWith("<") ? "required" : "optional",
        variadic: arg?.includes("...") ?? false,
      });
    } else if (section === "commands") {
      const m = COMMAND_LINE.exec(line);
      if (m?.[1]) commands.push(...m[1].split("|"));
    }
  }
  return { options, commands };
}

const HIDDEN_MARK = Buffer.from(".hideHelp()");
const OPTION_DEFINITION = /\("(-[\w-]+(?:, -[\w-]+)*)(?: (<[^>"]+>|\[[^\]"]+\]))?",/g;

/**
 * Options Claude Code accepts but hides from `--help` (such as `--max-turns <turns>`): read from
 * the option definitions in the binary itself, where each one is marked `.hideHelp()`. This reads
 * the whole binary (some 400 MB): only the build script and tests call it, never a run.
 */
export function hiddenOptions(claudePath: string): OptionSpec[] {
  const found = new Map<string, OptionSpec>();
  let fd: number;
  try {
    fd = openSync(claudePath, "r");
  } catch {
    return [];
  }
  try {
    const chunk = Buffer.allocUnsafe(16 * 1024 * 1024);
    const overlap = 1024;
    let position = 0;
    for (;;) {
      const n = readSync(fd, chunk, 0, chunk.length, position);
      if (n <= 0) break;
      const view = chunk.subarray(0, n);
      for (let at = view.indexOf(HIDDEN_MARK); at >= 0; at = view.indexOf(HIDDEN_MARK, at + 1)) {
        const before = view.toString("latin1", Math.max(0, at - 600), at);
        const start = before.lastIndexOf("addOption(");
        if (start < 0) continue;
        OPTION_DEFINITION.lastIndex = 0;
        const m = OPTION_DEFINITION.exec(before.slice(start));
        if (!m?.[1]) continue;
        const arg = m[2];
        const names = m[1].split(", ");
        found.set(names.join(","), {
          names,
          value: arg === undefined ? "none" : arg.startsWith("<") ? "required" : "optional",
          variadic: arg?.includes("...") ?? false,
        });
      }
      if (n < chunk.length) break;
      position += n - overlap;
    }
  } finally {
    closeSync(fd);
  }
  return [...found.values()];
}

function cacheDir(env: NodeJS.ProcessEnv): string {
  return join(env.XDG_CACHE_HOME || join(homedir(), ".cache"), "claudia");
}

const VALUE_KINDS: readonly string[] = ["none", "required", "optional"];

function isOptionSpec(x: unknown): x is OptionSpec {
  if (typeof x !== "object" || x === null) return false;
  const o = x as Record<string, unknown>;
  return (
    Array.isArray(o.names) &&
    o.names.length > 0 &&
    o.names.every((n) => typeof n === "string" && n.startsWith("-")) &&
    typeof o.value === "string" &&
    VALUE_KINDS.includes(o.value) &&
    typeof o.variadic === "boolean"
  );
}

/** A cached table of the right shape; anything else (an older format, a damaged file) is not one. */
export function isClaudeCli(x: unknown): x is ClaudeCli {
  if (typeof x !== "object" || x === null) return false;
  const o = x as Record<string, unknown>;
  return (
    Array.isArray(o.options) &&
    o.options.length > 0 &&
    o.options.every(isOptionSpec) &&
    Array.isArray(o.commands) &&
    o.commands.every((c) => typeof c === "string")
  );
}

/** `listed` plus the options of `hidden` it does not list under any name. */
function withHidden(listed: ClaudeCli, hidden: OptionSpec[]): ClaudeCli {
  const names = new Set(listed.options.flatMap((o) => o.names));
  return {
    options: [...listed.options, ...hidden.filter((h) => !h.names.some((n) => names.has(n)))],
    commands: listed.commands,
  };
}

/** The bundled table, when `claudePath` is the binary of the platform package it was written from. */
export function bundledCli(claudePath: string, table: BundledCli = BUNDLED_CLI): ClaudeCli | undefined {
  try {
    const pkg: unknown = JSON.parse(readFileSync(join(dirname(claudePath), "package.json"), "utf8"));
    if (typeof pkg !== "object" || pkg === null) return undefined;
    const { name, version } = pkg as Record<string, unknown>;
    const ours = typeof name === "string" && name.startsWith("@anthropic-ai/claude-agent-sdk-");
    if (!ours || version !== table.packageVersion) return undefined;
  } catch {
    return undefined;
  }
  return withHidden({ options: table.options, commands: table.commands }, table.hidden);
}

/** `claude --help`, as wide as it gets and without colour; what it printed even if it failed. */
export function readHelp(claudePath: string, env: NodeJS.ProcessEnv): string {
  try {
    return execFileSync(claudePath, ["--help"], {
      encoding: "utf8",
      env: { ...env, COLUMNS: "200", NO_COLOR: "1" },
      stdio: ["ignore", "pipe", "pipe"],
      timeout: 15000,
    });
  } catch (error) {
    return String((error as { stdout?: unknown }).stdout ?? "");
  }
}

function readCache(file: string): ClaudeCli | undefined {
  try {
    const cached: unknown = JSON.parse(readFileSync(file, "utf8"));
    return isClaudeCli(cached) ? cached : undefined;
  } catch {
    return undefined;
  }
}

/**
 * What the binary at `claudePath` accepts: the bundled table for the bundled binary; otherwise its
 * `--help`, with the hidden options of the bundled version (they change rarely, and finding them
 * in another binary means reading all of it), cached while the binary has not changed.
 */
export function learnClaudeCli(claudePath: string, env: NodeJS.ProcessEnv = process.env): ClaudeCli {
  const bundled = bundledCli(claudePath);
  if (bundled) return bundled;
  let key: string;
  try {
    const st = statSync(claudePath);
    key = createHash("sha256").update(`${claudePath}\0${st.size}\0${st.mtimeMs}`).digest("hex").slice(0, 16);
  } catch {
    key = "";
  }
  // v2: the table without a scan of the binary; a file of another shape is learned again.
  const file = key ? join(cacheDir(env), `claude-cli-v2-${key}.json`) : "";
  const cached = file ? readCache(file) : undefined;
  if (cached) return cached;
  const cli = withHidden(parseHelp(readHelp(claudePath, env)), BUNDLED_CLI.hidden);
  if (file && cli.options.length > BUNDLED_CLI.hidden.length) {
    try {
      makeDirs(cacheDir(env));
      const { O_WRONLY, O_CREAT, O_TRUNC, O_NOFOLLOW } = constants;
      const fd = openSync(file, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW, 0o600);
      try {
        writeSync(fd, JSON.stringify(cli));
      } finally {
        closeSync(fd);
      }
    } catch {
      // A read-only home only costs one `--help` per run.
    }
  }
  return cli;
}
