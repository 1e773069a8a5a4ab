/**
 * Sentry, against Spotlight (a real Sentry envelope intake): what arrives is what Sentry's AI
 * Agents views read, a failed run is an error event linked to its trace, sampling keeps or drops
 * whole traces, and without `@sentry/node` installed the run goes on with the other backends.
 */
import assert from "node:assert/strict";
import { cpSync, mkdirSync, readdirSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { scriptedRuns } from "../support/harness.ts";
import { storedRecord } from "../support/journal.ts";
import { freePort } from "../support/ports.ts";
import { BASE_ARGS, CLAUDIA, claude, ROOT, run } from "../support/sandbox.ts";
import { contentErrors } from "../support/semconv-check.ts";
import {
  type Envelope,
  type EnvelopeItem,
  type SentrySpan,
  type Spotlight,
  sentrySpansOf,
  startSpotlight,
} from "../support/spotlight.ts";
import { named, root, traceIdFrom, waitForSpans } from "../support/trace-checks.ts";

const h = scriptedRuns();
let spotlight: Spotlight;
before(async () => {
  spotlight = await startSpotlight();
});
after(async () => {
  await spotlight.close();
});

const claudiaWith = (args: string[], env: NodeJS.ProcessEnv, entry = CLAUDIA) =>
  run(process.execPath, [entry, ...args], {
    env: { ...h.sandbox.env, OTEL_EXPORTER_OTLP_ENDPOINT: "", ...env },
    cwd: h.sandbox.work,
  });

/**
 * Every item of the envelopes about one trace, from one read of Spotlight (given, or made now). A
 * read ends only when a marker posted after everything else has come back, so an envelope missing
 * from it never arrived.
 */
async function itemsOf(traceId: string, read?: Envelope[]): Promise<{ envelopes: Envelope[]; items: EnvelopeItem[] }> {
  const envelopes = (read ?? (await spotlight.envelopes())).filter(
    (e) => (e.header.trace as { trace_id?: string } | undefined)?.trace_id === traceId,
  );
  return { envelopes, items: envelopes.flatMap((e) => e.items) };
}

describe("Sentry", () => {
  test("a run arrives as a transaction with gen_ai ops, names, usage subsets and the run's own ids", async () => {
    const otlp = h.receiver;
    const ran = await claudiaWith([...BASE_ARGS, "[[scenario:subagent]] to sentry"], {
      SENTRY_DSN: spotlight.dsn,
      SENTRY_ENVIRONMENT: "ci",
      SENTRY_RELEASE: "agents@1.2.3",
      OTEL_EXPORTER_OTLP_ENDPOINT: otlp.url,
    });
    assert.equal(ran.code, 0, ran.stderr);
    const traceId = traceIdFrom(ran.stderr);
    const { envelopes, items } = await itemsOf(traceId);
    const transactions = items.filter((i) => i.type === "transaction");
    assert.equal(transactions.length, 1);
    assert.equal(items.filter((i) => i.type === "event").length, 0, "no error event for a run that succeeded");
    const header = envelopes[0]?.header as { trace: Record<string, string>; sdk: { name: string } };
    assert.equal(header.trace.sampled, "true");
    assert.equal(header.trace.public_key, "publickey");
    assert.equal(header.trace.environment, "ci");
    assert.equal(header.sdk.name, "claude-telemetry");
    const payload = transactions[0]?.payload as Record<string, unknown>;
    assert.equal(payload.environment, "ci");
    assert.equal(payload.release, "agents@1.2.3");
    assert.equal(payload.transaction, "invoke_agent claude-code");

    // The same spans, with the same ids, as the OTLP backend got.
    const sent = sentrySpansOf(transactions);
    const received = await waitForSpans(otlp.spans, traceId, 8);
    assert.deepEqual(sent.map((s) => s.span_id).sort(), received.map((s) => s.spanId).sort());
    for (const span of received) {
      const s = sent.find((x) => x.span_id === span.spanId) as SentrySpan;
      assert.equal(s.description, span.name);
      assert.equal(s.parent_span_id ?? "", span.parentSpanId);
      assert.equal(s.op, `gen_ai.${span.attributes["gen_ai.operation.name"]}`);
      assert.equal(s.data["sentry.op"], s.op);
    }
    const agent = sent.find((s) => s.span_id === root(received).spanId) as SentrySpan;
    assert.equal(agent.op, "gen_ai.invoke_agent");
    assert.equal(agent.status, "ok");
    assert.deepEqual(
      sent.map((s) => s.op).sort(),
      received.map((s) => `gen_ai.${s.attributes["gen_ai.operation.name"]}`).sort(),
    );
    assert.ok(sent.some((s) => s.op === "gen_ai.chat" && s.description === "chat claude-sonnet-4-5"));
    assert.ok(sent.some((s) => s.op === "gen_ai.execute_tool" && s.description === "execute_tool Agent"));
    assert.ok(sent.some((s) => s.op === "gen_ai.execute_tool" && s.description === "execute_tool Bash"));

    // Usage by Sentry's conventions: input includes cached; cached and cache-write are subsets.
    for (const s of sent.filter((x) => x.op === "gen_ai.chat" || x.op === "gen_ai.invoke_agent")) {
      const otel = received.find((r) => r.spanId === s.span_id)?.attributes ?? {};
      const input = Number(s.data["gen_ai.usage.input_tokens"]);
      assert.equal(input, otel["gen_ai.usage.input_tokens"]);
      assert.equal(s.data["gen_ai.usage.input_tokens.cached"], otel["gen_ai.usage.cache_read.input_tokens"]);
      assert.equal(s.data["gen_ai.usage.input_tokens.cache_write"], otel["gen_ai.usage.cache_creation.input_tokens"]);
      assert.ok(Number(s.data["gen_ai.usage.input_tokens.cached"]) <= input);
      assert.ok(Number(s.data["gen_ai.usage.input_tokens.cache_write"]) <= input);
      assert.equal(s.data["gen_ai.usage.total_tokens"], input + Number(otel["gen_ai.usage.output_tokens"]));
      assert.equal(s.data["gen_ai.cost.total_tokens"], otel["gen_ai.usage.cost"]);
    }
    // The conversation as Sentry's AI Agents views read it: the content attributes in the span data.
    const content = (s: SentrySpan, key: string) => {
      assert.deepEqual(contentErrors(key, s.data[key]), [], `${s.description} ${key}`);
      return JSON.parse(String(s.data[key]));
    };
    assert.deepEqual(content(agent, "gen_ai.input.messages"), [
      { role: "user", parts: [{ type: "text", content: "[[scenario:subagent]] to sentry" }] },
    ]);
    assert.equal(content(agent, "gen_ai.output.messages")[0].parts[0].content, "The subagent finished its check.");
    const sub = sent.find((s) => s.description === "invoke_agent general-purpose") as SentrySpan;
    assert.equal(
      content(sub, "gen_ai.input.messages")[0].parts[0].content,
      "[[scenario:sub-worker]] Run the check command.",
    );
    assert.equal(content(sub, "gen_ai.output.messages")[0].parts[0].content, "Check passed: from-subagent");
    for (const chat of sent.filter((s) => s.op === "gen_ai.chat")) {
      assert.equal(content(chat, "gen_ai.output.messages")[0].role, "assistant");
      assert.ok(content(chat, "gen_ai.input.messages").length > 0);
    }
    const record = await storedRecord(h.sandbox, traceId);
    assert.equal(record.deliveries.sentry?.delivered, true);
    assert.match(String(record.deliveries.sentry?.endpoint), /127\.0\.0\.1:\d+\/api\/1\/envelope\//);
  });

  test("a failed run is an error event linked to its trace, and its transaction is marked failed", async () => {
    const prompt = "[[scenario:api-400]] sentry failure";
    const direct = await claude(h.sandbox, ["-p", ...BASE_ARGS, prompt]);
    const ran = await claudiaWith(["--sentry-dsn", spotlight.dsn, ...BASE_ARGS, prompt], {});
    assert.equal(ran.code, direct.code);
    assert.notEqual(ran.code, 0);
    assert.equal(ran.stdout, direct.stdout);
    const traceId = traceIdFrom(ran.stderr);
    const { items } = await itemsOf(traceId);
    const errors = items.filter((i) => i.type === "event");
    assert.equal(errors.length, 1);
    const error = errors[0]?.payload as {
      level: string;
      contexts: { trace: { trace_id: string; span_id: string } };
      exception: { values: { type: string; value: string }[] };
    };
    assert.equal(error.level, "error");
    const transaction = items.find((i) => i.type === "transaction")?.payload as {
      contexts: { trace: { span_id: string; status: string } };
    };
    assert.equal(error.contexts.trace.trace_id, traceId);
    assert.equal(error.contexts.trace.span_id, transaction.contexts.trace.span_id);
    assert.equal(transaction.contexts.trace.status, "internal_error");
    assert.match(String(error.exception.values[0]?.type), /^ClaudeCodeRunError/);
  });

  test("SENTRY_TRACES_SAMPLE_RATE=0 drops whole traces; a failed run still reports its error", async () => {
    const ok = await claudiaWith([...BASE_ARGS, "[[scenario:bash]] sampled out"], {
      SENTRY_DSN: spotlight.dsn,
      SENTRY_TRACES_SAMPLE_RATE: "0",
    });
    assert.equal(ok.code, 0);
    const failed = await claudiaWith([...BASE_ARGS, "[[scenario:api-400]] sampled out"], {
      SENTRY_DSN: spotlight.dsn,
      SENTRY_TRACES_SAMPLE_RATE: "0",
    });
    assert.notEqual(failed.code, 0);
    // One read for both: the failed run's error event, sent after the dropped run, shows the read was complete.
    const read = await spotlight.envelopes();
    assert.equal((await itemsOf(traceIdFrom(ok.stderr), read)).items.length, 0, "no span of a dropped trace is sent");
    const { items } = await itemsOf(traceIdFrom(failed.stderr), read);
    assert.deepEqual(
      items.map((i) => i.type),
      ["event"],
    );
    const record = await storedRecord(h.sandbox, traceIdFrom(ok.stderr));
    assert.equal(record.deliveries.sentry?.delivered, true, "a trace sampled out is not waiting to be re-sent");
  });

  test("SENTRY_TRACES_SAMPLE_RATE=0.5 keeps a trace by the low 56 bits of its id, the same as any Sentry SDK", async () => {
    // Trace ids chosen through TRACEPARENT: sample_rand 0x1…/2^56 ≈ 0.07 is kept, 0xe…/2^56 ≈ 0.88 is dropped
    // (their high bits the other way round, so a decision by the wrong bits shows).
    const keep = `ffffffffffffffffff${"1".padEnd(14, "0")}`;
    const drop = `000000000000000001${"e".padEnd(14, "0")}`;
    const runs: Record<string, string> = {};
    for (const [name, traceId] of Object.entries({ drop, keep })) {
      const ran = await claudiaWith([...BASE_ARGS, `[[scenario:text]] sampled at half (${name})`], {
        SENTRY_DSN: spotlight.dsn,
        SENTRY_TRACES_SAMPLE_RATE: "0.5",
        TRACEPARENT: `00-${traceId}-00f067aa0ba902b7-01`,
      });
      assert.equal(ran.code, 0, ran.stderr);
      assert.equal(traceIdFrom(ran.stderr), traceId, "the run joined the given trace");
      runs[name] = traceId;
    }
    const read = await spotlight.envelopes();
    const kept = await itemsOf(keep, read);
    assert.deepEqual(
      kept.items.map((i) => i.type),
      ["transaction"],
    );
    assert.equal((kept.envelopes[0]?.header.trace as Record<string, string> | undefined)?.sampled, "true");
    assert.equal((await itemsOf(drop, read)).items.length, 0, "the dropped trace sent nothing");
    for (const traceId of Object.values(runs))
      assert.equal((await storedRecord(h.sandbox, traceId)).deliveries.sentry?.delivered, true);
  });

  test("a run Sentry refused is kept and `claudia traces push` delivers it whole, with the run's ids", async () => {
    const port = await freePort();
    const refused = `http://key@127.0.0.1:${port}/1`;
    const ran = await claudiaWith([...BASE_ARGS, "[[scenario:bash-fail]] sentry down"], {
      SENTRY_DSN: refused,
      CLAUDIA_RESEND_WAIT_MS: "0",
    });
    assert.equal(ran.code, 0);
    assert.match(ran.stderr, /not delivered to sentry/);
    const traceId = traceIdFrom(ran.stderr);
    assert.equal((await storedRecord(h.sandbox, traceId)).deliveries.sentry?.delivered, false);
    // The run goes to the Sentry it was recorded for, once it is back (never to another DSN's).
    const back = await startSpotlight({ port });
    const pushed = await claudiaWith(["traces", "push"], { SENTRY_DSN: refused });
    const { items } = await itemsOf(traceId, await back.envelopes()).finally(() => back.close());
    assert.equal(pushed.code, 0, pushed.stderr);
    assert.match(pushed.stdout, new RegExp(`${traceId}  delivered 4 spans`));
    const sent = sentrySpansOf(items.filter((i) => i.type === "transaction"));
    assert.equal(sent.length, 4);
    assert.equal(sent[0]?.op, "gen_ai.invoke_agent");
    assert.equal(sent.find((x) => x.op === "gen_ai.execute_tool")?.status, "internal_error");
    assert.equal((await storedRecord(h.sandbox, traceId)).deliveries.sentry?.delivered, true);
  });

  test("a DSN Sentry's SDK would refuse is one warning that never shows its key, and the run goes on", async () => {
    const port = await freePort();
    const prompt = "[[scenario:text]] odd dsn";
    const ran = await claudiaWith([...BASE_ARGS, prompt], {
      SENTRY_DSN: `http://my-secret-key@127.0.0.1:${port}/1`,
      OTEL_EXPORTER_OTLP_ENDPOINT: h.receiver.url,
    });
    assert.equal(ran.code, 0, ran.stderr);
    assert.ok(!ran.stderr.includes("my-secret-key"), ran.stderr);
    const lines = ran.stderr.split("\n").filter((l) => /sentry/i.test(l));
    assert.equal(lines.length, 1, ran.stderr);
    assert.match(lines[0] as string, /^claudia: SENTRY_DSN: not a Sentry DSN .*; not sending to Sentry$/);
    const traceId = traceIdFrom(ran.stderr);
    assert.equal((await storedRecord(h.sandbox, traceId)).deliveries.sentry, undefined);
  });

  test("without @sentry/node installed, one line says what to install and the other backends get the run", async () => {
    // An installed copy of claudia whose node_modules has everything but @sentry.
    const install = join(h.sandbox.home, "install");
    cpSync(join(ROOT, "dist"), join(install, "dist"), { recursive: true });
    cpSync(join(ROOT, "package.json"), join(install, "package.json"));
    mkdirSync(join(install, "node_modules"));
    for (const name of readdirSync(join(ROOT, "node_modules")))
      if (name !== "@sentry" && name !== ".bin")
        symlinkSync(join(ROOT, "node_modules", name), join(install, "node_modules", name));
    const prompt = "[[scenario:bash]] no sentry sdk";
    const direct = await claude(h.sandbox, ["-p", ...BASE_ARGS, prompt]);
    const ran = await claudiaWith(
      [...BASE_ARGS, prompt],
      { SENTRY_DSN: spotlight.dsn, OTEL_EXPORTER_OTLP_ENDPOINT: h.receiver.url },
      join(install, "dist", "bin", "main.js"),
    );
    assert.equal(ran.code, direct.code);
    assert.equal(ran.stdout, direct.stdout);
    const lines = ran.stderr.split("\n").filter((l) => l.includes("@sentry/node"));
    assert.equal(lines.length, 1, ran.stderr);
    assert.match(lines[0] as string, /npm install @sentry\/node/);
    const traceId = traceIdFrom(ran.stderr);
    assert.equal(named(await waitForSpans(h.receiver.spans, traceId, 4), "execute_tool Bash").length, 1);
    assert.equal((await itemsOf(traceId)).items.length, 0);
  });
});
