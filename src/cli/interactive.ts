/**
 * An interactive session: the real Claude Code terminal UI on the user's terminal, untouched
 * (stdio inherited; keys, resizes and Ctrl+C go straight to it), traced one prompt at a time.
 *
 * claudia's http hooks (merged into the user's `--settings`) say when each prompt starts and
 * ends; the session transcript says what happened. Each prompt is its own trace
 * (`invoke_agent claude-code`, sharing `gen_ai.conversation.id`), exported as soon as its turn
 * ends. Nothing is printed while the UI runs: warnings wait, the summary comes after it exits.
 */
import { spawn } from "node:child_process";
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
import type { Log } from "./log.ts";

export interface InteractiveOptions extends HeadlessOptions {
  debug: boolean;
  quiet: boolean;
}

export const INTERACTIVE_HOOKS = ["UserPromptSubmit", "Stop", "StopFailure", "SessionEnd"];
const FORWARDED: NodeJS.Signals[] = ["SIGTERM", "SIGHUP"];

export async function runInteractive(options: InteractiveOptions): Promise<number> {
  const { split, env } = options;
  // Messages wait until the UI has given the terminal back.
  const held: string[] = [];
  const quietLog: Log = {
    warn: (m) => held.push(`claudia: ${m}`),
    debug: (m) => {
      if (options.debug) held.push(`[claudia] ${m}`);
    },
    progress: () => {},
  };
  const finishing: Promise<RunSummary | undefined>[] = [];
  const tracing = import("../pipeline/traced-run.ts");
  let resend = true;

  // Each prompt is a run of its own: its events come from the hooks and the session's transcript,
  // which `Interactions` follows and routes to the open prompt (so the input follows nothing itself).
  const systemInstructions = systemPromptOfArgs(split.systemPrompts, process.cwd(), quietLog.warn);
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
          requestModel: split.model,
          resumed: false,
          log: quietLog,
          resend: first,
          exactCalls: claudeEvents !== undefined,
          // A turn's last calls are accounted for up to one export interval after it ends.
          exactWaitMs: 1000,
          systemInstructions,
        },
        input,
      ),
    );
    run.catch((e: unknown) => quietLog.warn(`could not trace prompt ${start.index}: ${String(e)}`));
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
  const interactions = new Interactions(open);
  // Claude Code's own per-request accounting; `/clear` starts another session in the same UI.
  const { startClaudeEvents } = await import("../sources/claude-events-server.ts");
  const claudeEvents = await startClaudeEvents(options.claudeEnv ?? env, interactions.event, quietLog, false);
  const hooks = await startHookServer((input) => {
    quietLog.debug(`hook ${input.hook_event_name ?? "?"} session=${input.session_id ?? "?"}`);
    interactions.hook(input);
  });

  const args = withHooks(split.claudeArgs, claudiaHooks(hooks, INTERACTIVE_HOOKS)) ?? split.claudeArgs;
  if (args === split.claudeArgs) quietLog.warn("your --settings could not be read; this session is not traced");
  const claudeEnv = options.claudeEnv ?? env;
  const child = spawn(options.claudePath, args, { env: { ...claudeEnv, ...claudeEvents?.env }, stdio: "inherit" });
  // Ctrl+C is a key for the UI, not a signal; a SIGINT sent to the whole group is Claude Code's to handle.
  const ignore = () => {};
  const forward = (signal: NodeJS.Signals) => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
  };
  process.on("SIGINT", ignore);
  for (const signal of FORWARDED) process.on(signal, forward);

  const exit = await waitForExit(child);
  hooks.close();
  await claudeEvents?.close();
  interactions.close();
  const summaries = (await Promise.all(finishing)).filter((s): s is RunSummary => s !== undefined);
  for (const line of held) process.stderr.write(`${line}\n`);
  if (exit.error) process.stderr.write(`claudia: could not start Claude Code: ${exit.error.message}\n`);
  else if (!options.quiet && summaries.length > 0) process.stderr.write(`${sessionSummaryLine(summaries)}\n`);
  return exitCodeOf(exit);
}
