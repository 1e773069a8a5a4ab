/**
 * The local journal and `claudia traces`, against real runs: the stored format, list/show/export/
 * push, nothing lost when the backend is down, parallel runs, switching it off, and the demo.
 */
import assert from "node:assert/strict";
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { request } from "node:http";
import { basename, dirname, join } from "node:path";
import { describe, test } from "node:test";
import { scriptedRuns } from "../support/harness.ts";
import { storedRecord, storedRecords } from "../support/journal.ts";
import { startOtlpReceiver } from "../support/otlp-receiver.ts";
import { freePort } from "../support/ports.ts";
import { BASE_ARGS, claude, claudia } from "../support/sandbox.ts";
import { root, traceIdFrom, waitForSpans } from "../support/trace-checks.ts";

const h = scriptedRuns();

const traces = (args: string[], env: NodeJS.ProcessEnv = {}) => claudia(h.sandbox, ["traces", ...args], env);
const records = () => storedRecords(h.sandbox);
const recordOf = (traceId: string) => storedRecord(h.sandbox, traceId);

function journalFiles(traceId: string): { spans: string; record: string } {
  const dir = join(h.sandbox.claudiaHome, "journal");
  for (const day of readdirSync(dir)) {
    const name = readdirSync(join(dir, day)).find((n) => n.endsWith(`-${traceId}.jsonl`));
    if (name) return { spans: join(dir, day, name), record: join(dir, day, name.replace(/\.jsonl$/, ".run.json")) };
  }
  throw new Error(`no journal file for ${traceId}`);
}

