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

  /** Follow the session transcript (once; later calls for the same run are ignored). */
  follow(path: string, pollMs = 100): void {
    if (this.tail) return;
    this.tail = new TranscriptTail(path, this.emit);
    this.tail.start(pollMs);
  }

  get following(): boolean {
    return this.tail !== undefined;
  }

  /** Read what is left of the transcripts and stop following them. */
  drain(): void {
    this.tail?.stop();
  }
}

/** Claude Code's projects folder for a working directory (where it keeps session transcripts). */
export function projectDir(cwd: string, env: NodeJS.ProcessEnv = process.env): string {
  const base = env.CLAUDE_CONFIG_DIR || join(homedir(), ".claude");
  return join(base, "projects", cwd.replace(/[^a-zA-Z0-9]/g, "-"));
}

/**
 * Find a session's transcript when no hook told us where it is: by session id, else the newest
 * transcript of this working directory written since the run started.
 */
export function findTranscript(cwd: string, since: number, sessionId?: string, env = process.env): string | undefined {
  const dir = projectDir(cwd, env);
  if (sessionId) {
    const path = join(dir, `${sessionId}.jsonl`);
    if (existsSync(path)) return path;
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
