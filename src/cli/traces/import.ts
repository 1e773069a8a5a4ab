/**
 * `claudia traces import [PATH…] [--since DATE|AGE]`: sessions that ran without claudia (plain `claude`,
 * the IDE, the Agent SDK) become runs in the journal, each replayed by import-session.ts.
 *
 * A session already in the journal is skipped: one a claudia run traced from its first entry to its
 * last, and one an earlier import took as its transcript is now. Of a session claudia ran in part
 * (continued by bare `claude`, or begun with it), the rest is imported: the stretches claudia's runs
 * traced are left out. A session continued since it was imported
 * (imported while still open, or resumed later) is imported again: its run is replaced, under the
 * same trace id and, for what it had then, the same span ids. A session imported while a claudia run
 * of it was still going, which that run has since recorded whole, loses its import: it was a copy.
 */
import { rmSync } from "node:fs";
import { parseArgs } from "node:util";
import type { TelemetryConfig } from "../../export/config.ts";
import { listRuns, type StoredRun } from "../../export/journal-store.ts";
import { type SessionFile, sessionFiles } from "../../sources/session-files.ts";
import { firstTimestamp, lastTimestamp } from "../../sources/transcript-file.ts";
import { createRedactor, credentialValues } from "../../trace/redact.ts";
import { type ImportContext, importedTraceId, importSession, type Stretch } from "./import-session.ts";
import { parseSince, SINCE_FORMS } from "./since.ts";

/** A one-line progress bar on stderr, redrawn in place; only on a terminal. */
function progress(total: number, write: (text: string) => void, tty: boolean) {
  const width = 30;
  return {
    step(done: number) {
      if (!tty || total < 2) return;
      const filled = Math.round((done / total) * width);
      write(`\r[${"#".repeat(filled)}${" ".repeat(width - filled)}] ${done}/${total} sessions`);
    },
    end() {
      if (tty && total >= 2) write("\r\u001b[K");
    },
  };
}

export interface ImportIo {
  out: (text: string) => void;
  err: (text: string) => void;
  env: NodeJS.ProcessEnv;
  /** stderr is a terminal: show the progress bar. */
  tty: boolean;
  config: TelemetryConfig;
}

export class ImportUsageError extends Error {}

/** `--since` as `claudia traces stats` reads it: a date, a time or an age (`7d`). */
function sinceOf(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const time = parseSince(value);
  if (time === undefined) throw new ImportUsageError(`--since takes ${SINCE_FORMS}, not "${value}"`);
  return time;
}

interface JournalSessions {
  /** Sessions claudia ran itself (in the journal under their own trace ids): the stretches its runs traced. */
  ranByClaudia: Map<string, Stretch[]>;
  /** Runs earlier imports made, by trace id. */
  imported: Map<string, StoredRun>;
}

/**
 * An imported run notes its transcript's size (one imported by a claudia that did not has the trace
 * id of its session). Its session id is the one its entries name, which is not always its file's: a
 * copy kept under another name is a session of its own.
 */
const wasImported = ({ record }: StoredRun) =>
  record.transcriptBytes !== undefined ||
  record.sessionId === undefined ||
  record.traceId === importedTraceId(record.sessionId);

function journalSessions(runs: StoredRun[]): JournalSessions {
  const sessions: JournalSessions = { ranByClaudia: new Map(), imported: new Map() };
  for (const run of runs) {
    const { record } = run;
    if (wasImported(run)) sessions.imported.set(record.traceId, run);
    else if (record.sessionId !== undefined) {
      const stretches = sessions.ranByClaudia.get(record.sessionId) ?? [];
      stretches.push({ start: record.startTime, end: record.endTime });
      sessions.ranByClaudia.set(record.sessionId, stretches);
    }
  }
  return sessions;
}

/**
 * Whether one claudia run traced the whole transcript, its first entry to its last: nothing is left
 * to import, and the transcript is not read through.
 */
function tracedWhole(file: SessionFile, runs: Stretch[]): boolean {
  const [run] = runs;
  if (runs.length !== 1 || !run) return false;
  try {
    const first = firstTimestamp(file.path, { followLinks: false });
    const last = lastTimestamp(file.path, { followLinks: false });
    return first !== undefined && last !== undefined && first >= run.start && last <= run.end;
  } catch {
    return false;
  }
}

