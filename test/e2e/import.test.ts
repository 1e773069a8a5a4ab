/**
 * `claudia traces import`: a session run by bare `claude -p` becomes the same trace claudia records
 * live for the same scenario; importing again adds nothing; imported runs export and push.
 */
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import {
  closeSync,
  copyFileSync,
  existsSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  symlinkSync,
  writeFileSync,
  writeSync,
} from "node:fs";
import { dirname, join } from "node:path";
import { describe, test } from "node:test";
import type { RunRecord } from "../../src/export/journal.ts";
import type { OtlpSpan } from "../../src/export/journal-store.ts";
import { attributesOf } from "../../src/export/journal-store.ts";
import { locateSession } from "../../src/sources/session-files.ts";
import { MAX_LINE_CHARS } from "../../src/sources/transcript-file.ts";
import { scriptedRuns } from "../support/harness.ts";
import { storedRecords } from "../support/journal.ts";
import { BASE_ARGS, CLAUDIA, claude, claudia, run } from "../support/sandbox.ts";
import { traceIdFrom, waitForSpans } from "../support/trace-checks.ts";

const h = scriptedRuns();
const traces = (args: string[], env: NodeJS.ProcessEnv = {}) => claudia(h.sandbox, ["traces", ...args], env);

async function spansOf(traceId: string, env: NodeJS.ProcessEnv = {}): Promise<OtlpSpan[]> {
  const shown = await traces(["show", traceId, "--json"], env);
  assert.equal(shown.code, 0, shown.stderr);
  return (JSON.parse(shown.stdout) as { spans: OtlpSpan[] }).spans;
}

const COMPARED = [
  "gen_ai.operation.name",
  "gen_ai.agent.name",
  "gen_ai.request.model",
  "gen_ai.tool.name",
  "gen_ai.usage.input_tokens",
  "gen_ai.usage.output_tokens",
  "gen_ai.usage.cache_read.input_tokens",
  "gen_ai.usage.cache_creation.input_tokens",
  "gen_ai.response.finish_reasons",
  "error.type",
];

/** Each span as its name, its ancestors' names, status and the compared attributes; sorted. */
function shape(spans: OtlpSpan[]): string[] {
  const byId = new Map(spans.map((s) => [s.spanId, s]));
  const path = (s: OtlpSpan): string => {
    const parent = s.parentSpanId ? byId.get(s.parentSpanId) : undefined;
    return parent ? `${path(parent)} > ${s.name}` : s.name;
  };
  return spans
    .map((s) => {
      const a = attributesOf(s.attributes);
      const isRoot = !s.parentSpanId || !byId.has(s.parentSpanId);
      // Live, a call's price is Claude Code's own; imported, the price table's: the same to 1e-9
      // (they differ only in floating-point rounding). The root's live cost is Claude Code's total.
      const raw = a["gen_ai.usage.cost"];
      const cost = isRoot || typeof raw !== "number" ? undefined : Number(raw.toPrecision(9));
      return JSON.stringify([path(s), s.kind, s.status?.code ?? 0, ...COMPARED.map((k) => a[k]), cost]);
    })
    .sort();
}

