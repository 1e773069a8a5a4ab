/**
 * One headless run: start Claude Code with the user's arguments (plus claudia's hooks), leave
 * its stdout, stderr and exit code alone, and turn what it records into a trace.
 *
 * Claude Code is started before anything heavy is loaded; the OpenTelemetry SDK and the trace
 * builder load while it runs.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { StringDecoder } from "node:string_decoder";
import type { TelemetryConfig } from "../export/config.ts";
import type { RunDescription } from "../pipeline/description.ts";
import { RunInput } from "../pipeline/run-input.ts";
import type { TracedRun } from "../pipeline/traced-run.ts";
import type { ClaudeEvents } from "../sources/claude-events-server.ts";
import type { HookServer } from "../sources/hook-server.ts";
import { PrintedResults } from "../sources/result-message.ts";
import { claudiaHooks, withHooks, withOptionsFirst } from "../sources/settings.ts";
import { systemPromptOfArgs } from "../sources/system-prompt.ts";
import { runWindow } from "../sources/window.ts";
import { childTraceparent, newRootIds } from "../trace/ids.ts";
import type { SplitArgv } from "./argv.ts";
import { exitCodeOf, signalNumber, waitForExit } from "./child-exit.ts";
import { ProgressPrinter, traceUrl } from "./console.ts";
import { type Log, stderrLine } from "./log.ts";

export interface HeadlessOptions {
  claudePath: string;
  split: SplitArgv;
  config: TelemetryConfig;
  env: NodeJS.ProcessEnv;
  /** Claude Code's environment, when it differs from the one claudia's settings come from. */
  claudeEnv?: NodeJS.ProcessEnv;
  /** When claudia started (epoch ms): the root span starts here. */
  startTime: number;
  log: Log;
}

const SIGNALS: NodeJS.Signals[] = ["SIGINT", "SIGTERM", "SIGHUP"];

/** Options that continue an earlier session, whose transcript and totals hold earlier runs. */
const RESUME_OPTIONS = ["--resume", "--continue", "--from-pr", "--teleport"];

/**
 * Options with which Claude Code picks the session (an earlier one, a fork, one elsewhere). Without
 * them claudia names the new session itself (`--session-id`) and so knows its transcript; with them
 * it learns the transcript from a `UserPromptSubmit` hook.
 */
const SESSION_OPTIONS = [
  ...RESUME_OPTIONS,
  "--fork-session",
  "--session-id",
  "--bg",
  "--background",
  "--cloud",
  "--remote-control",
];

