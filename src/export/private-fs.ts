/**
 * Files only their owner may read, written without following a symbolic link: the journal
 * holds prompts, tool output and answers, and its names are predictable.
 *
 * Folders are 0700 and files 0600 whatever the umask; a folder claudia finds with wider
 * permissions (from an earlier version) is narrowed when it belongs to this user.
 */
import { randomBytes } from "node:crypto";
import {
  chmodSync,
  closeSync,
  constants,
  lstatSync,
  mkdirSync,
  openSync,
  renameSync,
  rmSync,
  writeSync,
} from "node:fs";
import { dirname, resolve } from "node:path";

const { O_WRONLY, O_CREAT, O_EXCL, O_APPEND, O_TRUNC, O_NOFOLLOW } = constants;

/** Whether this user owns what `stat` describes (always, where there are no user ids). */
export function ownedByMe(stat: { uid: number }): boolean {
  const uid = process.getuid?.();
  return uid === undefined || stat.uid === uid;
}

/**
 * Create `path` (and its parents) as private folders; refuse one that is a symbolic link, not a
 * folder, or another user's, and one whose parent another user owns (root's, /tmp, is fine): that
 * user could move it away and put a folder of their own in its place.
 */
export function privateDir(path: string): void {
  makeDirs(path);
  const stat = lstatSync(path);
  if (!stat.isDirectory()) throw new Error(`${path} is not a folder`);
  if (!ownedByMe(stat)) throw new Error(`${path} belongs to another user`);
  const parent = lstatSync(dirname(path));
  if (!ownedByMe(parent) && parent.uid !== 0) throw new Error(`${dirname(path)} belongs to another user`);
  if ((stat.mode & 0o077) !== 0) chmodSync(path, 0o700);
}

/**
 * `mkdir -p` with mode 0700 for the folders it makes, one level at a time: node's own recursive
 * mkdir never returns for a path under /proc (`/proc/self/x/y`), spinning at full CPU.
 */
export function makeDirs(path: string): void {
  const missing: string[] = [];
  for (let at = resolve(path); ; at = dirname(at)) {
    try {
      lstatSync(at);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
    }
    missing.push(at);
    if (dirname(at) === at) break;
  }
  for (const dir of missing.reverse()) {
    try {
      mkdirSync(dir, { mode: 0o700 });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
  }
}

function writeAll(fd: number, data: string | Buffer): void {
  const buffer = typeof data === "string" ? Buffer.from(data) : data;
  for (let done = 0; done < buffer.length; ) done += writeSync(fd, buffer, done, buffer.length - done);
}

function withFile(path: string, flags: number, data: string | Buffer): void {
  const fd = openSync(path, flags | O_NOFOLLOW, 0o600);
  try {
    writeAll(fd, data);
  } finally {
    closeSync(fd);
  }
}

/** Create a new file (failing when anything, a symbolic link included, is at `path`). */
export const createPrivate = (path: string, data: string | Buffer) => withFile(path, O_WRONLY | O_CREAT | O_EXCL, data);

/** Append to an existing file, never through a symbolic link. */
export const appendPrivate = (path: string, data: string | Buffer) => withFile(path, O_WRONLY | O_APPEND, data);

/** Create or empty a file, never through a symbolic link. */
export const truncatePrivate = (path: string, data: string | Buffer) =>
  withFile(path, O_WRONLY | O_CREAT | O_TRUNC, data);

/** Replace `path` at once (a reader never sees half a file): a fresh temporary file renamed over it. */
export function replacePrivate(path: string, data: string): void {
  const tmp = `${path}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`;
  try {
    createPrivate(tmp, data);
    renameSync(tmp, path);
  } catch (error) {
    rmSync(tmp, { force: true });
    throw error;
  }
}
