/**
 * A journal that cannot keep the run (a full or read-only disk): the run and its output are
 * unchanged, claudia says so in one line, and never promises that a later push will send what the
 * journal lost; a push from a journal it cannot mark sends nothing and says why.
 * Needs root, to mount a small tmpfs.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { scriptedRuns } from "../support/harness.ts";
import { startOtlpReceiver } from "../support/otlp-receiver.ts";
import { freePort } from "../support/ports.ts";
import { BASE_ARGS, claude, claudia } from "../support/sandbox.ts";
import { traceIdFrom } from "../support/trace-checks.ts";

const h = scriptedRuns();
const PAGE = 4096;

/** Mount a 1 MB tmpfs at a fresh folder; undefined where this process may not mount. */
function smallDisk(): string | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const dir = mkdtempSync(join(tmpdir(), "claudia-disk-"));
  try {
    execFileSync("mount", ["-t", "tmpfs", "-o", "size=1m,mode=0700", "tmpfs", dir], { stdio: "ignore" });
    return dir;
  } catch {
    rmSync(dir, { recursive: true, force: true });
    return undefined;
  }
}

/** Fill the disk, then free `pages` pages of it. */
function fill(disk: string, pages: number): void {
  const filler = join(disk, "filler");
  try {
    writeFileSync(filler, Buffer.alloc(2 * 1024 * 1024));
  } catch {
    // ENOSPC: the disk is full, the file as large as it could grow.
  }
  truncateSync(filler, Math.max(0, statSync(filler).size - pages * PAGE));
}

const disk = smallDisk();

describe("journal on a small disk, full or read-only", {
  skip: disk === undefined ? "needs root to mount a tmpfs" : false,
}, () => {
  let journalHome: string;
  before(() => {
    journalHome = join(disk as string, "claudia");
  });
  after(() => {
    execFileSync("umount", [disk as string]);
    rmSync(disk as string, { recursive: true, force: true });
  });

  /** An empty journal on the disk, all of the disk free. */
  function emptyJournal(): void {
    rmSync(journalHome, { recursive: true, force: true });
    mkdirSync(journalHome, { mode: 0o700 });
    rmSync(join(disk as string, "filler"), { force: true });
  }

  test("read-only: the run unchanged with one line; push says why it sends nothing and exits 1", async () => {
    emptyJournal();
    const port = await freePort();
    const env = { CLAUDIA_HOME: journalHome, OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${port}` };
    const late = traceIdFrom((await claudia(h.sandbox, [...BASE_ARGS, "[[scenario:text]] late"], env)).stderr);
    execFileSync("mount", ["-o", "remount,ro", disk as string]);
    const back = await startOtlpReceiver({ port });
    try {
      const prompt = "[[scenario:text]] read-only";
      const bare = await claude(h.sandbox, ["-p", ...BASE_ARGS, prompt]);
      const ran = await claudia(h.sandbox, [...BASE_ARGS, prompt], env);
      assert.equal(ran.code, bare.code);
      assert.equal(ran.stdout, bare.stdout);
      const own = ran.stderr.split("\n").filter((l) => l.startsWith("claudia:"));
      assert.equal(own.length, 1, ran.stderr);
      assert.match(own[0] as string, /^claudia: could not write the trace journal \(EROFS.*; the run goes on$/);
      const push = await claudia(h.sandbox, ["traces", "push"], env);
      assert.equal(push.code, 1);
      assert.equal(
        push.stdout,
        `${late}  NOT delivered to otlp: the journal cannot be written (EROFS), so it is not sent\n`,
      );
      assert.equal(
        back.spans.filter((s) => s.traceId === late).length,
        0,
        "not sent: it could not be marked delivered",
      );
    } finally {
      execFileSync("mount", ["-o", "remount,rw", disk as string]);
      await back.close();
    }
  });

  // No room at all; room for a text run's spans (under a page) but not for its record.
  for (const pages of [0, 1]) {
    test(`${pages} page(s) free, backend down: output unchanged, every lost span counted, no promise of a later push`, async () => {
      emptyJournal();
      fill(disk as string, pages);
      const env = {
        CLAUDIA_HOME: journalHome,
        OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${await freePort()}`,
        CLAUDIA_RESEND_WAIT_MS: "0",
      };
      const prompt = "[[scenario:text]] full disk";
      const bare = await claude(h.sandbox, ["-p", ...BASE_ARGS, prompt]);
      const ran = await claudia(h.sandbox, [...BASE_ARGS, prompt], env);
      assert.equal(ran.code, bare.code);
      assert.equal(ran.stdout, bare.stdout);
      const own = ran.stderr.split("\n").filter((l) => l.startsWith("claudia:"));
      assert.match(own[0] as string, /^claudia: could not write the trace journal \(ENOSPC.*; the run goes on$/);
      assert.match(own[1] as string, /^claudia: 2 span\(s\) not delivered to otlp: ECONNREFUSED/);
      assert.doesNotMatch(ran.stderr, /kept in the journal|traces push/, "the journal does not hold the run");
      assert.equal(own.length, 2, ran.stderr);
      const day = join(journalHome, "journal", readdirSync(join(journalHome, "journal"))[0] as string);
      const spansFile = readdirSync(day).find((n) => n.endsWith(".jsonl"));
      assert.ok(spansFile);
      if (pages > 0) assert.ok(statSync(join(day, spansFile)).size > 0, "the spans were written, the record was not");
      const push = await claudia(h.sandbox, ["traces", "push"], env);
      assert.equal(push.code, 0);
      assert.match(push.stdout, /Nothing to push/);
    });
  }
});
