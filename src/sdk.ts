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
import { type Context, context, diag, ProxyTracerProvider, type TracerProvider, trace } from "@opentelemetry/api";
import { resolveTelemetryConfig } from "./export/config.ts";
import type { RunDescription, RunLog } from "./pipeline/description.ts";
import { RunInput } from "./pipeline/run-input.ts";
import { openTracedRun, TracedRun } from "./pipeline/traced-run.ts";
import { accountingAllowed, type ClaudeEvents, startClaudeEvents } from "./sources/claude-events-server.ts";
import { deferredQuery } from "./sources/deferred-query.ts";
import { observedQuery } from "./sources/observed-query.ts";
import { isResultMessage, resultEventOf } from "./sources/result-message.ts";
import { systemPromptOfOption } from "./sources/system-prompt.ts";
import { runWindow } from "./sources/window.ts";
import type { RunSummary } from "./trace/builder.ts";
import { childTraceparent, type RootIds, randomRootIds } from "./trace/ids.ts";
import { inertRunnerCommands, stripControl } from "./trace/text.ts";

export { TRACER_NAME } from "./trace/semconv.ts";

export interface TelemetryOptions {
  /**
   * Where spans go. Without one: the globally registered provider, if the program registered one;
   * else claudia's own exporters (the standard OTEL_* variables, Logfire, Sentry) and the local
   * journal, as the CLI does.
   */
  tracerProvider?: TracerProvider;
  /** Log claudia's diagnostics to stderr (they always go to OpenTelemetry's `diag`). */
  debug?: boolean;
  /** Called once the trace is complete. */
  onFinish?: (summary: RunSummary) => void;
}

type QueryParams = Parameters<typeof query>[0];

/**
 * `query()` with the run recorded as a trace. Yields exactly the messages `query()` yields and
 * keeps the caller's hooks; the caller's active span, if any, becomes the root's parent.
 */
export function tracedQuery(params: QueryParams, telemetry: TelemetryOptions = {}): Query {
  return traceQuery(params, telemetry, telemetry.tracerProvider ?? registeredProvider());
}

/** The provider the program registered globally, if it did. */
function registeredProvider(): TracerProvider | undefined {
  const global = trace.getTracerProvider();
  if (global instanceof ProxyTracerProvider && global.getDelegateTracer("probe") === undefined) return undefined;
  return global;
}

/** The library's diagnostics: always to `diag`; to stderr too when asked (`debug`) or, for warnings, when claudia exports itself. */
function libraryLog(debug: boolean, warnOnStderr: boolean): RunLog {
  const stderr = (line: string) => {
    try {
      // Warnings quote what the run was given: one line, no control sequence for the terminal, no CI log command for the runner.
      process.stderr.write(`${inertRunnerCommands(stripControl(line).replace(/\n/g, " "))}\n`);
    } catch {
      // stderr closed: diag has it.
    }
  };
  return {
    warn: (m) => {
      diag.warn(`claudia: ${m}`);
      if (warnOnStderr) stderr(`claudia: ${m}`);
    },
    debug: (m) => {
      diag.debug(`claudia: ${m}`);
      if (debug) stderr(`[claudia] ${m}`);
    },
    progress: () => {},
  };
}

/** The library's run: the caller's provider (or claudia's own exporters when `provider` is undefined). */
function traceQuery(params: QueryParams, telemetry: TelemetryOptions, provider: TracerProvider | undefined): Query {
  const options: Options = params.options ?? {};
  const env = (options.env as NodeJS.ProcessEnv | undefined) ?? process.env;
  const startTime = Date.now();
  const active = context.active();
  const ids = rootIdsUnder(active);
  const config = resolveTelemetryConfig({}, env);
  const log = libraryLog(telemetry.debug === true || config.debug, provider === undefined);
  if (!provider) for (const warning of config.warnings) log.warn(warning);
  // A resumed session's transcript holds its history, and Claude Code's totals cover it too.
  const resumed = options.resume !== undefined || options.continue === true;
  const input = new RunInput(runWindow(startTime, resumed));
  // Claude Code's own per-request accounting, received on loopback while it runs: its endpoint
  // must listen before query() starts Claude Code.
  const accounting = accountingAllowed(env) ? startClaudeEvents(env, input.emit, log) : undefined;
  const description: RunDescription = {
    ids,
    env,
    config,
    cwd: options.cwd,
    startTime,
    requestModel: options.model,
    resumed,
    log,
    exactCalls: accounting !== undefined,
    exactWaitMs: 1000,
    resend: provider === undefined,
    tracerProvider: provider,
    parentContext: active,
    systemInstructions: systemPromptOfOption(options.systemPrompt),
  };
  // With the caller's provider the run starts at once (its ids are the provider's); claudia's own
  // exporters load first, with the root's ids drawn up front.
  const opened = openTracedRun(description, input);
  const ready = opened instanceof TracedRun ? opened : undefined;
  const running = Promise.resolve(opened);
  running.catch((error: unknown) => log.warn(`could not trace this run: ${String(error)}`));

  const hooks: Partial<Record<HookEvent, HookCallbackMatcher[]>> = { ...(options.hooks ?? {}) };
  hooks.UserPromptSubmit = [...(hooks.UserPromptSubmit ?? []), sessionHook(input)];
  const start = (events: ClaudeEvents | undefined) =>
    context.with(rootContextOf(ready, ids, active), () =>
      query({ ...params, options: { ...options, hooks, env: childEnvOf({ ...env, ...events?.env }, ready, ids) } }),
    );
  const inner = accounting ? deferredQuery(accounting, start) : start(undefined);

  const session: { cwd?: string } = { cwd: options.cwd };
  const finish = async (error?: unknown) => {
    // No hook told where the transcript is: the session id Claude Code reported names it.
    if (!input.following && input.sessionId) input.sessionNamed(input.sessionId, session.cwd ?? process.cwd(), env);
    input.drain();
    if (!input.following) log.debug(`no transcript for session ${input.sessionId ?? "(none)"}`);
    const run = await running.catch(() => undefined);
    // A caller that stops reading at the result leaves Claude Code's last accounting on its way:
    // the endpoint listens until it has come (or the run's wait is over).
    await run?.settle();
    await (await accounting)?.close();
    if (!run) return;
    const summary = await run.finish({ error: error === undefined ? undefined : String(error) });
    telemetry.onFinish?.(summary);
  };
  return observedQuery(inner, observeMessages(inner, input, session, finish), finish);
}

