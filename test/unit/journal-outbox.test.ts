import assert from "node:assert/strict";
import {
  chmodSync,
  chownSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname, join } from "node:path";
import { afterEach, beforeEach, describe, test } from "node:test";
import { type Delivery, type RunRecord, runFiles, writeRecord } from "../../src/export/journal.ts";
import { fillOutbox, outboxDir, outboxRuns, unlistRun, waitsForDelivery } from "../../src/export/journal-outbox.ts";
import { listRuns } from "../../src/export/journal-store.ts";
import { runRecord } from "../support/run-record.ts";

const ENDPOINT = "http://collector:4318";
const START = Date.parse("2026-06-15T12:00:00Z");
const failed: Delivery = {
  endpoint: ENDPOINT,
  delivered: false,
  spans: 0,
  at: "2026-06-15T12:00:01Z",
  error: "ECONNREFUSED",
};
const delivered: Delivery = { ...failed, delivered: true, spans: 3, error: undefined };

const record = (traceId: string, deliveries: Record<string, Delivery>, startTime = START): RunRecord =>
  runRecord(traceId, startTime, { spans: 3, deliveries });

const id = (n: number) => n.toString(16).padStart(32, "0");

let base: string;
let journal: string;
beforeEach(() => {
  base = mkdtempSync(join(tmpdir(), "outbox-"));
  journal = join(base, "journal");
});
afterEach(() => rmSync(base, { recursive: true, force: true }));

/** A run's record as claudia writes it (through `writeRecord`), at START + n seconds. */
function recordRun(n: number, deliveries: Record<string, Delivery>): string {
  const files = runFiles(journal, START + n * 1000, id(n));
  mkdirSync(dirname(files.record), { recursive: true });
  writeFileSync(files.spans, "");
  writeRecord(files.record, record(id(n), deliveries, START + n * 1000));
  return files.record;
}

const waiting = () => outboxRuns(journal)?.map((run) => run.record.traceId);

