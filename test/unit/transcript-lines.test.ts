/**
 * Reading a transcript's lines: a line is handed on whole once its newline is there, and a line too
 * long to be Claude Code's is skipped (one report) without holding it, so the lines after it count.
 */
import assert from "node:assert/strict";
import { mkdtempSync, openSync, rmSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { MAX_LINE_CHARS, TranscriptLines, withTranscript } from "../../src/sources/transcript-file.ts";

const dir = mkdtempSync(join(tmpdir(), "claudia-lines-"));
after(() => rmSync(dir, { recursive: true, force: true }));

function read(path: string, lines: TranscriptLines): string[] {
  const seen: string[] = [];
  withTranscript(path, {}, (fd, size) => lines.read(fd, size, (line) => seen.push(line)));
  lines.end((line) => seen.push(line));
  return seen;
}

test("a line longer than the limit is skipped once, reported once, and the lines around it are read", () => {
  const path = join(dir, "long.jsonl");
  const fd = openSync(path, "w");
  writeSync(fd, '{"before":1}\n');
  const block = "A".repeat(1024 * 1024);
  for (let written = 0; written <= MAX_LINE_CHARS; written += block.length) writeSync(fd, block);
  writeSync(fd, '\n{"after":2}\n{"last":3}');
  let reports = 0;
  const seen = read(path, new TranscriptLines(() => reports++));
  assert.deepEqual(seen, ['{"before":1}', '{"after":2}', '{"last":3}']);
  assert.equal(reports, 1);
});

test("lines split across reads and across a multi-byte character come whole", () => {
  const path = join(dir, "split.jsonl");
  const fd = openSync(path, "w");
  const lines = new TranscriptLines();
  const seen: string[] = [];
  const readNow = () => withTranscript(path, {}, (f, size) => lines.read(f, size, (line) => seen.push(line)));
  const text = Buffer.from('{"a":"é"}\n{"b":"😀"}\n');
  for (let i = 0; i < text.length; i++) {
    writeSync(fd, text.subarray(i, i + 1));
    readNow();
  }
  assert.deepEqual(seen, ['{"a":"é"}', '{"b":"😀"}']);
});
