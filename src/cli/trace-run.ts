/**
 * The tracing half of a headless run, loaded while Claude Code is already working: the tracer
 * provider, the trace builder, the progress printer, the reader of printed results, the local
 * journal, and the background re-send of earlier runs that were not delivered.
 */
import { ROOT_CONTEXT, trace } from "@opentelemetry/api";
import { TraceState } from "@opentelemetry/core";
import { totalInput } from "../events.ts";
import type { TelemetryConfig } from "../export/config.ts";
import { BACKEND, deliverRuns, safeEndpoint, undelivered } from "../export/deliver.ts";
import {
  type Delivery,
  JournalExporter,
  journalDir,
  journalEnabled,
  type RunRecord,
  runFiles,
  writeRecord,
} from "../export/journal.ts";
import { listRuns, prune, retentionFromEnv } from "../export/journal-store.ts";
import { createRunProvider, type ExportReport } from "../export/provider.ts";
import { PrintedResults } from "../sources/result-message.ts";
import type { RunEvents } from "../sources/run-events.ts";
import { type RunSummary, TraceBuilder } from "../trace/builder.ts";
import { type ContentPolicy, contentPolicyFromEnv } from "../trace/content.ts";
import { PresetIdGenerator, type RootIds } from "../trace/ids.ts";
import type { SplitArgv } from "./argv.ts";
import { ProgressPrinter } from "./console.ts";
import type { Log } from "./log.ts";

export interface TraceRunOptions {
  ids: RootIds;
  env: NodeJS.ProcessEnv;
  split: SplitArgv;
  config: TelemetryConfig;
  startTime: number;
  events: RunEvents;
  log: Log;
}

export interface TraceRun {
  printed: PrintedResults;
  sessionId(): string | undefined;
  finish(exitCode: number, error?: string): Promise<void>;
}

export const TRACER_NAME = "claude-telemetry";
/** The longest the background re-send of earlier runs may hold up the end of this one. */
export const DEFAULT_RESEND_WAIT_MS = 1000;

export async function startTrace(options: TraceRunOptions): Promise<TraceRun> {
  const { ids, env, events, log, config } = options;
  const content = contentPolicyFromEnv(env);
  const dir = journalDir(env);
  const files = journalEnabled(env) ? runFiles(dir, options.startTime, ids.traceId) : undefined;
  const journal = files ? new JournalExporter(files.spans, log.warn) : undefined;
  const run = await createRunProvider(config, new PresetIdGenerator(ids), journal ? [journal] : []);

  // Earlier runs that never reached the backend go now, while Claude Code works.
  const resend =
    journal && config.otlp
      ? deliverRuns(undelivered(listRuns(dir, log.debug)), config.otlp, {
          timeoutMs: config.exportTimeoutMs,
          warn: log.debug,
        }).then(
          (results) => {
            const sent = results.filter((r) => r.delivery?.delivered).length;
            if (sent > 0) log.debug(`re-sent ${sent} earlier run(s)`);
          },
          (error: unknown) => log.debug(`re-sending earlier runs failed: ${String(error)}`),
        )
      : Promise.resolve();

  const tracer = run.provider.getTracer(TRACER_NAME);
  const parentContext = ids.parent
    ? trace.setSpanContext(ROOT_CONTEXT, {
        traceId: ids.parent.traceId,
        spanId: ids.parent.spanId,
        traceFlags: ids.parent.traceFlags,
        traceState: ids.parent.traceState ? new TraceState(ids.parent.traceState) : undefined,
        isRemote: true,
      })
    : ROOT_CONTEXT;
  const builder = new TraceBuilder({
    tracer,
    parentContext,
    content,
    startTime: options.startTime,
    requestModel: options.split.model,
  });
  const printer = new ProgressPrinter(log.progress);
  events.attachLate((event) => {
    builder.handle(event);
    printer.handle(event);
  });
  let sessionId: string | undefined;
  const printed = new PrintedResults((result) => {
    sessionId ??= result.sessionId;
    events.emit(result);
  });

  return {
    printed,
    sessionId: () => sessionId,
    async finish(exitCode, error) {
      const summary = builder.finish({ exitCode, error });
      printer.finish(summary);
      await run.close();
      for (const report of run.reports) {
        if (report.failed > 0 || (journal && report.exported < journal.spans)) {
          const missing = journal ? journal.spans - report.exported : report.failed;
          log.warn(
            `${missing} span(s) not delivered to ${report.backend}: ${report.lastError ?? "the backend did not answer in time"}` +
              (journal ? " (kept in the journal; `claudia traces push` sends them)" : ""),
          );
        }
      }
      if (files && journal && journal.spans > 0) {
        try {
          writeRecord(
            files.record,
            recordOf(summary, exitCode, journal.spans, content, deliveries(run.reports, config, journal.spans)),
          );
          prune(dir, retentionFromEnv(env));
        } catch (e) {
          log.warn(`could not write the trace journal (${e instanceof Error ? e.message : e}); the run goes on`);
        }
      }
      await bounded(resend, resendWait(env));
    },
  };
}

function deliveries(reports: ExportReport[], config: TelemetryConfig, spans: number): Record<string, Delivery> {
  const out: Record<string, Delivery> = {};
  for (const report of reports) {
    const delivered = report.failed === 0 && report.exported >= spans;
    out[BACKEND] = {
      endpoint: config.otlp ? safeEndpoint(config.otlp.url) : "",
      delivered,
      spans: report.exported,
      at: new Date().toISOString(),
      ...(delivered ? {} : { error: report.lastError ?? "the backend did not answer in time" }),
    };
  }
  return out;
}

function recordOf(
  s: RunSummary,
  exitCode: number,
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

function resendWait(env: NodeJS.ProcessEnv): number {
  const ms = Number(env.CLAUDIA_RESEND_WAIT_MS);
  return Number.isFinite(ms) && ms >= 0 ? ms : DEFAULT_RESEND_WAIT_MS;
}

async function bounded(work: Promise<void>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([work, new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)))]);
  if (timer) clearTimeout(timer);
}
