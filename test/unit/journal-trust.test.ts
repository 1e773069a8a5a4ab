/**
 * The journal is private and cannot be steered: folders 0700 and files 0600 whatever the umask,
 * no symbolic link followed when writing, no relative XDG path, stale locks taken over and the
 * leftovers of killed runs pruned.
 */
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import {
  chmodSync,
  chownSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from "node:fs";
import { homedir, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { after, test } from "node:test";
import { claudiaHome, JournalExporter, type RunRecord, runFiles, writeRecord } from "../../src/export/journal.ts";
import { checkRequest } from "../../src/export/journal-check.ts";
import { STALE_AFTER_MS, takeLock } from "../../src/export/journal-lock.ts";
import { listRuns, prune, pruneIfDue, readRequests, toReadableSpans } from "../../src/export/journal-store.ts";
import { makeDirs } from "../../src/export/private-fs.ts";

const base = mkdtempSync(join(tmpdir(), "claudia-journal-trust-"));
after(() => rmSync(base, { recursive: true, force: true }));
let n = 0;
const fresh = () => join(base, `j${n++}`, "journal");

const TRACE = "0af7651916cd43dd8448eb211c80319c";
const START = Date.parse("2026-03-01T10:00:00Z");
const spans = toReadableSpans([
  checkRequest({
    resourceSpans: [
      {
        scopeSpans: [
          {
            spans: [
              { traceId: TRACE, spanId: "b7ad6b7169203331", name: "x", startTimeUnixNano: "1", endTimeUnixNano: "2" },
            ],
          },
        ],
      },
    ],
  }).request,
]);
const record: RunRecord = {
  traceId: TRACE,
  startTime: START,
  endTime: START + 1,
  durationMs: 1,
  status: "ok",
  toolCalls: 0,
  inputTokens: 0,
  outputTokens: 0,
  spans: 1,
  deliveries: {},
};

function exportTo(path: string): string | undefined {
  const errors: string[] = [];
  const exporter = new JournalExporter(path, (m) => errors.push(m));
  exporter.export(spans, () => {});
  exporter.export(spans, () => {});
  return errors[0];
}

const mode = (path: string) => statSync(path).mode & 0o777;

test("with umask 022, journal folders are 0700 and files 0600; a journal folder found 0755 is narrowed", () => {
  const old = process.umask(0o022);
  try {
    const dir = fresh();
    const files = runFiles(dir, START, TRACE);
    assert.equal(exportTo(files.spans), undefined);
    writeRecord(files.record, record);
    assert.equal(mode(dirname(dir)), 0o700, "claudia's home");
    assert.equal(mode(dir), 0o700, "the journal");
    assert.equal(mode(dirname(files.spans)), 0o700, "the day folder");
    assert.equal(mode(files.spans), 0o600);
    assert.equal(mode(files.record), 0o600);
    assert.equal(readFileSync(files.spans, "utf8").split("\n").length, 3, "two lines appended");

    const older = fresh();
    mkdirSync(older, { recursive: true, mode: 0o755 });
    chmodSync(older, 0o755);
    assert.equal(exportTo(runFiles(older, START, TRACE).spans), undefined);
    assert.equal(mode(older), 0o700);
  } finally {
    process.umask(old);
  }
});

const OTHER_USER = 2002;
const asRoot = process.getuid?.() === 0;

test("a journal folder, or its parent, that another user made first is neither written nor read", {
  skip: asRoot ? false : "needs root, to make folders another user owns",
}, () => {
  // Another user, knowing the day folders' names, made them first (0777), and planted a run.
  const dir = fresh();
  const files = runFiles(dir, START, TRACE);
  mkdirSync(dirname(files.spans), { recursive: true, mode: 0o777 });
  chmodSync(dirname(files.spans), 0o777);
  chownSync(dirname(files.spans), OTHER_USER, OTHER_USER);
  assert.match(exportTo(files.spans) ?? "", /belongs to another user/);
  assert.ok(!existsSync(files.spans), "nothing written there");
  const planted = runFiles(dir, START + 1000, "1".repeat(32));
  writeFileSync(planted.record, JSON.stringify({ ...record, traceId: "1".repeat(32) }));
  const warnings: string[] = [];
  assert.deepEqual(
    listRuns(dir, (w) => warnings.push(w)),
    [],
    "a planted run is not listed (nor sent)",
  );

  // The whole journal folder is another user's: not written, not read.
  const theirs = fresh();
  mkdirSync(theirs, { recursive: true });
  chownSync(theirs, OTHER_USER, OTHER_USER);
  assert.match(exportTo(runFiles(theirs, START, TRACE).spans) ?? "", /belongs to another user/);
  assert.deepEqual(
    listRuns(theirs, (w) => warnings.push(w)),
    [],
  );
  assert.match(warnings.join("\n"), /belongs to another user: not read/);

  // claudia's home (the journal's parent) is another user's: they could swap the journal folder.
  const home = fresh();
  mkdirSync(dirname(home), { recursive: true });
  chownSync(dirname(home), OTHER_USER, OTHER_USER);
  assert.match(exportTo(runFiles(home, START, TRACE).spans) ?? "", /belongs to another user/);
});

test("a symbolic link planted at a journal file's or folder's predictable name is never followed", () => {
  const target = join(base, "victim.txt");
  writeFileSync(target, "precious\n");
  const dir = fresh();
  const files = runFiles(dir, START, TRACE);
  mkdirSync(dirname(files.spans), { recursive: true });
  symlinkSync(target, files.spans);
  assert.match(exportTo(files.spans) ?? "", /could not write the trace journal/);
  symlinkSync(target, files.record);
  writeRecord(files.record, record);
  assert.equal(readFileSync(target, "utf8"), "precious\n");
  assert.equal(JSON.parse(readFileSync(files.record, "utf8")).traceId, TRACE, "the link was replaced, not followed");

  const linked = fresh();
  const day = dirname(runFiles(linked, START, TRACE).spans);
  mkdirSync(linked, { recursive: true });
  const elsewhere = join(base, "elsewhere");
  mkdirSync(elsewhere);
  symlinkSync(elsewhere, day);
  assert.match(exportTo(runFiles(linked, START, TRACE).spans) ?? "", /is not a folder/);

  const marked = fresh();
  mkdirSync(marked, { recursive: true });
  symlinkSync(target, `${marked}.pruned`);
  assert.throws(() => statSync(join(elsewhere, "x")));
  pruneIfDue(marked, { maxAgeDays: 30, maxBytes: 1e9 });
  assert.equal(readFileSync(target, "utf8"), "precious\n");
});

test("a relative XDG_DATA_HOME is ignored: the journal never lands in the working tree", () => {
  assert.equal(claudiaHome({ XDG_DATA_HOME: "data" }), join(homedir(), ".local", "share", "claudia"));
  assert.equal(claudiaHome({ XDG_DATA_HOME: "/srv/data" }), "/srv/data/claudia");
});

test("a sending lock left by a claudia that is gone, or too old, is taken over; a live one is respected", () => {
  const path = join(base, "run.otlp.sending");
  const gone = Number(execFileSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"]));
  writeFileSync(path, `${gone} ${Date.now()}\n`);
  const release = takeLock(path);
  assert.ok(release, "a dead claudia's lock is taken over");
  assert.equal(takeLock(path), undefined, "a live claudia's lock is respected");
  release();
  assert.ok(!existsSync(path));
  writeFileSync(path, `${process.pid} ${Date.now() - STALE_AFTER_MS - 1000}\n`);
  const again = takeLock(path);
  assert.ok(again, "a lock older than the limit is taken over");
  again();
  writeFileSync(path, "");
  assert.equal(takeLock(path), undefined, "a lock just created, not yet written, is held: not taken over");
  const old = (Date.now() - 120_000) / 1000;
  utimesSync(path, old, old);
  const empty = takeLock(path);
  assert.ok(empty, "an empty lock minutes old is taken over");
  assert.match(readFileSync(path, "utf8"), new RegExp(`^${process.pid} \\d+\n$`), "a lock is never seen empty");
  empty();
  assert.deepEqual(
    readdirSync(base).filter((name) => name.startsWith("run.otlp.sending")),
    [],
    "nothing left beside it",
  );
});

test("a lock is released when its claudia exits", () => {
  const path = join(base, "exit.otlp.sending");
  const lock = new URL("../../src/export/journal-lock.ts", import.meta.url).pathname;
  const ran = spawnSync(process.execPath, [
    "--import",
    "tsx",
    "-e",
    `import(${JSON.stringify(lock)}).then((m) => { if (!m.takeLock(${JSON.stringify(path)})) process.exit(9); process.exit(3); })`,
  ]);
  assert.equal(ran.status, 3, "the lock was taken");
  assert.ok(!existsSync(path));
});

test("spans left without a record (a run killed at once) are pruned after a day, not before", () => {
  const dir = fresh();
  const now = Date.now();
  const old = runFiles(dir, now - 3 * 86400000, TRACE);
  const recent = runFiles(dir, now - 3600000, "1".repeat(32));
  for (const files of [old, recent]) {
    mkdirSync(dirname(files.spans), { recursive: true });
    writeFileSync(files.spans, "{}\n");
  }
  const day = (t: number) => (t - 3 * 86400000) / 1000;
  utimesSync(old.spans, day(now), day(now));
  writeFileSync(`${old.record}.123.tmp`, "{");
  utimesSync(`${old.record}.123.tmp`, day(now), day(now));
  assert.equal(prune(dir, { maxAgeDays: 30, maxBytes: 1e9 }, now), 1);
  assert.ok(!existsSync(old.spans));
  assert.ok(!existsSync(`${old.record}.123.tmp`));
  assert.ok(!existsSync(dirname(old.spans)), "the emptied day folder goes too");
  assert.ok(existsSync(recent.spans), "a recent one may belong to a run still going");
});

test("a record too damaged to read goes with its spans once its day is past the age limit, not before", () => {
  const dir = fresh();
  const now = Date.now();
  const damaged = (files: { record: string; spans: string }) => {
    mkdirSync(dirname(files.spans), { recursive: true });
    writeFileSync(files.spans, "{}\n");
    writeFileSync(files.record, "{ not a record");
  };
  const old = runFiles(dir, now - 40 * 86400000, TRACE);
  const recent = runFiles(dir, now - 5 * 86400000, "1".repeat(32));
  damaged(old);
  damaged(recent);
  const warnings: string[] = [];
  listRuns(dir, (w) => warnings.push(w));
  assert.equal(warnings.length, 2, "both are warned about");
  assert.equal(prune(dir, { maxAgeDays: 30, maxBytes: 1e9 }, now), 1);
  assert.ok(!existsSync(old.record) && !existsSync(old.spans));
  assert.ok(!existsSync(dirname(old.record)), "its emptied day folder goes too");
  assert.ok(existsSync(recent.record) && existsSync(recent.spans), "within the age limit it stays, to be looked at");
});

test("folders are made one level at a time, 0700; a path under /proc fails at once instead of spinning", () => {
  const dir = join(fresh(), "a", "b", "c");
  makeDirs(dir);
  assert.equal(statSync(dir).mode & 0o777, 0o700);
  assert.equal(statSync(dirname(dir)).mode & 0o777, 0o700);
  makeDirs(dir);
  assert.throws(() => makeDirs("/proc/self/nonexistent/claudia"), /ENOENT|EACCES|EPERM/);
});

test("a record or spans file linked to /dev/zero, or a FIFO, is skipped with a warning, never read", () => {
  const dir = fresh();
  const day = join(dir, "2026-03-01");
  mkdirSync(day, { recursive: true, mode: 0o700 });
  const name = (i: number) => `20260301T10000${i}Z-${TRACE.slice(0, -1)}${i}`;
  symlinkSync("/dev/zero", join(day, `${name(1)}.run.json`));
  execFileSync("mkfifo", [join(day, `${name(2)}.run.json`)]);
  writeFileSync(join(day, `${name(3)}.run.json`), "x".repeat(5 * 1024 * 1024), { mode: 0o600 });
  const warnings: string[] = [];
  assert.deepEqual(
    listRuns(dir, (w) => warnings.push(w)),
    [],
  );
  assert.equal(warnings.length, 3, warnings.join("\n"));
  assert.match(warnings.join("\n"), /larger than 4 MB/);
  const spansLink = join(day, "spans.jsonl");
  symlinkSync("/dev/zero", spansLink);
  const spanWarnings: string[] = [];
  assert.deepEqual(
    readRequests(spansLink, (w) => spanWarnings.push(w)),
    [],
  );
  assert.equal(spanWarnings.length, 1);
});