function post(url: string, body: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${url}/v1/traces`,
      { method: "POST", headers: { "content-type": "application/json" } },
      (res) => {
        res.resume();
        res.on("end", () => resolve(res.statusCode ?? 0));
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

describe("journal", () => {
  test("each line is an OTLP/JSON export request: an OTLP receiver reads back exactly the delivered spans", async () => {
    const ran = await claudia(h.sandbox, [...BASE_ARGS, "[[scenario:bash]] journal"]);
    assert.equal(ran.code, 0);
    const traceId = traceIdFrom(ran.stderr);
    const live = await waitForSpans(h.receiver.spans, traceId, 4);
    const other = await startOtlpReceiver();
    try {
      const lines = readFileSync(journalFiles(traceId).spans, "utf8").trim().split("\n");
      for (const line of lines) assert.equal(await post(other.url, line), 200);
      const key = (s: { spanId: string; name: string; parentSpanId: string; attributes: unknown; status: unknown }) =>
        JSON.stringify([s.spanId, s.name, s.parentSpanId, s.attributes, s.status]);
      assert.deepEqual(other.spans.map(key).sort(), live.map(key).sort());
      const record = await recordOf(traceId);
      assert.equal(record.spans, live.length);
      assert.equal(record.status, "ok");
      assert.equal(record.toolCalls, 1);
      assert.equal(record.inputTokens, root(live).attributes["gen_ai.usage.input_tokens"]);
      assert.equal(record.outputTokens, root(live).attributes["gen_ai.usage.output_tokens"]);
      assert.equal(record.costUsd, root(live).attributes["gen_ai.usage.cost"]);
      assert.equal(record.prompt, "[[scenario:bash]] journal");
      assert.deepEqual(
        { delivered: record.deliveries.otlp?.delivered, spans: record.deliveries.otlp?.spans },
        { delivered: true, spans: live.length },
      );
    } finally {
      await other.close();
    }
  });

  test("traces show prints the exact tree: names, titles, tokens and prices of the run", async () => {
    const before = h.model.served.length;
    const ran = await claudia(h.sandbox, [...BASE_ARGS, "--output-format", "json", "[[scenario:bash]] tree"]);
    const total = JSON.parse(ran.stdout).total_cost_usd as number;
    const [first, second] = h.model.served.slice(before);
    assert.ok(first && second);
    const shown = await traces(["show", traceIdFrom(ran.stderr).slice(0, 10)]);
    assert.equal(shown.code, 0);
    // Claude Sonnet 4.5 list prices: $3 / $15 per million input / output tokens, cache reads $0.30, writes $3.75.
    const price = (u: typeof first.usage) =>
      (u.input_tokens * 3 +
        u.output_tokens * 15 +
        u.cache_read_input_tokens * 0.3 +
        u.cache_creation_input_tokens * 3.75) /
      1e6;
    const input = (u: typeof first.usage) => u.input_tokens + u.cache_read_input_tokens + u.cache_creation_input_tokens;
    const usage = (u: typeof first.usage) => `in ${input(u)} · out ${u.output_tokens} · $${price(u).toFixed(6)}`;
    const expected = [
      [
        "invoke_agent claude-code",
        `in ${input(first.usage) + input(second.usage)} · out ${first.usage.output_tokens + second.usage.output_tokens} · $${total.toFixed(total < 0.01 ? 6 : 4)}`,
      ],
      ["├─ chat claude-sonnet-4-5", usage(first.usage)],
      ["├─ execute_tool Bash  Print a greeting", ""],
      ["└─ chat claude-sonnet-4-5", usage(second.usage)],
    ];
    const lines = shown.stdout.trimEnd().split("\n");
    assert.equal(lines.length, expected.length, shown.stdout);
    lines.forEach((line, i) => {
      const m = /^(.*?) +(\d+ms|\d+\.\d\ds) {2}([█ ]{1,24})(?: {2}(.*))?$/.exec(line);
      assert.ok(m, `line ${i} has the tree shape: ${line}`);
      assert.equal(m[1], expected[i]?.[0]);
      assert.equal(m[4] ?? "", expected[i]?.[1]);
    });
    assert.match(lines[0] as string, / █{24} {2}/, "the root's bar spans the whole width");
  });

  test("traces list shows the run; show --full adds content; an unknown id is a clear error", async () => {
    const ran = await claudia(h.sandbox, [...BASE_ARGS, "[[scenario:bash-fail]] list me"]);
    const traceId = traceIdFrom(ran.stderr);
    const list = await traces([]);
    assert.equal(list.code, 0);
    const row = list.stdout.split("\n").find((l) => l.startsWith(traceId.slice(0, 12)));
    assert.ok(row, list.stdout);
    assert.match(
      row,
      /ok\s+claude-sonnet-4-5\s+2\s+1\s+\d+\/\d+\s+\$[\d.]+\s+[\d.]+m?s\s+delivered\s+\[\[scenario:bash-fail\]\] list me/,
    );
    const full = await traces(["show", "last", "--full"]);
    assert.match(full.stdout, /tool\.call\.arguments: \{"command":"ls \/nonexistent-claudia-path"/);
    assert.match(full.stdout, /execute_tool Bash .*✗ tool_error: Exit code 2/);
    const json = JSON.parse((await traces(["show", traceId, "--json"])).stdout);
    assert.equal(json.run.traceId, traceId);
    assert.equal(json.spans.length, 4);
    const missing = await traces(["show", "ffffffffff"]);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /no run with a trace id starting "ffffffffff"/);
    const help = await traces(["show", "--help"]);
    assert.match(help.stdout, /claudia traces show <id\|prefix\|last>/);
  });

  test("traces export sends a stored run to any OTLP endpoint, in any protocol", async () => {
    const ran = await claudia(h.sandbox, [...BASE_ARGS, "[[scenario:bash]] export me"]);
    const traceId = traceIdFrom(ran.stderr);
    const stored = (await recordOf(traceId)).spans;
    for (const protocol of ["http/protobuf", "http/json", "grpc"] as const) {
      const other = await startOtlpReceiver();
      try {
        const endpoint = protocol === "grpc" ? other.grpcUrl : other.url;
        const out = await traces([
          "export",
          traceId,
          "--endpoint",
          endpoint,
          "--headers",
          "x-k=v",
          "--protocol",
          protocol,
        ]);
        assert.equal(out.code, 0, out.stderr);
        assert.match(out.stdout, new RegExp(`${traceId}  delivered ${stored} spans`));
        assert.equal(other.spans.filter((s) => s.traceId === traceId).length, stored);
        assert.equal(other.requests.at(-1)?.headers["x-k"], "v");
        const wire = {
          "http/protobuf": "application/x-protobuf",
          "http/json": "application/json",
          grpc: "application/grpc",
        };
        assert.deepEqual([...new Set(other.requests.map((r) => r.contentType))], [wire[protocol]], "sent as asked");
      } finally {
        await other.close();
      }
    }
    const bad = await traces(["export", traceId]);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /needs --endpoint/);
  });
});

describe("nothing lost", () => {
  test("backend down: output and exit code unchanged, run kept undelivered; push delivers every span once", async () => {
    const port = await freePort();
    const down = { OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${port}`, CLAUDIA_RESEND_WAIT_MS: "0" };
    const prompt = "[[scenario:bash]] outage";
    const direct = await claude(h.sandbox, ["-p", ...BASE_ARGS, prompt]);
    const ran = await claudia(h.sandbox, [...BASE_ARGS, prompt], down);
    assert.equal(ran.code, direct.code);
    assert.equal(ran.stdout, direct.stdout);
    assert.match(ran.stderr, /not delivered to otlp: ECONNREFUSED.*claudia traces push/);
    const traceId = traceIdFrom(ran.stderr);
    const record = await recordOf(traceId);
    assert.equal(record.deliveries.otlp?.delivered, false);
    assert.match((await traces([])).stdout, new RegExp(`${traceId.slice(0, 12)}.*NOT delivered`));

    const back = await startOtlpReceiver({ port });
    try {
      const pushed = await traces(["push"], down);
      assert.equal(pushed.code, 0, pushed.stderr);
      assert.match(pushed.stdout, new RegExp(`${traceId}  delivered ${record.spans} spans`));
      const arrived = back.spans.filter((s) => s.traceId === traceId);
      assert.equal(arrived.length, record.spans);
      assert.equal(new Set(arrived.map((s) => s.spanId)).size, record.spans, "every span, once");
      assert.equal(root(arrived).attributes["claude_code.tool_calls"], 1);
      assert.equal((await recordOf(traceId)).deliveries.otlp?.delivered, true);
      const before = back.spans.length;
      const again = await traces(["push"], down);
      assert.equal(again.code, 0);
      assert.match(again.stdout, /Nothing to push/);
      assert.equal(back.spans.length, before);
    } finally {
      await back.close();
    }
  });

  test("the next run re-sends undelivered runs in the background", async () => {
    const port = await freePort();
    const endpoint = { OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${port}`, CLAUDIA_RESEND_WAIT_MS: "0" };
    const failed = await claudia(h.sandbox, [...BASE_ARGS, "[[scenario:text]] will be late"], endpoint);
    const lateId = traceIdFrom(failed.stderr);
    assert.equal((await recordOf(lateId)).deliveries.otlp?.delivered, false);
    // Listed in the outbox, which the next run reads instead of every record (journal-outbox.ts).
    const outbox = join(h.sandbox.claudiaHome, "journal.outbox");
    const listed = () => readdirSync(outbox).filter((name) => name.includes(lateId));
    assert.equal(listed().length, 1);
    const back = await startOtlpReceiver({ port });
    try {
      const next = await claudia(h.sandbox, [...BASE_ARGS, "[[scenario:text]] next"], {
        ...endpoint,
        CLAUDIA_RESEND_WAIT_MS: "3000",
      });
      assert.equal(next.code, 0);
      const late = await waitForSpans(back.spans, lateId, 2);
      assert.equal(late.length, 2);
      assert.equal((await recordOf(lateId)).deliveries.otlp?.delivered, true);
      assert.deepEqual(listed(), []);
    } finally {
      await back.close();
    }
  });
});

describe("a backend that refuses, or stays down", () => {
  test("a run the backend refused (400) is not sent again by every later run; push still tries it", async () => {
    const receiver = await startOtlpReceiver();
    receiver.fault = { kind: "status", status: 400 };
    const endpoint = { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, CLAUDIA_RESEND_WAIT_MS: "3000" };
    try {
      const first = await claudia(h.sandbox, [...BASE_ARGS, "[[scenario:text]] refused"], endpoint);
      assert.equal(first.code, 0);
      const refusedId = traceIdFrom(first.stderr);
      const refused = (await recordOf(refusedId)).deliveries.otlp;
      assert.equal(refused?.delivered, false);
      assert.equal(refused?.refused, true, "the refusal is recorded as one");
      const next = await claudia(h.sandbox, [...BASE_ARGS, "[[scenario:text]] after a refusal"], endpoint);
      assert.equal(next.code, 0);
      assert.deepEqual((await recordOf(refusedId)).deliveries.otlp, refused, "the next run left the refused run alone");

      receiver.fault = undefined;
      const pushed = await traces(["push"], endpoint);
      assert.equal(pushed.code, 0, pushed.stdout);
      assert.match(pushed.stdout, new RegExp(`${refusedId}  delivered`));
      assert.equal((await recordOf(refusedId)).deliveries.otlp?.delivered, true);
    } finally {
      await receiver.close();
    }
  });

  test("push to a backend that does not answer: one timeout, not one per run", async () => {
    const receiver = await startOtlpReceiver();
    const endpoint = {
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
      CLAUDIA_RESEND_WAIT_MS: "0",
      CLAUDIA_EXPORT_TIMEOUT_MS: "1500",
    };
    try {
      receiver.fault = { kind: "status", status: 503 };
      const ids: string[] = [];
      for (const n of [1, 2, 3]) {
        const ran = await claudia(h.sandbox, [...BASE_ARGS, `[[scenario:text]] unanswered ${n}`], endpoint);
        ids.push(traceIdFrom(ran.stderr));
      }
      receiver.fault = { kind: "blackhole" };
      const arrivals = receiver.arrivals;
      const pushed = await traces(["push"], endpoint);
      assert.equal(pushed.code, 1);
      const lines = pushed.stdout.split("\n").filter((l) => ids.some((id) => l.startsWith(id)));
      assert.equal(lines.length, 3, pushed.stdout);
      assert.equal(lines.filter((l) => /NOT delivered/.test(l)).length, 1, pushed.stdout);
      assert.equal(lines.filter((l) => /not tried: otlp did not take the run before/.test(l)).length, 2, pushed.stdout);
      assert.equal(receiver.arrivals - arrivals, 1, "one request reached the backend");
      for (const id of ids) assert.equal((await recordOf(id)).deliveries.otlp?.delivered, false);
    } finally {
      await receiver.close();
    }
  });
});

describe("parallel runs after an outage", () => {
  test("6 runs at once while the backend is down, then 6 at once once it is back: each run delivered exactly once", async () => {
    const port = await freePort();
    const endpoint = { OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${port}` };
    const matrix = (phase: string, env: NodeJS.ProcessEnv) =>
      Promise.all(
        Array.from({ length: 6 }, (_, i) =>
          claudia(h.sandbox, [...BASE_ARGS, `[[scenario:text]] ${phase} ${i}`], { ...endpoint, ...env }),
        ),
      );
    const down = await matrix("down", { CLAUDIA_RESEND_WAIT_MS: "0" });
    const late = down.map((r) => traceIdFrom(r.stderr));
    for (const id of late) assert.equal((await recordOf(id)).deliveries.otlp?.delivered, false);
    const back = await startOtlpReceiver({ port });
    try {
      // Long enough that no run exits while one of its re-sends is on the way (that send may have
      // arrived, but its record could not say so: it would be sent again, as at-least-once allows).
      // And long enough an export time that, on a busy machine, no run gives up on its own export
      // just before it arrives (its record would then say undelivered, and it would be sent again).
      const up = await matrix("up", { CLAUDIA_RESEND_WAIT_MS: "60000", CLAUDIA_EXPORT_TIMEOUT_MS: "60000" });
      for (const r of up) assert.equal(r.code, 0, r.stderr);
      for (const id of [...late, ...up.map((r) => traceIdFrom(r.stderr))]) {
        const record = await recordOf(id);
        assert.equal(record.deliveries.otlp?.delivered, true, id);
        const arrived = back.spans.filter((s) => s.traceId === id);
        assert.equal(
          arrived.length,
          record.spans,
          `run ${id} arrived once, not ${arrived.length / record.spans} times`,
        );
      }
    } finally {
      await back.close();
    }
  });
});

