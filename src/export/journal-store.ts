/**
 * Reading the journal back: list runs, find one, read its spans, prune old ones, and turn stored
 * OTLP/JSON back into spans an exporter can send again.
 */
import { lstatSync, readdirSync, rmSync, statSync, utimesSync } from "node:fs";
import { join } from "node:path";
import type { Attributes, AttributeValue, HrTime, SpanKind } from "@opentelemetry/api";
import { resourceFromAttributes } from "@opentelemetry/resources";
import type { ReadableSpan } from "@opentelemetry/sdk-trace";
import { readRegularFile } from "../config/read-file.ts";
import { TRACER_NAME } from "../trace/semconv.ts";
import type { RunRecord } from "./journal.ts";
import { checkRequest, recordProblem } from "./journal-check.ts";
import { ownedByMe, truncatePrivate } from "./private-fs.ts";

/*
 * Journal files are read as regular files only, without following links and within bounds: a
 * journal kept where others can write (a CI cache restored into the checkout) may hold a record
 * linked to /dev/zero or a FIFO, which must not hang or exhaust claudia.
 */
/** A run's record is a few kB; anything past this is not one. */
const MAX_RECORD_BYTES = 4 * 1024 * 1024;
/** A run's spans: thousands of calls with content fit well within this. */
const MAX_SPANS_BYTES = 256 * 1024 * 1024;

const readJournalFile = (path: string, maxBytes: number) =>
  readRegularFile(path, maxBytes, { followLinks: false }).toString("utf8");

export interface StoredRun {
  record: RunRecord;
  recordPath: string;
  spansPath: string;
}

/** An OTLP/JSON span as stored (ids hex, times in nanoseconds as strings or numbers). */
export interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind?: number;
  startTimeUnixNano: string | number;
  endTimeUnixNano: string | number;
  attributes?: OtlpKeyValue[];
  events?: { timeUnixNano: string | number; name: string; attributes?: OtlpKeyValue[] }[];
  status?: { code?: number; message?: string };
  flags?: number;
}
export interface OtlpKeyValue {
  key: string;
  value: OtlpAnyValue;
}
export interface OtlpAnyValue {
  stringValue?: string;
  intValue?: string | number;
  doubleValue?: number;
  boolValue?: boolean;
  arrayValue?: { values?: OtlpAnyValue[] };
}
export interface OtlpRequest {
  resourceSpans?: {
    resource?: { attributes?: OtlpKeyValue[] };
    scopeSpans?: { scope?: { name?: string; version?: string }; spans?: OtlpSpan[] }[];
  }[];
}

type Warn = (message: string) => void;

/** The spans file beside a run's record. */
export const spansPathOf = (recordPath: string): string => recordPath.replace(/\.run\.json$/, ".jsonl");

/** Every run in the journal with a readable record, newest first. Damaged records are skipped with a warning. */
export function listRuns(dir: string, warn: Warn = () => {}): StoredRun[] {
  const runs: StoredRun[] = [];
  let days: string[];
  try {
    if (!ownedByMe(lstatSync(dir))) {
      warn(`the journal folder ${dir} belongs to another user: not read`);
      return runs;
    }
    days = readdirSync(dir);
  } catch {
    return runs;
  }
  for (const day of days) {
    let names: string[];
    try {
      // Another user's folder here holds no run of this user's (and may hold planted ones).
      if (!ownedByMe(lstatSync(join(dir, day)))) continue;
      names = readdirSync(join(dir, day));
    } catch {
      continue;
    }
    for (const name of names) {
      if (!name.endsWith(".run.json")) continue;
      const recordPath = join(dir, day, name);
      try {
        runs.push({
          record: readRecord(recordPath),
          recordPath,
          spansPath: spansPathOf(recordPath),
        });
      } catch (error) {
        warn(`skipping damaged journal record ${recordPath}: ${error instanceof Error ? error.message : error}`);
      }
    }
  }
  return runs.sort((a, b) => b.record.startTime - a.record.startTime);
}

