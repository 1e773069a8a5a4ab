/**
 * One headless run: start Claude Code with the user's arguments (plus claudia's hooks), leave
 * its stdout, stderr and exit code alone, and turn what it records into a trace.
 *
 * Claude Code is started before anything heavy is loaded; the OpenTelemetry SDK and the trace
 * builder load while it runs.
 */
import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { StringDecoder } from "node:string_decoder";
import type { TelemetryConfig } from "../export/config.ts";
import type { HookServer } from "../sources/hook-server.ts";
import { findTranscript, RunEvents } from "../sources/run-events.ts";
import { beforeOperands, claudiaHooks, withHooks } from "../sources/settings.ts";
import { childTraceparent, newRootIds } from "../trace/ids.ts";
import type { SplitArgv } from "./argv.ts";
import { exitCodeOf, signalNumber, waitForExit } from "./child-exit.ts";
import type { Log } from "./log.ts";
import type { TraceRun } from "./trace-run.ts";

export interface HeadlessOptions {
  claudePath: string;
  split: SplitArgv;
  config: TelemetryConfig;
  env: NodeJS.ProcessEnv;
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
  const events = new RunEvents();
  const resumed = RESUME_OPTIONS.some((option) => split.options.has(option));
  const base = split.hasPrint ? split.claudeArgs : ["-p", ...split.claudeArgs];
  let args = base;
  let sessionId: string | undefined;
  let hooks: HookServer | undefined;
  if (SESSION_OPTIONS.some((option) => split.options.has(option))) {
    // Loaded only here: node's HTTP server costs a few ms of start-up that most runs do not need.
    const { startHookServer } = await import("../sources/hook-server.ts");
    let mainSession: string | undefined;
    hooks = await startHookServer((input) => {
      log.debug(`hook ${input.hook_event_name ?? "?"} session=${input.session_id ?? "?"}`);
      if (input.hook_event_name !== "UserPromptSubmit" || !input.transcript_path) return;
      mainSession ??= input.session_id;
      // A resumed session's transcript holds its history (a forked one, a copy of it): this run is
      // what was written after claudia started.
      if (input.session_id === mainSession) {
        events.follow(input.transcript_path, { since: options.startTime });
      }
    });
    args = withHooks(base, claudiaHooks(hooks, ["UserPromptSubmit"])) ?? base;
    if (args === base) log.debug("user --settings could not be read; running without claudia's hooks");
  } else {
    sessionId = randomUUID();
    args = beforeOperands(base, ["--session-id", sessionId]);
  }
  const format = split.outputFormat ?? "text";
  const tee = format === "json" || format === "stream-json";
  // Claude Code's own per-request accounting (exact usage and price of every API request).
  const { startClaudeEvents } = await import("../sources/claude-events-server.ts");
  const claudeEvents = await startClaudeEvents(env, events.emit, log);
  const childEnv: NodeJS.ProcessEnv = { ...env, ...claudeEvents?.env, TRACEPARENT: childTraceparent(ids) };
  if (ids.parent?.traceState) childEnv.TRACESTATE = ids.parent.traceState;
  else delete childEnv.TRACESTATE;

  log.debug(`spawning Claude Code (${args.length} arguments) at +${Date.now() - options.startTime} ms`);
  const child = spawn(options.claudePath, args, {
    env: childEnv,
    stdio: ["inherit", tee ? "pipe" : "inherit", "inherit"],
  });
  const exited = waitForExit(child);
  if (sessionId) events.followSession(sessionId, process.cwd(), env);
  let interrupted: NodeJS.Signals | undefined;
  let run: TraceRun | undefined;
  const running = () => child.exitCode === null && child.signalCode === null;
  const onSignal = (signal: NodeJS.Signals) => {
    if (interrupted) {
      // A second signal: stop now, as the user asked twice.
      if (running()) child.kill("SIGKILL");
      process.exit(128 + signalNumber(interrupted));
    }
    interrupted = signal;
    run?.interrupt(signal);
    log.debug(`${signal}: stopping Claude Code`);
    // Ctrl+C at a terminal reaches Claude Code directly (same process group); anything else is passed on.
    const delivered = signal === "SIGINT" && process.stdin.isTTY === true;
    if (running() && !delivered) child.kill(signal);
    const killTimer = setTimeout(() => {
      if (running()) {
        log.warn(`Claude Code did not stop within ${killAfterMs(env)} ms of ${signal}; killing it`);
        child.kill("SIGKILL");
      }
    }, killAfterMs(env));
    killTimer.unref();
  };
  for (const signal of SIGNALS) process.on(signal, onSignal);

  // Everything below runs while Claude Code works.
  const { startTrace } = await import("./trace-run.ts");
  log.debug(`tracing loaded at +${Date.now() - options.startTime} ms`);
  run = await startTrace({
    ids,
    env,
    split,
    config: options.config,
    startTime: options.startTime,
    events,
    log,
    resumed,
    exactCalls: claudeEvents !== undefined,
  });

  if (tee && child.stdout) {
    const decoder = new StringDecoder("utf8");
    child.stdout.pipe(process.stdout);
    child.stdout.on("data", (chunk: Buffer) => run.printed.write(decoder.write(chunk)));
    child.stdout.on("end", () => run.printed.end());
  }

  const { code, signal, error } = await exited;
  log.debug(`Claude Code exited (code ${code}, signal ${signal}) at +${Date.now() - options.startTime} ms`);
  if (interrupted) run.interrupt(interrupted);
  hooks?.close();
  await claudeEvents?.close();
  events.drain();
  if (!events.following) {
    const path = findTranscript(process.cwd(), options.startTime - 1000, run.sessionId() ?? sessionId, env);
    log.debug(`no transcript followed during the run; at the end: ${path ?? "not found"}`);
    if (path) {
      events.follow(path, resumed ? { since: options.startTime } : {});
      events.drain();
    }
  }
  const exitCode = interrupted ? 128 + signalNumber(interrupted) : exitCodeOf({ code, signal, error });
  if (error) process.stderr.write(`claudia: could not start Claude Code: ${error.message}\n`);
  await run.finish(exitCode, error ? `could not start Claude Code: ${error.message}` : undefined);
  log.debug(
    `trace finished at +${Date.now() - options.startTime} ms; peak RSS ${Math.round(process.resourceUsage().maxRSS / 1024)} MB`,
  );
  // Signal handlers stay until claudia exits, so a second Ctrl+C during the final flush still exits at once.
  return exitCode;
}

/** How long Claude Code gets to stop after a signal before it is killed. */
function killAfterMs(env: NodeJS.ProcessEnv): number {
  const ms = Number(env.CLAUDIA_KILL_AFTER_MS);
  return Number.isFinite(ms) && ms > 0 ? ms : 10000;
}
