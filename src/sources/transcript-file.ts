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
 * A transcript's complete lines, read from where the last read stopped (Claude Code appends; a line
 * is handed on once its newline is there).
 */
export class TranscriptLines {
  private offset = 0;
  private rest = "";
  private readonly decoder = new StringDecoder("utf8");

  /** Hand on the lines added up to `size` bytes of the open file. */
  read(fd: number, size: number, onLine: (line: string) => void): void {
    if (size <= this.offset) return;
    const buffer = Buffer.allocUnsafe(Math.min(size - this.offset, PIECE_BYTES));
    while (this.offset < size) {
      const n = readSync(fd, buffer, 0, Math.min(buffer.length, size - this.offset), this.offset);
      if (n <= 0) break;
      this.offset += n;
      const lines = (this.rest + this.decoder.write(buffer.subarray(0, n))).split("\n");
      this.rest = lines.pop() ?? "";
      for (const line of lines) onLine(line);
    }
  }

  /** The file has ended: its last line, even without a newline. */
  end(onLine: (line: string) => void): void {
    if (this.rest.trim() !== "") onLine(this.rest);
    this.rest = "";
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