export async function runHeadless(options: HeadlessOptions): Promise<number> {
  const { split, env, log } = options;
  const ids = newRootIds(env);
  const resumed = RESUME_OPTIONS.some((option) => split.options.has(option));
  const input = new RunInput(runWindow(options.startTime, resumed));
  const session = await planSession(split, input, log);
  // A second source: Claude Code's own per-request accounting (exact usage and price of every API
  // request), received on loopback; Claude Code must know its endpoint before it starts.
  const claudeEnv = options.claudeEnv ?? env;
  const { startClaudeEvents } = await import("../sources/claude-events-server.ts");
  const claudeEvents = await startClaudeEvents(claudeEnv, input.emit, log);
  const childEnv: NodeJS.ProcessEnv = { ...claudeEnv, ...claudeEvents?.env, TRACEPARENT: childTraceparent(ids) };
  if (ids.parent?.traceState) childEnv.TRACESTATE = ids.parent.traceState;
  else delete childEnv.TRACESTATE;

  log.debug(`spawning Claude Code (${session.args.length} arguments) at +${Date.now() - options.startTime} ms`);
  const child = startClaude(options.claudePath, session.args, childEnv, split.outputFormat, input);
  const exited = waitForExit(child);
  if (session.sessionId) input.sessionNamed(session.sessionId, process.cwd(), env);
  let run: TracedRun | undefined;
  const signals = forwardSignals(child, options.config.killAfterMs, log, () => run);

  // Everything below runs while Claude Code works.
  const description = describeRun(options, ids, resumed, claudeEvents !== undefined);
  const { startTracedRun } = await import("../pipeline/traced-run.ts");
  let printer: ProgressPrinter | undefined;
  // Claude Code is running: whatever goes wrong with the trace from here on, claudia waits for it
  // and exits as it does.
  run = await startTracedRun(description, input, (redact) => {
    const shown = new ProgressPrinter(log.progress, redact);
    printer = shown;
    return (event) => shown.handle(event);
  }).catch((e: unknown) => {
    // Nothing will take the run's events: they are not kept either.
    if (!input.attached) input.attach(() => {});
    return traceFailed(log, e);
  });
  log.debug(`tracing loaded at +${Date.now() - options.startTime} ms`);

  const { code, signal, error } = await exited;
  log.debug(`Claude Code exited (code ${code}, signal ${signal}) at +${Date.now() - options.startTime} ms`);
  const interrupted = signals.interrupted();
  if (interrupted) run?.interrupt(interrupted);
  await closeSources(session, claudeEvents, input, env, log);
  // Claude Code's own exit code, as bare `claude -p` under the same signal would give (it exits 0
  // on SIGINT); 128 + N only when claudia had to kill it.
  const exitCode =
    interrupted && signals.killed() ? 128 + signalNumber(interrupted) : exitCodeOf({ code, signal, error });
  if (error) stderrLine(`claudia: could not start Claude Code: ${error.message}`);
  const summary = await run
    ?.finish({ exitCode, error: error ? `could not start Claude Code: ${error.message}` : undefined })
    .catch((e: unknown) => traceFailed(log, e));
  if (!run || !summary) return exitCode;
  const link = traceUrl(options.config.traceUrl, summary.traceId, log.warn);
  printer?.finish(summary, link);
  await reportToJob(
    env,
    { summary, exitCode, content: options.config.content, traceUrl: link, spansPath: run.journalPath },
    log,
  );
  log.debug(
    `trace finished at +${Date.now() - options.startTime} ms; peak RSS ${Math.round(process.resourceUsage().maxRSS / 1024)} MB`,
  );
  // Signal handlers stay until claudia exits, so a second Ctrl+C during the final flush still exits at once.
  return exitCode;
}

/** The trace could not be made: one line, and the run goes on untraced. */
function traceFailed(log: Log, error: unknown): undefined {
  log.warn(`this run is not traced: ${error instanceof Error ? error.message : String(error)}`);
  return undefined;
}

/** What the traced run is told about itself. */
function describeRun(
  options: HeadlessOptions,
  ids: RunDescription["ids"],
  resumed: boolean,
  exactCalls: boolean,
): RunDescription {
  return {
    ids,
    env: options.env,
    config: options.config,
    startTime: options.startTime,
    requestModel: options.split.model,
    resumed,
    log: options.log,
    resend: true,
    exactCalls,
    systemInstructions: systemPromptOfArgs(options.split.systemPrompts, process.cwd(), options.log.warn),
  };
}

/** Claude Code has exited: stop its sources, and read what is left of its transcript. */
async function closeSources(
  session: SessionPlan,
  claudeEvents: ClaudeEvents | undefined,
  input: RunInput,
  env: NodeJS.ProcessEnv,
  log: Log,
): Promise<void> {
  session.hooks?.close();
  await claudeEvents?.close();
  // A resumed run whose hook never came (hooks switched off in the user's settings): its session
  // is known from what Claude Code printed, else from its requests' accounting.
  const sessionId = input.sessionId ?? claudeEvents?.sessionId();
  if (!input.following && sessionId) input.sessionNamed(sessionId, process.cwd(), env);
  input.drain();
  if (!input.following)
    log.debug(`no transcript for session ${input.sessionId ?? "(none)"}: the trace has the root span only`);
}

/** How the run's session is known: named by claudia (`--session-id`), or learnt from a hook. */
interface SessionPlan {
  args: string[];
  sessionId?: string;
  hooks?: HookServer;
}

/**
 * Without options that pick the session, claudia names it (`--session-id`) and so knows its
 * transcript; with them, a `UserPromptSubmit` hook tells the first prompt's session.
 */
