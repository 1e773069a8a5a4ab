/**
 * The tracing half of a headless run, loaded while Claude Code is already working: the tracer
 * provider, the trace builder, the progress printer, and the reader of printed results.
 */
import { ROOT_CONTEXT, trace } from "@opentelemetry/api";
import { TraceState } from "@opentelemetry/core";
import type { TelemetryConfig } from "../export/config.ts";
import { createRunProvider } from "../export/provider.ts";
import { PrintedResults } from "../sources/result-message.ts";
import type { RunEvents } from "../sources/run-events.ts";
import { TraceBuilder } from "../trace/builder.ts";
import { contentPolicyFromEnv } from "../trace/content.ts";
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

export async function startTrace(options: TraceRunOptions): Promise<TraceRun> {
  const { ids, env, events, log } = options;
  const run = await createRunProvider(options.config, new PresetIdGenerator(ids));
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
    content: contentPolicyFromEnv(env),
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
        if (report.failed > 0) {
          log.warn(
            `${report.failed} span(s) not delivered to ${report.backend}: ${report.lastError ?? "export failed"}`,
          );
        }
      }
    },
  };
}
