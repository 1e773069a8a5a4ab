/**
 * The runs a backend has not acknowledged yet, listed beside the journal (`<journal>.outbox/`, one
 * empty file per run), so that a run's start, which sends them again, reads those records instead
 * of every record in the journal (36 ms of wall time and 59 of CPU per 1,000 runs, while Claude Code
 * works; a journal keeps 30 days of them).
 *
 * The records stay the truth, and the list errs only towards too much. An entry only says where to
 * look; one whose record no longer waits (delivered, refused, pruned) is removed when read.
 * `.complete` in the folder says that every run recorded before it was listed: a journal from before
 * the outbox, one whose outbox was lost, or one where a run could not be listed is read whole and
 * listed (docs/RELIABILITY.md).
 */
import { lstatSync, readdirSync, unlinkSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { endpointIdentity } from "../config/urls.ts";
import type { RunRecord } from "./journal.ts";
import { readRecord, type StoredRun, spansPathOf } from "./journal-store.ts";
import { createPrivate, ownedByMe, privateDir, truncatePrivate } from "./private-fs.ts";

const COMPLETE = ".complete";
/** `<day>_<record file>`: nothing that could name a file outside the journal. */
const ENTRY = /^(\d{4}-\d{2}-\d{2})_([A-Za-z0-9][A-Za-z0-9_-]*\.run\.json)$/;

/** Beside the journal, not in it: the journal holds nothing but its day folders. */
export const outboxDir = (journal: string) => `${journal.replace(/[\\/]+$/, "")}.outbox`;

/**
 * The name under which `record` notes a failed delivery to the endpoint `identity`; undefined when
 * there is none, or when the run reached that endpoint under any name.
 */
export function pendingName(record: RunRecord, identity: string): string | undefined {
  const deliveries = record.deliveries ?? {};
  const meant = Object.keys(deliveries).filter((name) => {
    const endpoint = deliveries[name]?.endpoint;
    return typeof endpoint === "string" && endpoint !== "" && endpointIdentity(endpoint) === identity;
  });
  if (meant.some((name) => deliveries[name]?.delivered === true)) return undefined;
  return meant.find((name) => deliveries[name]?.delivered === false);
}

/** Whether a run waits to be sent again in the background: a failed delivery its backend did not refuse. */
export function waitsForDelivery(record: RunRecord): boolean {
  const deliveries = record.deliveries ?? {};
  const endpoints = new Set(Object.values(deliveries).map((d) => d?.endpoint));
  for (const endpoint of endpoints) {
    if (typeof endpoint !== "string" || endpoint === "") continue;
    const name = pendingName(record, endpointIdentity(endpoint));
    if (name !== undefined && deliveries[name]?.refused !== true) return true;
  }
  return false;
}

/** The entry naming the record at `recordPath`; undefined for a name no entry can hold. */
const entryPath = (recordPath: string): string | undefined => {
  const journal = dirname(dirname(recordPath));
  const name = `${basename(dirname(recordPath))}_${basename(recordPath)}`;
  return ENTRY.test(name) ? join(outboxDir(journal), name) : undefined;
};

/**
 * List the run whose record is about to be written, saying it waits: before the record, so that a
 * process stopped in between leaves an entry too many (dropped when read), never one too few.
 * Returns whether the run is listed. When it is not, the outbox stops claiming to be complete, so
 * the next run reads the whole journal. Never throws.
 */
export function listWaiting(recordPath: string): boolean {
  const entry = entryPath(recordPath);
  try {
    if (!entry) throw new Error("no entry can name this record");
    privateDir(dirname(entry));
    createPrivate(entry, "");
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") return true;
    const outbox = outboxDir(dirname(dirname(recordPath)));
    if (isMyFolder(outbox)) unlinkIfThere(join(outbox, COMPLETE));
    return false;
  }
}

/**
 * Unlist the run whose record was just written, saying it no longer waits. Another claudia may be
 * writing it at the same time, saying it waits (two backends' re-sends record into one run): when an
 * entry was removed, the record is read once more and listed again if it waits. (That writer also
 * lists it again once its record is written: see `writeRecord`.) Never throws.
 */
export function unlistRun(recordPath: string): void {
  const entry = entryPath(recordPath);
  if (!entry || !unlinkIfThere(entry)) return;
  const record = readOrUndefined(recordPath);
  if (record && waitsForDelivery(record)) listWaiting(recordPath);
}

/**
 * Remove a file (a link itself, never what it points to); whether it did. Never throws: an entry
 * left behind is dropped when read, and a `.complete` that cannot be removed is in a folder this
 * user cannot write.
 */
function unlinkIfThere(path: string): boolean {
  try {
    unlinkSync(path);
    return true;
  } catch {
    return false;
  }
}

/** A folder of this user's, not a link to one. */
function isMyFolder(path: string): boolean {
  try {
    const stat = lstatSync(path);
    return stat.isDirectory() && ownedByMe(stat);
  } catch {
    return false;
  }
}

/**
 * The outbox can be trusted to list every waiting run: complete, and a folder only this user can
 * read and write (one this user cannot write could not have taken an entry or lost its mark).
 */
function trusted(outbox: string): boolean {
  try {
    const stat = lstatSync(outbox);
    if (!stat.isDirectory() || !ownedByMe(stat) || (stat.mode & 0o777) !== 0o700) return false;
    return lstatSync(join(outbox, COMPLETE)).isFile();
  } catch {
    return false;
  }
}

/**
 * The runs the outbox lists that still wait, newest first; undefined when it cannot say (never
 * completed, missing, not this user's private folder), and the whole journal must be read instead.
 */
export function outboxRuns(journal: string): StoredRun[] | undefined {
  const outbox = outboxDir(journal);
  if (!trusted(outbox)) return undefined;
  let names: string[];
  try {
    names = readdirSync(outbox);
  } catch {
    return undefined;
  }
  const runs: StoredRun[] = [];
  for (const name of names) {
    const match = ENTRY.exec(name);
    if (!match) continue;
    const recordPath = join(journal, match[1] as string, match[2] as string);
    const read = readEntry(journal, match[1] as string, recordPath);
    // An unreadable record's entry stays: it may be read next time (pruning removes a damaged one).
    if (read === "unreadable") continue;
    if (read === undefined) unlinkIfThere(join(outbox, name));
    else if (waitsForDelivery(read)) runs.push({ record: read, recordPath, spansPath: spansPathOf(recordPath) });
    else unlistRun(recordPath);
  }
  return runs.sort((a, b) => b.record.startTime - a.record.startTime);
}

/** A listed run's record; undefined when it is gone, "unreadable" when it could not be read now. */
function readEntry(journal: string, day: string, recordPath: string): RunRecord | undefined | "unreadable" {
  try {
    // As listRuns: another user's day folder holds no run of this user's.
    if (!isMyFolder(join(journal, day))) return undefined;
    return readRecord(recordPath);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "ENOENT" ? undefined : "unreadable";
  }
}

/**
 * After reading the whole journal (`runs`): list those that wait, and mark the outbox complete,
 * unless one of them could not be listed.
 */
export function fillOutbox(journal: string, runs: StoredRun[]): void {
  let listed = true;
  for (const run of runs) if (waitsForDelivery(run.record)) listed = listWaiting(run.recordPath) && listed;
  if (!listed) return;
  try {
    const outbox = outboxDir(journal);
    privateDir(outbox);
    truncatePrivate(join(outbox, COMPLETE), "");
  } catch {
    // A journal this process may not write to: it is read whole again next time.
  }
}

function readOrUndefined(recordPath: string): RunRecord | undefined {
  try {
    return readRecord(recordPath);
  } catch {
    return undefined;
  }
}
