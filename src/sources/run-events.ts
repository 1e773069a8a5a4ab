/**
 * The event stream of one run: sources emit into it, consumers (the trace builder, the progress
 * printer) subscribe. Events that arrive before a consumer is ready are queued for it, so claudia
 * can start Claude Code first and load the OpenTelemetry SDK while it runs.
 */
import { existsSync, readdirSync, statSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import type { RunEvent } from "../events.ts";
import { TranscriptTail } from "./transcript-tail.ts";

type Consumer = (event: RunEvent) => void;

export class RunEvents {
  private readonly consumers: Consumer[] = [];
  private queued: RunEvent[] | undefined = [];
  private tail: TranscriptTail | undefined;
  /** Looking for a transcript that is not there yet: the look, and its timer. */
  private seeking: { seek: () => boolean; timer: NodeJS.Timeout } | undefined;

  /** Add a consumer that sees every event as it comes. */
  subscribe(consumer: Consumer): void {
    this.consumers.push(consumer);
  }

  /** Add the consumer that was not ready at the start: it first gets everything queued so far. */
  attachLate(consumer: Consumer): void {
    for (const event of this.queued ?? []) consumer(event);
    this.queued = undefined;
    this.consumers.push(consumer);
  }

  emit = (event: RunEvent): void => {
    this.queued?.push(event);
    for (const consumer of this.consumers) consumer(event);
  };

  /**
   * Follow the session transcript (once; later calls for the same run are ignored). `since` (epoch
   * ms) skips entries written before the run began: a resumed session's history, or a forked
   * session's copy of it, is not this run's.
   */
  follow(path: string, options: { pollMs?: number; since?: number } = {}): void {
    if (this.tail) return;
    const pollMs = options.pollMs ?? 100;
    this.tail = new TranscriptTail(path, this.emit, { since: options.since });
    this.tail.start(pollMs);
  }

  /**
   * Follow the transcript of a session whose id claudia chose (`--session-id`), as soon as Claude
   * Code creates it: in the working directory's projects folder, or wherever Claude Code put it
   * (a `--worktree`, a long path it shortened).
   */
  followSession(sessionId: string, cwd: string, env: NodeJS.ProcessEnv, pollMs = 100): void {
    const seek = (): boolean => {
      const path = locateSession(sessionId, cwd, env);
      if (!path) return false;
      this.stopSeeking();
      this.follow(path, { pollMs });
      return true;
    };
    if (this.tail || seek()) return;
    const timer = setInterval(seek, pollMs);
    timer.unref();
    this.seeking = { seek, timer };
  }

  private stopSeeking(): void {
    if (this.seeking) clearInterval(this.seeking.timer);
    this.seeking = undefined;
  }

  get following(): boolean {
    return this.tail !== undefined;
  }

  /** Read what is left of the transcripts and stop following them. */
  drain(): void {
    this.seeking?.seek();
    this.stopSeeking();
    this.tail?.stop();
  }
}

/** Claude Code's projects folder for a working directory (where it keeps session transcripts). */
export function projectDir(cwd: string, env: NodeJS.ProcessEnv = process.env): string {
  return join(configDir(env), "projects", cwd.replace(/[^a-zA-Z0-9]/g, "-"));
}

function configDir(env: NodeJS.ProcessEnv): string {
  return env.CLAUDE_CONFIG_DIR || join(homedir(), ".claude");
}

/**
 * Where a session's transcript is: in the working directory's projects folder, else in any
 * project folder (the session id is a UUID, so a file of that name is this session's).
 */
export function locateSession(
  sessionId: string,
  cwd: string,
  env: NodeJS.ProcessEnv = process.env,
): string | undefined {
  const name = `${sessionId}.jsonl`;
  const expected = join(projectDir(cwd, env), name);
  if (existsSync(expected)) return expected;
  const projects = join(configDir(env), "projects");
  let dirs: string[];
  try {
    dirs = readdirSync(projects);
  } catch {
    return undefined;
  }
  for (const dir of dirs) {
    const path = join(projects, dir, name);
    if (existsSync(path)) return path;
  }
  return undefined;
}

/**
 * Find a session's transcript when no hook told us where it is: by session id, else the newest
 * transcript of this working directory written since the run started.
 */
export function findTranscript(cwd: string, since: number, sessionId?: string, env = process.env): string | undefined {
  const dir = projectDir(cwd, env);
  if (sessionId) {
    const path = locateSession(sessionId, cwd, env);
    if (path) return path;
  }
  let best: { path: string; mtime: number } | undefined;
  try {
    for (const name of readdirSync(dir)) {
      if (!name.endsWith(".jsonl")) continue;
      const path = join(dir, name);
      const mtime = statSync(path).mtimeMs;
      if (mtime >= since && (!best || mtime > best.mtime)) best = { path, mtime };
    }
  } catch {
    return undefined;
  }
  return best?.path;
}
