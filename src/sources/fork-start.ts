/**
 * Where a forked session's own part of its transcript begins, for a transcript read after the fact
 * (`claudia traces import`), when no run's start time is known. Pure: lines in, a time out.
 *
 * A fork's file (`--resume S --fork-session`, `/branch`) starts with copies of S's entries: under
 * the fork's session id, but with their original times and message ids. The fork's own entries are
 * all stamped later. Claude Code marks some of the copies: a copied model answer names the session
 * that made it (`requestSessionId`), and a branch's copies name their origin (`forkedFrom`). The
 * others (prompts, tool results, attachments of the history) are not marked, so the start is:
 * - the file's first stamped entry, when it is later than every marked copy: a headless or SDK fork
 *   writes its queued prompt before the copies (exact);
 * - else the first prompt after the last marked copy and stamped after it: the fork's own first
 *   prompt (an unanswered prompt at the very end of the history would be taken for it).
 */

type Json = Record<string, unknown>;

const timeOf = (entry: Json): number | undefined => {
  const t = typeof entry.timestamp === "string" ? Date.parse(entry.timestamp) : Number.NaN;
  return Number.isNaN(t) ? undefined : t;
};

/** An entry Claude Code marked as copied from another session. */
function isMarkedCopy(entry: Json): boolean {
  if (entry.forkedFrom && typeof entry.forkedFrom === "object") return true;
  return (
    entry.type === "assistant" &&
    typeof entry.requestSessionId === "string" &&
    entry.requestSessionId !== entry.sessionId
  );
}

/** A prompt the user typed (not a tool's result, a summary or Claude Code's own note). */
function isPrompt(entry: Json): boolean {
  if (entry.type !== "user" || entry.isMeta === true || entry.isCompactSummary === true) return false;
  const content = ((entry.message ?? {}) as Json).content;
  if (typeof content === "string") return content.trim() !== "";
  return Array.isArray(content) && content.some((b: Json) => b?.type === "text");
}

export class ForkStart {
  private firstTime: number | undefined;
  /** The latest time of a marked copy. */
  private lastCopy: number | undefined;
  /** The first prompt after the last marked copy, stamped after it. */
  private ownPrompt: number | undefined;

  line(text: string): void {
    // Only the lines that can matter are parsed: a transcript can be large.
    const marked = text.includes('"requestSessionId"') || text.includes('"forkedFrom"');
    const seeking = this.lastCopy !== undefined && this.ownPrompt === undefined && text.includes('"type":"user"');
    if (this.firstTime !== undefined && !marked && !seeking) return;
    let entry: Json;
    try {
      entry = JSON.parse(text) as Json;
    } catch {
      return;
    }
    const at = entry && typeof entry === "object" ? timeOf(entry) : undefined;
    if (at === undefined) return;
    this.firstTime ??= at;
    if (isMarkedCopy(entry)) {
      this.lastCopy = Math.max(this.lastCopy ?? at, at);
      this.ownPrompt = undefined;
    } else if (this.lastCopy !== undefined && this.ownPrompt === undefined && at > this.lastCopy && isPrompt(entry)) {
      this.ownPrompt = at;
    }
  }

  /** The time of the transcript's first stamped entry. */
  get first(): number | undefined {
    return this.firstTime;
  }

  /** Entries stamped before this are copies, not the session's own; undefined when it is no fork. */
  get since(): number | undefined {
    if (this.lastCopy === undefined) return undefined;
    if (this.firstTime !== undefined && this.firstTime > this.lastCopy) return this.firstTime;
    // No prompt of its own (yet): nothing the history holds is the fork's.
    return this.ownPrompt ?? this.lastCopy + 1;
  }
}