describe("the outbox of runs not yet delivered", () => {
  test("a run whose delivery failed is listed, and unlisted once delivered", () => {
    fillOutbox(journal, []);
    const path = recordRun(1, { otlp: failed });
    recordRun(2, { otlp: delivered });
    assert.deepEqual(waiting(), [id(1)]);
    writeRecord(path, record(id(1), { otlp: failed, "otlp (again)": delivered }, START + 1000));
    assert.deepEqual(waiting(), []);
    assert.deepEqual(readdirSync(outboxDir(journal)), [".complete"]);
  });

  test("without its completion mark it says nothing, and the whole journal is read instead", () => {
    recordRun(1, { otlp: failed });
    assert.equal(outboxRuns(journal), undefined);
    fillOutbox(journal, listRuns(journal));
    assert.deepEqual(waiting(), [id(1)]);
  });

  test("once complete, a run is found through its entry, not by reading the journal", () => {
    fillOutbox(journal, []);
    recordRun(1, { otlp: failed });
    // A waiting record that did not come through writeRecord (an earlier version's) is not seen...
    const files = runFiles(journal, START + 2000, id(2));
    writeFileSync(files.record, JSON.stringify(record(id(2), { otlp: failed }, START + 2000)));
    assert.deepEqual(waiting(), [id(1)]);
    // ...until the outbox is lost and the journal is read whole again.
    rmSync(outboxDir(journal), { recursive: true });
    fillOutbox(journal, listRuns(journal));
    assert.deepEqual(waiting(), [id(2), id(1)]);
  });

  test("refused runs are not listed (only `push` tries them again); pruned ones drop out", () => {
    fillOutbox(journal, []);
    recordRun(1, { otlp: { ...failed, refused: true } });
    const pruned = recordRun(2, { otlp: failed });
    rmSync(pruned);
    assert.deepEqual(waiting(), []);
    assert.deepEqual(readdirSync(outboxDir(journal)), [".complete"]);
  });

  test("entries that could name a file outside the journal are ignored", () => {
    fillOutbox(journal, []);
    const secret = join(base, "elsewhere.run.json");
    writeFileSync(secret, JSON.stringify(record(id(9), { otlp: failed })));
    // A looser reading of `..` + `_elsewhere.run.json` would be journal/../elsewhere.run.json: that file.
    for (const name of [".._elsewhere.run.json", "..__elsewhere.run.json", "2026-06-15_..%2Felsewhere.run.json"]) {
      writeFileSync(join(outboxDir(journal), name), "");
    }
    assert.deepEqual(waiting(), []);
  });

  test("the folder is private, and another user's or a link is not read", () => {
    fillOutbox(journal, []);
    recordRun(1, { otlp: failed });
    const outbox = outboxDir(journal);
    assert.equal(readdirSync(outbox).length, 2);
    rmSync(outbox, { recursive: true });
    mkdirSync(join(base, "other"));
    writeFileSync(join(base, "other", ".complete"), "");
    symlinkSync(join(base, "other"), outbox);
    assert.equal(outboxRuns(journal), undefined);
    // Writing a waiting run neither lists it through the link nor touches the folder it points to.
    recordRun(3, { otlp: failed });
    assert.deepEqual(readdirSync(join(base, "other")), [".complete"]);
  });

  test("a waiting run no entry can name keeps the outbox incomplete: the journal is read whole", () => {
    const day = join(journal, "2026-06-15");
    mkdirSync(day, { recursive: true });
    writeFileSync(join(day, "copy.of.run.json"), JSON.stringify(record(id(1), { otlp: failed })));
    fillOutbox(journal, listRuns(journal));
    assert.equal(outboxRuns(journal), undefined);
    assert.deepEqual(
      listRuns(journal).map((run) => run.record.traceId),
      [id(1)],
    );
  });

  test("unlisting reads the record again: a run another claudia just recorded as waiting stays listed", () => {
    fillOutbox(journal, []);
    const path = recordRun(1, { otlp: failed });
    unlistRun(path);
    assert.deepEqual(waiting(), [id(1)]);
  });

  test("an entry whose record cannot be read now is kept for later; one whose record is gone is not", () => {
    fillOutbox(journal, []);
    const damaged = recordRun(1, { otlp: failed });
    const gone = recordRun(2, { otlp: failed });
    writeFileSync(damaged, "{ not json");
    rmSync(gone);
    assert.deepEqual(waiting(), []);
    assert.deepEqual(readdirSync(outboxDir(journal)).sort(), [".complete", `2026-06-15_${basename(damaged)}`]);
  });

  test("folder 0700, entries 0600; a folder others may write to is not trusted", () => {
    fillOutbox(journal, []);
    const path = recordRun(1, { otlp: failed });
    const outbox = outboxDir(journal);
    assert.equal(lstatSync(outbox).mode & 0o777, 0o700);
    assert.equal(lstatSync(join(outbox, `2026-06-15_${basename(path)}`)).mode & 0o777, 0o600);
    chmodSync(outbox, 0o770);
    assert.equal(outboxRuns(journal), undefined);
  });

  test("a record in a day folder another user owns is not read", {
    skip: process.getuid?.() !== 0 && "needs root to hand a folder to another user",
  }, () => {
    fillOutbox(journal, []);
    const path = recordRun(1, { otlp: failed });
    chownSync(dirname(path), 65534, 65534);
    assert.deepEqual(waiting(), []);
  });

  test("what waits: a failed delivery to an endpoint the run has not reached under another name", () => {
    assert.equal(waitsForDelivery(record(id(1), { a: failed })), true);
    assert.equal(waitsForDelivery(record(id(1), { a: failed, b: delivered })), false);
    // Reached under another name, with the same endpoint written with credentials: no longer waits.
    const same = { ...delivered, endpoint: "http://user:secret@collector:4318" };
    assert.equal(waitsForDelivery(record(id(1), { a: failed, b: same })), false);
    // Reached elsewhere only: still waits for the endpoint it failed.
    const elsewhere = { ...delivered, endpoint: "http://other:4318" };
    assert.equal(waitsForDelivery(record(id(1), { a: failed, b: elsewhere })), true);
    assert.equal(waitsForDelivery(record(id(1), { a: { ...failed, refused: true } })), false);
    assert.equal(waitsForDelivery(record(id(1), { a: { ...failed, endpoint: "" } })), false);
    assert.equal(waitsForDelivery(record(id(1), {})), false);
  });
});