/** A run's record as it is on disk now; throws when it is missing or damaged. */
export function readRecord(recordPath: string): RunRecord {
  const record: unknown = JSON.parse(readJournalFile(recordPath, MAX_RECORD_BYTES));
  const problem = recordProblem(record);
  if (problem) throw new Error(problem);
  return record as RunRecord;
}

/** A run still being written: its spans file, without the record a run writes when it ends. */
export interface OpenRun {
  traceId: string;
  /** From the file's name (to the second). */
  startTime: number;
  spansPath: string;
  /** When spans were last appended, and how many bytes there are so far. */
  modifiedMs: number;
  bytes: number;
}

const SPANS_NAME = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z-([0-9a-f]{32})\.jsonl$/;

/** Runs with spans but no record yet (running, or ended without one), newest first. */
export function listOpenRuns(dir: string): OpenRun[] {
  const open: OpenRun[] = [];
  for (const day of safeReaddir(dir)) {
    const names = new Set(safeReaddir(join(dir, day)));
    for (const name of names) {
      const m = SPANS_NAME.exec(name);
      if (!m || names.has(name.replace(/\.jsonl$/, ".run.json"))) continue;
      const spansPath = join(dir, day, name);
      try {
        const stat = statSync(spansPath);
        if (!stat.isFile()) continue;
        const [year, month, date, hours, minutes, seconds] = m.slice(1, 7).map(Number) as number[];
        const startTime = Date.UTC(year as number, (month as number) - 1, date, hours, minutes, seconds);
        open.push({ traceId: m[7] as string, startTime, spansPath, modifiedMs: stat.mtimeMs, bytes: stat.size });
      } catch {
        // Removed while listing.
      }
    }
  }
  return open.sort((a, b) => b.startTime - a.startTime);
}

export class RunNotFound extends Error {}

/** A run by trace id, unique prefix, or `last`. */
export function findRun(runs: StoredRun[], query: string): StoredRun {
  if (query === "last") {
    const last = runs[0];
    if (!last) throw new RunNotFound("the journal has no runs yet");
    return last;
  }
  const q = query.toLowerCase();
  const matches = runs.filter((r) => r.record.traceId.startsWith(q));
  if (matches.length === 1) return matches[0] as StoredRun;
  if (matches.length === 0) throw new RunNotFound(`no run with a trace id starting "${query}"`);
  throw new RunNotFound(`"${query}" matches ${matches.length} runs; give more of the trace id`);
}

/** The export requests stored for a run, in order. Damaged lines are skipped with a warning. */
export function readRequests(spansPath: string, warn: Warn = () => {}): OtlpRequest[] {
  let text: string;
  try {
    text = readJournalFile(spansPath, MAX_SPANS_BYTES);
  } catch (error) {
    warn(`cannot read ${spansPath}: ${error instanceof Error ? error.message : error}`);
    return [];
  }
  const requests: OtlpRequest[] = [];
  let damaged = 0;
  let dropped = 0;
  text.split("\n").forEach((line) => {
    if (line.trim() === "") return;
    try {
      const checked = checkRequest(JSON.parse(line));
      requests.push(checked.request);
      dropped += checked.dropped;
    } catch {
      damaged++;
    }
  });
  if (damaged > 0 || dropped > 0)
    warn(`skipping ${damaged} damaged line(s) and ${dropped} damaged span(s) of ${spansPath}`);
  return requests;
}

export function spansOf(requests: OtlpRequest[]): OtlpSpan[] {
  return requests.flatMap((r) =>
    (r.resourceSpans ?? []).flatMap((rs) => (rs.scopeSpans ?? []).flatMap((ss) => ss.spans ?? [])),
  );
}

