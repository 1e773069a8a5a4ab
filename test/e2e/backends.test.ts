/**
 * Backends beyond a plain OTLP endpoint: Logfire (its OTLP intake, with the attributes its LLM views
 * read), and OTLP, Logfire and Sentry at once, each getting the whole trace independently.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { scriptedRuns } from "../support/harness.ts";
import { storedRecord } from "../support/journal.ts";
import { startOtlpReceiver } from "../support/otlp-receiver.ts";
import { freePort } from "../support/ports.ts";
import { BASE_ARGS, claude, claudia } from "../support/sandbox.ts";
import { contentErrors } from "../support/semconv-check.ts";
import { type Spotlight, sentrySpansOf, startSpotlight, transactionsOf } from "../support/spotlight.ts";
import { assertChatSpansMatchServed, named, root, traceIdFrom } from "../support/trace-checks.ts";

const h = scriptedRuns();
const TOKEN = "pylf_v1_eu_0123456789abcdefghijklmnopqrstuvwxyz";

describe("Logfire", () => {
  test("LOGFIRE_TOKEN sends the trace to Logfire's intake with the token and the attributes its LLM views read", async () => {
    const intake = await startOtlpReceiver();
    try {
      const before = h.model.served.length;
      const ran = await claudia(h.sandbox, [...BASE_ARGS, "[[scenario:bash]] logfire run"], {
        OTEL_EXPORTER_OTLP_ENDPOINT: "",
        LOGFIRE_TOKEN: TOKEN,
        LOGFIRE_BASE_URL: intake.url,
      });
      assert.equal(ran.code, 0);
      const traceId = traceIdFrom(ran.stderr);
      const spans = intake.spans.filter((s) => s.traceId === traceId);
      assert.equal(spans.length, 4);
      const request = intake.requests.find((r) => r.path === "/v1/traces");
      assert.equal(request?.headers.authorization, TOKEN);
      assert.match(String(request?.contentType), /protobuf/);
      assertChatSpansMatchServed(spans, h.model.served.slice(before));
      const agent = root(spans);
      assert.equal(agent.attributes["logfire.msg"], "🤖 [[scenario:bash]] logfire run");
      assert.equal(agent.attributes["operation.cost"], agent.attributes["gen_ai.usage.cost"]);
      for (const chat of named(spans, "chat claude-sonnet-4-5")) {
        assert.deepEqual(chat.attributes["logfire.tags"], ["LLM"]);
        assert.equal(chat.attributes["logfire.msg"], "chat claude-sonnet-4-5");
        assert.equal(chat.attributes["operation.cost"], chat.attributes["gen_ai.usage.cost"]);
        assert.ok(JSON.parse(String(chat.attributes["gen_ai.output.messages"]))[0].parts.length > 0);
      }
      assert.equal(named(spans, "execute_tool Bash")[0]?.attributes["logfire.msg"], "🔧 Bash: Print a greeting");
      // Logfire's LLM panel renders the conversation from the content attributes, in the conventions' shapes
      // (the spans also carry Logfire's own names, so the whole-trace conformance check is for plain OTLP).
      const doc = (span: (typeof spans)[number], key: string) => {
        assert.deepEqual(contentErrors(key, span.attributes[key]), [], `${span.name} ${key}`);
        return JSON.parse(String(span.attributes[key]));
      };
      assert.deepEqual(doc(agent, "gen_ai.input.messages"), [
        { role: "user", parts: [{ type: "text", content: "[[scenario:bash]] logfire run" }] },
      ]);
      assert.deepEqual(doc(agent, "gen_ai.output.messages")[0].parts, [
        { type: "text", content: "The command printed: hello-from-bash" },
      ]);
      const [first, second] = h.model.served
        .slice(before)
        .map((c) => spans.find((s) => s.attributes["gen_ai.response.id"] === c.id) as (typeof spans)[number]);
      assert.ok(first && second);
      const call = doc(first, "gen_ai.output.messages")[0].parts.find((p: { type: string }) => p.type === "tool_call");
      assert.equal(call.name, "Bash");
      assert.equal(call.arguments.description, "Print a greeting");
      assert.deepEqual(doc(second, "gen_ai.input.messages")[0].parts[0].type, "tool_call_response");
      assert.match(String(doc(second, "gen_ai.input.messages")[0].parts[0].response), /hello-from-bash/);
      const config = await claudia(h.sandbox, ["--config"], { LOGFIRE_TOKEN: TOKEN });
      assert.match(config.stdout, /logfire-eu\.pydantic\.dev\/v1\/traces/);
      assert.ok(!config.stdout.includes(TOKEN));
    } finally {
      await intake.close();
    }
  });
});

describe("several backends at once", () => {
  let spotlight: Spotlight;
  before(async () => {
    spotlight = await startSpotlight();
  });
  after(() => spotlight.close());

  /** The span ids Sentry got for a trace (the transaction's root and its spans). */
  async function sentrySpanIds(traceId: string): Promise<string[]> {
    return sentrySpansOf(transactionsOf(await spotlight.envelopes(), traceId)).map((s) => s.span_id);
  }

  test("OTLP, Logfire and Sentry together each get the whole trace", async () => {
    const otlp = await startOtlpReceiver();
    const logfire = await startOtlpReceiver();
    try {
      const ran = await claudia(h.sandbox, [...BASE_ARGS, "[[scenario:subagent]] all three"], {
        OTEL_EXPORTER_OTLP_ENDPOINT: otlp.url,
        LOGFIRE_TOKEN: TOKEN,
        LOGFIRE_BASE_URL: logfire.url,
        SENTRY_DSN: spotlight.dsn,
      });
      assert.equal(ran.code, 0);
      const traceId = traceIdFrom(ran.stderr);
      const a = otlp.spans.filter((s) => s.traceId === traceId);
      const b = logfire.spans.filter((s) => s.traceId === traceId);
      assert.equal(a.length, 8);
      const ids = a.map((s) => s.spanId).sort();
      assert.deepEqual(b.map((s) => s.spanId).sort(), ids);
      assert.deepEqual((await sentrySpanIds(traceId)).sort(), ids);
      assert.equal(a[0]?.attributes["logfire.msg"], undefined, "Logfire's extras go to Logfire only");
      const record = await storedRecord(h.sandbox, traceId);
      for (const name of ["otlp", "logfire", "sentry"]) assert.equal(record.deliveries[name]?.delivered, true, name);
    } finally {
      await otlp.close();
      await logfire.close();
    }
  });

  for (const down of ["otlp", "logfire", "sentry"] as const) {
    test(`with ${down} refusing connections, the other two get everything and the run is unchanged`, async () => {
      const otlp = await startOtlpReceiver();
      const logfire = await startOtlpReceiver();
      try {
        const prompt = `[[scenario:bash]] ${down} down`;
        const direct = await claude(h.sandbox, ["-p", ...BASE_ARGS, prompt]);
        const refused = `127.0.0.1:${await freePort()}`;
        const ran = await claudia(h.sandbox, [...BASE_ARGS, prompt], {
          OTEL_EXPORTER_OTLP_ENDPOINT: down === "otlp" ? `http://${refused}` : otlp.url,
          LOGFIRE_TOKEN: TOKEN,
          LOGFIRE_BASE_URL: down === "logfire" ? `http://${refused}` : logfire.url,
          SENTRY_DSN: down === "sentry" ? `http://key@${refused}/1` : spotlight.dsn,
          CLAUDIA_RESEND_WAIT_MS: "0",
        });
        assert.equal(ran.code, direct.code);
        assert.equal(ran.stdout, direct.stdout);
        const traceId = traceIdFrom(ran.stderr);
        const got = {
          otlp: otlp.spans.filter((s) => s.traceId === traceId).length,
          logfire: logfire.spans.filter((s) => s.traceId === traceId).length,
          sentry: (await sentrySpanIds(traceId)).length,
        };
        assert.deepEqual(got, { otlp: 4, logfire: 4, sentry: 4, [down]: 0 });
        assert.match(ran.stderr, new RegExp(`not delivered to ${down}`));
        const record = await storedRecord(h.sandbox, traceId);
        for (const name of ["otlp", "logfire", "sentry"])
          assert.equal(record.deliveries[name]?.delivered, name !== down, name);
      } finally {
        await otlp.close();
        await logfire.close();
      }
    });
  }
});

