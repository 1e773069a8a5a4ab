/**
 * No secret leaves the machine through claudia: not in spans, not in the journal, not in
 * claudia's own output, not in --config or --claudia-debug.
 */
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { scriptedRuns } from "../support/harness.ts";
import { BASE_ARGS, claudia } from "../support/sandbox.ts";
import { traceIdFrom, waitForSpans } from "../support/trace-checks.ts";

const HEADER_SECRET = "otlp-header-secret-123456";
const DEPLOY_TOKEN = "deploy-token-value-987654";
const PROMPT_PASSWORD = "hunter2hunter2";
const AWS_KEY = "AKIAIOSFODNN7EXAMPLE";
const GITHUB_TOKEN = "ghp_1234567890abcdefghijABCDEFGHIJ123456";
const SECRETS = [HEADER_SECRET, DEPLOY_TOKEN, PROMPT_PASSWORD, AWS_KEY, GITHUB_TOKEN];

const h = scriptedRuns({
  OTEL_EXPORTER_OTLP_HEADERS: `authorization=Bearer%20${HEADER_SECRET}`,
  MY_DEPLOY_TOKEN: DEPLOY_TOKEN,
});

function journalText(home: string): string {
  const dir = join(home, "journal");
  return readdirSync(dir)
    .flatMap((day) => readdirSync(join(dir, day)).map((f) => readFileSync(join(dir, day, f), "utf8")))
    .join("\n");
}

test("secrets in the prompt, tool output, model text, environment and headers appear nowhere claudia writes", async () => {
  const prompt = `[[scenario:secrets]] deploy with password=${PROMPT_PASSWORD} and key ${AWS_KEY}`;
  const ran = await claudia(h.sandbox, ["--claudia-debug", ...BASE_ARGS, prompt]);
  assert.equal(ran.code, 0);
  const spans = await waitForSpans(h.receiver.spans, traceIdFrom(ran.stderr), 4);
  const exported = JSON.stringify(spans);
  const journal = journalText(h.sandbox.claudiaHome);
  const config = await claudia(h.sandbox, ["--config"]);
  // The header really was sent (so the test would see it if claudia leaked it)...
  assert.equal(h.receiver.requests.at(-1)?.headers.authorization, `Bearer ${HEADER_SECRET}`);
  // ...and the secrets really were in what the run captured, redacted.
  assert.match(exported, /\[REDACTED:env_secret\]/);
  assert.match(exported, /\[REDACTED:github_token\]/);
  assert.match(exported, /\[REDACTED:aws_access_key\]/);
  assert.match(exported, /password=\[REDACTED:secret_assignment\]/);
  for (const secret of SECRETS) {
    assert.ok(!exported.includes(secret), `${secret} in exported spans`);
    assert.ok(!journal.includes(secret), `${secret} in the journal`);
    assert.ok(!ran.stderr.includes(secret), `${secret} in claudia's stderr`);
    assert.ok(!config.stdout.includes(secret), `${secret} in --config`);
  }
});

test("CLAUDIA_REDACT=off records content as it is", async () => {
  const ran = await claudia(h.sandbox, [...BASE_ARGS, `[[scenario:secrets]] key ${AWS_KEY}`], {
    CLAUDIA_REDACT: "off",
  });
  const spans = await waitForSpans(h.receiver.spans, traceIdFrom(ran.stderr), 4);
  const exported = JSON.stringify(spans);
  assert.ok(exported.includes(AWS_KEY));
  assert.ok(exported.includes(DEPLOY_TOKEN));
});

test("a credential given as claudia's own option is taken, with a warning that the command line is visible", async () => {
  const token = "pylf_v1_us_claudiaOptionToken0123456789";
  const ran = await claudia(h.sandbox, ["--config", "--logfire-token", token]);
  assert.equal(ran.code, 0, ran.stderr);
  assert.match(ran.stderr, /--logfire-token \(LOGFIRE_TOKEN\) on the command line is visible to other local users/);
  assert.ok(!ran.stderr.includes(token) && !ran.stdout.includes(token), "the token itself is shown nowhere");
  assert.match(ran.stdout, /logfire/i);
});

test("an endpoint setting that is not a URL (a token pasted there) is named in the warning, its value shown nowhere", async () => {
  const pasted = (name: string) => `pasted${name.replace(/_/g, "")}Value0123456789`;
  const variables = [
    "OTEL_EXPORTER_OTLP_ENDPOINT",
    "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT",
    "OTEL_EXPORTER_OTLP_METRICS_ENDPOINT",
    "LOGFIRE_BASE_URL",
    "SENTRY_DSN",
    "CLAUDIA_TRACE_URL",
  ];
  // `token:value` parses as a URL with the scheme `token:`; the others are not URLs at all.
  const env = Object.fromEntries(variables.map((name, i) => [name, i % 2 ? `token:${pasted(name)}` : pasted(name)]));
  const ran = await claudia(h.sandbox, ["--config"], { ...env, LOGFIRE_TOKEN: "pylf_v1_us_configTestToken0123456789" });
  assert.equal(ran.code, 0, ran.stderr);
  for (const name of variables.filter((n) => n !== "CLAUDIA_TRACE_URL"))
    assert.match(ran.stderr, new RegExp(`${name}:`));
  for (const value of Object.values(env)) {
    assert.ok(!ran.stderr.includes(value) && !ran.stdout.includes(value), `${value} shown`);
  }
  for (const [flag, name] of [
    ["--otel-endpoint", "OTEL_EXPORTER_OTLP_ENDPOINT"],
    ["--sentry-dsn", "SENTRY_DSN"],
  ] as const) {
    const bad = await claudia(h.sandbox, [flag, env[name] as string, ...BASE_ARGS, "[[scenario:text]] x"]);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, new RegExp(`${flag}:`));
    assert.ok(!bad.stderr.includes(env[name] as string), `${flag}'s value shown`);
  }
  const exported = await claudia(h.sandbox, ["traces", "export", "--endpoint", pasted("export")]);
  assert.equal(exported.code, 2, exported.stderr);
  assert.ok(!exported.stderr.includes(pasted("export")), "--endpoint's value shown");
});
