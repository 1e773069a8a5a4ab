/**
 * `claudia traces import [PATH…] [--since DATE]`: sessions that ran without claudia (plain `claude`,
 * the IDE, the Agent SDK) become runs in the journal. Each transcript is replayed through the same
 * parser and trace builder as a live run, so the trace is the same: one `chat` span per model call
 * with its exact usage, one `execute_tool` per tool call, subagents nested under the call that
 * started them. Each call is priced by the price table (`claude_code.cost.source=price_table`); the
 * run's totals and cost are Claude Code's own, saved in the transcript, when they cover the calls
 * replayed (they also count calls the transcript has no entry for: the auto-compaction summary).
 *
 * Ids derive from the session id (the trace) and the order of the spans (each span), so importing
 * a session twice gives the same trace, and a session already in the journal is skipped.
 */
import { createHash } from "node:crypto";
import { parseArgs } from "node:util";
import { ROOT_CONTEXT } from "@opentelemetry/api";
import { resourceFromAttributes } from "@opentelemetry/resources";
import { SimpleSpanProcessor, TracerProvider } from "@opentelemetry/sdk-trace";
import type { RunEvent } from "../../events.ts";
import type { TelemetryConfig } from "../../export/config.ts";
import { listRuns } from "../../export/journal-store.ts";
import type { ExportReport } from "../../export/provider.ts";
import { RunJournal } from "../../export/run-journal.ts";
import { ForkStart } from "../../sources/fork-start.ts";
import { type SessionFile, sessionFiles } from "../../sources/session-files.ts";
import { eachLine } from "../../sources/transcript-file.ts";
import { TranscriptTail } from "../../sources/transcript-tail.ts";
import type { TranscriptWindow } from "../../sources/window.ts";
import { TraceBuilder } from "../../trace/builder.ts";
import type { ContentPolicy } from "../../trace/content.ts";
import { createRedactor, credentialValues } from "../../trace/redact.ts";
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

interface ImportContext {
  env: NodeJS.ProcessEnv;
  content: ContentPolicy;
  redact: (text: string) => string;
  /** Backends configured now: an imported run is marked as not delivered to them, for `push`. */
  config: TelemetryConfig;
  warn: (message: string) => void;
}

type Outcome = "imported" | "empty";

/**
 * Where the session's own part of the transcript starts: its first entry, or a fork's first that is
 * not a copy of the session it was forked from (fork-start.ts). Throws on a file that cannot be read.
 */
function sessionStart(path: string): { startTime?: number; window: TranscriptWindow } {
  const start = new ForkStart();
  // Not through a link (the listing took none), and only a regular file.
  eachLine(path, { followLinks: false }, (line) => start.line(line));
  return { startTime: start.since ?? start.first, window: { since: start.since } };
}

/** Replay one session into the journal. Throws on a file that cannot be read. */
async function importSession(file: SessionFile, ctx: ImportContext): Promise<Outcome> {
  const { startTime, window } = sessionStart(file.path);
  if (startTime === undefined) return "empty";
  const traceId = importedTraceId(file.sessionId);
  const journal = RunJournal.open(ctx.config.journal, startTime, traceId, ctx.warn);
  if (!journal) return "empty";
  const resource = resourceFromAttributes({
    ...ctx.config.resourceAttributes,
    "service.name": ctx.config.serviceName,
  });
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
  let endTime = startTime;
  let conversation = false;
  const tail = new TranscriptTail(
    file.path,
    (event: RunEvent) => {
      if (event.kind === "chat" || (event.kind === "prompt" && event.agentId === null)) conversation = true;
      endTime = Math.max(endTime, event.kind === "chat" || event.kind === "api.request" ? event.endTime : event.time);
      // A fork's saved totals carry on from its origin's: its own are the calls replayed, priced.
      if (event.kind === "result" && window.since !== undefined) return;
      builder.handle(event);
    },
    window,
    ctx.warn,
  );
  tail.stop();
  if (!conversation) {
    await provider.shutdown();
    return "empty";
  }
  const summary = builder.finish({ endTime });
  await provider.forceFlush();
  await provider.shutdown();
  const reports: ExportReport[] = ctx.config.backends.map((b) => ({
    backend: b.name,
    exported: 0,
    failed: journal.exporter.spans,
    lastError: "imported; not sent yet",
  }));
  journal.finish(summary, { exitCode: undefined, content: ctx.content, reports, config: ctx.config }, ctx.warn);
  return "imported";
}

/** A one-line progress bar on stderr, redrawn in place; only on a terminal. */
function progress(total: number, write: (text: string) => void, tty: boolean) {
  const width = 30;
  return {
    step(done: number) {
      if (!tty || total < 2) return;
      const filled = Math.round((done / total) * width);
      write(`\r[${"#".repeat(filled)}${" ".repeat(width - filled)}] ${done}/${total} sessions`);
    },
    end() {
      if (tty && total >= 2) write("\r\u001b[K");
    },
  };
}

export interface ImportIo {
  out: (text: string) => void;
  err: (text: string) => void;
  env: NodeJS.ProcessEnv;
  /** stderr is a terminal: show the progress bar. */
  tty: boolean;
  config: TelemetryConfig;
}

export class ImportUsageError extends Error {}

function parseSince(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const time = Date.parse(value);
  if (Number.isNaN(time))
    throw new ImportUsageError(`--since takes a date (2026-01-31 or an ISO time), not "${value}"`);
  return time;
}

export async function importCommand(args: string[], io: ImportIo): Promise<number> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { since: { type: "string" } } });
  const since = parseSince(values.since);
  const { config } = io;
  if (!config.journal.enabled) throw new ImportUsageError("the journal is off (CLAUDIA_JOURNAL): nowhere to import to");
  const warn = (m: string) => io.err(`claudia: ${m}\n`);
  const ctx: ImportContext = {
    env: io.env,
    content: config.content,
    // As in a live run: every configured credential is a secret too, wherever the session printed it.
    redact: createRedactor(io.env, credentialValues(config.backends)),
    config,
    warn,
  };
  // A session claudia itself ran is in the journal already, under its own trace id.
  const runs = listRuns(config.journal.dir, warn);
  const present = new Set(runs.flatMap((r) => [r.record.traceId, r.record.sessionId ?? ""]));
  const files = sessionFiles(positionals, io.env, warn).filter((f) => since === undefined || f.mtimeMs >= since);
  const counts = { imported: 0, present: 0, empty: 0, failed: 0 };
  const bar = progress(files.length, io.err, io.tty);
  for (const [i, file] of files.entries()) {
    bar.step(i);
    if (present.has(importedTraceId(file.sessionId)) || present.has(file.sessionId)) counts.present++;
    else {
      try {
        counts[await importSession(file, ctx)]++;
        present.add(importedTraceId(file.sessionId));
      } catch (error) {
        counts.failed++;
        bar.end();
        warn(`could not import ${file.path} (${error instanceof Error ? error.message : String(error)}); skipped`);
      }
    }
  }
  bar.end();
  const notes = [
    counts.present ? `${counts.present} already in the journal` : "",
    counts.empty ? `${counts.empty} without a conversation` : "",
    counts.failed ? `${counts.failed} unreadable` : "",
  ].filter(Boolean);
  io.out(`Imported ${counts.imported} session(s)${notes.length ? ` (${notes.join(", ")})` : ""}.\n`);
  // An unreadable file is its warning; the others are imported all the same.
  return 0;
}
