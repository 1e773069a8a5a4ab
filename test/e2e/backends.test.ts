/**
 * Backends beyond a plain OTLP endpoint: Logfire (its OTLP intake, with the attributes its LLM views
 * read), and several backends at once, each getting the whole trace independently.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { scriptedRuns } from "../support/harness.ts";
import { storedRecord } from "../support/journal.ts";
import { startOtlpReceiver } from "../support/otlp-receiver.ts";
import { freePort } from "../support/ports.ts";
import { BASE_ARGS, claude, claudia } from "../support/sandbox.ts";
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
      const config = await claudia(h.sandbox, ["--config"], { LOGFIRE_TOKEN: TOKEN });
      assert.match(config.stdout, /logfire-eu\.pydantic\.dev\/v1\/traces/);
      assert.ok(!config.stdout.includes(TOKEN));
    } finally {
      await intake.close();
    }
  });
});

describe("several backends at once", () => {
  test("OTLP and Logfire both get the whole trace; with one refusing, the other still does and the run is unchanged", async () => {
    const otlp = await startOtlpReceiver();
    const logfire = await startOtlpReceiver();
    try {
      const ran = await claudia(h.sandbox, [...BASE_ARGS, "[[scenario:subagent]] both"], {
        OTEL_EXPORTER_OTLP_ENDPOINT: otlp.url,
        LOGFIRE_TOKEN: TOKEN,
        LOGFIRE_BASE_URL: logfire.url,
      });
      assert.equal(ran.code, 0);
      const traceId = traceIdFrom(ran.stderr);
      const a = otlp.spans.filter((s) => s.traceId === traceId);
      const b = logfire.spans.filter((s) => s.traceId === traceId);
      assert.equal(a.length, 8);
      assert.deepEqual(b.map((s) => s.spanId).sort(), a.map((s) => s.spanId).sort());
      assert.equal(a[0]?.attributes["logfire.msg"], undefined, "Logfire's extras go to Logfire only");

      const prompt = "[[scenario:bash]] one down";
      const direct = await claude(h.sandbox, ["-p", ...BASE_ARGS, prompt]);
      const refused = `http://127.0.0.1:${await freePort()}`;
      const oneDown = await claudia(h.sandbox, [...BASE_ARGS, prompt], {
        OTEL_EXPORTER_OTLP_ENDPOINT: refused,
        LOGFIRE_TOKEN: TOKEN,
        LOGFIRE_BASE_URL: logfire.url,
        CLAUDIA_RESEND_WAIT_MS: "0",
      });
      assert.equal(oneDown.code, direct.code);
      assert.equal(oneDown.stdout, direct.stdout);
      const downId = traceIdFrom(oneDown.stderr);
      assert.equal(logfire.spans.filter((s) => s.traceId === downId).length, 4);
      assert.match(oneDown.stderr, /not delivered to otlp/);
      assert.doesNotMatch(oneDown.stderr, /not delivered to logfire/);
      const record = await storedRecord(h.sandbox, downId);
      assert.equal(record.deliveries.otlp?.delivered, false);
      assert.equal(record.deliveries.logfire?.delivered, true);
    } finally {
      await otlp.close();
      await logfire.close();
    }
  });
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
