/** How Claude Code ended, and the exit code claudia passes on for it (as a shell would). */
import type { ChildProcess } from "node:child_process";
import { constants } from "node:os";

export interface ChildExit {
  code: number | null;
  signal: string | null;
  /** Set when Claude Code could not be started at all. */
  error?: Error;
}

export const signalNumber = (signal: string) => constants.signals[signal as NodeJS.Signals] ?? 0;

export function waitForExit(child: ChildProcess): Promise<ChildExit> {
  return new Promise((resolve) => {
    child.once("error", (error) => resolve({ code: null, signal: null, error }));
    child.once("close", (code, signal) => resolve({ code, signal }));
  });
}

/** 127 when it could not start, 128 + n when signal n ended it, else its own code. */
export function exitCodeOf({ code, signal, error }: ChildExit): number {
  if (error) return 127;
  return signal ? 128 + signalNumber(signal) : (code ?? 1);
}
