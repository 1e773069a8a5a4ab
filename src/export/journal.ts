/**
 * The local journal: every run's spans on disk, in the OpenTelemetry file-exporter format
 * (OTLP/JSON, one export request per line: what the Collector's `otlpjsonfile` receiver reads),
 * with a small record of the run beside them.
 *
 *   $CLAUDIA_HOME | $XDG_DATA_HOME/claudia | ~/.local/share/claudia
 *     journal/YYYY-MM-DD/<start>-<traceId>.jsonl     the spans
 *     journal/YYYY-MM-DD/<start>-<traceId>.run.json  the run's summary and, per backend, whether it was delivered
 *
 * Each run writes only its own files, so any number of runs can share a journal. Folders are
 * 0700 and files 0600, and no symbolic link is followed when writing (see private-fs.ts).
 */
import { homedir } from "node:os";
import { dirname, isAbsolute, join } from "node:path";
import { type ExportResult, ExportResultCode } from "@opentelemetry/core";
import { JsonTraceSerializer } from "@opentelemetry/otlp-transformer";
import type { ReadableSpan, SpanExporter } from "@opentelemetry/sdk-trace";
import { listWaiting, unlistRun, waitsForDelivery } from "./journal-outbox.ts";
import { appendPrivate, createPrivate, privateDir, replacePrivate } from "./private-fs.ts";

/** One backend's delivery of a run. */
export interface Delivery {
  /** Where it went (URL, secrets never included). */
  endpoint: string;
  delivered: boolean;
  spans: number;
  at: string;
  error?: string;
  /**
   * The backend refused the run's data itself (400, or 413 for a span too large even alone):
   * sending it again changes nothing, so only `claudia traces push` tries it again.
   */
  refused?: boolean;
}

/** What `claudia traces` lists: the run's summary, and its deliveries. */
export interface RunRecord {
  traceId: string;
  startTime: number;
  endTime: number;
  durationMs: number;
  status: "ok" | "error";
  errorType?: string;
  /** The prompt's first line, cut (absent when content capture is off). */
  prompt?: string;
  model?: string;
  numTurns?: number;
  toolCalls: number;
  inputTokens: number;
  outputTokens: number;
  costUsd?: number;
  sessionId?: string;
  exitCode?: number;
  spans: number;
  deliveries: Record<string, Delivery>;
  /**
   * An imported session (`claudia traces import`): its transcript's size when imported. A larger one
   * has been continued since, and is imported again.
   */
  transcriptBytes?: number;
}

export function claudiaHome(env: NodeJS.ProcessEnv = process.env): string {
  if (env.CLAUDIA_HOME) return env.CLAUDIA_HOME;
  // A relative XDG path is invalid and ignored (XDG Base Directory spec), never the working tree.
  const data = env.XDG_DATA_HOME && isAbsolute(env.XDG_DATA_HOME) ? env.XDG_DATA_HOME : undefined;
  return join(data ?? join(homedir(), ".local", "share"), "claudia");
}

export function journalDir(env: NodeJS.ProcessEnv = process.env): string {
  return join(claudiaHome(env), "journal");
}

export function journalEnabled(env: NodeJS.ProcessEnv = process.env): boolean {
  const value = env.CLAUDIA_JOURNAL?.trim().toLowerCase();
  return !(value === "off" || value === "0" || value === "false" || value === "no");
}

const stamp = (time: number) =>
  new Date(time)
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d+Z$/, "Z");

/** The two files of one run. */
export function runFiles(dir: string, startTime: number, traceId: string): { spans: string; record: string } {
  const day = join(dir, new Date(startTime).toISOString().slice(0, 10));
  const base = join(day, `${stamp(startTime)}-${traceId}`);
  return { spans: `${base}.jsonl`, record: `${base}.run.json` };
}

/** Write a run's record atomically (a reader never sees half a file), private, through no symbolic link. */
export function writeRecord(path: string, record: RunRecord): void {
  // The outbox lists a waiting run before its record says so, and once more after (a claudia writing
  // the same record may have unlisted it meanwhile); it unlists one that no longer waits after.
  const waits = waitsForDelivery(record);
  if (waits) listWaiting(path);
  replacePrivate(path, `${JSON.stringify(record, null, 2)}\n`);
  if (waits) listWaiting(path);
  else unlistRun(path);
}

/**
 * A span exporter that appends each batch to the run's journal file as one OTLP/JSON line.
 * A failure to write is reported once and never thrown: the run goes on.
 */
export class JournalExporter implements SpanExporter {
  /** Spans written, and spans given to it (more when a write failed). */
  spans = 0;
  offered = 0;
  error: string | undefined;
  private ready = false;

  constructor(
    readonly path: string,
    private readonly onError: (message: string) => void,
  ) {}

  export(spans: ReadableSpan[], done: (result: ExportResult) => void): void {
    this.offered += spans.length;
    try {
      const line = Buffer.from(JsonTraceSerializer.serializeRequest(spans) as Uint8Array);
      const data = Buffer.concat([line, Buffer.from("\n")]);
      if (this.ready) appendPrivate(this.path, data);
      else {
        // The journal and day folders private; the file new (never an existing file or link at its name).
        privateDir(dirname(dirname(this.path)));
        privateDir(dirname(this.path));
        createPrivate(this.path, data);
        this.ready = true;
      }
      this.spans += spans.length;
      done({ code: ExportResultCode.SUCCESS });
    } catch (error) {
      if (!this.error) {
        this.error = error instanceof Error ? error.message : String(error);
        this.onError(`could not write the trace journal (${this.error}); the run goes on`);
      }
      done({ code: ExportResultCode.FAILED, error: error as Error });
    }
  }

  async shutdown(): Promise<void> {}
  async forceFlush(): Promise<void> {}
}
