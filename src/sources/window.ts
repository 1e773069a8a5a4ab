/**
 * Which part of a session transcript belongs to a run: the one decision, used wherever
 * transcript entries are read for a run (headless, each prompt of the terminal UI, the library).
 *
 * A new session's transcript is wholly the run's. A resumed or forked session's transcript starts
 * with its history (a fork's new file with a copy of it), written before the run began: entries
 * stamped before the window opens are not the run's. Pure. (A transcript imported after the fact
 * has no run start: a fork's window opens where its own entries start, see fork-start.ts.)
 */

export interface TranscriptWindow {
  /** Epoch ms: entries stamped earlier are not this run's. Undefined: the whole transcript is. */
  since?: number;
  /**
   * Stretches of the transcript other runs have traced already (epoch ms, both ends included):
   * for an import, the session's runs claudia traced live.
   */
  exclude?: { start: number; end: number }[];
}

/**
 * A prompt's start is known from a hook, received a moment after Claude Code stamped the prompt
 * in the transcript with the same clock: entries this much older still belong to the prompt.
 */
export const HOOK_SLACK_MS = 1000;

/** The window of a headless or library run that started at `startTime` (before Claude Code did). */
export function runWindow(startTime: number, resumed: boolean): TranscriptWindow {
  return resumed ? { since: startTime } : {};
}

/** The window of one prompt of a terminal UI session, started when its hook arrived. */
export function promptWindow(hookTime: number): TranscriptWindow {
  return { since: hookTime - HOOK_SLACK_MS };
}

/** Whether an entry stamped at `time` belongs to the run. */
export function inWindow(window: TranscriptWindow, time: number): boolean {
  if (window.since !== undefined && time < window.since) return false;
  return !window.exclude?.some((stretch) => time >= stretch.start && time <= stretch.end);
}
