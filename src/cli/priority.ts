/**
 * Once Claude Code is started, claudia's own work (loading the tracing half, reading the
 * transcript, building and sending the trace) runs at the lowest CPU priority: where the machine
 * is busy (a CI runner's two cores), the agent gets them first. Nothing is lost by waiting: events
 * queue until claudia reads them.
 *
 * Claude Code was started before this, so it keeps the priority claudia was given. On Linux the
 * priority is the calling thread's: the main thread, where all of claudia's JavaScript runs.
 */
import { setPriority } from "node:os";

/** The lowest priority (nice 19). */
const LOWEST = 19;

export function yieldToClaudeCode(debug: (message: string) => void): void {
  try {
    setPriority(LOWEST);
  } catch (error) {
    debug(`could not lower claudia's CPU priority: ${(error as Error).message}`);
  }
}
