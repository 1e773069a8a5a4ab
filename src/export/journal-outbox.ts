/**
 * The runs a backend has not acknowledged yet, listed beside the journal (`<journal>.outbox/`, one
 * empty file per run), so that a run's start, which sends them again, reads those records instead
 * of every record in the journal: ~40 ms of a run's CPU per 1,000 runs, and a journal keeps 30 days
 * of them.
 *
 * The records stay the truth. An entry only says where to look; one whose record no longer waits
 * (delivered, refused, pruned) is removed when read. `.complete` in the folder says that every run
 * recorded before it was listed: a journal from before the outbox, or one whose outbox was lost, is
 * read whole once and listed.
 */
import { lstatSync, readdirSync, unlinkSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { endpointIdentity } from "../config/urls.ts";
import type { RunRecord } from "./journal.ts";
import { readRecord, type StoredRun } from "./journal-store.ts";
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

const entryPath = (recordPath: string) => {
  const journal = dirname(dirname(recordPath));
  return join(outboxDir(journal), `${basename(dirname(recordPath))}_${basename(recordPath)}`);
};

/**
 * List or unlist the run whose record was just written at `recordPath`. Never throws: when an entry
 * cannot be made, the outbox stops claiming to be complete, so the next run reads the whole journal.
 */
export function noteRecord(recordPath: string, record: RunRecord): void {
  const entry = entryPath(recordPath);
  try {
    if (waitsForDelivery(record)) {
      privateDir(dirname(entry));
      createPrivate(entry, "");
    } else {
      unlinkIfThere(entry);
    }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") return;
    try {
      if (isMyFolder(dirname(entry))) unlinkIfThere(join(dirname(entry), COMPLETE));
    } catch {
      // Nothing more to do: a later run that can write here lists it again.
    }
  }
}

/**
 * Remove a file (a link itself, never what it points to). Never throws: an entry left behind is
 * dropped when read, and a `.complete` that cannot be removed is in a folder this user cannot write.
 */
function unlinkIfThere(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // Not there, or not ours to remove.
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
 * The runs the outbox lists that still wait, newest first; undefined when it cannot say (never
 * completed, missing, not this user's folder), and the whole journal must be read instead.
 */
export function outboxRuns(journal: string): StoredRun[] | undefined {
  const outbox = outboxDir(journal);
  try {
    if (!isMyFolder(outbox) || !lstatSync(join(outbox, COMPLETE)).isFile()) return undefined;
  } catch {
    return undefined;
  }
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
    const record = readOrUndefined(recordPath);
    if (record?.traceId !== undefined && waitsForDelivery(record)) {
      runs.push({ record, recordPath, spansPath: recordPath.replace(/\.run\.json$/, ".jsonl") });
    } else {
      unlinkIfThere(join(outbox, name));
    }
  }
  return runs.sort((a, b) => b.record.startTime - a.record.startTime);
}

/** After reading the whole journal (`runs`): list those that wait, and mark the outbox complete. */
export function fillOutbox(journal: string, runs: StoredRun[]): void {
  try {
    for (const run of runs) noteRecord(run.recordPath, run.record);
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
