/**
 * The viewer's server over a journal made here: the token and Host checks, read-only, paging and
 * filters done on the server, a run found by prefix, damaged records reported as skipped.
 */
import assert from "node:assert/strict";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { request } from "node:http";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { after, before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { JournalView } from "../../src/cli/traces/ui/journal-view.ts";
import { type LaunchPage, writeLaunchPage } from "../../src/cli/traces/ui/launch-page.ts";
import { startViewer, type Viewer } from "../../src/cli/traces/ui/server.ts";
import { type RunRecord, runFiles, writeRecord } from "../../src/export/journal.ts";

const base = mkdtempSync(join(tmpdir(), "claudia-viewer-"));
const journal = join(base, "journal");
const assets = join(base, "assets");
const START = Date.parse("2026-11-20T10:00:00Z");
let viewer: Viewer;
const told: string[] = [];

function record(i: number): RunRecord {
  return {
    traceId: `${(i + 1).toString(16).padStart(2, "0")}${"a".repeat(30)}`,
    startTime: START + i * 3600000,
    endTime: START + i * 3600000 + 1000,
    durationMs: 1000,
    status: i % 3 === 0 ? "error" : "ok",
    prompt: i === 7 ? "find the needle" : `prompt ${i}`,
    model: i % 2 === 0 ? "claude-sonnet-4-6" : "claude-haiku-4-5",
    toolCalls: 0,
    inputTokens: 10,
    outputTokens: 1,
    costUsd: 0.001,
    spans: 0,
    deliveries: {},
  };
}

function get(path: string, headers: Record<string, string> = {}, method = "GET") {
  return new Promise<{ status: number; body: string }>((resolve, reject) => {
    const req = request(`http://127.0.0.1:${viewer.port}${path}`, { method, headers }, (res) => {
      let body = "";
      res.on("data", (c: Buffer) => {
        body += c.toString();
      });
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on("error", reject);
    req.end();
  });
}

const api = async (path: string) => {
  const res = await get(`/${viewer.token}/api/${path}`);
  assert.equal(res.status, 200, res.body);
  return JSON.parse(res.body);
};

before(async () => {
  for (let i = 0; i < 30; i++) {
    const files = runFiles(journal, START + i * 3600000, record(i).traceId);
    mkdirSync(join(files.record, ".."), { recursive: true });
    writeRecord(files.record, record(i));
  }
  writeFileSync(join(journal, "2026-11-20", "20261120T000000Z-ffffffffffffffffffffffffffffffff.run.json"), "{");
  // A record of the right shape but wrong types: skipped as the CLI skips it, without breaking the others.
  const odd = runFiles(journal, START - 3600000, "ee".repeat(16));
  writeFileSync(
    odd.record,
    JSON.stringify({
      traceId: "ee".repeat(16),
      startTime: START - 3600000,
      prompt: 12,
      costUsd: "x",
      deliveries: "no",
    }),
  );
  mkdirSync(assets);
  for (const file of ["index.html", "app.js", "app.css"]) writeFileSync(join(assets, file), `/* ${file} */`);
  viewer = await startViewer({
    view: new JournalView(journal, (m) => told.push(m)),
    assetsDir: assets,
    limits: { headersTimeoutMs: 300 },
  });
});

after(async () => {
  await viewer.close();
  rmSync(base, { recursive: true, force: true });
});

describe("viewer server", () => {
  test("the token is required; a foreign Host is refused; read-only", async () => {
    assert.equal((await get("/")).status, 403);
    assert.equal((await get("/api/runs")).status, 403);
    assert.equal((await get(`/${viewer.token.slice(1)}/api/runs`)).status, 403);
    assert.equal((await get(`/${viewer.token}/api/runs`, { host: `evil.example:${viewer.port}` })).status, 403);
    assert.equal((await get(`/${viewer.token}/api/runs`, {}, "POST")).status, 405);
    assert.equal((await get(`/${viewer.token}/`)).body, "/* index.html */");
    assert.equal((await get(`/${viewer.token}/../etc/passwd`)).status, 403);
    assert.equal((await get(`/${viewer.token}/api/nothing`)).status, 404);
  });

  test("the browser's page: a private file that forwards to the token's address, gone once removed", () => {
    const target = `${viewer.url}#run/0123"<x>`;
    const page = writeLaunchPage(target) as LaunchPage;
    const path = fileURLToPath(page.url);
    assert.equal(statSync(path).mode & 0o777, 0o600);
    assert.equal(statSync(dirname(path)).mode & 0o777, 0o700);
    const html = readFileSync(path, "utf8");
    const escaped = `${viewer.url}#run/0123&quot;&lt;x&gt;`;
    assert.ok(html.includes(`<meta http-equiv="refresh" content="0;url=${escaped}">`), html);
    assert.ok(!page.url.includes(viewer.token), "the token is not in what goes on a command line");
    page.remove();
    assert.equal(existsSync(dirname(path)), false);
    assert.equal(writeLaunchPage(target, join(dirname(path), "missing")), undefined, "unwritable: nothing opened");
  });

  test("newest first, paged on the server", async () => {
    const first = await api("runs?limit=10");
    assert.equal(first.total, 30);
    assert.equal(first.runs.length, 10);
    assert.equal(first.runs[0].traceId, record(29).traceId);
    const third = await api("runs?limit=10&offset=20");
    assert.deepEqual(
      third.runs.map((r: RunRecord) => r.traceId),
      Array.from({ length: 10 }, (_, i) => record(9 - i).traceId),
    );
    const all = await api("runs?limit=100000");
    assert.equal(all.runs.length, 30, "a limit is capped, not refused");
    assert.ok(!all.runs.some((r: RunRecord) => r.traceId === "ee".repeat(16)), "the record of wrong types is skipped");
  });

  test("filters by status, model and text; the damaged record is skipped and reported once", async () => {
    const failed = await api("runs?status=error");
    assert.equal(failed.matched, 10);
    assert.ok(failed.runs.every((r: RunRecord) => r.status === "error"));
    const haiku = await api("runs?model=claude-haiku-4-5&status=ok");
    assert.ok(haiku.runs.every((r: RunRecord) => r.model === "claude-haiku-4-5" && r.status === "ok"));
    assert.equal(haiku.matched, 10);
    const needle = await api("runs?q=NEEDLE");
    assert.deepEqual(
      needle.runs.map((r: RunRecord) => r.prompt),
      ["find the needle"],
    );
    assert.deepEqual(needle.models, ["claude-haiku-4-5", "claude-sonnet-4-6"]);
    assert.equal(needle.skipped.length, 2, "the unreadable record and the one of wrong types");
    assert.equal(told.filter((m) => m.includes("ffffffff")).length, 1);
  });

  test("one run by trace id prefix; unknown and ambiguous ids are 404", async () => {
    assert.equal((await api("runs/08")).run.traceId, record(7).traceId);
    const full = await api(`runs/${record(7).traceId}`);
    assert.equal(full.run.prompt, "find the needle");
    assert.deepEqual(full.spans, []);
    const span = {
      traceId: record(7).traceId,
      spanId: "1".repeat(16),
      name: "invoke_agent claude-code",
      startTimeUnixNano: "1000000000",
      endTimeUnixNano: "3000000000",
      attributes: [{ key: "gen_ai.operation.name", value: { stringValue: "invoke_agent" } }],
    };
    const files = runFiles(journal, record(7).startTime, record(7).traceId);
    writeFileSync(
      files.spans,
      `{"resourceSpans": [\n${JSON.stringify({ resourceSpans: [{ scopeSpans: [{ spans: [span] }] }] })}\n`,
    );
    const damaged = await api(`runs/${record(7).traceId}`);
    assert.deepEqual(
      damaged.spans.map((s: { name: string; startMs: number; endMs: number; attributes: object }) => [
        s.name,
        s.endMs - s.startMs,
        s.attributes,
      ]),
      [["invoke_agent claude-code", 2000, { "gen_ai.operation.name": "invoke_agent" }]],
    );
    assert.match(damaged.warnings[0], /skipping 1 damaged line\(s\)/);
    assert.equal((await get(`/${viewer.token}/api/runs/abcdef`)).status, 404);
    assert.equal((await get(`/${viewer.token}/api/runs/0`)).status, 404, "ambiguous");
  });

  test("stats over the same runs; the version changes when a run is recorded", async () => {
    const { stats, version } = await api("stats");
    assert.equal(stats.total.runs, 30);
    assert.equal(stats.total.failures, 10);
    assert.equal(stats.total.costUsd, 0.03);
    const files = runFiles(journal, START + 40 * 3600000, record(40).traceId);
    mkdirSync(join(files.record, ".."), { recursive: true });
    writeRecord(files.record, record(40));
    const next = await api("version");
    assert.notEqual(next.version, version);
    assert.equal((await api("stats")).stats.total.runs, 31);
  });

  test("a connection whose headers never end is dropped when the limit says", async () => {
    const socket = connect(viewer.port, "127.0.0.1");
    socket.write(`GET /?token=${viewer.token} HTTP/1.1\r\nHost: 127.0.0.1\r\n`);
    const answer = await new Promise<string>((resolve, reject) => {
      let received = "";
      const timer = setTimeout(() => reject(new Error("the connection is still open")), 8000);
      socket.on("data", (chunk) => (received += String(chunk)));
      socket.on("close", () => {
        clearTimeout(timer);
        resolve(received);
      });
    });
    assert.match(answer, /^HTTP\/1\.1 408/);
  });
});