export function anyValue(v: OtlpAnyValue | undefined): AttributeValue | undefined {
  if (!v) return undefined;
  if (v.stringValue !== undefined) return v.stringValue;
  if (v.intValue !== undefined) return Number(v.intValue);
  if (v.doubleValue !== undefined) return v.doubleValue;
  if (v.boolValue !== undefined) return v.boolValue;
  if (v.arrayValue) return (v.arrayValue.values ?? []).map(anyValue) as AttributeValue;
  return undefined;
}

export function attributesOf(list: OtlpKeyValue[] | undefined): Attributes {
  const out: Attributes = {};
  for (const kv of list ?? []) {
    const value = anyValue(kv.value);
    if (value !== undefined) out[kv.key] = value;
  }
  return out;
}

export const nanos = (v: string | number): bigint => BigInt(typeof v === "number" ? Math.round(v) : v);
const hrTime = (v: string | number): HrTime => {
  const n = nanos(v);
  return [Number(n / 1000000000n), Number(n % 1000000000n)];
};

/** Stored spans as `ReadableSpan`s, so any configured exporter (any protocol) can send them again. */
export function toReadableSpans(requests: OtlpRequest[]): ReadableSpan[] {
  const out: ReadableSpan[] = [];
  for (const rs of requests.flatMap((r) => r.resourceSpans ?? [])) {
    const resource = resourceFromAttributes(attributesOf(rs.resource?.attributes));
    for (const ss of rs.scopeSpans ?? []) {
      const scope = { name: ss.scope?.name ?? TRACER_NAME, version: ss.scope?.version };
      for (const s of ss.spans ?? []) {
        const start = hrTime(s.startTimeUnixNano);
        const end = hrTime(s.endTimeUnixNano);
        const durationNs = nanos(s.endTimeUnixNano) - nanos(s.startTimeUnixNano);
        const traceFlags = (s.flags ?? 1) & 0xff;
        out.push({
          name: s.name,
          kind: Math.max(0, (s.kind ?? 1) - 1) as SpanKind,
          spanContext: () => ({ traceId: s.traceId, spanId: s.spanId, traceFlags }),
          parentSpanContext: s.parentSpanId
            ? { traceId: s.traceId, spanId: s.parentSpanId, traceFlags, isRemote: false }
            : undefined,
          startTime: start,
          endTime: end,
          duration: [Number(durationNs / 1000000000n), Number(durationNs % 1000000000n)],
          status: { code: s.status?.code ?? 0, message: s.status?.message },
          attributes: attributesOf(s.attributes),
          links: [],
          events: (s.events ?? []).map((e) => ({
            name: e.name,
            time: hrTime(e.timeUnixNano),
            attributes: attributesOf(e.attributes),
          })),
          ended: true,
          resource,
          instrumentationScope: scope,
          droppedAttributesCount: 0,
          droppedEventsCount: 0,
          droppedLinksCount: 0,
        });
      }
    }
  }
  return out;
}

export interface Retention {
  maxAgeDays: number;
  maxBytes: number;
}

export const DEFAULT_RETENTION: Retention = { maxAgeDays: 30, maxBytes: 500 * 1024 * 1024 };

export function retentionFromEnv(env: NodeJS.ProcessEnv = process.env): Retention {
  const days = Number(env.CLAUDIA_JOURNAL_MAX_AGE_DAYS);
  const mb = Number(env.CLAUDIA_JOURNAL_MAX_MB);
  return {
    maxAgeDays: Number.isFinite(days) && days > 0 ? days : DEFAULT_RETENTION.maxAgeDays,
    maxBytes: Number.isFinite(mb) && mb > 0 ? mb * 1024 * 1024 : DEFAULT_RETENTION.maxBytes,
  };
}

/**
 * Remove runs older than the age limit, then the oldest runs until the journal fits the size
 * limit. The newest run is always kept. Returns how many runs were removed.
 */
