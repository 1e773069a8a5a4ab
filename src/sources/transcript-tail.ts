/**
 * Follows a session transcript and its subagents' transcripts while Claude Code writes them,
 * feeding each complete line to a `TranscriptParser`. It polls (Claude Code appends in bursts;
 * a poll every 100 ms costs next to nothing) and reads only the bytes added since the last read.
 *
 * The subagents' files are found by listing a folder, which for `traces import` can hold anything:
 * only regular files are read, never through a symbolic link (see transcript-file.ts).
 */
import { closeSync, lstatSync, readdirSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { openRegularFile, readRegularFile } from "../config/read-file.ts";
import type { RunEvent } from "../events.ts";
import { TranscriptParser } from "./transcript.ts";
import { firstTimestamp, MAX_LINE_CHARS, TranscriptLines } from "./transcript-file.ts";
import { inWindow, type TranscriptWindow } from "./window.ts";

interface FollowedFile {
  path: string;
  lines: TranscriptLines;
  parser: TranscriptParser;
  /** The main transcript is the path the caller chose; a subagent's is not read through a link. */
  followLinks: boolean;
  /** It could not be read (not a regular file, …): warned about once, then left alone. */
  skipped?: boolean;
}

/** A subagent's meta file is a few hundred bytes; anything larger is not Claude Code's. */
const MAX_META_BYTES = 64 * 1024;

interface SubagentMeta {
  agentType?: string;
  toolUseId?: string;
  description?: string;
  requestShape?: string;
}

export class TranscriptTail {
  private readonly files: FollowedFile[] = [];
  private readonly subagentsDir: string;
  private readonly known = new Set<string>();
  /** Tool calls seen so far: a subagent is followed once the call that started it is. */
  private readonly toolCalls = new Set<string>();
  private readonly emit: (event: RunEvent) => void;
  /** The subagents' folder is reached through a link: said once, never read. */
  private linkSkipped = false;
  private timer: NodeJS.Timeout | undefined;
  private intervalMs = 0;
  /** Requests Claude Code accounted for, to end their calls once the lines written by then are read. */
  private readonly accounted: { agentId: string | null; requestId: string; at: number }[] = [];

  /**
   * Only the run's part of the transcripts is turned into events (`window`, see window.ts):
   * entries stamped before it are skipped wherever they are, and so are subagents that started
   * before it. A file that cannot be read (not a regular file, …) is one `warn` and is skipped.
   */
  constructor(
    mainPath: string,
    emit: (event: RunEvent) => void,
    private readonly window: TranscriptWindow = {},
    private readonly warn: (message: string) => void = () => {},
  ) {
    this.emit = (event) => {
      if (event.kind === "tool.start") this.toolCalls.add(event.id);
      emit(event);
    };
    this.subagentsDir = join(mainPath.replace(/\.jsonl$/, ""), "subagents");
    const main = this.followed(mainPath, new TranscriptParser(null, this.emit, window), true);
    this.files.push(main);
    this.known.add(mainPath);
  }

  /** Read what is new; then the text of the main transcript's model call being assembled, if any. */
  pendingAnswer(): string | undefined {
    this.poll();
    return this.files[0]?.parser.pendingText;
  }

  /**
   * Read everything written so far and hand on the model calls still being assembled (the end of
   * a turn; only one subagent's, given its id), while going on following.
   */
  flush(agentId?: string): void {
    this.poll();
    for (const file of this.files) if (agentId === undefined || agentIdOf(file.path) === agentId) file.parser.end();
  }

  /**
   * Claude Code accounted for a request (its `api_request` event): the call being assembled for it
   * is complete. It is ended at the first poll a whole interval later, so that the transcript lines
   * Claude Code wrote before it accounted are read first. Until then, a reply ending in a tool call
   * would stay open for as long as that tool runs, when no other line follows it.
   */
  requestDone(agentId: string | null, requestId: string): void {
    this.accounted.push({ agentId, requestId, at: Date.now() });
  }

  /** An event from Claude Code's accounting: a request it accounted for ends its call (`requestDone`). */
  observe(event: RunEvent): void {
    if (event.kind === "api.request" && event.requestId) this.requestDone(event.agentId, event.requestId);
  }

  /** Start polling every `intervalMs`. */
  start(intervalMs = 100): void {
    this.intervalMs = intervalMs;
    this.poll();
    this.timer = setInterval(() => this.poll(), intervalMs);
    this.timer.unref();
  }

  /** Read everything that is there now, once. */
  poll(final = false): void {
    // The main transcript first: the Agent tool call a subagent belongs to is written there before
    // the subagent's own file appears, so its span exists by the time the subagent is discovered.
    for (const file of this.files) this.read(file);
    const known = this.files.length;
    this.discoverSubagents(final);
    for (const file of this.files.slice(known)) this.read(file);
    this.endAccounted();
  }

  private endAccounted(): void {
    const due = Date.now() - this.intervalMs;
    for (let next = this.accounted[0]; next && next.at <= due; next = this.accounted[0]) {
      this.accounted.shift();
      for (const file of this.files) file.parser.requestDone(next.agentId, next.requestId);
    }
  }

  /** Stop polling, read what is left, and close every parser. */
  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.poll(true);
    for (const file of this.files) {
      file.lines.end((line) => file.parser.line(line));
      file.parser.end();
      const agentId = agentIdOf(file.path);
      if (agentId) this.emit({ kind: "subagent.end", agentId, time: file.parser.latest });
    }
  }

  /**
   * The names in the subagents' folder. Not through a link (the session's folder or the subagents'
   * one), which could lead anywhere: that is one warning, and the session is read without them.
   */
  private subagentNames(): string[] {
    for (const dir of [dirname(this.subagentsDir), this.subagentsDir]) {
      let link: boolean;
      try {
        link = lstatSync(dir).isSymbolicLink();
      } catch {
        return [];
      }
      if (!link) continue;
      if (!this.linkSkipped) this.unreadable(this.subagentsDir, new Error("a symbolic link"));
      this.linkSkipped = true;
      return [];
    }
    try {
      return readdirSync(this.subagentsDir);
    } catch {
      return [];
    }
  }

  private discoverSubagents(final: boolean): void {
    for (const name of this.subagentNames().sort()) {
      if (!name.endsWith(".jsonl")) continue;
      const path = join(this.subagentsDir, name);
      if (this.known.has(path)) continue;
      const agentId = agentIdOf(path);
      if (!agentId) continue;
      let started: number | undefined;
      try {
        started = firstTimestamp(path, { followLinks: false });
      } catch (error) {
        // Removed since the listing: nothing to read.
        if ((error as NodeJS.ErrnoException).code === "ENOENT") continue;
        this.known.add(path);
        this.unreadable(path, error);
        continue;
      }
      if (started !== undefined && !inWindow(this.window, started)) {
        // An earlier run's subagent (a resumed session's history).
        this.known.add(path);
        continue;
      }
      const meta = readMeta(path);
      // The meta file names the tool call that started the subagent. Wait for it, and for that call
      // to be read (Claude Code can start a subagent before it writes the call to the transcript),
      // unless the run is over.
      if (!final && (!meta || (meta.toolUseId !== undefined && !this.toolCalls.has(meta.toolUseId)))) continue;
      this.known.add(path);
      const parser = new TranscriptParser(agentId, this.emit, this.window);
      this.emit({
        kind: "subagent.start",
        agentId,
        agentType: meta?.agentType ?? "subagent",
        parentToolUseId: meta?.toolUseId ?? null,
        description: meta?.description ?? "",
        background: meta?.requestShape === "background",
        time: started ?? Date.now(),
      });
      this.files.push(this.followed(path, parser, false));
    }
  }

  private read(file: FollowedFile): void {
    if (file.skipped) return;
    let opened: ReturnType<typeof openRegularFile>;
    try {
      opened = openRegularFile(file.path, { followLinks: file.followLinks });
    } catch (error) {
      // Not written yet (the main transcript of a run that is starting): read at the next poll.
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return;
      file.skipped = true;
      this.unreadable(file.path, error);
      return;
    }
    try {
      file.lines.read(opened.fd, opened.stat.size, (line) => file.parser.line(line));
    } finally {
      closeSync(opened.fd);
    }
  }

  private followed(path: string, parser: TranscriptParser, followLinks: boolean): FollowedFile {
    const tooLong = () => this.warn(`a line of ${path} is longer than ${MAX_LINE_CHARS / 1024 / 1024} MiB; skipped`);
    return { path, lines: new TranscriptLines(tooLong), parser, followLinks };
  }

  private unreadable(path: string, error: unknown): void {
    const reason = (error as NodeJS.ErrnoException).code ?? (error instanceof Error ? error.message : String(error));
    this.warn(`could not read ${path} (${reason}); skipped`);
  }
}

function agentIdOf(path: string): string | undefined {
  return /^agent-(.+)\.jsonl$/.exec(basename(path))?.[1];
}

/**
 * The subagent's meta file, or undefined when it is not there yet, not Claude Code's (not a regular
 * file, a link, too large: the subagent is then read without it) or not yet complete JSON.
 */
function readMeta(path: string): SubagentMeta | undefined {
  try {
    const meta = readRegularFile(path.replace(/\.jsonl$/, ".meta.json"), MAX_META_BYTES, { followLinks: false });
    return JSON.parse(meta.toString("utf8")) as SubagentMeta;
  } catch {
    return undefined;
  }
}
