/**
 * A lock beside a run's record while a claudia sends it to a backend, so that two never send the
 * same run at once. The lock says who holds it (pid and time): one whose process is gone, or
 * older than `STALE_AFTER_MS`, is taken over; a lock is released when its holder exits, however
 * it exits short of being killed.
 */
import { randomBytes } from "node:crypto";
import { linkSync, lstatSync, renameSync, rmSync } from "node:fs";
import { readRegularFile } from "../config/read-file.ts";
import { createPrivate } from "./private-fs.ts";

export const STALE_AFTER_MS = 10 * 60 * 1000;
/** An empty lock younger than this is being written, not left over. */
const EMPTY_LOCK_MS = 60 * 1000;

const held = new Set<string>();
let hooked = false;

function releaseAll(): void {
  for (const path of held) rmSync(path, { force: true });
  held.clear();
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Whether the lock at `path` is left over from a claudia that is gone (or hung for long). */
export function isStale(text: string, now = Date.now()): boolean {
  const [pid, time] = text.trim().split(" ").map(Number);
  if (!Number.isInteger(pid) || !Number.isFinite(time)) return true;
  return now - (time as number) > STALE_AFTER_MS || !alive(pid as number);
}

/** A lock's text ("pid time"): a small regular file, never followed through a link. */
const readLock = (path: string) => readRegularFile(path, 1024, { followLinks: false }).toString("utf8");

/** Move a stale lock out of the way; only one taker can, and a fresh lock taken by mistake goes back. */
function takeOver(path: string): void {
  let text: string;
  try {
    text = readLock(path);
    // An empty lock is one being written by a claudia of an earlier version: held, unless old.
    if (text === "" && Date.now() - lstatSync(path).mtimeMs < EMPTY_LOCK_MS) return;
  } catch {
    return;
  }
  if (!isStale(text)) return;
  const aside = `${path}.${process.pid}.stale`;
  try {
    renameSync(path, aside);
  } catch {
    return;
  }
  let again: string | undefined;
  try {
    again = readLock(aside);
  } catch {
    // Not a lock file: it is not put back.
  }
  if (again !== undefined && again !== text) renameSync(aside, path);
  else rmSync(aside, { force: true });
}

/**
 * Take the lock at `path`; its release, or undefined when another live claudia holds it. Throws
 * when no lock can be made there at all (a read-only or full journal).
 */
export function takeLock(path: string): (() => void) | undefined {
  takeOver(path);
  // Written whole beside it, then linked in place: a lock is never seen empty. (Created in place,
  // it was empty between its creation and its write, and another claudia took that for a stale
  // lock, moved it away and took the run too: both sent it.)
  const draft = `${path}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`;
  try {
    createPrivate(draft, `${process.pid} ${Date.now()}\n`);
    linkSync(draft, path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") return undefined;
    throw error;
  } finally {
    rmSync(draft, { force: true });
  }
  if (!hooked) {
    hooked = true;
    process.once("exit", releaseAll);
  }
  held.add(path);
  return () => {
    held.delete(path);
    rmSync(path, { force: true });
  };
}