describe("traces import", () => {
  let importedId = "";
  let spanCount = 0;

  test("a bare claude -p session gives the same spans and usage as claudia's live trace; twice adds nothing", async () => {
    const prompt = "[[scenario:subagent]] import me";
    const bare = await claude(h.sandbox, ["-p", ...BASE_ARGS, "--output-format", "json", prompt]);
    assert.equal(bare.code, 0, bare.stderr);
    const { session_id: sessionId, total_cost_usd: bareCost } = JSON.parse(bare.stdout) as {
      session_id: string;
      total_cost_usd: number;
    };
    const live = await claudia(h.sandbox, [...BASE_ARGS, "--output-format", "json", prompt]);
    assert.equal(live.code, 0, live.stderr);
    const liveId = traceIdFrom(live.stderr);

    // Claude Code's projects folder holds both sessions; claudia's own is in the journal already.
    const first = await traces(["import"]);
    assert.equal(first.code, 0, first.stderr);
    assert.equal(first.stdout, "Imported 1 session(s) (1 already in the journal).\n");
    const imported = (await storedRecords(h.sandbox)).find((r) => r.sessionId === sessionId);
    assert.ok(imported, "the imported run is in the journal");
    importedId = imported.traceId;

    const [mine, theirs] = [await spansOf(importedId), await spansOf(liveId)];
    assert.deepEqual(shape(mine), shape(theirs));
    assert.ok(mine.filter((s) => s.name.startsWith("chat ")).length >= 3);
    spanCount = mine.length;
    assert.ok(mine.some((s) => s.name === "invoke_agent general-purpose"));
    const root = mine.find((s) => !s.parentSpanId);
    const liveRoot = theirs.find((s) => !s.parentSpanId);
    const a = attributesOf(root?.attributes);
    // The run's total is Claude Code's own, saved in the transcript; each call is priced by the table.
    assert.equal(a["claude_code.cost.source"], "claude_code");
    assert.equal(a["gen_ai.usage.cost"], bareCost);
    const calls = mine.filter((s) => s.name.startsWith("chat "));
    assert.ok(calls.every((s) => attributesOf(s.attributes)["claude_code.cost.source"] === "price_table"));
    assert.equal(a["gen_ai.conversation.id"], sessionId);
    for (const key of ["gen_ai.usage.input_tokens", "gen_ai.usage.output_tokens", "claude_code.tool_calls"])
      assert.equal(a[key], attributesOf(liveRoot?.attributes)[key], key);
    assert.equal(imported.inputTokens, a["gen_ai.usage.input_tokens"]);
    assert.equal(imported.costUsd, bareCost);

    const files = () => readdirSync(join(h.sandbox.claudiaHome, "journal"), { recursive: true }).sort();
    const before = files();
    const again = await traces(["import"]);
    assert.equal(again.stdout, "Imported 0 session(s) (2 already in the journal).\n");
    assert.deepEqual(files(), before);
    assert.equal(again.stderr, "");
  });

  test("an imported run can be pushed to the backend configured when it was imported, and exported", async () => {
    assert.ok(importedId);
    const pushed = await traces(["push"]);
    assert.equal(pushed.code, 0, pushed.stderr);
    assert.match(pushed.stdout, new RegExp(`${importedId}  delivered \\d+ spans`));
    const received = await waitForSpans(h.receiver.spans, importedId, spanCount);
    assert.equal(received.length, spanCount);
    const exported = await traces(["export", importedId, "--endpoint", h.receiver.url]);
    assert.equal(exported.code, 0, exported.stderr);
    assert.match(exported.stdout, new RegExp(`${importedId}  delivered ${spanCount} spans to export`));
  });

  test("--since, given paths, and one warning per unreadable path", async () => {
    const future = await traces(["import", "--since", "2999-01-01"]);
    assert.equal(future.stdout, "Imported 0 session(s).\n");
    const bad = await traces(["import", "--since", "someday"]);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--since takes a date .* or an age \(7d, 12h, 30m\), not "someday"/);
    // The ages `traces stats --since` takes: the sessions of the last week are all already imported.
    const week = await traces(["import", "--since", "7d"]);
    assert.equal(week.code, 0, week.stderr);
    assert.match(week.stdout, /^Imported 0 session\(s\) \(2 already in the journal\)\.\n$/);
    const link = join(h.sandbox.home, "dangling.jsonl");
    symlinkSync(join(h.sandbox.home, "nowhere"), link);
    const missing = join(h.sandbox.home, "missing.jsonl");
    const ran = await traces(["import", missing, link, join(h.sandbox.home, ".claude", "projects")]);
    assert.equal(ran.code, 0);
    const warnings = ran.stderr.trim().split("\n");
    assert.equal(warnings.length, 2, ran.stderr);
    assert.match(warnings[0] as string, /could not read .*missing\.jsonl \(ENOENT\); skipped/);
    assert.match(warnings[1] as string, /dangling\.jsonl is not a file or folder; skipped/);
    assert.equal(ran.stdout, "Imported 0 session(s) (2 already in the journal).\n");
    assert.ok(!/\r|\[#/.test(ran.stderr), "no progress bar off a terminal");
  });

  test("on a terminal, a progress bar on stderr", async () => {
    // A fresh journal: both sessions of the projects folder are new to it.
    const env = { ...h.sandbox.env, CLAUDIA_HOME: join(h.sandbox.home, "other-journal") };
    const command = `"${process.execPath}" "${CLAUDIA}" traces import`;
    const ran = await run("script", ["-qec", command, "/dev/null"], { env, cwd: h.sandbox.work });
    assert.equal(ran.code, 0, ran.stderr);
    assert.match(ran.stdout, /\r\[#{15} {15}\] 1\/2 sessions/);
    assert.match(ran.stdout, /Imported 2 session\(s\)\./);
  });
});

/** A Claude Code configuration folder and a journal of their own: what the tests above count stays theirs. */
function apart(name: string): NodeJS.ProcessEnv {
  return {
    CLAUDE_CONFIG_DIR: join(h.sandbox.home, `claude-${name}`),
    CLAUDIA_HOME: join(h.sandbox.home, `claudia-${name}`),
  };
}

function journalText(env: NodeJS.ProcessEnv): string {
  const dir = join(env.CLAUDIA_HOME as string, "journal");
  const files = readdirSync(dir, { recursive: true, encoding: "utf8" }).filter(
    (f) => f.endsWith("json") || f.endsWith(".jsonl"),
  );
  return files.map((f) => readFileSync(join(dir, f), "utf8")).join("\n");
}

describe("traces import, as a live run would record it", () => {
  test("a configured OTLP header's value printed by a tool is redacted, as in a live run", async () => {
    const key = "hcxik_01hq3zz8kq4w3y2v0p9x7m6n5b4c3d2e1f";
    const env = apart("credential");
    const bare = await claude(h.sandbox, ["-p", ...BASE_ARGS, "[[scenario:secrets]] print it"], {
      ...env,
      MY_DEPLOY_TOKEN: key,
    });
    assert.equal(bare.code, 0, bare.stderr);
    const imported = await traces(["import"], { ...env, OTEL_EXPORTER_OTLP_HEADERS: `x-honeycomb-team=${key}` });
    assert.equal(imported.stdout, "Imported 1 session(s).\n", imported.stderr);
    const journal = journalText(env);
    assert.ok(journal.includes("deploy=[REDACTED:credential]"), "the tool's output is recorded, redacted");
    assert.ok(!journal.includes(key));
  });

  test("a forked session is its own prompt and calls, not a replay of the history it copied", async () => {
    const env = apart("fork");
    const json = ["--output-format", "json"];
    const parent = await claude(h.sandbox, ["-p", ...BASE_ARGS, ...json, "[[scenario:bash]] parent"], env);
    const parentOut = JSON.parse(parent.stdout) as { session_id: string; total_cost_usd: number };
    const forkArgs = ["--resume", parentOut.session_id, "--fork-session", "[[scenario:text]] forked"];
    const fork = await claude(h.sandbox, ["-p", ...BASE_ARGS, ...json, ...forkArgs], env);
    // Claude Code's total for the fork carries on from its origin's.
    const forkOut = JSON.parse(fork.stdout) as { session_id: string; total_cost_usd: number };
    assert.equal((await traces(["import"], env)).stdout, "Imported 2 session(s).\n");

    const records = JSON.parse((await traces(["--json"], env)).stdout) as RunRecord[];
    const forked = records.find((r) => r.sessionId === forkOut.session_id);
    assert.equal(forked?.prompt, "[[scenario:text]] forked");
    assert.equal(forked?.numTurns, 1);
    const spans = await spansOf(forked?.traceId ?? "", env);
    const root = spans.find((s) => !s.parentSpanId);
    const chats = spans.filter((s) => s.name.startsWith("chat "));
    assert.equal(chats.length, 1);
    assert.equal(
      spans.filter((s) => s.name.startsWith("execute_tool")).length,
      0,
      "the history's Bash call is not the fork's",
    );
    for (const span of spans)
      assert.ok(BigInt(span.startTimeUnixNano) >= BigInt(root?.startTimeUnixNano ?? 0), span.name);
    // Nothing counted twice: the two runs cost what Claude Code says the fork's session cost in all.
    const stats = JSON.parse((await traces(["stats", "--json"], env)).stdout) as { total: { costUsd: number } };
    assert.ok(Math.abs(stats.total.costUsd - forkOut.total_cost_usd) < 1e-9, `${stats.total.costUsd}`);
    assert.ok(Math.abs((forked?.costUsd ?? 0) - (forkOut.total_cost_usd - parentOut.total_cost_usd)) < 1e-9);
  });

  test("an auto-compacted session costs what Claude Code says, its summary call included", async () => {
    const env = {
      ...apart("compact"),
      CLAUDE_AUTOCOMPACT_PCT_OVERRIDE: "50",
      CLAUDE_CODE_AUTO_COMPACT_WINDOW: "100000",
    };
    const bare = await claude(
      h.sandbox,
      ["-p", ...BASE_ARGS, "--output-format", "json", "[[scenario:compact]] go"],
      env,
    );
    const out = JSON.parse(bare.stdout) as { total_cost_usd: number; duration_api_ms: number };
    assert.equal((await traces(["import"], env)).stdout, "Imported 1 session(s).\n");
    const [record] = JSON.parse((await traces(["--json"], env)).stdout) as RunRecord[];
    assert.equal(record?.costUsd, out.total_cost_usd);
    const spans = await spansOf(record?.traceId ?? "", env);
    const root = attributesOf(spans.find((s) => !s.parentSpanId)?.attributes);
    assert.equal(root["claude_code.compactions"], 1);
    assert.equal(root["claude_code.cost.source"], "claude_code");
    assert.equal(root["gen_ai.usage.cost"], out.total_cost_usd);
    // The transcript has no entry for the summary call: the calls it has add up to less.
    const calls = spans.filter((s) => s.name.startsWith("chat "));
    const priced = calls.reduce((sum, s) => sum + Number(attributesOf(s.attributes)["gen_ai.usage.cost"]), 0);
    assert.ok(priced < out.total_cost_usd - 1e-6, `${priced} < ${out.total_cost_usd}`);
  });

  test("a session continued after its import is imported again, replacing its run; unchanged, it is left alone", async () => {
    const env = apart("continued");
    const first = await claude(
      h.sandbox,
      ["-p", ...BASE_ARGS, "--output-format", "json", "[[scenario:text]] one"],
      env,
    );
    const sessionId = (JSON.parse(first.stdout) as { session_id: string }).session_id;
    assert.equal((await traces(["import"], env)).stdout, "Imported 1 session(s).\n");
    const before = (JSON.parse((await traces(["--json"], env)).stdout) as RunRecord[])[0];
    const rootBefore = (await spansOf(before?.traceId ?? "", env)).find((s) => !s.parentSpanId);

    const resumed = await claude(h.sandbox, ["-p", ...BASE_ARGS, "--resume", sessionId, "[[scenario:text]] two"], env);
    assert.equal(resumed.code, 0, resumed.stderr);
    const again = await traces(["import"], env);
    assert.equal(again.stdout, "Imported 0 session(s), updated 1 continued since.\n", again.stderr);
    const records = JSON.parse((await traces(["--json"], env)).stdout) as RunRecord[];
    assert.equal(records.length, 1, "the run is replaced, not added");
    const after = records[0];
    assert.equal(after?.traceId, before?.traceId);
    assert.equal(after?.prompt, "[[scenario:text]] one");
    assert.equal(after?.numTurns, 2);
    assert.ok((after?.costUsd ?? 0) > (before?.costUsd ?? 0));
    const spans = await spansOf(after?.traceId ?? "", env);
    assert.equal(spans.filter((s) => s.name.startsWith("chat ")).length, 2);
    assert.equal(spans.find((s) => !s.parentSpanId)?.spanId, rootBefore?.spanId, "the same ids for the same spans");

    const journal = journalText(env);
    const third = await traces(["import"], env);
    assert.equal(third.stdout, "Imported 0 session(s) (1 already in the journal).\n");
    assert.equal(journalText(env), journal);

    // A run imported by a claudia that did not note the transcript's size is imported again, once.
    const dir = join(env.CLAUDIA_HOME as string, "journal");
    const recordPath = join(
      dir,
      readdirSync(dir, { recursive: true, encoding: "utf8" }).find((f) => f.endsWith(".run.json")) ?? "",
    );
    const { transcriptBytes, ...older } = JSON.parse(readFileSync(recordPath, "utf8")) as RunRecord;
    assert.ok(transcriptBytes);
    writeFileSync(recordPath, JSON.stringify(older));
    assert.equal((await traces(["import"], env)).stdout, "Imported 0 session(s), updated 1 continued since.\n");
    assert.equal((await traces(["import"], env)).stdout, "Imported 0 session(s) (1 already in the journal).\n");
  });

  test("a copy of a transcript under another name is a session of its own: each imported once, neither hiding the other", async () => {
    const env = apart("copy");
    const bare = await claude(
      h.sandbox,
      ["-p", ...BASE_ARGS, "--output-format", "json", "[[scenario:text]] kept"],
      env,
    );
    const sessionId = (JSON.parse(bare.stdout) as { session_id: string }).session_id;
    const original = locateSession(sessionId, h.sandbox.work, { ...h.sandbox.env, ...env });
    assert.ok(original);
    // A backup kept beside it: its entries still name the session it was copied from.
    const copy = join(dirname(original), `${randomUUID()}.jsonl`);
    copyFileSync(original, copy);
    const first = await traces(["import", copy], env);
    assert.equal(first.stdout, "Imported 1 session(s).\n", first.stderr);
    const all = await traces(["import"], env);
    assert.equal(all.stdout, "Imported 1 session(s) (1 already in the journal).\n", all.stderr);
    const again = await traces(["import"], env);
    assert.equal(again.stdout, "Imported 0 session(s) (2 already in the journal).\n");
    assert.equal(again.stderr, "");
    const records = JSON.parse((await traces(["--json"], env)).stdout) as RunRecord[];
    assert.equal(records.length, 2);
    assert.ok(records.every((r) => r.sessionId === sessionId && r.prompt === "[[scenario:text]] kept"));
  });

  test("a line too long to be Claude Code's is skipped with one warning; the session around it is imported", async () => {
    const env = apart("long-line");
    const bare = await claude(
      h.sandbox,
      ["-p", ...BASE_ARGS, "--output-format", "json", "[[scenario:bash]] long"],
      env,
    );
    const { session_id: sessionId, total_cost_usd: cost } = JSON.parse(bare.stdout) as {
      session_id: string;
      total_cost_usd: number;
    };
    const path = locateSession(sessionId, h.sandbox.work, { ...h.sandbox.env, ...env }) ?? "";
    const transcript = readFileSync(path);
    const fd = openSync(path, "w");
    const block = Buffer.alloc(1024 * 1024, "A");
    for (let written = 0; written <= MAX_LINE_CHARS; written += block.length) writeSync(fd, block);
    writeSync(fd, "\n");
    writeSync(fd, transcript);
    closeSync(fd);
    const imported = await traces(["import"], env);
    assert.equal(imported.stdout, "Imported 1 session(s).\n");
    assert.equal(imported.stderr, `claudia: a line of ${path} is longer than 64 MiB; skipped\n`);
    const [record] = JSON.parse((await traces(["--json"], env)).stdout) as RunRecord[];
    assert.equal(record?.prompt, "[[scenario:bash]] long");
    assert.equal(record?.costUsd, cost);
  });

  test("a session begun before the journal's age limit is not imported, to be pruned and imported again", async () => {
    const env = apart("old");
    const bare = await claude(h.sandbox, ["-p", ...BASE_ARGS, "--output-format", "json", "[[scenario:text]] old"], env);
    const sessionId = (JSON.parse(bare.stdout) as { session_id: string }).session_id;
    const path = locateSession(sessionId, h.sandbox.work, { ...h.sandbox.env, ...env }) ?? "";
    const fortyDays = 40 * 24 * 3600 * 1000;
    const older = readFileSync(path, "utf8").replace(
      /"timestamp":"([^"]+)"/g,
      (_, at: string) => `"timestamp":"${new Date(Date.parse(at) - fortyDays).toISOString()}"`,
    );
    writeFileSync(path, older);
    const skipped = await traces(["import"], env);
    assert.equal(skipped.stdout, "Imported 0 session(s) (1 begun before the journal's 30 days).\n", skipped.stderr);
    // A live run prunes the journal: an old run imported would be gone after it.
    await claudia(h.sandbox, [...BASE_ARGS, "[[scenario:text]] now"], env);
    assert.equal(
      (await traces(["import"], env)).stdout,
      "Imported 0 session(s) (1 already in the journal, 1 begun before the journal's 30 days).\n",
    );
    const kept = { ...env, CLAUDIA_JOURNAL_MAX_AGE_DAYS: "60" };
    assert.equal((await traces(["import"], kept)).stdout, "Imported 1 session(s) (1 already in the journal).\n");
  });

  test("a run stopped by --max-turns is an error, as the live run records it", async () => {
    const env = apart("max-turns");
    const args = [...BASE_ARGS, "--output-format", "json", "--max-turns", "2", "[[scenario:max-turns]] limited"];
    const bare = await claude(h.sandbox, ["-p", ...args], env);
    assert.equal((JSON.parse(bare.stdout) as { subtype: string }).subtype, "error_max_turns");
    const live = await claudia(h.sandbox, args, env);
    const liveId = traceIdFrom(live.stderr);
    assert.equal((await traces(["import"], env)).stdout, "Imported 1 session(s) (1 already in the journal).\n");
    const records = JSON.parse((await traces(["--json"], env)).stdout) as RunRecord[];
    const imported = records.find((r) => r.traceId !== liveId);
    assert.equal(imported?.status, "error");
    assert.equal(imported?.errorType, "max_turns");
    const rootOf = async (id: string) => (await spansOf(id, env)).find((s) => !s.parentSpanId);
    const [mine, theirs] = [await rootOf(imported?.traceId ?? ""), await rootOf(liveId)];
    assert.deepEqual(mine?.status, theirs?.status);
    assert.equal(mine?.status?.message, "Reached maximum number of turns (2)");
    assert.equal(attributesOf(mine?.attributes)["error.type"], "max_turns");
    assert.equal(attributesOf(mine?.attributes)["claude_code.num_turns"], 3);
  });
});

// Last: it adds sessions to the projects folder the tests above count.
describe("traces import of a session claudia ran in part", () => {
  test("a session begun with claudia and continued by bare claude: only the bare run is imported", async () => {
    const traced = await claudia(h.sandbox, [...BASE_ARGS, "--output-format", "json", "[[scenario:bash]] traced part"]);
    assert.equal(traced.code, 0, traced.stderr);
    const { session_id: sessionId } = JSON.parse(traced.stdout) as { session_id: string };
    const before = h.model.served.length;
    const bare = await claude(h.sandbox, [
      "-p",
      ...BASE_ARGS,
      "--output-format",
      "json",
      "--resume",
      sessionId,
      "[[scenario:bash]] untraced part",
    ]);
    assert.equal(bare.code, 0, bare.stderr);
    const bareCalls = h.model.served.slice(before);
    const imported = await traces(["import"]);
    assert.equal(imported.code, 0, imported.stderr);
    assert.match(imported.stdout, /^Imported [1-9]\d* session\(s\)/);
    const record = (await storedRecords(h.sandbox)).find(
      (r) => r.sessionId === sessionId && r.traceId !== traceIdFrom(traced.stderr),
    );
    assert.ok(record, "the bare part is a run of its own");
    const spans = await spansOf(record.traceId);
    const chats = spans.filter((s) => s.name.startsWith("chat "));
    assert.deepEqual(
      chats.map(
        (s) => attributesOf(s.attributes)["claude_code.request_id"] ?? attributesOf(s.attributes)["gen_ai.response.id"],
      ).length,
      bareCalls.length,
      "one chat span per call of the bare run, none of the traced run's",
    );
    const root = spans.find((s) => !s.parentSpanId);
    const prompt = String(attributesOf(root?.attributes)["gen_ai.input.messages"]);
    assert.match(prompt, /untraced part/);
    assert.doesNotMatch(prompt, /\]\] traced part/);
    const again = await traces(["import"]);
    assert.match(again.stdout, /^Imported 0 session\(s\)/);
  });
  test("a session imported while its claudia run was still going: that import is removed once the run has recorded it", async () => {
    const traced = await claudia(h.sandbox, [...BASE_ARGS, "--output-format", "json", "[[scenario:bash]] still going"]);
    assert.equal(traced.code, 0, traced.stderr);
    const { session_id: sessionId } = JSON.parse(traced.stdout) as { session_id: string };
    const traceId = traceIdFrom(traced.stderr);
    // While a run goes on, its record is not written yet: an import then sees a session of its own.
    const journal = join(h.sandbox.claudiaHome, "journal");
    const day = readdirSync(journal).find(
      (d) =>
        existsSync(join(journal, d)) && readdirSync(join(journal, d)).some((n) => n.endsWith(`-${traceId}.run.json`)),
    );
    assert.ok(day, "claudia's run is in the journal");
    const record = join(
      journal,
      day,
      readdirSync(join(journal, day)).find((n) => n.endsWith(`-${traceId}.run.json`)) as string,
    );
    renameSync(record, `${record}.later`);
    const during = await traces(["import"]);
    assert.equal(during.code, 0, during.stderr);
    renameSync(`${record}.later`, record);
    const forSession = async () =>
      (await storedRecords(h.sandbox)).filter((r) => r.sessionId === sessionId).map((r) => r.traceId);
    assert.equal((await forSession()).length, 2, "the live run and its import");

    const after = await traces(["import"]);
    assert.equal(after.code, 0, after.stderr);
    assert.match(after.stdout, /1 recorded by claudia since: their imports removed/);
    assert.deepEqual(await forSession(), [traceId]);
    const again = await traces(["import"]);
    assert.doesNotMatch(again.stdout, /recorded by claudia since/);
    assert.deepEqual(await forSession(), [traceId]);
  });
});
