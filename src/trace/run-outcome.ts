/**
 * What a run amounted to, from what Claude Code reported: totals, cost, turns, and whether (and
 * why) it failed. Pure: no spans, no clock.
 */
import { emptyUsage, type ModelTotals, type ResultEvent, type TokenUsage } from "../events.ts";

export interface RunFacts {
  /** Every `result` message of the run, in order (background tasks can add more than one). */
  results: ResultEvent[];
  /** The session's saved totals, when no result message was seen (text output). */
  costState?: ResultEvent;
  /** The sum of the model calls seen, for when Claude Code reported no totals at all. */
  chatUsage: TokenUsage;
  /** The main agent's model calls in the transcript (its turns, whatever the output format showed). */
  mainCalls?: number;
  /**
   * The run resumed an earlier session: Claude Code's totals then include the earlier runs, so the
   * run's own are the calls seen.
   */
  resumed?: boolean;
  interrupted?: { signal: string };
  /** The transcript says Claude Code stopped at `--max-turns` (what a result message would say, when none was seen). */
  maxTurns?: { maxTurns?: number; turnCount?: number };
  apiError?: { message: string; status?: number };
  exitCode?: number | null;
  /** claudia's own reason the run failed (e.g. Claude Code could not start). */
  error?: string;
}

export interface RunOutcome {
  usage: TokenUsage;
  costUsd?: number;
  models?: Record<string, ModelTotals>;
  numTurns?: number;
  permissionDenials?: number;
  durationApiMs?: number;
  /** The result that describes the run: the first failed one, else the last. */
  shown?: ResultEvent;
  apiErrorStatus?: number;
  errorType?: string;
  /** Unredacted: the caller redacts and cuts it. */
  errorMessage?: string;
}

export function sumModels(models: Record<string, ModelTotals>): TokenUsage {
  const total = emptyUsage();
  for (const m of Object.values(models)) addUsage(total, m.usage);
  return total;
}

export function addUsage(into: TokenUsage, add: TokenUsage): void {
  into.input += add.input;
  into.output += add.output;
  into.cacheRead += add.cacheRead;
  into.cacheCreation += add.cacheCreation;
}

/**
 * The saved cost state, when it accounts for at least every call seen. Less is an earlier run's:
 * the session went on after it was saved (a transcript read while still open), or the run that
 * saved it had not carried the earlier runs' totals over.
 */
function savedTotals(f: Pick<RunFacts, "costState" | "chatUsage">): ResultEvent | undefined {
  const models = f.costState?.models;
  if (!models) return undefined;
  const saved = sumModels(models);
  const seen = f.chatUsage;
  const covers =
    saved.input >= seen.input &&
    saved.output >= seen.output &&
    saved.cacheRead >= seen.cacheRead &&
    saved.cacheCreation >= seen.cacheCreation;
  return covers ? f.costState : undefined;
}

/**
 * Claude Code's own totals for the run, by model, when they are the run's alone: the last result's
 * cumulative `modelUsage`, else the saved cost state that covers the calls seen; none for a
 * resumed session (its totals include the earlier runs).
 */
export function ownTotals(
  f: Pick<RunFacts, "results" | "costState" | "chatUsage" | "resumed">,
): ResultEvent | undefined {
  if (f.resumed) return undefined;
  const last = f.results.at(-1);
  return last?.models ? last : savedTotals(f);
}

/**
 * Totals are Claude Code's own (`ownTotals`), else the calls seen; turns and permission denials
 * add up over results.
 */
export function runOutcome(f: RunFacts): RunOutcome {
  const last = f.results.at(-1);
  const saved = f.resumed ? undefined : savedTotals(f);
  const totals = ownTotals(f);
  const models = totals?.models;
  const failed = f.results.find((r) => r.isError || (r.subtype !== undefined && r.subtype !== "success"));
  const shown = failed ?? last;
  const outcome: RunOutcome = {
    usage: models ? sumModels(models) : { ...f.chatUsage },
    costUsd: f.resumed ? undefined : (last?.totalCostUsd ?? saved?.totalCostUsd),
    models,
    durationApiMs: f.resumed ? undefined : (last?.durationApiMs ?? saved?.durationApiMs),
    shown,
  };
  if (f.results.length > 0) {
    outcome.numTurns = f.results.reduce((n, r) => n + (r.numTurns ?? 0), 0);
    outcome.permissionDenials = f.results.reduce((n, r) => n + (r.permissionDenials ?? 0), 0);
  }
  // Each result counts its own turns and `json` output prints only the last one: the transcript's
  // main-agent calls make the count the same whatever the format showed.
  if (f.mainCalls) outcome.numTurns = Math.max(outcome.numTurns ?? 0, f.mainCalls);
  if (f.maxTurns?.turnCount) outcome.numTurns = Math.max(outcome.numTurns ?? 0, f.maxTurns.turnCount);
  const status = shown?.apiErrorStatus ?? f.apiError?.status;
  if (typeof status === "number") outcome.apiErrorStatus = status;

  if (f.interrupted) {
    outcome.errorType = "interrupted";
    outcome.errorMessage = `interrupted by ${f.interrupted.signal}`;
  } else if (failed) {
    outcome.errorType = failed.terminalReason ?? failed.subtype ?? "agent_error";
    outcome.errorMessage = failed.resultText ?? failed.errors?.join("; ");
  } else if (f.maxTurns) {
    // As the live run's result says it (`terminal_reason`, and the message of its `errors`).
    outcome.errorType = "max_turns";
    outcome.errorMessage = `Reached maximum number of turns (${f.maxTurns.maxTurns ?? "?"})`;
  } else if (f.error) {
    outcome.errorType = "run_error";
    outcome.errorMessage = f.error;
  } else if (f.apiError) {
    outcome.errorType = "api_error";
    outcome.errorMessage = f.apiError.message;
  } else if (typeof f.exitCode === "number" && f.exitCode !== 0) {
    outcome.errorType = `exit_code_${f.exitCode}`;
    outcome.errorMessage = `Claude Code exited with code ${f.exitCode}`;
  }
  return outcome;
}
