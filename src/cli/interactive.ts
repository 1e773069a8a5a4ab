/**
 * An interactive session: the real Claude Code terminal UI on the user's terminal, untouched
 * (stdio inherited; keys, resizes and Ctrl+C go straight to it), traced one prompt at a time.
 *
 * claudia's http hooks (merged into the user's `--settings`) say when each prompt starts and
 * ends; the session transcript says what happened. Each prompt is its own trace
 * (`invoke_agent claude-code`, sharing `gen_ai.conversation.id`), exported as soon as its turn
 * ends. Nothing is printed while the UI runs: warnings wait, the summary comes after it exits.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { RunInput } from "../pipeline/run-input.ts";
import { startHookServer } from "../sources/hook-server.ts";
import { type InteractionSink, type InteractionStart, Interactions } from "../sources/interactions.ts";
import { claudiaHooks, withHooks } from "../sources/settings.ts";
import { systemPromptOfArgs } from "../sources/system-prompt.ts";
import type { RunSummary } from "../trace/builder.ts";
import { randomRootIds } from "../trace/ids.ts";
import { exitCodeOf, waitForExit } from "./child-exit.ts";
import { sessionSummaryLine } from "./console.ts";
import type { HeadlessOptions } from "./headless.ts";
import { type Log, stderrLine } from "./log.ts";
import { resumeHintEnv } from "./resume-hint.ts";

export interface InteractiveOptions extends HeadlessOptions {
  debug: boolean;
  quiet: boolean;
}

export const INTERACTIVE_HOOKS = ["UserPromptSubmit", "Stop", "StopFailure", "SessionEnd", "PreCompact", "PostCompact"];
const FORWARDED: NodeJS.Signals[] = ["SIGTERM", "SIGHUP"];

export async function runInteractive(options: InteractiveOptions): Promise<number> {
  const { split, env } = options;
  const { log: quietLog, held } = heldLog(options.debug);
  let exactCalls = false;
  const prompts = promptTracer(options, quietLog, () => exactCalls);
  const interactions = new Interactions(prompts.open);
  // Claude Code's own per-request accounting, for the sessions the hooks name (`/clear` starts another).
  const { startClaudeEvents } = await import("../sources/claude-events-server.ts");
  const claudeEvents = await startClaudeEvents(
    options.claudeEnv ?? env,
    interactions.event,
    quietLog,
    interactions.knows,
  );
  exactCalls = claudeEvents !== undefined;
  const hooks = await startHookServer((input) => {
    quietLog.debug(`hook ${input.hook_event_name ?? "?"} session=${input.session_id ?? "?"}`);
    interactions.hook(input);
  });

  const args = withHooks(split.claudeArgs, claudiaHooks(hooks, INTERACTIVE_HOOKS)) ?? split.claudeArgs;
  if (args === split.claudeArgs) quietLog.warn("your --settings could not be read; this session is not traced");
  const claudeEnv = options.claudeEnv ?? env;
  // The resume line Claude Code prints at exit names the user's options, not claudia's settings file.
  const hint = resumeHintEnv(options.claudePath, split.claudeArgs, claudeEnv);
  const child = spawn(options.claudePath, args, {
    env: { ...claudeEnv, ...claudeEvents?.env, ...hint },
    stdio: "inherit",
  });
  leaveSignalsToTheUi(child);

  const exit = await waitForExit(child);
  hooks.close();
  await claudeEvents?.close();
  interactions.close();
  const summaries = await prompts.finished();
  for (const line of held) stderrLine(line);
  if (exit.error) stderrLine(`claudia: could not start Claude Code: ${exit.error.message}`);
  else if (!options.quiet && summaries.length > 0) stderrLine(sessionSummaryLine(summaries));
  return exitCodeOf(exit);
}

/** A log whose messages wait until the UI has given the terminal back. */
function heldLog(debug: boolean): { log: Log; held: string[] } {
  const held: string[] = [];
  const log: Log = {
    warn: (m) => held.push(`claudia: ${m}`),
    debug: (m) => {
      if (debug) held.push(`[claudia] ${m}`);
    },
    progress: () => {},
  };
  return { log, held };
}

/**
 * Each prompt is a run of its own: its events come from the hooks and the session's transcript,
 * which `Interactions` follows and routes to the open prompt (so the input follows nothing itself).
 */
function promptTracer(
  options: InteractiveOptions,
  log: Log,
  exactCalls: () => boolean,
): { open: (start: InteractionStart) => InteractionSink; finished: () => Promise<RunSummary[]> } {
  const { split, env } = options;
  const finishing: Promise<RunSummary | undefined>[] = [];
  const tracing = import("../pipeline/traced-run.ts");
  const systemInstructions = systemPromptOfArgs(split.systemPrompts, process.cwd(), log.warn);
  let resend = true;
  const open = (start: InteractionStart): InteractionSink => {
    const input = new RunInput({});
    const first = resend;
    resend = false;
    const run = tracing.then(({ startTracedRun }) =>
      startTracedRun(
        {
          ids: randomRootIds(),
          env,
          config: options.config,
          startTime: start.time,
          // `/model` switches models between prompts: a prompt's model is the one its calls asked for.
          requestModel: undefined,
          resumed: false,
          log,
          resend: first,
          // The session goes on after this prompt: so may the re-send of earlier runs.
          resendOutlivesRun: true,
          exactCalls: exactCalls(),
          // A turn's last calls are accounted for up to one export interval after it ends.
          exactWaitMs: 1000,
          systemInstructions,
        },
        input,
      ),
    );
    run.catch((e: unknown) => log.warn(`could not trace prompt ${start.index}: ${String(e)}`));
    return {
      emit: input.emit,
      end: (outcome) => {
        const done = run.then(async (trace) => {
          if (!outcome.completed) trace.interrupt(outcome.reason ?? "session_end");
          return trace.finish({ endTime: outcome.time });
        });
        finishing.push(done.catch(() => undefined));
      },
    };
  };
  const finished = async () => (await Promise.all(finishing)).filter((s): s is RunSummary => s !== undefined);
  return { open, finished };
}

/** Ctrl+C is a key for the UI, not a signal; a SIGINT sent to the whole group is Claude Code's to handle. */
function leaveSignalsToTheUi(child: ChildProcess): void {
  const forward = (signal: NodeJS.Signals) => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
  };
  process.on("SIGINT", () => {});
  for (const signal of FORWARDED) process.on(signal, forward);
}
