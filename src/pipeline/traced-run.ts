/**
 * One traced run, from "this run's events are coming" to "its trace is delivered and journaled":
 * the trace builder fed from the run's input, redaction and the content policy, the exporters,
 * the delivery report, the journal record, and the re-send of earlier undelivered runs. Every
 * mode (headless, each prompt of the terminal UI, `tracedQuery`, `runAgentWithTelemetry`) runs
 * its trace through here; the modes only start Claude Code and say what they learn.
 */
import { type Context, ROOT_CONTEXT, type SpanContext, trace } from "@opentelemetry/api";
import { TraceState } from "@opentelemetry/core";
import type { RunEvent } from "../events.ts";
import { settled } from "../sources/claude-events-server.ts";
import { apiServerOf } from "../trace/api-server.ts";
import { type RunSummary, TraceBuilder } from "../trace/builder.ts";
import type { ContentPolicy } from "../trace/content.ts";
import { createRedactor, credentialValues, type Redactor, uncompilable } from "../trace/redact.ts";
import { TRACER_NAME } from "../trace/semconv.ts";
import type { RunDescription } from "./description.ts";
import { callerOutputs, ownOutputs, type RunOutputs } from "./outputs.ts";
import type { RunInput } from "./run-input.ts";

/** Given the run's redaction, what else sees the run's events (after the trace builder). */
export type RunObserver = (redact: Redactor) => (event: RunEvent) => void;

export interface RunEnd {
  /** Claude Code's exit code; undefined for one prompt of a session, or the library. */
  exitCode?: number;
  /** Why the run failed outside Claude Code (it could not start, the SDK threw). */
  error?: string;
  endTime?: number;
}

export class TracedRun {
  private readonly builder: TraceBuilder;
  private readonly content: ContentPolicy;
  private readonly resending: Promise<void>;
  /** When the background re-send starts no further run (see `RunDescription.resendOutlivesRun`). */
  private readonly resendStop = { at: Number.POSITIVE_INFINITY };
  private finished: Promise<RunSummary> | undefined;
  /** Events the trace builder failed on (see eventFailed). */
  private failedEvents = 0;

  /** What every captured text and every line claudia prints about the run goes through. */
  readonly redact: Redactor;

  /**
   * Build the run on outputs that are ready. `observer`, given the run's redaction, returns what
   * sees every event after the builder (the CLI's progress lines).
   */
  constructor(
    private readonly description: RunDescription,
    private readonly outputs: RunOutputs,
    input: RunInput,
    observer?: RunObserver,
  ) {
    const { env, log, config } = description;
    this.content = config.content;
    for (const bad of uncompilable(config.redaction.patterns)) {
      log.warn(`CLAUDIA_REDACT_PATTERNS: "${bad}" is not a valid regular expression; ignored`);
    }
    // Every configured credential is a secret too, wherever the session prints it.
    this.redact = createRedactor(env, credentialValues(config.backends));
    this.builder = new TraceBuilder({
      tracer: outputs.provider.getTracer(TRACER_NAME),
      parentContext: description.parentContext ?? parentOf(description),
      content: this.content,
      redact: this.redact,
      startTime: description.startTime,
      requestModel: description.requestModel,
      resumed: description.resumed,
      exactCalls: description.exactCalls,
      semconv: { latest: config.genAi.latest },
      fullHistory: config.genAi.fullHistory,
      toolDefinitions: config.genAi.toolDefinitions,
      systemInstructions: description.systemInstructions,
      // Claude Code's environment is the run's: its ANTHROPIC_BASE_URL is where the calls go.
      apiServer: apiServerOf(env),
    });
    // Earlier runs that never reached their backend go now, while Claude Code works.
    this.resending =
      outputs.journal && description.resend
        ? outputs.journal.resendUndelivered(description.config, log.debug, this.resendStop)
        : Promise.resolve();
    const observe = observer?.(this.redact);
    input.attach(
      (event) => {
        this.builder.handle(event);
        observe?.(event);
      },
      (error, event) => this.eventFailed(event.kind, error),
    );
  }

