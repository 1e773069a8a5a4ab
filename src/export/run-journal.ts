/**
 * One run's place in the journal: the exporter that writes its spans, the record written when
 * it ends (with each backend's delivery), pruning, and the background re-send of earlier runs.
 * Used by the CLI and by `runAgentWithTelemetry` alike.
 */

import type { JournalSettings } from "../config/resolve.ts";
import { totalInput } from "../events.ts";
import type { RunSummary } from "../trace/builder.ts";
import type { ContentPolicy } from "../trace/content.ts";
import type { TelemetryConfig } from "./config.ts";
import { deliverRuns, resendable } from "./deliver.ts";
import { type Delivery, JournalExporter, type RunRecord, runFiles, writeRecord } from "./journal.ts";
import { fillOutbox, outboxRuns } from "./journal-outbox.ts";
import { listRuns, pruneIfDue, type Retention, type StoredRun } from "./journal-store.ts";
import type { ExportReport } from "./provider.ts";

type Warn = (message: string) => void;

export class RunJournal {
  readonly exporter: JournalExporter;
  private readonly recordPath: string;

  private constructor(
    private readonly dir: string,
    files: { spans: string; record: string },
    private readonly retention: Retention,
    warn: Warn,
  ) {
    this.exporter = new JournalExporter(files.spans, warn);
    this.recordPath = files.record;
  }

  /** The journal of a run starting now (where and how long the configuration says), or undefined when it is off. */
  static open(settings: JournalSettings, startTime: number, traceId: string, warn: Warn): RunJournal | undefined {
    if (!settings.enabled) return undefined;
    const { dir, maxAgeDays, maxBytes } = settings;
    return new RunJournal(dir, runFiles(dir, startTime, traceId), { maxAgeDays, maxBytes }, warn);
  }

  /**
   * Send earlier runs a backend never acknowledged; resolves when done (never rejects). It never
   * keeps the process alive: what it has not sent when the program ends is sent by a later run.
   */
  resendUndelivered(config: TelemetryConfig, debug: Warn, stop?: { at: number }): Promise<void> {
    if (config.backends.length === 0) return Promise.resolve();
    // The outbox's list, or, once, the whole journal (see journal-outbox.ts).
    const runs = outboxRuns(this.dir) ?? filledOutbox(this.dir, listRuns(this.dir, debug));
    return Promise.all(
      config.backends.map((backend) =>
        deliverRuns(resendable(runs, backend), backend, {
          timeoutMs: config.exportTimeoutMs,
          detached: true,
          stop,
          warn: debug,
        }).then(
          (results) => {
            const sent = results.filter((r) => r.delivery?.delivered).length;
            if (sent > 0) debug(`re-sent ${sent} earlier run(s) to ${backend.name}`);
          },
          (error: unknown) => debug(`re-sending earlier runs to ${backend.name} failed: ${String(error)}`),
        ),
      ),
    ).then(() => {});
  }

  /**
   * Write the run's record once its spans are flushed, then prune (every 10 minutes at most).
   * Returns whether the journal keeps the whole run (every span and the record), so that a later
   * push can send it. Never throws: a journal problem is a warning.
   */
  finish(
    summary: RunSummary,
    outcome: {
      exitCode?: number;
      content: ContentPolicy;
      reports: ExportReport[];
      config: TelemetryConfig;
      /** An imported session's transcript size (see `RunRecord.transcriptBytes`). */
      transcriptBytes?: number;
    },
    warn: Warn,
  ): boolean {
    if (this.exporter.spans === 0) return false;
    try {
      const deliveries: Record<string, Delivery> = {};
      for (const report of outcome.reports) {
        const delivered = report.failed === 0 && report.exported >= this.exporter.spans;
        const backend = outcome.config.backends.find((b) => b.name === report.backend);
        deliveries[report.backend] = {
          endpoint: backend ? backend.identity : "",
          delivered,
          spans: report.exported,
          at: new Date().toISOString(),
          ...(delivered ? {} : { error: report.lastError ?? "the backend did not answer in time" }),
          ...(!delivered && report.refused ? { refused: true } : {}),
        };
      }
      const record = recordOf(summary, outcome.exitCode, this.exporter.spans, outcome.content, deliveries);
      if (outcome.transcriptBytes !== undefined) record.transcriptBytes = outcome.transcriptBytes;
      writeRecord(this.recordPath, record);
    } catch (e) {
      // Said once: a journal that could not take the spans has already been reported.
      if (!this.exporter.error)
        warn(`could not write the trace journal (${e instanceof Error ? e.message : e}); the run goes on`);
      return false;
    }
    try {
      pruneIfDue(this.dir, this.retention);
    } catch (e) {
      warn(`could not prune the trace journal (${e instanceof Error ? e.message : e})`);
    }
    return this.exporter.error === undefined;
  }
}

function recordOf(
  s: RunSummary,
  exitCode: number | undefined,
  spans: number,
  content: ContentPolicy,
  deliveries: Record<string, Delivery>,
): RunRecord {
  const firstLine = s.prompt?.trim().split("\n")[0] ?? "";
  return {
    traceId: s.traceId,
    startTime: s.startTime,
    endTime: s.startTime + s.durationMs,
    durationMs: s.durationMs,
    status: s.isError ? "error" : "ok",
    errorType: s.errorType,
    prompt: content.capture && s.prompt !== undefined ? firstLine.slice(0, 120) : undefined,
    model: s.model,
    numTurns: s.numTurns,
    toolCalls: s.toolCalls,
    inputTokens: totalInput(s.usage),
    outputTokens: s.usage.output,
    costUsd: s.costUsd,
    sessionId: s.sessionId,
    exitCode,
    spans,
    deliveries,
  };
}

function filledOutbox(dir: string, runs: StoredRun[]): StoredRun[] {
  fillOutbox(dir, runs);
  return runs;
}
