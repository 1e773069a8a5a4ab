/**
 * The local journal: every run's spans on disk, in the OpenTelemetry file-exporter format
 * (OTLP/JSON, one export request per line: what the Collector's `otlpjsonfile` receiver reads),
 * with a small record of the run beside them.
 *
 *   $CLAUDIA_HOME | $XDG_DATA_HOME/claudia | ~/.local/share/claudia
 *     journal/YYYY-MM-DD/<start>-<traceId>.jsonl     the spans
 *     journal/YYYY-MM-DD/<start>-<traceId>.run.json  the run's summary and, per backend, whether it was delivered
 *
 * Each run writes only its own files, so any number of runs can share a journal.
 */
import { appendFileSync, mkdirSync, renameSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { type ExportResult, ExportResultCode } from "@opentelemetry/core";
import { JsonTraceSerializer } from "@opentelemetry/otlp-transformer";
import type { ReadableSpan, SpanExporter } from "@opentelemetry/sdk-trace";

/** One backend's delivery of a run. */
export interface Delivery {
  /** Where it went (URL, secrets never included). */
  endpoint: string;
  delivered: boolean;
  spans: number;
  at: string;
  error?: string;
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
}

export function claudiaHome(env: NodeJS.ProcessEnv = process.env): string {
  if (env.CLAUDIA_HOME) return env.CLAUDIA_HOME;
  return join(env.XDG_DATA_HOME || join(homedir(), ".local", "share"), "claudia");
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

/** Write a run's record atomically (a reader never sees half a file). */
export function writeRecord(path: string, record: RunRecord): void {
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(record, null, 2)}\n`);
  renameSync(tmp, path);
}

/**
 * A span exporter that appends each batch to the run's journal file as one OTLP/JSON line.
 * A failure to write is reported once and never thrown: the run goes on.
 */
export class JournalExporter implements SpanExporter {
  spans = 0;
  error: string | undefined;
  private ready = false;

  constructor(
    readonly path: string,
    private readonly onError: (message: string) => void,
  ) {}

  export(spans: ReadableSpan[], done: (result: ExportResult) => void): void {
    try {
      if (!this.ready) {
        mkdirSync(join(this.path, ".."), { recursive: true });
        this.ready = true;
      }
      const line = Buffer.from(JsonTraceSerializer.serializeRequest(spans) as Uint8Array);
      appendFileSync(this.path, Buffer.concat([line, Buffer.from("\n")]));
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
