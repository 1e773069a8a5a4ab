/** The viewer's JSON answers, fetched relative to the page (whose path carries the token). */

import type { JournalStats } from "../cli/traces/stats.ts";
import type { OpenRunView, ViewSpan } from "../cli/traces/ui/api.ts";
import type { RunRecord } from "../export/journal.ts";

export type { JournalStats, OpenRunView, RunRecord, ViewSpan };

export interface RunsPage {
  version: number;
  total: number;
  matched: number;
  offset: number;
  runs: RunRecord[];
  /** Runs still being written (first page only). */
  open: OpenRunView[];
  models: string[];
  skipped: string[];
}

export interface RunDetail {
  version: number;
  /** null while the run is being written (its record comes at its end): then `open` says so. */
  run: RunRecord | null;
  open?: OpenRunView;
  spans: ViewSpan[];
  warnings: string[];
}

export class ApiError extends Error {}

export async function getJson<T>(path: string, params: Record<string, string | number> = {}): Promise<T> {
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) if (value !== "") query.set(key, String(value));
  const qs = query.toString();
  const res = await fetch(`api/${path}${qs ? `?${qs}` : ""}`, { cache: "no-store" });
  const body = (await res.json().catch(() => ({}))) as { error?: string };
  if (!res.ok) throw new ApiError(body.error ?? `${res.status} ${res.statusText}`);
  return body as T;
}
