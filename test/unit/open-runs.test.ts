/** Runs still being written: spans on disk, no record yet. */
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { runFiles } from "../../src/export/journal.ts";
import { listOpenRuns } from "../../src/export/journal-store.ts";

test("listOpenRuns: spans files without a record, newest first, with their start from the name", () => {
  const dir = mkdtempSync(join(tmpdir(), "claudia-open-"));
  try {
    const older = runFiles(dir, Date.parse("2026-11-27T23:59:58.700Z"), "a".repeat(32));
    const newer = runFiles(dir, Date.parse("2026-11-28T08:00:01.200Z"), "b".repeat(32));
    const done = runFiles(dir, Date.parse("2026-11-28T09:00:00Z"), "c".repeat(32));
    for (const f of [older, newer, done]) {
      mkdirSync(join(f.spans, ".."), { recursive: true });
      writeFileSync(f.spans, "{}\n");
    }
    writeFileSync(done.record, "{}");
    writeFileSync(join(dir, "2026-11-28", "notes.jsonl"), "");
    const open = listOpenRuns(dir);
    assert.deepEqual(
      open.map((o) => [o.traceId, new Date(o.startTime).toISOString(), o.bytes]),
      [
        ["b".repeat(32), "2026-11-28T08:00:01.000Z", 3],
        ["a".repeat(32), "2026-11-27T23:59:58.000Z", 3],
      ],
    );
    assert.deepEqual(listOpenRuns(join(dir, "missing")), []);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
