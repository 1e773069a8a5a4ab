/**
 * Adds claudia's hooks to the settings Claude Code is started with (`--settings`), keeping the
 * user's own `--settings` (JSON or a file) and every hook in it.
 *
 * The merged settings hold the hook endpoint's secret and whatever the user's settings hold (an
 * `env` with credentials): they go to Claude Code in a private file (0600, in a 0700 folder of
 * its own), never on its command line, where every local user can read them. The folder is
 * removed when claudia exits.
 */
import { closeSync, constants, mkdtempSync, openSync, readFileSync, rmSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

type Settings = { hooks?: Record<string, unknown[]>; [key: string]: unknown };

export interface HookTarget {
  url: string;
  header: [string, string];
}

export function claudiaHooks(target: HookTarget, events: string[]): Settings {
  const hook = { type: "http", url: target.url, headers: { [target.header[0]]: target.header[1] }, timeout: 5 };
  return { hooks: Object.fromEntries(events.map((event) => [event, [{ hooks: [hook] }]])) };
}

function readUserSettings(value: string): Settings {
  const text = value.trim().startsWith("{") ? value : readFileSync(value, "utf8");
  const parsed = JSON.parse(text) as unknown;
  if (!parsed || typeof parsed !== "object" || Array.isArray(parsed)) throw new Error("settings must be a JSON object");
  return parsed as Settings;
}

export function mergeSettings(user: Settings, ours: Settings): Settings {
  const hooks: Record<string, unknown[]> = { ...(user.hooks ?? {}) };
  for (const [event, matchers] of Object.entries(ours.hooks ?? {})) {
    hooks[event] = [...(Array.isArray(hooks[event]) ? hooks[event] : []), ...matchers];
  }
  return { ...user, hooks };
}

/**
 * Claude Code's arguments with claudia's hooks merged into the last `--settings` (or a new one),
 * the settings given as the path of a private file. Returns undefined when the user's settings
 * cannot be read: then they are left exactly as they are and claudia does without hooks.
 */
export function withHooks(args: string[], ours: Settings): string[] | undefined {
  let index = -1;
  let inline = false;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    if (arg === "--") break;
    if (arg === "--settings") {
      index = i;
      inline = false;
      i++;
    } else if (arg.startsWith("--settings=")) {
      index = i;
      inline = true;
    }
  }
  if (index < 0) return withOptionsFirst(args, ["--settings", privateSettingsFile(ours)]);
  const value = inline ? (args[index] as string).slice("--settings=".length) : args[index + 1];
  if (value === undefined) return undefined;
  let user: Settings;
  try {
    user = readUserSettings(value);
  } catch {
    return undefined;
  }
  const path = privateSettingsFile(mergeSettings(user, ours));
  const out = [...args];
  if (inline) out[index] = `--settings=${path}`;
  else out[index + 1] = path;
  return out;
}

const folders: string[] = [];

/** Remove every settings file this process wrote (also done when it exits). */
export function removeSettingsFiles(): void {
  for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
}

/** Write settings to a fresh 0600 file in a fresh 0700 folder (never through a symlink); its path. */
export function privateSettingsFile(settings: Settings): string {
  const folder = mkdtempSync(join(tmpdir(), "claudia-settings-"));
  if (folders.length === 0) process.once("exit", removeSettingsFiles);
  folders.push(folder);
  const path = join(folder, "settings.json");
  const fd = openSync(path, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600);
  try {
    writeSync(fd, JSON.stringify(settings));
  } finally {
    closeSync(fd);
  }
  return path;
}

/**
 * Claude Code's arguments with `extra` among the options: first, where no option of the user's
 * can take them as its value (`claudia "hi" --model` stays a missing value for Claude Code to report).
 */
export function withOptionsFirst(args: string[], extra: string[]): string[] {
  return [...extra, ...args];
}