describe("push lock", () => {
  test("a run another claudia is sending is skipped, not sent twice", async () => {
    const port = await freePort();
    const env = { OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${port}`, CLAUDIA_RESEND_WAIT_MS: "0" };
    const ran = await claudia(h.sandbox, [...BASE_ARGS, "[[scenario:text]] locked"], env);
    const traceId = traceIdFrom(ran.stderr);
    assert.equal((await recordOf(traceId)).deliveries.otlp?.delivered, false);
    const slow = await startOtlpReceiver({ port });
    let release = () => {};
    slow.fault = { kind: "hold", until: new Promise<void>((r) => (release = r)) };
    try {
      // The first push is mid-send (its request has arrived, its answer is held back) while the second runs.
      const first = traces(["push"], { ...env, CLAUDIA_EXPORT_TIMEOUT_MS: "60000" });
      for (let i = 0; i < 400 && slow.arrivals === 0; i++) await new Promise((r) => setTimeout(r, 50));
      assert.ok(slow.arrivals > 0, "the first push is sending");
      const arrivals = slow.arrivals;
      const second = await traces(["push"], env);
      assert.equal(second.code, 0, second.stderr);
      assert.match(second.stdout, new RegExp(`${traceId}  skipped: another claudia is sending it`));
      assert.equal(slow.arrivals, arrivals, "the second push sent nothing");
      release();
      const done = await first;
      assert.equal(done.code, 0, done.stderr);
      assert.match(done.stdout, new RegExp(`${traceId}  delivered 2 spans`));
      assert.equal(slow.spans.filter((s) => s.traceId === traceId).length, 2, "delivered once");
      assert.equal((await recordOf(traceId)).deliveries.otlp?.delivered, true);
    } finally {
      release();
      await slow.close();
    }
  });
});

describe("journal limits and place", () => {
  /** A journal of its own holding a copy of a stored run, said to have started `daysAgo` days ago. */
  function journalWithOldRun(traceId: string, daysAgo: number): string {
    const home = mkdtempSync(join(h.sandbox.home, "journal-"));
    const { spans, record } = journalFiles(traceId);
    const day = join(home, "journal", basename(dirname(spans)));
    mkdirSync(day, { recursive: true, mode: 0o700 });
    copyFileSync(spans, join(day, basename(spans)));
    const stored = JSON.parse(readFileSync(record, "utf8")) as { startTime: number; endTime: number };
    const shift = daysAgo * 86_400_000;
    writeFileSync(
      join(day, basename(record)),
      JSON.stringify({ ...stored, startTime: stored.startTime - shift, endTime: stored.endTime - shift }),
      { mode: 0o600 },
    );
    return home;
  }

  const idsIn = async (home: string) =>
    (await storedRecords({ ...h.sandbox, env: { ...h.sandbox.env, CLAUDIA_HOME: home } })).map((r) => r.traceId);

  test("CLAUDIA_JOURNAL_MAX_AGE_DAYS and CLAUDIA_JOURNAL_MAX_MB are read from the environment at the end of a run", async () => {
    const old = traceIdFrom((await claudia(h.sandbox, [...BASE_ARGS, "[[scenario:text]] old run"])).stderr);
    for (const [limits, oldKept] of [
      [{}, true], // the defaults: 30 days, 500 MB
      [{ CLAUDIA_JOURNAL_MAX_AGE_DAYS: "2" }, false],
      [{ CLAUDIA_JOURNAL_MAX_MB: "0.001" }, false],
    ] as const) {
      const home = journalWithOldRun(old, 3);
      assert.deepEqual(await idsIn(home), [old]);
      const ran = await claudia(h.sandbox, [...BASE_ARGS, "[[scenario:text]] new run"], {
        CLAUDIA_HOME: home,
        ...limits,
      });
      assert.equal(ran.code, 0);
      const fresh = traceIdFrom(ran.stderr);
      assert.deepEqual(
        (await idsIn(home)).sort(),
        (oldKept ? [old, fresh] : [fresh]).sort(),
        `with ${JSON.stringify(limits)} the 3-day-old run is ${oldKept ? "kept" : "removed"}; the newest always stays`,
      );
    }
  });
});

describe("journal under load and switched off", () => {
  test("8 runs at once write 8 intact runs", async () => {
    const before = (await records()).length;
    const runs = await Promise.all(
      Array.from({ length: 8 }, (_, i) => claudia(h.sandbox, [...BASE_ARGS, `[[scenario:bash]] parallel ${i}`])),
    );
    for (const r of runs) assert.equal(r.code, 0);
    const all = await records();
    assert.equal(all.length, before + 8);
    for (const r of runs) {
      const traceId = traceIdFrom(r.stderr);
      const record = all.find((x) => x.traceId === traceId);
      assert.ok(record, traceId);
      const lines = readFileSync(journalFiles(traceId).spans, "utf8").trim().split("\n");
      const spans = lines.flatMap((l) =>
        JSON.parse(l).resourceSpans.flatMap((rs: { scopeSpans: { spans: { traceId: string }[] }[] }) =>
          rs.scopeSpans.flatMap((ss) => ss.spans),
        ),
      );
      assert.equal(spans.length, record.spans);
      assert.equal(spans.length, 4);
      for (const s of spans) assert.equal(s.traceId, traceId);
    }
  });

  test("a journal folder that cannot be made (under /proc): one line, the run unchanged", async () => {
    const prompt = "[[scenario:text]] nowhere to write";
    const direct = await claude(h.sandbox, ["-p", ...BASE_ARGS, prompt]);
    const ran = await claudia(h.sandbox, [...BASE_ARGS, prompt], { CLAUDIA_HOME: "/proc/self/nonexistent/claudia" });
    assert.equal(ran.code, direct.code);
    assert.equal(ran.stdout, direct.stdout);
    assert.equal(ran.stderr.match(/trace journal/g)?.length, 1, ran.stderr);
  });

  test("CLAUDIA_JOURNAL=off: nothing is written, the run is still exported", async () => {
    const ran = await claudia(h.sandbox, [...BASE_ARGS, "[[scenario:text]] off"], { CLAUDIA_JOURNAL: "off" });
    const traceId = traceIdFrom(ran.stderr);
    assert.equal((await waitForSpans(h.receiver.spans, traceId)).length, 2);
    assert.equal(
      (await records()).some((r) => r.traceId === traceId),
      false,
    );
  });
});

describe("claudia demo", () => {
  test("runs the real Claude Code against claudia's scripted model and prints the trace tree", async () => {
    const ran = await claudia(h.sandbox, ["demo"], { OTEL_EXPORTER_OTLP_ENDPOINT: "" });
    assert.equal(ran.code, 0, ran.stderr);
    assert.match(ran.stderr, /SCRIPTED model/);
    assert.match(ran.stdout, /Done: I read notes\.md/);
    for (const line of [
      /^invoke_agent claude-code .*in \d+ · out \d+ · \$/m,
      /^├─ execute_tool Read {2}notes\.md/m,
      /^├─ execute_tool Bash {2}Count the words in the notes/m,
      /^├─ execute_tool Agent {2}Check the workspace/m,
      /^│ {2}└─ invoke_agent general-purpose/m,
      /^│ {5}├─ execute_tool Bash {2}List the workspace/m,
      /^├─ execute_tool Write {2}summary\.md/m,
      /^└─ chat claude-sonnet-4-6/m,
    ]) {
      assert.match(ran.stdout, line);
    }
    assert.equal((ran.stdout.match(/chat claude-sonnet-4-6/g) ?? []).length, 7);
    assert.doesNotMatch(ran.stderr, /retired|deprecated/i, "the demo's model is one Claude Code does not warn about");
    assert.match(ran.stderr, /See it in your browser: claudia traces ui [0-9a-f]{12}\n/);
    // The demo's run is journaled like any run: the tree it printed is the stored run's.
    const traceId = traceIdFrom(ran.stderr);
    const record = await recordOf(traceId);
    assert.equal(
      record.prompt,
      "Read notes.md, count its words, have a helper check the workspace, and write summary.md.",
    );
    assert.equal(record.toolCalls, 5);
    assert.equal(record.spans, 14);
    const shown = await traces(["show", traceId]);
    assert.equal(shown.code, 0);
    assert.ok(ran.stdout.endsWith(shown.stdout), `the printed tree is the stored run's:\n${shown.stdout}`);
  });
});
