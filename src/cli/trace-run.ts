/**
 * The tracing half of a headless run, loaded while Claude Code is already working: the tracer
 * provider, the trace builder, the progress printer, the reader of printed results, the local
 * journal, and the background re-send of earlier runs that were not delivered.
 */
import { ROOT_CONTEXT, trace } from "@opentelemetry/api";
import { TraceState } from "@opentelemetry/core";
import type { TelemetryConfig } from "../export/config.ts";
import { createRunProvider } from "../export/provider.ts";
import { RunJournal } from "../export/run-journal.ts";
import { settled } from "../sources/claude-events-server.ts";
import { PrintedResults } from "../sources/result-message.ts";
import type { RunEvents } from "../sources/run-events.ts";
import { type RunSummary, TraceBuilder } from "../trace/builder.ts";
import { contentPolicyFromEnv } from "../trace/content.ts";
import { PresetIdGenerator, type RootIds } from "../trace/ids.ts";
import { createRedactor, invalidUserPatterns } from "../trace/redact.ts";
import { TRACER_NAME } from "../trace/semconv.ts";
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
  /** The run resumed an earlier session. */
  resumed?: boolean;
  /** Re-send earlier undelivered runs in the background (once per claudia process is enough). */
  resend?: boolean;
  /** Claude Code's per-request accounting is being received (see `TraceBuilderOptions.exactCalls`). */
  exactCalls?: boolean;
  /** At the end, how long to wait for the accounting of calls still waiting for it (ms). */
  exactWaitMs?: number;
}

export interface TraceRun {
  printed: PrintedResults;
  /** The run is being interrupted by a signal. */
  interrupt(signal: string): void;
  sessionId(): string | undefined;
  /** End the trace, export it, record it; `exitCode` is undefined for one prompt of a session. */
  finish(exitCode: number | undefined, error?: string, endTime?: number): Promise<RunSummary>;
}

/** The longest the background re-send of earlier runs may hold up the end of this one. */
export const DEFAULT_RESEND_WAIT_MS = 1000;

export async function startTrace(options: TraceRunOptions): Promise<TraceRun> {
  const { ids, env, events, log, config } = options;
  const content = contentPolicyFromEnv(env);
  const journal = RunJournal.open(env, options.startTime, ids.traceId, log.warn);
  const run = await createRunProvider(config, new PresetIdGenerator(ids), journal ? [journal.exporter] : []);
  // Earlier runs that never reached the backend go now, while Claude Code works.
  const resend = journal && options.resend !== false ? journal.resendUndelivered(config, log.debug) : Promise.resolve();

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
  const redact = createRedactor(env);
  for (const bad of invalidUserPatterns(env.CLAUDIA_REDACT_PATTERNS)) {
    log.warn(`CLAUDIA_REDACT_PATTERNS: "${bad}" is not a valid regular expression; ignored`);
  }
  const builder = new TraceBuilder({
    tracer,
    parentContext,
    content,
    redact,
    startTime: options.startTime,
    requestModel: options.split.model,
    resumed: options.resumed,
    exactCalls: options.exactCalls,
  });
  const printer = new ProgressPrinter((line) => log.progress(redact(line)));
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
    interrupt: (signal) => builder.interrupt(signal),
    sessionId: () => sessionId,
    async finish(exitCode, error, endTime) {
      await settled(() => builder.waitingCalls === 0, options.exactWaitMs ?? 0);
      const summary = builder.finish({ exitCode, error, endTime });
      printer.finish(summary);
      await run.close();
      const stored = journal?.exporter.spans ?? 0;
      for (const report of run.reports) {
        const missing = journal ? stored - report.exported : report.failed;
        if (report.failed > 0 || missing > 0) {
          log.warn(
            `${missing} span(s) not delivered to ${report.backend}: ${report.lastError ?? "the backend did not answer in time"}` +
              (journal ? " (kept in the journal; `claudia traces push` sends them)" : ""),
          );
        }
      }
      journal?.finish(summary, { exitCode, content, reports: run.reports, config }, log.warn);
      await bounded(resend, resendWait(env));
      return summary;
    },
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
