/**
 * `--since` of `claudia traces stats` and `claudia traces import` (and the viewer's statistics): one
 * parser, so both commands take the same dates, times and ages.
 */

/** What the usage error says `--since` takes. */
export const SINCE_FORMS = "a date (2026-11-01), a time (ISO 8601) or an age (7d, 12h, 30m)";

/**
 * `--since`: a date (`2026-11-01`, UTC), a date and time (ISO 8601), or an age (`7d`, `12h`, `30m`).
 * Returns ms since the epoch, or undefined when the text is none of these.
 */
export function parseSince(text: string, now = Date.now()): number | undefined {
  const age = /^(\d+)([dhm])$/.exec(text.trim());
  if (age) return now - Number(age[1]) * { d: 86400000, h: 3600000, m: 60000 }[age[2] as "d" | "h" | "m"];
  if (!/^\d{4}-\d{2}-\d{2}([T ][\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(text.trim())) return undefined;
  const time = Date.parse(text.trim().length === 10 ? `${text.trim()}T00:00:00Z` : text.trim());
  return Number.isFinite(time) ? time : undefined;
}