async function planSession(split: SplitArgv, input: RunInput, log: Log): Promise<SessionPlan> {
  const base = split.hasPrint ? split.claudeArgs : ["-p", ...split.claudeArgs];
  if (!SESSION_OPTIONS.some((option) => split.options.has(option))) {
    const sessionId = randomUUID();
    return { args: withOptionsFirst(base, ["--session-id", sessionId]), sessionId };
  }
  // Loaded only here: node's HTTP server costs a few ms of start-up that most runs do not need.
  const { startHookServer } = await import("../sources/hook-server.ts");
  const hooks = await startHookServer((hook) => {
    log.debug(`hook ${hook.hook_event_name ?? "?"} session=${hook.session_id ?? "?"}`);
    // The first prompt's session is the run's (a resumed one, or the fork's new one).
    if (hook.hook_event_name === "UserPromptSubmit" && hook.transcript_path && !input.following) {
      input.transcriptAt(hook.transcript_path, hook.session_id);
    }
  });
  const args = withHooks(base, claudiaHooks(hooks, ["UserPromptSubmit"])) ?? base;
  if (args === base) log.debug("user --settings could not be read; running without claudia's hooks");
  return { args, hooks };
}

/**
 * Claude Code, with stdin and stderr its own; its stdout too, except for JSON output, which
 * claudia reads (the printed results) while passing every byte on unchanged.
 */
function startClaude(
  claudePath: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  outputFormat: string | undefined,
  input: RunInput,
): ChildProcess {
  const format = outputFormat ?? "text";
  const tee = format === "json" || format === "stream-json";
  const child = spawn(claudePath, args, { env, stdio: ["inherit", tee ? "pipe" : "inherit", "inherit"] });
  if (tee && child.stdout) {
    const printed = new PrintedResults(input.emit);
    const decoder = new StringDecoder("utf8");
    child.stdout.pipe(process.stdout);
    // The reader of claudia's stdout went away: Claude Code's own stdout closes too, as it would
    // have without claudia (the results not yet read are then missing, as with text output).
    process.stdout.once("error", () => child.stdout?.destroy());
    child.stdout.on("data", (chunk: Buffer) => printed.write(decoder.write(chunk)));
    child.stdout.on("end", () => printed.end());
  }
  return child;
}

/** In a GitHub Actions job: the step summary and outputs (loaded only there). */
async function reportToJob(
  env: NodeJS.ProcessEnv,
  report: {
    summary: Awaited<ReturnType<TracedRun["finish"]>>;
    exitCode: number;
    content: TelemetryConfig["content"];
    traceUrl: string | undefined;
    spansPath: string | undefined;
  },
  log: Log,
): Promise<void> {
  if (!env.GITHUB_STEP_SUMMARY && !env.GITHUB_OUTPUT) return;
  const { reportToGitHub } = await import("./github-job.ts");
  reportToGitHub({ ...report, env, warn: log.warn });
}

/**
 * Signals to claudia go to Claude Code; a second one ends both at once. Claude Code gets
 * `CLAUDIA_KILL_AFTER_MS` to stop before it is killed.
 */
function forwardSignals(
  child: ChildProcess,
  killAfterMs: number,
  log: Log,
  run: () => TracedRun | undefined,
): { interrupted(): NodeJS.Signals | undefined; killed(): boolean } {
  let interrupted: NodeJS.Signals | undefined;
  let killed = false;
  const running = () => child.exitCode === null && child.signalCode === null;
  const onSignal = (signal: NodeJS.Signals) => {
    if (interrupted) {
      // A second signal: stop now, as the user asked twice.
      if (running()) child.kill("SIGKILL");
      process.exit(128 + signalNumber(interrupted));
    }
    interrupted = signal;
    run()?.interrupt(signal);
    log.debug(`${signal}: stopping Claude Code`);
    // Passed on even when a Ctrl+C at the terminal reached Claude Code too: a second SIGINT is
    // harmless to it, while one sent to claudia alone would otherwise leave its tools running.
    if (running()) child.kill(signal);
    const killTimer = setTimeout(() => {
      if (running()) {
        log.warn(`Claude Code did not stop within ${killAfterMs} ms of ${signal}; killing it`);
        killed = true;
        child.kill("SIGKILL");
      }
    }, killAfterMs);
    killTimer.unref();
  };
  for (const signal of SIGNALS) process.on(signal, onSignal);
  return { interrupted: () => interrupted, killed: () => killed };
}
