/**
 * One session transcript replayed into the journal, for `claudia traces import`: through the same
 * parser and trace builder as a live run, so the trace is the same: one `chat` span per model call
 * with its exact usage, one `execute_tool` per tool call, subagents nested under the call that
 * started them. Each call is priced by the price table (`claude_code.cost.source=price_table`); the
 * run's totals and cost are Claude Code's own, saved in the transcript, when they cover the calls
 * replayed (they also count calls the transcript has no entry for: the auto-compaction summary).
 *
 * Ids derive from the session id (the trace) and the order of the spans (each span), so replaying
 * a session again gives the same trace, and the same span ids for what it had then.
 */
import { createHash } from "node:crypto";
import { ROOT_CONTEXT } from "@opentelemetry/api";
import { resourceFromAttributes } from "@opentelemetry/resources";
import { SimpleSpanProcessor, TracerProvider } from "@opentelemetry/sdk-trace";
import type { RunEvent } from "../../events.ts";
import type { TelemetryConfig } from "../../export/config.ts";
import type { ExportReport } from "../../export/provider.ts";
import { RunJournal } from "../../export/run-journal.ts";
import { ForkStart } from "../../sources/fork-start.ts";
import type { SessionFile } from "../../sources/session-files.ts";
import { eachLine } from "../../sources/transcript-file.ts";
import { TranscriptTail } from "../../sources/transcript-tail.ts";
import { inWindow, type TranscriptWindow } from "../../sources/window.ts";
import { TraceBuilder } from "../../trace/builder.ts";
import type { ContentPolicy } from "../../trace/content.ts";
import { TRACER_NAME } from "../../trace/semconv.ts";

const hex = (text: string, length: number) => createHash("sha256").update(text).digest("hex").slice(0, length);

/** The trace id of an imported session: the same every time the session is imported. */
export const importedTraceId = (sessionId: string) => hex(`claude-code-session:${sessionId}`, 32);

/** Span ids in creation order, derived from the trace id: a replay of the same file gives the same ids. */
class DerivedIds {
  private spans = 0;
  constructor(private readonly traceId: string) {}
  generateTraceId(): string {
    return this.traceId;
  }
  generateSpanId(): string {
    return hex(`${this.traceId}:${this.spans++}`, 16);
  }
}

export interface ImportContext {
  content: ContentPolicy;
  redact: (text: string) => string;
  /** Backends configured now: an imported run is marked as not delivered to them, for `push`. */
  config: TelemetryConfig;
  warn: (message: string) => void;
}

/**
 * Imported; without a conversation; or begun before the journal's age limit (`CLAUDIA_JOURNAL_MAX_AGE_DAYS`):
 * such a run would go at the next pruning, to be imported (and pushed) again by the next import.
 */
export type Outcome = "imported" | "empty" | "expired" | "present";

/** A stretch of a session claudia traced live (its run's start and end, epoch ms). */
export interface Stretch {
  start: number;
  end: number;
}

const DAY_MS = 24 * 60 * 60 * 1000;

interface SessionStart {
  startTime?: number;
  window: TranscriptWindow;
  /** The transcript's size when it was read. */
  bytes: number;
}

/**
 * Where the session's own part of the transcript starts: its first entry, or a fork's first that is
 * not a copy of the session it was forked from (fork-start.ts). Throws on a file that cannot be read.
 */
function sessionStart(path: string, exclude: Stretch[]): SessionStart {
  const start = new ForkStart();
  let firstOutside: number | undefined;
  // Not through a link (the listing took none), and only a regular file.
  const bytes = eachLine(path, { followLinks: false }, (line) => {
    start.line(line);
    if (exclude.length === 0 || firstOutside !== undefined) return;
    const at = Date.parse(TIMESTAMP.exec(line)?.[1] ?? "");
    if (!Number.isNaN(at) && inWindow({ exclude }, at)) firstOutside = at;
  });
  if (exclude.length === 0) return { startTime: start.since ?? start.first, window: { since: start.since }, bytes };
  const startTime = firstOutside === undefined ? undefined : Math.max(firstOutside, start.since ?? firstOutside);
  return { startTime, window: { since: start.since, exclude }, bytes };
}

const TIMESTAMP = /"timestamp":"([^"]{1,64})"/;

/** The transcript's events into the builder; whether it held a conversation, and when it ended. */
function replay(path: string, window: TranscriptWindow, builder: TraceBuilder, warn: (message: string) => void) {
  let endTime = 0;
  let conversation = false;
  const tail = new TranscriptTail(
    path,
    (event: RunEvent) => {
      if (event.kind === "chat" || (event.kind === "prompt" && event.agentId === null)) conversation = true;
      endTime = Math.max(endTime, event.kind === "chat" || event.kind === "api.request" ? event.endTime : event.time);
      // A fork's saved totals carry on from its origin's, and a session's count the runs claudia
      // traced too: the run's own are then the calls replayed, priced.
      if (event.kind === "result" && (window.since !== undefined || window.exclude !== undefined)) return;
      builder.handle(event);
    },
    window,
    warn,
  );
  tail.stop();
  return { conversation, endTime };
}

/**
 * Replay one session into the journal, without the stretches of it claudia's own runs traced
 * (`exclude`: a session continued by bare `claude`, or begun with it). Throws on a file that cannot be read.
 */
export async function importSession(file: SessionFile, ctx: ImportContext, exclude: Stretch[] = []): Promise<Outcome> {
  const { startTime, window, bytes } = sessionStart(file.path, exclude);
  if (startTime === undefined) return exclude.length > 0 ? "present" : "empty";
  if (startTime < Date.now() - ctx.config.journal.maxAgeDays * DAY_MS) return "expired";
  const traceId = importedTraceId(file.sessionId);
  const journal = RunJournal.open(ctx.config.journal, startTime, traceId, ctx.warn);
  if (!journal) return "empty";
  const resource = resourceFromAttributes({ ...ctx.config.resourceAttributes, "service.name": ctx.config.serviceName });
  const provider = new TracerProvider({
    resource,
    idGenerator: new DerivedIds(traceId),
    spanProcessors: [new SimpleSpanProcessor({ exporter: journal.exporter })],
  });
  const builder = new TraceBuilder({
    tracer: provider.getTracer(TRACER_NAME),
    parentContext: ROOT_CONTEXT,
    content: ctx.content,
    redact: ctx.redact,
    startTime,
    // A session file holds every run of the session, and Claude Code's saved totals carry over from
    // run to run: the last ones are the session's (used when they cover the calls replayed).
    resumed: false,
  });
  const { conversation, endTime } = replay(file.path, window, builder, ctx.warn);
  if (!conversation) {
    await provider.shutdown();
    return exclude.length > 0 ? "present" : "empty";
  }
  const summary = builder.finish({ endTime: Math.max(startTime, endTime) });
  await provider.forceFlush();
  await provider.shutdown();
  const reports: ExportReport[] = ctx.config.backends.map((b) => ({
    backend: b.name,
    exported: 0,
    failed: journal.exporter.spans,
    lastError: "imported; not sent yet",
  }));
  const { content, config, warn } = ctx;
  journal.finish(summary, { exitCode: undefined, content, reports, config, transcriptBytes: bytes }, warn);
  return "imported";
}
