/**
 * The library form: trace programs that use `@anthropic-ai/claude-agent-sdk`.
 *
 * `tracedQuery` is `query()` with a trace recorded on the side: same arguments, same messages.
 * `runAgentWithTelemetry` runs one prompt to the end and resolves to its result and trace id.
 */
import {
  type HookCallbackMatcher,
  type HookEvent,
  type Options,
  type Query,
  query,
  type SDKMessage,
  type SDKResultMessage,
} from "@anthropic-ai/claude-agent-sdk";
import { context, type TracerProvider, trace } from "@opentelemetry/api";
import type { RunEvent } from "./events.ts";
import { resolveTelemetryConfig } from "./export/config.ts";
import { createRunProvider } from "./export/provider.ts";
import { RunJournal } from "./export/run-journal.ts";
import { settled, startClaudeEvents } from "./sources/claude-events-server.ts";
import { isResultMessage, resultEventOf } from "./sources/result-message.ts";
import { findTranscript, RunEvents } from "./sources/run-events.ts";
import { type RunSummary, TraceBuilder } from "./trace/builder.ts";
import { contentPolicyFromEnv } from "./trace/content.ts";
import { PresetIdGenerator, randomRootIds } from "./trace/ids.ts";
import { createRedactor } from "./trace/redact.ts";
import { TRACER_NAME } from "./trace/semconv.ts";

export { TRACER_NAME } from "./trace/semconv.ts";

export interface TelemetryOptions {
  /** Where spans go; defaults to the globally registered provider. */
  tracerProvider?: TracerProvider;
  /** Log claudia's diagnostics to stderr. */
  debug?: boolean;
  /** Called once the trace is complete. */
  onFinish?: (summary: RunSummary) => void;
  /** Claude Code's per-request accounting, started by the caller (`runAgentWithTelemetry` does). */
  claudeEvents?: ClaudeEventsLink;
}

/** Claude Code's accounting endpoint, started before the run: its variables, and where its events go. */
export interface ClaudeEventsLink {
  env: Record<string, string>;
  connect(emit: (event: RunEvent) => void): void;
  close(): Promise<void>;
}

type QueryParams = Parameters<typeof query>[0];

/**
 * `query()` with the run recorded as a trace. Yields exactly the messages `query()` yields and
 * keeps the caller's hooks; the caller's active span, if any, becomes the root's parent.
 */
