/**
 * What the installed Claude Code accepts: its options (and which take a value) and its
 * subcommands, learned from its own `--help` and cached per binary (path, size, mtime), so a
 * new Claude Code version is learned again and claudia never keeps a hand-written list.
 */
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { closeSync, mkdirSync, openSync, readFileSync, readSync, statSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";

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
 * the option definitions in the binary itself, where each one is marked `.hideHelp()`.
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

/** Learn the CLI of the binary at `claudePath`, from the cache when the binary has not changed. */
export function learnClaudeCli(claudePath: string, env: NodeJS.ProcessEnv = process.env): ClaudeCli {
  let key: string;
  try {
    const st = statSync(claudePath);
    key = createHash("sha256").update(`${claudePath}\0${st.size}\0${st.mtimeMs}`).digest("hex").slice(0, 16);
  } catch {
    key = "";
  }
  const file = key ? join(cacheDir(env), `claude-cli-${key}.json`) : "";
  if (file) {
    try {
      const cached = JSON.parse(readFileSync(file, "utf8")) as ClaudeCli;
      if (Array.isArray(cached.options) && Array.isArray(cached.commands)) return cached;
    } catch {
      // Not cached yet.
    }
  }
  let help = "";
  try {
    help = execFileSync(claudePath, ["--help"], {
      encoding: "utf8",
      env: { ...env, COLUMNS: "200", NO_COLOR: "1" },
      stdio: ["ignore", "pipe", "pipe"],
      timeout: 15000,
    });
  } catch (error) {
    help = String((error as { stdout?: unknown }).stdout ?? "");
  }
  const cli = parseHelp(help);
  const listed = new Set(cli.options.flatMap((o) => o.names));
  for (const hidden of hiddenOptions(claudePath)) {
    if (!hidden.names.some((n) => listed.has(n))) cli.options.push(hidden);
  }
  if (file && cli.options.length > 0) {
    try {
      mkdirSync(cacheDir(env), { recursive: true });
      writeFileSync(file, JSON.stringify(cli));
    } catch {
      // A read-only home only costs one `--help` per run.
    }
  }
  return cli;
}
