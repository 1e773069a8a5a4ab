/**
 * One description of a traced run, given by the mode that runs it (headless, a prompt of the
 * terminal UI, the library): everything the pipeline needs to know that is not an event. Types only.
 */
import type { Context, TracerProvider } from "@opentelemetry/api";
import type { TelemetryConfig } from "../export/config.ts";
import type { RootIds } from "../trace/ids.ts";

/** Where a run's own messages go; the CLI prints them, the library hands them to `diag`. */
export interface RunLog {
  warn(message: string): void;
  debug(message: string): void;
  progress(line: string): void;
}

export interface RunDescription {
  /** The root span's ids, drawn before the SDK loads, and the incoming parent (W3C trace context). */
  ids: RootIds;
  /** The environment the run's settings come from: the process's, or the library's `options.env`. */
  env: NodeJS.ProcessEnv;
  config: TelemetryConfig;
  /** Claude Code's working directory (the checkout whose commit goes on the resource). */
  cwd?: string;
  /** When the run started (epoch ms): the root span starts here. */
  startTime: number;
  /** The model the user asked for, if any. */
  requestModel?: string;
  /** The run continues an earlier session: its totals are its own calls', not Claude Code's. */
  resumed: boolean;
  log: RunLog;
  /**
   * Claude Code's per-request accounting is being received (a second source): each model call
   * waits for its request's exact usage and price (see `TraceBuilderOptions.exactCalls`).
   */
  exactCalls?: boolean;
  /** At the end, how long to wait for the accounting of calls still waiting for it (ms). */
  exactWaitMs?: number;
  /** Re-send earlier undelivered runs in the background (once per process is enough). */
  resend: boolean;
  /**
   * The re-send goes on starting earlier runs after this run has ended (the terminal UI, whose
   * process outlives its prompts). Otherwise it starts none once the run's re-send wait is over, so
   * that a program's exit waits at most for a request already under way.
   */
  resendOutlivesRun?: boolean;
  /**
   * The caller's own provider (library): spans go there, and the caller exports them. Without it
   * the run has claudia's own exporters, from `config`, and its journal.
   */
  tracerProvider?: TracerProvider;
  /** The root's parent context, when it is richer than `ids.parent` (the library's active context). */
  parentContext?: Context;
  /** The system prompt texts the user gave (`--system-prompt`, `--append-system-prompt`, their files, `systemPrompt`). */
  systemInstructions?: string[];
}
