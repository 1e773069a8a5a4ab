/**
 * Reading a session transcript file: Claude Code's own, or whatever a folder given to
 * `claudia traces import` holds. Only a regular file is read (opening a FIFO would wait for a writer
 * forever, a device never ends), it is opened without blocking, and read in bounded pieces.
 */
import { closeSync, readSync } from "node:fs";
import { StringDecoder } from "node:string_decoder";
import { type OpenOptions, openRegularFile } from "../config/read-file.ts";

/** Enough of a transcript's head to hold its first stamped entry. */
const HEAD_BYTES = 64 * 1024;
/** At most this much is held in memory at once, however large the transcript. */
const PIECE_BYTES = 8 * 1024 * 1024;

/**
 * `use` on the open transcript (descriptor and size), closed after. Throws the system's error when
 * it cannot be opened (ELOOP for a link not to be followed), or one saying it is not a regular file.
 */
export function withTranscript<T>(path: string, options: OpenOptions, use: (fd: number, size: number) => T): T {
  const { fd, stat } = openRegularFile(path, options);
  try {
    return use(fd, stat.size);
  } finally {
    closeSync(fd);
  }
}

/** The time of the transcript's first stamped entry (in its first 64 KiB); undefined when none. Throws as `withTranscript`. */
export function firstTimestamp(path: string, options: OpenOptions = {}): number | undefined {
  return withTranscript(path, options, (fd) => {
    const buffer = Buffer.alloc(HEAD_BYTES);
    const n = readSync(fd, buffer, 0, buffer.length, 0);
    const match = /"timestamp":"([^"]+)"/.exec(buffer.toString("utf8", 0, n));
    const time = match?.[1] ? Date.parse(match[1]) : Number.NaN;
    return Number.isNaN(time) ? undefined : time;
  });
}

/**
 * The time of the transcript's last stamped entry (in its last 64 KiB); undefined when none there.
 * Throws as `withTranscript`.
 */
export function lastTimestamp(path: string, options: OpenOptions = {}): number | undefined {
  return withTranscript(path, options, (fd, size) => {
    const buffer = Buffer.alloc(Math.min(HEAD_BYTES, size));
    const n = readSync(fd, buffer, 0, buffer.length, size - buffer.length);
    const stamps = [...buffer.toString("utf8", 0, n).matchAll(/"timestamp":"([^"]{1,64})"/g)];
    const time = Date.parse(stamps.at(-1)?.[1] ?? "");
    return Number.isNaN(time) ? undefined : time;
  });
}

/**
 * The longest line handed on, in characters. Claude Code's longest lines (an attached document or
 * image, base64) are far shorter; a longer one is not held, only skipped.
 */
export const MAX_LINE_CHARS = 64 * 1024 * 1024;

/**
 * A transcript's complete lines, read from where the last read stopped (Claude Code appends; a line
 * is handed on once its newline is there). Each piece read is searched once: linear however long a
 * line is. A line longer than `MAX_LINE_CHARS` is dropped as it is read, and `tooLong` told once per line.
 */
export class TranscriptLines {
  private offset = 0;
  private rest = "";
  /** The line being read is too long: the rest of it is dropped up to its newline. */
  private skipping = false;
  private readonly decoder = new StringDecoder("utf8");

  constructor(private readonly tooLong: () => void = () => {}) {}

  /** Hand on the lines added up to `size` bytes of the open file. */
  read(fd: number, size: number, onLine: (line: string) => void): void {
    if (size <= this.offset) return;
    const buffer = Buffer.allocUnsafe(Math.min(size - this.offset, PIECE_BYTES));
    while (this.offset < size) {
      const n = readSync(fd, buffer, 0, Math.min(buffer.length, size - this.offset), this.offset);
      if (n <= 0) break;
      this.offset += n;
      this.take(this.decoder.write(buffer.subarray(0, n)), onLine);
    }
  }

  private take(text: string, onLine: (line: string) => void): void {
    let start = 0;
    for (let end = text.indexOf("\n"); end !== -1; end = text.indexOf("\n", start)) {
      if (this.add(text.slice(start, end))) onLine(this.rest);
      this.rest = "";
      this.skipping = false;
      start = end + 1;
    }
    this.add(text.slice(start));
  }

  /** Add to the line being read; whether it is still one to hand on. */
  private add(part: string): boolean {
    if (this.skipping) return false;
    if (this.rest.length + part.length > MAX_LINE_CHARS) {
      this.rest = "";
      this.skipping = true;
      this.tooLong();
      return false;
    }
    this.rest += part;
    return true;
  }

  /** The file has ended: its last line, even without a newline. */
  end(onLine: (line: string) => void): void {
    if (!this.skipping && this.rest.trim() !== "") onLine(this.rest);
    this.rest = "";
    this.skipping = false;
  }
}

/** Each line of the transcript as it is now, in order; returns its size then. Throws as `withTranscript`. */
export function eachLine(path: string, options: OpenOptions, onLine: (line: string) => void): number {
  const lines = new TranscriptLines();
  const size = withTranscript(path, options, (fd, size) => {
    lines.read(fd, size, onLine);
    return size;
  });
  lines.end(onLine);
  return size;
}
