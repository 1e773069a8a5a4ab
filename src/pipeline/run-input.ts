/**
 * What flows into one traced run: the events its sources produce, queued until the pipeline is
 * loaded (claudia starts Claude Code first and loads the OpenTelemetry SDK while it runs), then
 * handed on as they come. It also owns the run's session identity (which transcript is this
 * run's) and follows that transcript, within the run's window.
 *
 * Light on purpose: no OpenTelemetry here, so headless runs can create it before Claude Code starts.
 */
import type { RunEvent } from "../events.ts";
import { locateSession } from "../sources/session-files.ts";
import { TranscriptTail } from "../sources/transcript-tail.ts";
import type { TranscriptWindow } from "../sources/window.ts";

type Consumer = (event: RunEvent) => void;

/** How often a transcript (or the file a session id names) is looked at. */
export const POLL_MS = 100;

export class RunInput {
  private consumer: Consumer | undefined;
  private queued: RunEvent[] = [];
  private tail: TranscriptTail | undefined;
  private seeking: { seek: () => boolean; timer: NodeJS.Timeout } | undefined;
  private session: string | undefined;

  constructor(
    readonly window: TranscriptWindow,
    private readonly pollMs = POLL_MS,
  ) {}

  /** Hand an event to the run (queued until the pipeline is attached). */
  emit = (event: RunEvent): void => {
    if (event.kind === "session" || event.kind === "result") this.session ??= event.sessionId;
    this.tail?.observe(event);
    if (this.consumer) this.consumer(event);
    else this.queued.push(event);
  };

  /**
   * The pipeline is ready: it gets what was queued, then every event as it comes. Once. An event
   * it fails on goes to `failed` and the next ones still come: the sources (a transcript's timer,
   * the accounting endpoint) never see the pipeline's errors, so they cannot end the run.
   */
  attach(consumer: Consumer, failed: (error: unknown, event: RunEvent) => void = () => {}): void {
    if (this.consumer) throw new Error("a run's input has one consumer");
    const guarded: Consumer = (event) => {
      try {
        consumer(event);
      } catch (error) {
        failed(error, event);
      }
    };
    const queued = this.queued;
    this.queued = [];
    for (const event of queued) guarded(event);
    this.consumer = guarded;
  }

  /** Whether the pipeline has been attached. */
  get attached(): boolean {
    return this.consumer !== undefined;
  }

  /** The run's session id, once known (named by claudia, or reported by Claude Code). */
  get sessionId(): string | undefined {
    return this.session;
  }

  /** Whether a transcript is being followed. */
  get following(): boolean {
    return this.tail !== undefined;
  }

  /** Claude Code said where this run's transcript is (a hook's `transcript_path`). */
  transcriptAt(path: string, sessionId?: string): void {
    if (sessionId) this.session ??= sessionId;
    if (this.tail) return;
    this.stopSeeking();
    this.tail = new TranscriptTail(path, this.emit, this.window);
    this.tail.start(this.pollMs);
  }

  /**
   * The run's session has this id: follow its transcript as soon as Claude Code creates it. The
   * file is found by the id alone (see session-files.ts); a session that never writes one
   * (`--no-session-persistence`, Claude Code never started) has no transcript, and the run is
   * traced from what else it reported.
   */
  sessionNamed(sessionId: string, cwd: string, env: NodeJS.ProcessEnv): void {
    this.session ??= sessionId;
    if (this.tail || this.seeking) return;
    const seek = (): boolean => {
      const path = locateSession(sessionId, cwd, env);
      if (!path) return false;
      this.transcriptAt(path);
      return true;
    };
    if (seek()) return;
    const timer = setInterval(seek, this.pollMs);
    timer.unref();
    this.seeking = { seek, timer };
  }

  /** Read what is left of the transcripts and stop following them. */
  drain(): void {
    this.seeking?.seek();
    this.stopSeeking();
    this.tail?.stop();
  }

  private stopSeeking(): void {
    if (this.seeking) clearInterval(this.seeking.timer);
    this.seeking = undefined;
  }
}
