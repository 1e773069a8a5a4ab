/**
 * The journal as the viewer reads it: the runs (records only, through `listRuns`, so damaged files
 * are skipped as the CLI skips them), listed again only when the journal changed, and the
 * statistics computed once per change.
 *
 * A change is seen in the folders' modification times: the journal only ever creates, renames
 * (records are written atomically) and removes files, and each of those touches its day folder.
 * Runs still being written (spans, no record yet) are listed with the rest; their files' sizes are
 * checked on each call, so their spans show up as they are appended.
 */
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { listOpenRuns, listRuns, type OpenRun, type StoredRun } from "../../../export/journal-store.ts";
import { computeStats, type JournalStats } from "../stats.ts";
import { statsRuns } from "../stats-journal.ts";
import { viewRecord } from "./record.ts";

export class JournalView {
  private signature = "";
  private runs: StoredRun[] = [];
  private open: OpenRun[] = [];
  private version = 0;
  private readonly statsCache = new Map<string, JournalStats>();
  private readonly told = new Set<string>();
  /** What the last listing skipped (damaged records), one line each. */
  skipped: string[] = [];

  constructor(
    readonly dir: string,
    private readonly report: (message: string) => void,
  ) {}

  /** Said once per distinct message, however often the journal is listed again. */
  readonly warn = (message: string): void => {
    if (this.told.has(message)) return;
    this.told.add(message);
    this.report(message);
  };

  /** The runs, newest first, those still being written, and a number that changes whenever they do. */
  current(): { runs: StoredRun[]; open: OpenRun[]; version: number } {
    const signature = this.signatureNow();
    if (signature !== this.signature) {
      this.signature = signature;
      const skipped: string[] = [];
      this.runs = listRuns(this.dir, (m) => {
        skipped.push(m);
        this.warn(m);
      }).map((run) => ({ ...run, record: viewRecord(run.record) }));
      this.open = listOpenRuns(this.dir);
      this.skipped = skipped;
      this.version++;
      this.statsCache.clear();
    } else if (this.openRunsGrew()) {
      this.version++;
    }
    return { runs: this.runs, open: this.open, version: this.version };
  }

  /** Whether spans were appended to a run being written (a few stat calls: no folder is read). */
  private openRunsGrew(): boolean {
    let grew = false;
    this.open = this.open.map((run) => {
      try {
        const stat = statSync(run.spansPath);
        if (stat.size === run.bytes) return run;
        grew = true;
        return { ...run, bytes: stat.size, modifiedMs: stat.mtimeMs };
      } catch {
        return run;
      }
    });
    return grew;
  }

  stats(since: number | null): JournalStats {
    const { runs } = this.current();
    const key = String(since);
    let stats = this.statsCache.get(key);
    if (!stats) {
      stats = computeStats(statsRuns(runs, since, this.warn), since);
      this.statsCache.set(key, stats);
    }
    return stats;
  }

  private signatureNow(): string {
    const parts: string[] = [];
    const stamp = (path: string) => {
      try {
        const s = statSync(path);
        return `${s.mtimeMs}:${s.ctimeMs}`;
      } catch {
        return "-";
      }
    };
    parts.push(stamp(this.dir));
    let days: string[] = [];
    try {
      days = readdirSync(this.dir).sort();
    } catch {
      // No journal yet.
    }
    for (const day of days) parts.push(`${day}=${stamp(join(this.dir, day))}`);
    return parts.join("|");
  }
}