export function prune(dir: string, retention: Retention, now = Date.now()): number {
  const runs = listRuns(dir);
  const size = (path: string) => {
    try {
      return statSync(path).size;
    } catch {
      return 0;
    }
  };
  let total = runs.reduce((n, r) => n + size(r.spansPath) + size(r.recordPath), 0);
  let removed = 0;
  const cutoff = now - retention.maxAgeDays * 86400000;
  for (let i = runs.length - 1; i >= 1; i--) {
    const run = runs[i] as StoredRun;
    if (run.record.startTime >= cutoff && total <= retention.maxBytes) break;
    total -= size(run.spansPath) + size(run.recordPath);
    rmSync(run.spansPath, { force: true });
    rmSync(run.recordPath, { force: true });
    removed++;
  }
  const kept = new Set(runs.map((run) => run.recordPath));
  for (const day of safeReaddir(dir)) {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(day)) continue;
    // A day folder past the age limit holds no run the limit keeps: what is left there unlisted
    // (a record too damaged to read) goes too, or every command would warn about it forever.
    const expired = Date.parse(`${day}T00:00:00Z`) + 86400000 < cutoff;
    if (expired) removed += pruneDamaged(join(dir, day), kept);
    removed += pruneLeftovers(join(dir, day), now);
    if (safeReaddir(join(dir, day)).length === 0) rmSync(join(dir, day), { recursive: true, force: true });
  }
  return removed;
}

/** Remove the records of a day folder that could not be read as runs, with their spans. */
function pruneDamaged(day: string, readable: Set<string>): number {
  let removed = 0;
  for (const name of safeReaddir(day)) {
    const path = join(day, name);
    if (!name.endsWith(".run.json") || readable.has(path)) continue;
    rmSync(path, { force: true });
    rmSync(spansPathOf(path), { force: true });
    removed++;
  }
  return removed;
}

/** How long a run's files may lack a record (the run may still be going) before they are leftovers. */
export const LEFTOVER_AFTER_MS = 86400000;

/**
 * Remove what runs stopped at once left behind, a day old: spans with no record (a run killed
 * before it wrote one), half-written records and stale locks. Returns how many spans files went.
 */
function pruneLeftovers(day: string, now: number): number {
  const names = new Set(safeReaddir(day));
  let removed = 0;
  for (const name of names) {
    const orphan = name.endsWith(".jsonl") && !names.has(name.replace(/\.jsonl$/, ".run.json"));
    if (!orphan && !name.endsWith(".tmp") && !name.endsWith(".sending") && !name.endsWith(".stale")) continue;
    const path = join(day, name);
    try {
      if (now - statSync(path).mtimeMs < LEFTOVER_AFTER_MS) continue;
    } catch {
      continue;
    }
    rmSync(path, { force: true });
    if (orphan) removed++;
  }
  return removed;
}

/** How often the journal is pruned: reading every record costs ~20 ms per 500 runs. */
export const PRUNE_EVERY_MS = 10 * 60 * 1000;

/**
 * Prune, unless it was done less than `PRUNE_EVERY_MS` ago (the time of `<journal>.pruned` says when).
 * Returns how many runs were removed, or undefined when it was not due.
 */
export function pruneIfDue(dir: string, retention: Retention, now = Date.now()): number | undefined {
  // Beside the journal, not in it: the journal holds nothing but its day folders.
  const marker = `${dir.replace(/[\\/]+$/, "")}.pruned`;
  try {
    if (now - statSync(marker).mtimeMs < PRUNE_EVERY_MS) return undefined;
  } catch {
    // Never pruned here.
  }
  const removed = prune(dir, retention, now);
  try {
    truncatePrivate(marker, "");
    utimesSync(marker, now / 1000, now / 1000);
  } catch {
    // The journal may be read-only for this process; pruning again next time is harmless.
  }
  return removed;
}

function safeReaddir(path: string): string[] {
  try {
    return readdirSync(path);
  } catch {
    return [];
  }
}
