/**
 * Adds claudia's hooks to the settings Claude Code is started with (`--settings`), keeping the
 * user's own `--settings` (JSON or a file) and every hook in it.
 */
import { readFileSync } from "node:fs";

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
 * Claude Code's arguments with claudia's hooks merged into the last `--settings` (or a new one).
 * Returns undefined when the user's settings cannot be read: then they are left exactly as they
 * are and claudia does without hooks.
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
  if (index < 0) {
    return beforeOperands(args, ["--settings", JSON.stringify(ours)]);
  }
  const value = inline ? (args[index] as string).slice("--settings=".length) : args[index + 1];
  if (value === undefined) return undefined;
  let user: Settings;
  try {
    user = readUserSettings(value);
  } catch {
    return undefined;
  }
  const merged = JSON.stringify(mergeSettings(user, ours));
  const out = [...args];
  if (inline) out[index] = `--settings=${merged}`;
  else out[index + 1] = merged;
  return out;
}

/** Claude Code's arguments with `extra` among the options: at the end, or before a `--` that ends them. */
export function beforeOperands(args: string[], extra: string[]): string[] {
  const end = args.indexOf("--");
  return end < 0 ? [...args, ...extra] : [...args.slice(0, end), ...extra, ...args.slice(end)];
}