  /** An event the trace could not take: said once, and the run (and its trace) go on without it. */
  private eventFailed(kind: string, error: unknown): void {
    this.failedEvents++;
    if (this.failedEvents > 1) return;
    const message = error instanceof Error ? error.message : String(error);
    this.description.log.warn(`a ${kind} event could not be traced (${message}); the trace goes on without it`);
  }

  /** The root span's context (its ids are the preset ones unless the caller's provider drew them). */
  get root(): SpanContext {
    return this.builder.root.spanContext();
  }

  /** The context with the root span active: what the run's own work starts in. */
  get rootContext(): Context {
    return this.builder.rootContext;
  }

  /** Where the journal keeps the run's spans (none when the journal is off or the caller exports). */
  get journalPath(): string | undefined {
    return this.outputs.journal?.exporter.path;
  }

  /** The run is being interrupted by a signal. */
  interrupt(signal: string): void {
    this.builder.interrupt(signal);
  }

  /** Wait (at most the run's `exactWaitMs`) for Claude Code's accounting of the calls read so far. */
  settle(): Promise<void> {
    return settled(() => this.builder.waitingCalls === 0, this.description.exactWaitMs ?? 0);
  }

  /** End the trace, deliver it, record it. Safe to call more than once. */
  finish(end: RunEnd = {}): Promise<RunSummary> {
    this.finished ??= this.deliver(end);
    return this.finished;
  }

  private async deliver(end: RunEnd): Promise<RunSummary> {
    const { log, config } = this.description;
    await this.settle();
    const summary = this.builder.finish(end);
    await this.outputs.close();
    const journal = this.outputs.journal;
    const kept = journal?.finish(
      summary,
      { exitCode: end.exitCode, content: this.content, reports: this.outputs.reports, config },
      log.warn,
    );
    // Every span the run made went to the journal exporter too, written or not.
    const made = journal?.exporter.offered ?? 0;
    for (const report of this.outputs.reports) {
      const missing = journal ? made - report.exported : report.failed;
      if (report.failed > 0 || missing > 0) {
        log.warn(
          `${missing} span(s) not delivered to ${report.backend}: ${report.lastError ?? "the backend did not answer in time"}` +
            (kept ? " (kept in the journal; `claudia traces push` sends them)" : ""),
        );
      }
    }
    if (!this.description.resendOutlivesRun) this.resendStop.at = Date.now() + config.resendWaitMs;
    await bounded(this.resending, config.resendWaitMs);
    return summary;
  }
}

/**
 * Start a traced run. With the caller's provider it is ready at once (returned as is: the caller
 * needs the root's ids before it starts Claude Code); claudia's own exporters load first (the
 * OpenTelemetry SDK and the journal), while the input queues what arrives.
 */
export function openTracedRun(
  description: RunDescription,
  input: RunInput,
  observer?: RunObserver,
): TracedRun | Promise<TracedRun> {
  if (description.tracerProvider) {
    return new TracedRun(description, callerOutputs(description.tracerProvider), input, observer);
  }
  return ownOutputs(description).then((outputs) => new TracedRun(description, outputs, input, observer));
}

/** `openTracedRun`, always as a promise. */
export async function startTracedRun(
  description: RunDescription,
  input: RunInput,
  observer?: RunObserver,
): Promise<TracedRun> {
  return openTracedRun(description, input, observer);
}

/** The root's parent: the incoming W3C trace context, if any. */
function parentOf(description: RunDescription): Context {
  const parent = description.ids.parent;
  if (!parent) return ROOT_CONTEXT;
  return trace.setSpanContext(ROOT_CONTEXT, {
    traceId: parent.traceId,
    spanId: parent.spanId,
    traceFlags: parent.traceFlags,
    traceState: parent.traceState ? new TraceState(parent.traceState) : undefined,
    isRemote: true,
  });
}

async function bounded(work: Promise<void>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([work, new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)))]);
  if (timer) clearTimeout(timer);
}
