/**
 * The viewer's JSON answers, read-only: a page of the runs list (filtered, newest first), one run
 * with its spans, the statistics, and the journal's version for live refresh.
 */
import type { RunRecord } from "../../../export/journal.ts";
import {
  attributesOf,
  findRun,
  nanos,
  type OpenRun,
  type OtlpSpan,
  RunNotFound,
  readRequests,
  spansOf,
} from "../../../export/journal-store.ts";
import { parseSince } from "../since.ts";
import type { JournalView } from "./journal-view.ts";

export interface Answer {
  status: number;
  body: unknown;
}

/** A span as the page reads it: attributes decoded, times in ms since the epoch. */
export interface ViewSpan {
  spanId: string;
  parentSpanId?: string;
  name: string;
  startMs: number;
  endMs: number;
  status: { code: number; message?: string };
  attributes: Record<string, unknown>;
  events: { name: string; timeMs: number; attributes: Record<string, unknown> }[];
}

/** A run still being written, as the page shows it. */
export interface OpenRunView {
  traceId: string;
  startTime: number;
  /** running: spans were appended in the last 10 minutes; unfinished: not since (it ended without a record). */
  state: "running" | "unfinished";
  spansBytes: number;
}

const MAX_LIMIT = 500;
const STALE_MS = 10 * 60 * 1000;

const openView = (o: OpenRun, now = Date.now()): OpenRunView => ({
  traceId: o.traceId,
  startTime: o.startTime,
  state: now - o.modifiedMs < STALE_MS ? "running" : "unfinished",
  spansBytes: o.bytes,
});

const ms = (v: string | number) => Number(nanos(v) / 1000n) / 1000;

export function viewSpan(s: OtlpSpan): ViewSpan {
  return {
    spanId: String(s.spanId),
    parentSpanId: s.parentSpanId ? String(s.parentSpanId) : undefined,
    name: String(s.name),
    startMs: ms(s.startTimeUnixNano),
    endMs: ms(s.endTimeUnixNano),
    status: { code: s.status?.code ?? 0, message: s.status?.message },
    attributes: attributesOf(s.attributes),
    events: (s.events ?? []).map((e) => ({
      name: String(e.name),
      timeMs: ms(e.timeUnixNano),
      attributes: attributesOf(e.attributes),
    })),
  };
}

function matches(record: RunRecord, status: string, model: string, text: string): boolean {
  if (status === "ok" && record.status !== "ok") return false;
  if (status === "error" && record.status === "ok") return false;
  if (model !== "" && record.model !== model) return false;
  if (text === "") return true;
  return [record.prompt, record.traceId, record.model, record.errorType, record.sessionId].some((v) =>
    v?.toLowerCase().includes(text),
  );
}

function intParam(params: URLSearchParams, name: string, fallback: number, max: number): number {
  const n = Number(params.get(name) ?? fallback);
  return Number.isInteger(n) && n >= 0 ? Math.min(n, max) : fallback;
}

export function runsPage(view: JournalView, params: URLSearchParams): Answer {
  const { runs, open, version } = view.current();
  const status = params.get("status") ?? "";
  const model = params.get("model") ?? "";
  const text = (params.get("q") ?? "").trim().toLowerCase();
  const offset = intParam(params, "offset", 0, Number.MAX_SAFE_INTEGER);
  const limit = intParam(params, "limit", 100, MAX_LIMIT);
  const found = status === "running" ? [] : runs.filter((r) => matches(r.record, status, model, text));
  const showOpen = offset === 0 && (status === "" || status === "running") && model === "";
  const models = [...new Set(runs.map((r) => r.record.model).filter((m): m is string => typeof m === "string"))];
  return {
    status: 200,
    body: {
      version,
      total: runs.length,
      matched: found.length,
      offset,
      runs: found.slice(offset, offset + limit).map((r) => r.record),
      open: showOpen ? open.filter((o) => o.traceId.includes(text)).map((o) => openView(o)) : [],
      models: models.sort(),
      skipped: view.skipped,
    },
  };
}

export function runDetail(view: JournalView, id: string): Answer {
  const { runs, open, version } = view.current();
  const warnings: string[] = [];
  const spansIn = (path: string) =>
    spansOf(
      readRequests(path, (m) => {
        warnings.push(m);
        view.warn(m);
      }),
    ).map(viewSpan);
  try {
    const run = findRun(runs, id);
    return { status: 200, body: { version, run: run.record, spans: spansIn(run.spansPath), warnings } };
  } catch (error) {
    if (!(error instanceof RunNotFound)) throw error;
    const writing = open.filter((o) => o.traceId.startsWith(id.toLowerCase()));
    if (writing.length !== 1 || !writing[0]) return { status: 404, body: { error: error.message } };
    const spans = spansIn(writing[0].spansPath);
    return { status: 200, body: { version, run: null, open: openView(writing[0]), spans, warnings } };
  }
}

export function statsAnswer(view: JournalView, params: URLSearchParams): Answer {
  const text = params.get("since") ?? "";
  const since = text === "" ? null : parseSince(text);
  if (since === undefined) return { status: 400, body: { error: "since takes a date, a time or an age (7d, 12h)" } };
  return { status: 200, body: { version: view.current().version, stats: view.stats(since) } };
}
