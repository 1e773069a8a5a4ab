/**
 * One parser per kind of value a setting can hold, and the masking of secrets in what they say.
 * Pure: each parser reads only the text it is given and throws `ConfigError` naming the option.
 */

/** A setting's value could not be read; `option` is the flag or variable it came from. */
export class ConfigError extends Error {
  constructor(
    readonly option: string,
    message: string,
  ) {
    super(message);
  }
}

/** A URL as it may be shown: `user:password@` and query values replaced by `***`. Never throws. */
export function redactUrl(text: string): string {
  return text
    .replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/?#]*@/i, "$1***@")
    .replace(/([?&][^=&#]*)=[^&#]*/g, "$1=***")
    .slice(0, 200);
}

/**
 * A `key=value` item as it may be shown: only its key (up to `=`, `:` or a space). An item with
 * neither `=` nor `:` has no key: it is a value (a token given alone, the rest of a value cut at a
 * comma) and nothing of it is shown.
 */
export function redactPair(text: string): string {
  const item = text.trim();
  if (!/[=:]/.test(item)) return "…";
  const key = /^[^=:\s]{0,60}/.exec(item)?.[0] ?? "";
  return `${key}…`;
}

const INTEGER = /^[+-]?\d+$/;

/** A whole number within bounds. */
export function parseNumber(text: string, option: string, bounds: { min?: number; max?: number } = {}): number {
  const value = Number(text.trim());
  const { min = 0, max = Number.MAX_SAFE_INTEGER } = bounds;
  if (!INTEGER.test(text.trim()) || !Number.isSafeInteger(value) || value < min || value > max) {
    throw new ConfigError(option, `${option}: "${text.slice(0, 40)}" is not a whole number from ${min} to ${max}`);
  }
  return value;
}

/** A number above zero, not necessarily whole (a size in MB, an age in days). */
export function parsePositive(text: string, option: string): number {
  const value = Number(text.trim());
  if (text.trim() === "" || !Number.isFinite(value) || value <= 0) {
    throw new ConfigError(option, `${option}: "${text.slice(0, 40)}" is not a number above 0`);
  }
  return value;
}

/** A number from 0 to 1 (a share). */
export function parseRatio(text: string, option: string): number {
  const value = Number(text.trim());
  if (text.trim() === "" || !Number.isFinite(value) || value < 0 || value > 1) {
    throw new ConfigError(option, `${option}: "${text.slice(0, 40)}" is not a number from 0 to 1`);
  }
  return value;
}

const TRUE = ["true", "1", "yes", "on"];
const FALSE = ["false", "0", "no", "off"];

/** `true`/`1`/`yes`/`on` or `false`/`0`/`no`/`off`, any case. */
export function parseBoolean(text: string, option: string): boolean {
  const value = text.trim().toLowerCase();
  if (TRUE.includes(value)) return true;
  if (FALSE.includes(value)) return false;
  throw new ConfigError(option, `${option}: "${text.slice(0, 40)}" is not on/off (true/false, 1/0)`);
}

/** One of a fixed set of words, any case. */
export function parseEnum<T extends string>(text: string, option: string, values: readonly T[]): T {
  const value = text.trim().toLowerCase();
  const found = values.find((v) => v === value);
  if (found === undefined) {
    throw new ConfigError(option, `${option}: unknown value "${text.slice(0, 40)}" (use ${values.join(", ")})`);
  }
  return found;
}

/** A comma-separated list, items trimmed, empty items dropped. */
export function parseList(text: string, _option: string): string[] {
  return text
    .split(",")
    .map((item) => item.trim())
    .filter((item) => item !== "");
}

/** A JSON array of strings, or (text that is not JSON) one item per line. */
export function parseLines(text: string, option: string): string[] {
  const trimmed = text.trim();
  let parsed: unknown;
  try {
    parsed = JSON.parse(trimmed);
  } catch {
    parsed = undefined;
  }
  if (typeof parsed === "string") return parsed === "" ? [] : [parsed];
  if (typeof parsed !== "object" || parsed === null) {
    return trimmed
      .split(/\r?\n/)
      .map((line) => line.trim())
      .filter((line) => line !== "");
  }
  if (!Array.isArray(parsed) || !parsed.every((item) => typeof item === "string")) {
    throw new ConfigError(option, `${option}: expected a JSON array of strings, or one item per line`);
  }
  return parsed.filter((item) => item !== "");
}

const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/**
 * `k=v,k2=v2` (headers, resource attributes): values may be percent-encoded, as the OpenTelemetry
 * specification allows. A bad item is reported by its key only: its value may be a credential.
 */
export function parsePairs(text: string, option: string): Record<string, string> {
  const pairs: Record<string, string> = {};
  for (const raw of text.split(",")) {
    const pair = raw.trim();
    if (pair === "") continue;
    const eq = pair.indexOf("=");
    const key = eq > 0 ? pair.slice(0, eq).trim() : "";
    if (!TOKEN.test(key)) {
      throw new ConfigError(
        option,
        `${option}: expected key=value pairs separated by commas, got "${redactPair(pair)}"` +
          (/^[^=]*:/.test(pair)
            ? ' (write "key=value", not "key: value")'
            : eq < 0
              ? ' (an item without "="; a comma inside a value is written %2C)'
              : ""),
      );
    }
    let value = pair.slice(eq + 1).trim();
    try {
      value = decodeURIComponent(value);
    } catch {
      // Keep the raw value: not every value is percent-encoded.
    }
    pairs[key] = value;
  }
  return pairs;
}

/**
 * An http:// or https:// URL. The message names the option, never its value: a value that is not
 * a URL is often a token pasted into the wrong variable.
 */
export function parseUrl(text: string, option: string): string {
  const value = text.trim();
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  if (!url || !/^https?:$/.test(url.protocol)) {
    throw new ConfigError(option, `${option}: not an http:// or https:// URL (expected e.g. http://localhost:4318)`);
  }
  return value;
}

/** Free text, trimmed. */
export function parseText(text: string, _option: string): string {
  return text.trim();
}
