/**
 * Reading a file that a configuration, a checkout, the CI or a transcript folder names (`.env`, a
 * certificate, the CI's event file, a checkout's `.git`, a session transcript or a subagent's meta
 * file): a regular file only (a FIFO, a device or the terminal would block or never end), opened
 * without blocking, and never more than a bound.
 */
import { closeSync, constants, fstatSync, openSync, readSync, type Stats } from "node:fs";

export interface OpenOptions {
  /** `false`: a symbolic link is refused (ELOOP) instead of followed. */
  followLinks?: boolean;
}

/**
 * The open file (read-only) and its status, for a regular file only; the caller closes it. Throws the
 * system's error when it cannot be opened, else one that says it is not a regular file.
 */
export function openRegularFile(path: string, options: OpenOptions = {}): { fd: number; stat: Stats } {
  const noFollow = options.followLinks === false ? constants.O_NOFOLLOW : 0;
  // Without O_NONBLOCK, opening a FIFO waits for a writer: forever.
  const fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK | noFollow);
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) throw new Error("it is not a regular file");
    return { fd, stat };
  } catch (error) {
    closeSync(fd);
    throw error;
  }
}

/**
 * The file's bytes, at most `maxBytes`. Throws the system's error when it cannot be opened or read
 * (`followLinks: false`: ELOOP for a symbolic link), else one that says why it is not taken.
 */
export function readRegularFile(path: string, maxBytes: number, options: OpenOptions = {}): Buffer {
  const { fd, stat } = openRegularFile(path, options);
  try {
    const tooLarge = new Error(`it is larger than ${sizeText(maxBytes)}`);
    if (stat.size > maxBytes) throw tooLarge;
    // Read to the end (a file may grow while it is read), never past the bound.
    const parts: Buffer[] = [];
    let length = 0;
    let next = stat.size + 1;
    while (length <= maxBytes) {
      const part = Buffer.allocUnsafe(Math.min(next, maxBytes + 1 - length));
      const n = readSync(fd, part, 0, part.length, null);
      if (n === 0) break;
      parts.push(part.subarray(0, n));
      length += n;
      next = 64 * 1024;
    }
    if (length > maxBytes) throw tooLarge;
    return Buffer.concat(parts, length);
  } finally {
    closeSync(fd);
  }
}

/** 65536 → "64 kB", 4194304 → "4 MB". */
function sizeText(bytes: number): string {
  const mb = 1024 * 1024;
  return bytes >= mb && bytes % mb === 0 ? `${bytes / mb} MB` : `${Math.round(bytes / 1024)} kB`;
}