/**
 * The messages `query()` yields, unchanged, with the session and the results taken from them on
 * the way; `finish` runs once they end, however they end.
 */
async function* observeMessages(
  inner: Query,
  input: RunInput,
  session: { cwd?: string },
  finish: (error?: unknown) => Promise<void>,
): AsyncGenerator<SDKMessage, void> {
  let failure: unknown;
  try {
    for await (const message of inner) {
      if (isResultMessage(message)) {
        input.emit(resultEventOf(message as unknown as Record<string, unknown>));
      } else if (message.type === "system" && message.subtype === "init") {
        session.cwd ??= message.cwd;
        input.emit({
          kind: "session",
          time: Date.now(),
          sessionId: message.session_id,
          model: message.model,
          claudeCodeVersion: message.claude_code_version,
          tools: message.tools,
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

/** The root's ids, in the caller's trace when a span is active (its trace state kept). */
function rootIdsUnder(active: Context): RootIds {
  const parent = trace.getSpanContext(active);
  const ids = randomRootIds(parent?.traceId);
  if (parent) {
    ids.parent = {
      traceId: parent.traceId,
      spanId: parent.spanId,
      traceFlags: parent.traceFlags,
      traceState: parent.traceState?.serialize() || undefined,
    };
  }
  return ids;
}

/** The context `query()` starts in: the root span's (real when ready, else its preset ids). */
function rootContextOf(run: TracedRun | undefined, ids: RootIds, active: Context): Context {
  if (run) return run.rootContext;
  return trace.setSpanContext(active, { traceId: ids.traceId, spanId: ids.spanId, traceFlags: 1 });
}

/** Claude Code's environment: the caller's, with the root as its trace parent and the trace state kept. */
function childEnvOf(
  env: NodeJS.ProcessEnv,
  run: TracedRun | undefined,
  ids: RootIds,
): Record<string, string | undefined> {
  const root = run?.root;
  const childEnv: Record<string, string | undefined> = {
    ...env,
    TRACEPARENT: root ? `00-${root.traceId}-${root.spanId}-0${root.traceFlags & 1}` : childTraceparent(ids),
  };
  const traceState = root ? root.traceState?.serialize() : ids.parent?.traceState;
  if (traceState) childEnv.TRACESTATE = traceState;
  else delete childEnv.TRACESTATE;
  return childEnv;
}

/** Claude Code's `UserPromptSubmit` says where the session's transcript is; the first one is the run's. */
function sessionHook(input: RunInput): HookCallbackMatcher {
  return {
    hooks: [
      async (hook) => {
        if (hook.transcript_path && !input.following) input.transcriptAt(hook.transcript_path, hook.session_id);
        return {};
      },
    ],
  };
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

/**
 * An agent run that failed; the trace was still recorded. `cause` is what the Agent SDK threw, if it
 * threw (its `AbortError` for a run the program aborted).
 */
export class AgentRunError extends Error {
  constructor(
    message: string,
    readonly results: SDKResultMessage[],
    readonly traceId: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = "AgentRunError";
  }
}

/** Run one prompt with tracing; resolves to the result, rejects with the agent's error. */
export async function runAgentWithTelemetry(params: RunAgentParams): Promise<RunAgentResult> {
  const options: Options = {
    ...(params.options ?? {}),
    extraArgs: { ...(params.options?.extraArgs ?? {}), ...(params.extraArgs ?? {}) },
  };
  let summary: RunSummary | undefined;
  const results: SDKResultMessage[] = [];
  let thrown: unknown;
  try {
    for await (const message of traceQuery(
      { prompt: params.prompt, options },
      { debug: params.debug, onFinish: (s) => (summary = s) },
      params.tracerProvider,
    )) {
      if (message.type === "result") results.push(message);
    }
  } catch (error) {
    thrown = error;
  }
  if (!summary) throw thrown ?? new Error("the agent run ended without a trace");
  const done: RunSummary = summary;
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
    throw new AgentRunError(reason, results, done.traceId, thrown === undefined ? undefined : { cause: thrown });
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
