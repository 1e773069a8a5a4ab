/**
 * Follows a session transcript and its subagents' transcripts while Claude Code writes them,
 * feeding each complete line to a `TranscriptParser`. It polls (Claude Code appends in bursts;
 * a poll every 100 ms costs next to nothing) and reads only the bytes added since the last read.
 */
import { closeSync, openSync, readdirSync, readFileSync, readSync, statSync } from "node:fs";
import { basename, join } from "node:path";
import { StringDecoder } from "node:string_decoder";
import type { RunEvent } from "../events.ts";
import { TranscriptParser } from "./transcript.ts";
import { inWindow, type TranscriptWindow } from "./window.ts";

interface FollowedFile {
  path: string;
  offset: number;
  rest: string;
  decoder: StringDecoder;
  parser: TranscriptParser;
}

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
  private timer: NodeJS.Timeout | undefined;

  /**
   * Only the run's part of the transcripts is turned into events (`window`, see window.ts):
   * entries stamped before it are skipped wherever they are, and so are subagents that started
   * before it.
   */
  constructor(
    mainPath: string,
    emit: (event: RunEvent) => void,
    private readonly window: TranscriptWindow = {},
  ) {
    this.emit = (event) => {
      if (event.kind === "tool.start") this.toolCalls.add(event.id);
      emit(event);
    };
    this.subagentsDir = join(mainPath.replace(/\.jsonl$/, ""), "subagents");
    const main = followed(mainPath, new TranscriptParser(null, this.emit, window.since));
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

  /** Start polling every `intervalMs`. */
  start(intervalMs = 100): void {
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
  }

  /** Stop polling, read what is left, and close every parser. */
  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.poll(true);
    for (const file of this.files) {
      if (file.rest.trim() !== "") file.parser.line(file.rest);
      file.rest = "";
      file.parser.end();
      const agentId = agentIdOf(file.path);
      if (agentId) this.emit({ kind: "subagent.end", agentId, time: file.parser.latest });
    }
  }

  private discoverSubagents(final: boolean): void {
    let names: string[];
    try {
      names = readdirSync(this.subagentsDir);
    } catch {
      return;
    }
    for (const name of names.sort()) {
      if (!name.endsWith(".jsonl")) continue;
      const path = join(this.subagentsDir, name);
      if (this.known.has(path)) continue;
      const agentId = agentIdOf(path);
      if (!agentId) continue;
      const started = firstTimestamp(path);
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
      const parser = new TranscriptParser(agentId, this.emit, this.window.since);
      this.emit({
        kind: "subagent.start",
        agentId,
        agentType: meta?.agentType ?? "subagent",
        parentToolUseId: meta?.toolUseId ?? null,
        description: meta?.description ?? "",
        background: meta?.requestShape === "background",
        time: started ?? Date.now(),
      });
      this.files.push(followed(path, parser));
    }
  }

  private read(file: FollowedFile): void {
    let size: number;
    try {
      size = statSync(file.path).size;
    } catch {
      return;
    }
    if (size <= file.offset) return;
    const fd = openSync(file.path, "r");
    try {
      const buffer = Buffer.allocUnsafe(Math.min(size - file.offset, 8 * 1024 * 1024));
      while (file.offset < size) {
        const n = readSync(fd, buffer, 0, Math.min(buffer.length, size - file.offset), file.offset);
        if (n <= 0) break;
        file.offset += n;
        const text = file.rest + file.decoder.write(buffer.subarray(0, n));
        const lines = text.split("\n");
        file.rest = lines.pop() ?? "";
        for (const line of lines) file.parser.line(line);
      }
    } finally {
      closeSync(fd);
    }
  }
}

function followed(path: string, parser: TranscriptParser): FollowedFile {
  return { path, offset: 0, rest: "", decoder: new StringDecoder("utf8"), parser };
}

function agentIdOf(path: string): string | undefined {
  return /^agent-(.+)\.jsonl$/.exec(basename(path))?.[1];
}

function readMeta(path: string): SubagentMeta | undefined {
  try {
    return JSON.parse(readFileSync(path.replace(/\.jsonl$/, ".meta.json"), "utf8")) as SubagentMeta;
  } catch {
    return undefined;
  }
}

function firstTimestamp(path: string): number | undefined {
  try {
    const fd = openSync(path, "r");
    try {
      const buffer = Buffer.alloc(4096);
      const n = readSync(fd, buffer, 0, buffer.length, 0);
      const match = /"timestamp":"([^"]+)"/.exec(buffer.toString("utf8", 0, n));
      return match?.[1] ? Date.parse(match[1]) : undefined;
    } finally {
      closeSync(fd);
    }
  } catch {
    return undefined;
  }
}