/**
 * Nothing to do, a new session, the run of an earlier import of a session continued since, or the
 * run of an earlier import of a session a claudia run has traced whole since (imported while that
 * run was still going, before it recorded itself): a second copy of that run, to remove.
 */
type Plan = "present" | "new" | StoredRun | { superseded: StoredRun };

function planOf(file: SessionFile, journal: JournalSessions): Plan {
  const claudiaRuns = journal.ranByClaudia.get(file.sessionId);
  const earlier = journal.imported.get(importedTraceId(file.sessionId));
  if (claudiaRuns && tracedWhole(file, claudiaRuns)) return earlier ? { superseded: earlier } : "present";
  if (!earlier) return "new";
  // Claude Code only appends: the same size is the same transcript. A run imported by a claudia
  // that did not note the size is imported again, once.
  return earlier.record.transcriptBytes === file.size ? "present" : earlier;
}

/**
 * The earlier run's files go first: the new run has the same trace id (and usually start), so the
 * same file names. Should the import then fail, the session is new to the next import.
 */
function removeRun(run: StoredRun): void {
  rmSync(run.recordPath, { force: true });
  rmSync(run.spansPath, { force: true });
}

interface Counts {
  imported: number;
  /** Imports removed: the session's claudia run recorded it whole since. */
  superseded: number;
  updated: number;
  present: number;
  empty: number;
  expired: number;
  failed: number;
}

async function importFile(
  file: SessionFile,
  plan: Plan,
  ctx: ImportContext & { exclude: Stretch[] },
  counts: Counts,
): Promise<void> {
  if (plan === "present") {
    counts.present++;
    return;
  }
  if (typeof plan === "object" && "superseded" in plan) {
    removeRun(plan.superseded);
    counts.superseded++;
    return;
  }
  try {
    if (plan !== "new") removeRun(plan);
    const outcome = await importSession(file, ctx, ctx.exclude);
    counts[outcome === "imported" && plan !== "new" ? "updated" : outcome]++;
  } catch (error) {
    counts.failed++;
    ctx.warn(`could not import ${file.path} (${error instanceof Error ? error.message : String(error)}); skipped`);
  }
}

function summaryLine(counts: Counts, maxAgeDays: number): string {
  const notes = [
    counts.present ? `${counts.present} already in the journal` : "",
    counts.superseded ? `${counts.superseded} recorded by claudia since: their imports removed` : "",
    counts.empty ? `${counts.empty} without a conversation` : "",
    counts.expired ? `${counts.expired} begun before the journal's ${maxAgeDays} days` : "",
    counts.failed ? `${counts.failed} unreadable` : "",
  ].filter(Boolean);
  const updated = counts.updated ? `, updated ${counts.updated} continued since` : "";
  return `Imported ${counts.imported} session(s)${updated}${notes.length ? ` (${notes.join(", ")})` : ""}.\n`;
}

export async function importCommand(args: string[], io: ImportIo): Promise<number> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { since: { type: "string" } } });
  const since = sinceOf(values.since);
  const { config } = io;
  if (!config.journal.enabled) throw new ImportUsageError("the journal is off (CLAUDIA_JOURNAL): nowhere to import to");
  const warn = (m: string) => io.err(`claudia: ${m}\n`);
  const journal = journalSessions(listRuns(config.journal.dir, warn));
  const files = sessionFiles(positionals, io.env, warn).filter((f) => since === undefined || f.mtimeMs >= since);
  const bar = progress(files.length, io.err, io.tty);
  const ctx: ImportContext = {
    content: config.content,
    // As in a live run: every configured credential is a secret too, wherever the session printed it.
    redact: createRedactor(io.env, credentialValues(config.backends)),
    config,
    // A warning starts on a line of its own, not after the progress bar.
    warn: (m) => {
      bar.end();
      warn(m);
    },
  };
  const counts: Counts = { imported: 0, updated: 0, present: 0, superseded: 0, empty: 0, expired: 0, failed: 0 };
  // A session's file found twice (two folders given) is imported once.
  const handled = new Set<string>();
  for (const [i, file] of files.entries()) {
    bar.step(i);
    const plan = handled.has(file.sessionId) ? "present" : planOf(file, journal);
    handled.add(file.sessionId);
    await importFile(file, plan, { ...ctx, exclude: journal.ranByClaudia.get(file.sessionId) ?? [] }, counts);
  }
  bar.end();
  io.out(summaryLine(counts, config.journal.maxAgeDays));
  // An unreadable file is its warning; the others are imported all the same.
  return 0;
}