export function tracedQuery(params: QueryParams, telemetry: TelemetryOptions = {}): Query {
  const options: Options = params.options ?? {};
  const env = (options.env as NodeJS.ProcessEnv | undefined) ?? process.env;
  const debug = telemetry.debug ? (m: string) => process.stderr.write(`[claudia] ${m}\n`) : () => {};
  const tracer = (telemetry.tracerProvider ?? trace.getTracerProvider()).getTracer(TRACER_NAME);
  const startTime = Date.now();
  // A resumed session's transcript holds its history, and Claude Code's totals cover it too.
  const resumed = options.resume !== undefined || options.continue === true;
  const builder = new TraceBuilder({
    tracer,
    parentContext: context.active(),
    content: contentPolicyFromEnv(env),
    redact: createRedactor(env),
    startTime,
    requestModel: options.model,
    resumed,
    exactCalls: telemetry.claudeEvents !== undefined,
  });
  const events = new RunEvents();
  events.subscribe((event) => builder.handle(event));
  telemetry.claudeEvents?.connect(events.emit);

  const onPrompt: HookCallbackMatcher = {
    hooks: [
      async (input) => {
        if (input.transcript_path) {
          events.follow(input.transcript_path, resumed ? { since: startTime } : {});
        }
        return {};
      },
    ],
  };
  const hooks: Partial<Record<HookEvent, HookCallbackMatcher[]>> = { ...(options.hooks ?? {}) };
  hooks.UserPromptSubmit = [...(hooks.UserPromptSubmit ?? []), onPrompt];
  const { traceId, spanId, traceFlags } = builder.root.spanContext();
  const childEnv: Record<string, string | undefined> = {
    ...env,
    ...telemetry.claudeEvents?.env,
    TRACEPARENT: `00-${traceId}-${spanId}-0${traceFlags & 1}`,
  };
  delete childEnv.TRACESTATE;

  const inner = context.with(builder.rootContext, () =>
    query({ ...params, options: { ...options, hooks, env: childEnv } }),
  );

  let sessionId: string | undefined;
  let cwd: string | undefined = options.cwd;
  const finish = async (error?: unknown) => {
    await telemetry.claudeEvents?.close();
    await settled(() => builder.waitingCalls === 0, telemetry.claudeEvents ? 1000 : 0);
    if (!events.following) {
      const path = findTranscript(cwd ?? process.cwd(), startTime - 1000, sessionId, env);
      debug(`no hook reached claudia; transcript ${path ?? "not found"}`);
      if (path) events.follow(path);
    }
    events.drain();
    const summary = builder.finish({ error: error === undefined ? undefined : String(error) });
    telemetry.onFinish?.(summary);
  };

  async function* observe(): AsyncGenerator<SDKMessage, void> {
    let failure: unknown;
    try {
      for await (const message of inner) {
        if (isResultMessage(message)) {
          events.emit(resultEventOf(message as unknown as Record<string, unknown>));
        } else if (message.type === "system" && message.subtype === "init") {
          sessionId ??= message.session_id;
          cwd ??= message.cwd;
          events.emit({
            kind: "session",
            time: Date.now(),
            sessionId: message.session_id,
            model: message.model,
            claudeCodeVersion: message.claude_code_version,
          });
        }
        yield message;
      }
    } catch (error) {
      failure = error;
      throw error;
    } finally {
      await finish(failure);
    }
  }

  const observed = observe();
  return new Proxy(inner, {
    get(target, property) {
      if (property === "next" || property === "return" || property === "throw") {
        return observed[property].bind(observed);
      }
      if (property === Symbol.asyncIterator) return () => observed;
      const value = Reflect.get(target, property, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

export interface RunAgentParams {
  prompt: string;
  /** Claude Code flags, e.g. `{ model: "opus", "permission-mode": "bypassPermissions", verbose: null }`. */
  extraArgs?: Record<string, string | null>;
  /**
   * Where spans go. Without one, claudia exports by the standard OTEL_* variables and records the
   * run in the local journal, as the CLI does.
   */
  tracerProvider?: TracerProvider;
  debug?: boolean;
  /** Any further Agent SDK options. */
  options?: Options;
}

export interface RunAgentResult {
  /** The final response text. */
  text: string;
  /** Every result message of the run (background tasks can add more than one). */
  results: SDKResultMessage[];
  traceId: string;
  sessionId?: string;
  summary: RunSummary;
}

/** An agent run that failed; the trace was still recorded. */
export class AgentRunError extends Error {
  constructor(
    message: string,
    readonly results: SDKResultMessage[],
    readonly traceId: string,
  ) {
    super(message);
    this.name = "AgentRunError";
  }
}

/** Run one prompt with tracing; resolves to the result, rejects with the agent's error. */
export async function runAgentWithTelemetry(params: RunAgentParams): Promise<RunAgentResult> {
  const env = (params.options?.env as NodeJS.ProcessEnv | undefined) ?? process.env;
  const warn = (m: string) => process.stderr.write(`claudia: ${m}\n`);
  const config = resolveTelemetryConfig({}, env);
  if (!params.tracerProvider) for (const warning of config.warnings) warn(warning);
  const ids = randomRootIds(trace.getSpanContext(context.active())?.traceId);
  const journal = params.tracerProvider ? undefined : RunJournal.open(env, Date.now(), ids.traceId, warn);
  const own = params.tracerProvider
    ? undefined
    : await createRunProvider(config, new PresetIdGenerator(ids), journal ? [journal.exporter] : []);
  const provider = params.tracerProvider ?? own?.provider;
  const options: Options = {
    ...(params.options ?? {}),
    extraArgs: { ...(params.options?.extraArgs ?? {}), ...(params.extraArgs ?? {}) },
  };
  let sink: ((event: RunEvent) => void) | undefined;
  const quiet = { warn, debug: params.debug ? (m: string) => process.stderr.write(`[claudia] ${m}\n`) : () => {} };
  const accounting = await startClaudeEvents(env, (event) => sink?.(event), quiet);
  const claudeEvents: ClaudeEventsLink | undefined = accounting && {
    env: accounting.env,
    connect: (emit) => {
      sink = emit;
    },
    close: accounting.close,
  };
  let summary: RunSummary | undefined;
  const results: SDKResultMessage[] = [];
  let thrown: unknown;
  try {
    for await (const message of tracedQuery(
      { prompt: params.prompt, options },
      { tracerProvider: provider, debug: params.debug, onFinish: (s) => (summary = s), claudeEvents },
    )) {
      if (message.type === "result") results.push(message);
    }
  } catch (error) {
    thrown = error;
  } finally {
    if (own) await own.close();
    else await (provider as { forceFlush?: () => Promise<void> } | undefined)?.forceFlush?.();
  }
  if (!summary) throw thrown ?? new Error("the agent run ended without a trace");
  const done = summary;
  if (own && journal) journal.finish(done, { content: contentPolicyFromEnv(env), reports: own.reports, config }, warn);
  const failed = results.find((r) => r.is_error || r.subtype !== "success");
  if (failed || thrown) {
    const reason =
      failed && "result" in failed && failed.result
        ? failed.result
        : failed && "errors" in failed
          ? failed.errors.join("; ")
          : thrown instanceof Error
            ? thrown.message
            : String(thrown);
    throw new AgentRunError(reason, results, done.traceId);
  }
  const last = results.at(-1);
  return {
    text: last && last.subtype === "success" ? last.result : "",
    results,
    traceId: done.traceId,
    sessionId: done.sessionId,
    summary: done,
  };
}