describe("metrics", () => {
  for (const protocol of ["http/protobuf", "http/json", "grpc"] as const) {
    test(`OTLP metrics go with the traces (${protocol}), equal to what the run did, flushed before exit`, async () => {
      const receiver = await startOtlpReceiver();
      try {
        const ran = await claudia(h.sandbox, [...BASE_ARGS, "[[scenario:bash-fail]] metrics"], {
          OTEL_EXPORTER_OTLP_ENDPOINT: protocol === "grpc" ? receiver.grpcUrl : receiver.url,
          OTEL_EXPORTER_OTLP_PROTOCOL: protocol,
        });
        assert.equal(ran.code, 0);
        const spans = receiver.spans.filter((s) => s.traceId === traceIdFrom(ran.stderr));
        const chats = named(spans, "chat claude-sonnet-4-5");
        const points = (name: string) => receiver.points.filter((p) => p.metric === name);
        const sum = (xs: number[]) => xs.reduce((n, x) => n + x, 0);

        const input = points("gen_ai.client.token.usage").filter((p) => p.attributes["gen_ai.token.type"] === "input");
        const output = points("gen_ai.client.token.usage").filter(
          (p) => p.attributes["gen_ai.token.type"] === "output",
        );
        assert.equal(sum(input.map((p) => p.count ?? 0)), 2);
        assert.equal(
          sum(input.map((p) => p.sum ?? 0)),
          sum(chats.map((c) => Number(c.attributes["gen_ai.usage.input_tokens"]))),
        );
        assert.equal(
          sum(output.map((p) => p.sum ?? 0)),
          sum(chats.map((c) => Number(c.attributes["gen_ai.usage.output_tokens"]))),
        );
        assert.equal(input[0]?.attributes["gen_ai.request.model"], "claude-sonnet-4-5");
        assert.equal(input[0]?.unit, "{token}");

        const durations = points("gen_ai.client.operation.duration");
        assert.equal(durations[0]?.unit, "s");
        assert.equal(
          sum(durations.filter((p) => p.attributes["gen_ai.operation.name"] === "chat").map((p) => p.count ?? 0)),
          2,
        );
        assert.equal(
          sum(
            durations.filter((p) => p.attributes["gen_ai.operation.name"] === "invoke_agent").map((p) => p.count ?? 0),
          ),
          1,
        );

        const cost = sum(points("claudia.cost.usage").map((p) => p.value ?? 0));
        assert.ok(Math.abs(cost - sum(chats.map((c) => Number(c.attributes["gen_ai.usage.cost"])))) < 1e-12);
        const calls = points("claudia.tool.calls");
        assert.deepEqual(
          calls.map((p) => [p.attributes["gen_ai.tool.name"], p.attributes.outcome, p.value]),
          [["Bash", "tool_error", 1]],
        );
        assert.equal(sum(points("claudia.tool.duration").map((p) => p.count ?? 0)), 1);
      } finally {
        await receiver.close();
      }
    });
  }

  test("gen_ai_latest_experimental: token usage as one histogram per direction", async () => {
    const receiver = await startOtlpReceiver();
    try {
      const ran = await claudia(h.sandbox, [...BASE_ARGS, "[[scenario:bash]] metrics"], {
        OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
        OTEL_SEMCONV_STABILITY_OPT_IN: "gen_ai_latest_experimental",
      });
      assert.equal(ran.code, 0);
      const chats = named(
        receiver.spans.filter((s) => s.traceId === traceIdFrom(ran.stderr)),
        "chat claude-sonnet-4-5",
      );
      const points = (name: string) => receiver.points.filter((p) => p.metric === name);
      const sum = (xs: number[]) => xs.reduce((n, x) => n + x, 0);
      assert.equal(points("gen_ai.client.token.usage").length, 0);
      for (const [direction, key] of [
        ["input", "gen_ai.usage.input_tokens"],
        ["output", "gen_ai.usage.output_tokens"],
      ] as const) {
        const found = points(`gen_ai.client.inference.operation.${direction}_tokens`);
        assert.equal(sum(found.map((p) => p.count ?? 0)), 2, direction);
        assert.equal(sum(found.map((p) => p.sum ?? 0)), sum(chats.map((c) => Number(c.attributes[key]))));
        assert.ok(found.every((p) => p.attributes["gen_ai.token.type"] === undefined && p.unit === "{token}"));
      }
    } finally {
      await receiver.close();
    }
  });

  test("OTEL_METRICS_EXPORTER=none: traces only", async () => {
    const receiver = await startOtlpReceiver();
    try {
      const ran = await claudia(h.sandbox, [...BASE_ARGS, "[[scenario:text]] no metrics"], {
        OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
        OTEL_METRICS_EXPORTER: "none",
      });
      assert.equal(receiver.spans.filter((s) => s.traceId === traceIdFrom(ran.stderr)).length, 2);
      assert.equal(receiver.points.length, 0);
    } finally {
      await receiver.close();
    }
  });
});
