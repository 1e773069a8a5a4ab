/**
 * Claude Code's `result` message (from the Agent SDK, or printed by `claude -p` with
 * `--output-format json|stream-json`) as a run event; and its printed `system/init` message
 * (stream-json), for the session's tools.
 */
import type { ResultEvent, RunEvent, SessionEvent } from "../events.ts";
import { modelTotalsOf } from "./transcript.ts";

type Json = Record<string, unknown>;

const num = (v: unknown): number | undefined => (typeof v === "number" && Number.isFinite(v) ? v : undefined);
const str = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined);

export function isResultMessage(value: unknown): value is Json & { type: "result" } {
  return typeof value === "object" && value !== null && (value as Json).type === "result";
}

export function resultEventOf(message: Json, time = Date.now()): ResultEvent {
  const denials = message.permission_denials;
  return {
    kind: "result",
    source: "result",
    time,
    sessionId: str(message.session_id),
    subtype: str(message.subtype),
    isError: typeof message.is_error === "boolean" ? message.is_error : undefined,
    resultText: str(message.result),
    errors: Array.isArray(message.errors) ? message.errors.map(String) : undefined,
    numTurns: num(message.num_turns),
    durationApiMs: num(message.duration_api_ms),
    totalCostUsd: num(message.total_cost_usd),
    terminalReason: str(message.terminal_reason),
    apiErrorStatus: num(message.api_error_status) ?? null,
    permissionDenials: Array.isArray(denials) ? denials.length : undefined,
    stopReason: str(message.stop_reason) ?? null,
    models: modelTotalsOf(message.modelUsage),
  };
}

/** A printed `system/init` message as a session event, when it is one. */
export function initEventOf(message: Json, time = Date.now()): SessionEvent | undefined {
  if (message.type !== "system" || message.subtype !== "init" || typeof message.session_id !== "string") return;
  const tools = Array.isArray(message.tools)
    ? message.tools.filter((t): t is string => typeof t === "string")
    : undefined;
  return {
    kind: "session",
    time,
    sessionId: message.session_id,
    model: str(message.model),
    claudeCodeVersion: str(message.claude_code_version),
    tools,
  };
}

/**
 * Picks result messages (and the `system/init` message) out of what `claude -p` prints, line by
 * line, without parsing lines that cannot be one (most stream-json lines are not). `json` output
 * with `--verbose` prints every message as one JSON array, on one line. A line's pieces are kept
 * apart until it ends, so each byte is looked at once however long the line is.
 */
export class PrintedResults {
  private pieces: string[] = [];
  constructor(private readonly onResult: (event: RunEvent) => void) {}

  write(chunk: string): void {
    let start = 0;
    for (let end = chunk.indexOf("\n"); end >= 0; end = chunk.indexOf("\n", start)) {
      this.pieces.push(chunk.slice(start, end));
      this.line(this.pieces.join(""));
      this.pieces = [];
      start = end + 1;
    }
    if (start < chunk.length) this.pieces.push(chunk.slice(start));
  }

  end(): void {
    if (this.pieces.length > 0) this.line(this.pieces.join(""));
    this.pieces = [];
  }

  private line(line: string): void {
    const init = line.includes('"subtype":"init"');
    if (!init && !line.includes('"type":"result"')) return;
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch {
      // Not JSON: the text format, or a partial line. Nothing to record.
      return;
    }
    for (const message of Array.isArray(parsed) ? parsed : [parsed]) this.message(message);
  }

  private message(message: unknown): void {
    if (isResultMessage(message)) this.onResult(resultEventOf(message));
    else if (typeof message === "object" && message !== null) {
      const session = initEventOf(message as Json);
      if (session) this.onResult(session);
    }
  }
}
