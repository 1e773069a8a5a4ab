/** How numbers, times and costs read on the page (as in `claudia traces`). */
import { ellipsize } from "../trace/text.ts";

export function duration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 60000) return `${(ms / 1000).toFixed(2)}s`;
  return `${Math.floor(ms / 60000)}m${Math.round((ms % 60000) / 1000)}s`;
}

export const cost = (usd: number | undefined | null): string =>
  usd === undefined || usd === null ? "–" : `$${usd.toFixed(usd < 0.01 ? 6 : 4)}`;

export const count = (n: number): string => n.toLocaleString("en-US");

const pad = (n: number) => String(n).padStart(2, "0");

/** Local time, as people read their own runs: 2026-11-28 14:03:07. */
export function time(ms: number): string {
  const d = new Date(ms);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

export const head = (text: string | undefined, max: number): string => (text === undefined ? "" : ellipsize(text, max));
