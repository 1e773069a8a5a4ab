/**
 * The examples run, against local endpoints: the scripted model stands in for Anthropic and an
 * OTLP receiver for Honeycomb, Grafana and Logfire, and Spotlight for Sentry.
 */
import assert from "node:assert/strict";
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { pathToFileURL } from "node:url";
import { scriptedRuns } from "../support/harness.ts";
import { type OtlpReceiver, startOtlpReceiver } from "../support/otlp-receiver.ts";
import { CLAUDIA, ROOT, run as runIn } from "../support/sandbox.ts";
import { startSpotlight, transactionsOf } from "../support/spotlight.ts";

/** tsx's loader by absolute URL: the examples run in the sandbox's workspace, not in this checkout. */
const TSX = pathToFileURL(join(ROOT, "node_modules", "tsx", "dist", "loader.mjs")).href;

const h = scriptedRuns();
let receiver: OtlpReceiver;
let bin: string;

before(async () => {
  receiver = await startOtlpReceiver();
  bin = mkdtempSync(join(tmpdir(), "claudia-bin-"));
  const wrapper = join(bin, "claudia");
  writeFileSync(wrapper, `#!/bin/sh\nexec "${process.execPath}" "${CLAUDIA}" "$@"\n`);
  chmodSync(wrapper, 0o755);
});
after(async () => {
  await receiver.close();
  rmSync(bin, { recursive: true, force: true });
});

/** Run an example as a user would: `claudia` on the PATH, the model name set, the sandbox's workspace. */
const run = (command: string, args: string[], env: NodeJS.ProcessEnv) =>
  runIn(command, args, {
    cwd: h.sandbox.work,
    env: { ...h.sandbox.env, PATH: `${bin}:${h.sandbox.env.PATH}`, CLAUDE_MODEL: "claude-sonnet-4-5", ...env },
  });

/** A TypeScript example (the library's), exporting to the receiver by the OTEL_* variables. */
const runTypeScript = (file: string, prompt: string) =>
  run(process.execPath, ["--import", TSX, join(ROOT, file), prompt], { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url });

const spansOf = (stderr: string) => {
  const traceId = /trace ([0-9a-f]{32})/.exec(stderr)?.[1];
  return receiver.spans.filter((s) => s.traceId === traceId);
};
const lastTracesRequest = () => receiver.requests.filter((r) => r.path === "/v1/traces").at(-1);

describe("examples", () => {
  test("otlp-honeycomb.sh: the team header, the service name", async () => {
    const ran = await run(join(ROOT, "examples/otlp-honeycomb.sh"), ["[[scenario:text]] honeycomb"], {
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
      HONEYCOMB_API_KEY: "hc-test-key",
    });
    assert.equal(ran.code, 0, ran.stderr);
    assert.equal(ran.stdout, "Hello from the scripted model.\n");
    assert.equal(spansOf(ran.stderr)[0]?.resource["service.name"], "nightly-agent");
    assert.equal(lastTracesRequest()?.headers["x-honeycomb-team"], "hc-test-key");
  });

  test("otlp-grafana.sh: basic auth from the instance id and token", async () => {
    const ran = await run(join(ROOT, "examples/otlp-grafana.sh"), ["[[scenario:text]] grafana"], {
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
      GRAFANA_INSTANCE_ID: "123456",
      GRAFANA_TOKEN: "glc_test",
    });
    assert.equal(ran.code, 0, ran.stderr);
    assert.equal(spansOf(ran.stderr).length, 2);
    assert.equal(
      lastTracesRequest()?.headers.authorization,
      `Basic ${Buffer.from("123456:glc_test").toString("base64")}`,
    );
  });

  test("logfire.sh: the token goes to Logfire's intake", async () => {
    const ran = await run(join(ROOT, "examples/logfire.sh"), ["[[scenario:text]] logfire"], {
      LOGFIRE_TOKEN: "pylf_v1_us_exampletoken",
      LOGFIRE_BASE_URL: receiver.url,
    });
    assert.equal(ran.code, 0, ran.stderr);
    assert.equal(spansOf(ran.stderr).length, 2);
    assert.equal(lastTracesRequest()?.headers.authorization, "pylf_v1_us_exampletoken");
  });

  test("sentry.sh: the run reaches a Sentry intake (Spotlight) in the example's environment", async () => {
    const spotlight = await startSpotlight();
    try {
      const ran = await run(join(ROOT, "examples/sentry.sh"), ["[[scenario:bash]] sentry"], {
        SENTRY_DSN: spotlight.dsn,
      });
      assert.equal(ran.code, 0, ran.stderr);
      const traceId = /trace ([0-9a-f]{32})/.exec(ran.stderr)?.[1];
      const transactions = transactionsOf(await spotlight.envelopes()).map(
        (i) => i.payload as { environment: string; contexts: { trace: { trace_id: string } }; spans: unknown[] },
      );
      assert.equal(transactions.length, 1);
      assert.equal(transactions[0]?.contexts.trace.trace_id, traceId);
      assert.equal(transactions[0]?.environment, "ci");
      assert.equal(transactions[0]?.spans.length, 3);
    } finally {
      await spotlight.close();
    }
  });

  test("run-agent.ts: the library's one-shot run, exported by the OTEL_* variables", async () => {
    const before = receiver.spans.length;
    const ran = await runTypeScript("examples/run-agent.ts", "[[scenario:text]] library");
    assert.equal(ran.code, 0, ran.stderr);
    assert.equal(ran.stdout, "Hello from the scripted model.\n");
    assert.match(ran.stderr, /trace [0-9a-f]{32}: 0 tool calls, \$\d/);
    assert.equal(spansOf(ran.stderr).length, 2);
    assert.ok(receiver.spans.length > before);
  });

  test("traced-query.ts: query() traced inside the caller's own span", async () => {
    const before = receiver.spans.length;
    const ran = await runTypeScript("examples/traced-query.ts", "[[scenario:text]] traced");
    assert.equal(ran.code, 0, ran.stderr);
    const spans = receiver.spans.slice(before);
    const job = spans.find((s) => s.name === "nightly review");
    const agent = spans.find((s) => s.name === "invoke_agent claude-code");
    assert.ok(job && agent);
    assert.equal(agent.parentSpanId, job.spanId);
  });

  test("github-actions.yml: its claudia step runs as written", async () => {
    const workflow = readFileSync(join(ROOT, "examples/github-actions.yml"), "utf8");
    const step = /- run: (claudia .*)\n/.exec(workflow)?.[1];
    assert.ok(step, "the workflow has a claudia step");
    assert.match(workflow, /OTEL_EXPORTER_OTLP_ENDPOINT:/);
    const ran = await run("bash", ["-c", step], {
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
      OTEL_SERVICE_NAME: "nightly-agent",
    });
    assert.equal(ran.code, 0, ran.stderr);
    assert.equal(spansOf(ran.stderr).length, 2);
  });
});
