/**
 * The examples run, against local endpoints: the scripted model stands in for Anthropic and an
 * OTLP receiver for Honeycomb, Grafana and Logfire, and Spotlight for Sentry.
 */
import assert from "node:assert/strict";
import { chmodSync, cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { pathToFileURL } from "node:url";
import { parse } from "yaml";
import { scriptedRuns } from "../support/harness.ts";
import { type OtlpReceiver, startOtlpReceiver } from "../support/otlp-receiver.ts";
import { freePort } from "../support/ports.ts";
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

  test("github-actions.yml: its claudia step runs with its own env, journaling where its cache step keeps the journal", async () => {
    const workflow = readWorkflow();
    const env = { ...workflow.env, OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url };
    const runner = githubRunner();
    const ran = await run("bash", ["-c", workflow.run], { ...runner.env, ...env });
    assert.equal(ran.code, 0, ran.stderr);
    const spans = spansOf(ran.stderr);
    assert.equal(spans.length, 2);
    // What the workflow's env block says reaches the backend.
    const resource = spans[0]?.resource ?? {};
    assert.equal(resource["service.name"], workflow.env.OTEL_SERVICE_NAME);
    for (const pair of String(workflow.env.OTEL_RESOURCE_ATTRIBUTES).split(",")) {
      const [key, value] = pair.split("=") as [string, string];
      assert.equal(resource[key], value, key);
    }
    for (const pair of String(workflow.env.OTEL_EXPORTER_OTLP_HEADERS).split(",")) {
      const [key, value] = pair.split("=") as [string, string];
      assert.equal(lastTracesRequest()?.headers[key.toLowerCase()], value, key);
    }
    // The journal is where the cache step saves and restores it.
    const traceId = traceIdFrom(ran.stderr);
    assert.ok(
      (await runsIn(runner.cachePath(workflow.cachePath))).includes(traceId),
      "the run is in the cached folder",
    );
  });

  test("github-actions.yml: a run the backend missed is delivered by the next job, from the restored cache", async () => {
    const workflow = readWorkflow();
    const down = `http://127.0.0.1:${await freePort()}`;
    const first = githubRunner();
    const missed = await run("bash", ["-c", workflow.run], {
      ...first.env,
      ...workflow.env,
      OTEL_EXPORTER_OTLP_ENDPOINT: down,
    });
    assert.equal(missed.code, 0, missed.stderr);
    assert.match(missed.stderr, /not delivered to otlp/);
    const traceId = traceIdFrom(missed.stderr);
    // The cache step: saved at the end of one job, restored at the start of the next, on a fresh runner.
    const next = githubRunner();
    cpSync(first.cachePath(workflow.cachePath), next.cachePath(workflow.cachePath), { recursive: true });
    const ran = await run("bash", ["-c", workflow.run], {
      ...next.env,
      ...workflow.env,
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
    });
    assert.equal(ran.code, 0, ran.stderr);
    for (let i = 0; i < 100 && receiver.spans.filter((s) => s.traceId === traceId).length < 2; i++)
      await new Promise((r) => setTimeout(r, 50));
    assert.equal(receiver.spans.filter((s) => s.traceId === traceId).length, 2, "the missed run arrived");
  });
});

/** Values for the workflow's `${{ … }}` expressions, as GitHub would fill them in. */
const EXPRESSIONS: Record<string, string> = {
  "secrets.ANTHROPIC_API_KEY": "sk-ant-from-secrets",
  "secrets.HONEYCOMB_API_KEY": "hc-from-secrets",
  "github.run_id": "4242",
};

/** The workflow's claudia step (its run line and env block) and its cache step's path. */
function readWorkflow(): { run: string; env: Record<string, string>; cachePath: string } {
  const workflow = parse(readFileSync(join(ROOT, "examples/github-actions.yml"), "utf8")) as {
    jobs: Record<
      string,
      { steps: { uses?: string; run?: string; with?: { path?: string }; env?: Record<string, string> }[] }
    >;
  };
  const steps = Object.values(workflow.jobs).flatMap((job) => job.steps);
  const step = steps.find((s) => s.run?.startsWith("claudia"));
  assert.ok(step?.run, "the workflow has a claudia step");
  const cache = steps.find((s) => s.uses?.startsWith("actions/cache@"));
  assert.ok(cache?.with?.path, "the workflow caches the journal");
  const fill = (text: string) =>
    text.replace(/\$\{\{\s*([^}]*?)\s*\}\}/g, (_m, expression: string) => {
      const value = EXPRESSIONS[expression];
      assert.ok(value !== undefined, `no test value for \${{ ${expression} }}`);
      return value;
    });
  const env = Object.fromEntries(Object.entries(step.env ?? {}).map(([k, v]) => [k, fill(String(v))]));
  assert.ok(env.OTEL_EXPORTER_OTLP_ENDPOINT, "the step names its backend");
  return { run: fill(step.run), env, cachePath: cache.with.path };
}

/**
 * A fresh runner: its own HOME, and neither CLAUDIA_HOME nor XDG_DATA_HOME set (a GitHub runner has
 * neither), so claudia keeps its journal in the default place.
 */
function githubRunner(): { env: NodeJS.ProcessEnv; cachePath(path: string): string } {
  const home = mkdtempSync(join(h.sandbox.home, "runner-"));
  // Variables left undefined are not passed on.
  const env = { HOME: home, XDG_CACHE_HOME: join(home, ".cache"), CLAUDIA_HOME: undefined, XDG_DATA_HOME: undefined };
  return { env, cachePath: (path) => path.replace(/^~(?=\/)/, home) };
}

/** The trace ids of the runs recorded in a journal folder. */
async function runsIn(folder: string): Promise<string[]> {
  const listed = await runIn(process.execPath, [CLAUDIA, "traces", "--json", "--limit", "1000"], {
    cwd: h.sandbox.work,
    env: { ...h.sandbox.env, CLAUDIA_HOME: folder },
  });
  assert.equal(listed.code, 0, listed.stderr);
  return (JSON.parse(listed.stdout) as { traceId: string }[]).map((r) => r.traceId);
}

const traceIdFrom = (stderr: string) => {
  const traceId = /trace ([0-9a-f]{32})/.exec(stderr)?.[1];
  assert.ok(traceId, stderr);
  return traceId;
};
