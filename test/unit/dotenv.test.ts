import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { dotenvNotice, MAX_DOTENV_BYTES, readDotenv } from "../../src/cli/dotenv.ts";

const dir = mkdtempSync(join(tmpdir(), "claudia-dotenv-"));
after(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
function dotenvFile(text: string): string {
  const path = join(dir, `env-${n++}`);
  writeFileSync(path, text);
  return path;
}

test("a .env sets telemetry settings only, never the program, Claude Code's environment or weaker protection", () => {
  const path = dotenvFile(
    [
      "CLAUDIA_CLAUDE_PATH=./x.sh",
      "ANTHROPIC_BASE_URL=http://evil.example",
      "ANTHROPIC_API_KEY=sk-from-dotenv",
      "PATH=/evil",
      "NODE_OPTIONS=--require ./evil.js",
      "CLAUDIA_REDACT=off",
      "CLAUDIA_REDACT_PATTERNS=(a+)+$",
      "CLAUDIA_HOME=./journal-here",
      "OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT=true",
      "CLAUDIA_CONTENT_MAX_LENGTH=100000",
      "OTEL_EXPORTER_OTLP_ENDPOINT=http://collector.example:4318",
      "OTEL_SERVICE_NAME=from-dotenv",
      "SENTRY_ENVIRONMENT=ci",
      "CLAUDIA_JOURNAL_MAX_MB=10",
      "CLAUDIA_JOURNAL_MAX_AGE_DAYS=0.000001",
      "CLAUDIA_JOURNAL=off",
      "OTEL_TRACES_EXPORTER=none",
      "OTEL_METRICS_EXPORTER=otlp, none",
      "OTEL_SDK_DISABLED=true",
      "CLAUDIA_EXPORT_TIMEOUT_MS=2000000000",
      "CLAUDIA_RESEND_WAIT_MS=86400000",
    ].join("\n"),
  );
  const dotenv = readDotenv({ OTEL_SERVICE_NAME: "from-env" }, {}, path);
  assert.deepEqual(dotenv.values, {
    OTEL_EXPORTER_OTLP_ENDPOINT: "http://collector.example:4318",
    SENTRY_ENVIRONMENT: "ci",
  });
  assert.deepEqual(dotenv.ignored.sort(), [
    "ANTHROPIC_API_KEY",
    "ANTHROPIC_BASE_URL",
    "CLAUDIA_CLAUDE_PATH",
    "CLAUDIA_CONTENT_MAX_LENGTH",
    "CLAUDIA_EXPORT_TIMEOUT_MS",
    "CLAUDIA_HOME",
    "CLAUDIA_JOURNAL",
    "CLAUDIA_JOURNAL_MAX_AGE_DAYS",
    "CLAUDIA_JOURNAL_MAX_MB",
    "CLAUDIA_REDACT",
    "CLAUDIA_REDACT_PATTERNS",
    "CLAUDIA_RESEND_WAIT_MS",
    "NODE_OPTIONS",
    "OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT",
    "OTEL_METRICS_EXPORTER",
    "OTEL_SDK_DISABLED",
    "OTEL_TRACES_EXPORTER",
    "PATH",
  ]);
  assert.equal(dotenv.warnings.length, 1);
  assert.match(dotenv.warnings[0] as string, /ignored .*CLAUDIA_CLAUDE_PATH/);
  assert.equal(dotenvNotice(dotenv), "settings from .env: OTEL_EXPORTER_OTLP_ENDPOINT, SENTRY_ENVIRONMENT");
});

test("telemetry names claudia does not read are taken but listed apart, not as settings", () => {
  const unread = readDotenv({}, {}, dotenvFile("OTEL_SERVICE_NAME=svc\nOTEL_BSP_MAX_QUEUE_SIZE=10\n"));
  assert.equal(
    dotenvNotice(unread),
    "settings from .env: OTEL_SERVICE_NAME; not read by claudia: OTEL_BSP_MAX_QUEUE_SIZE",
  );
  const only = readDotenv({}, {}, dotenvFile("OTEL_EXPORTER_OTLP_TIMEOUT=5000\n"));
  assert.equal(dotenvNotice(only), ".env: not read by claudia: OTEL_EXPORTER_OTLP_TIMEOUT");
});

test("a project's own variables are counted, not listed; those claudia or Claude Code read are named", () => {
  const path = dotenvFile("DATABASE_URL=postgres://x\nSESSION_SECRET=abc\nANTHROPIC_MODEL=opus\n");
  const dotenv = readDotenv({}, {}, path);
  assert.deepEqual(dotenv.values, {});
  assert.match(dotenv.warnings[0] as string, /^\.env: ignored ANTHROPIC_MODEL, 2 other variables \(/);
});

test("settings that raise protection are taken from a .env", () => {
  const path = dotenvFile(
    "CLAUDIA_REDACT=on\nOTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT=false\nCLAUDIA_JOURNAL_MAX_AGE_DAYS=90\nCLAUDIA_EXPORT_TIMEOUT_MS=10000\n",
  );
  assert.deepEqual(readDotenv({}, {}, path).values, {
    CLAUDIA_REDACT: "on",
    OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT: "false",
    CLAUDIA_JOURNAL_MAX_AGE_DAYS: "90",
    CLAUDIA_EXPORT_TIMEOUT_MS: "10000",
  });
});

test("a .env endpoint is refused when the environment or the command line holds that backend's credentials", () => {
  const path = dotenvFile("OTEL_EXPORTER_OTLP_ENDPOINT=http://evil.example\nLOGFIRE_BASE_URL=http://evil.example\n");
  assert.deepEqual(readDotenv({ OTEL_EXPORTER_OTLP_HEADERS: "authorization=x" }, {}, path).values, {
    LOGFIRE_BASE_URL: "http://evil.example",
  });
  assert.deepEqual(readDotenv({}, { logfireToken: "t" }, path).values, {
    OTEL_EXPORTER_OTLP_ENDPOINT: "http://evil.example",
  });
  assert.deepEqual(readDotenv({ LOGFIRE_TOKEN: "t" }, { otelHeaders: "a=b" }, path).values, {});
});

test("a .env does not sample the runs of a Sentry project the environment or command line configures", () => {
  const path = dotenvFile("SENTRY_TRACES_SAMPLE_RATE=0\nSENTRY_ENVIRONMENT=ci\n");
  const dsn = "https://key@sentry.example/1";
  for (const [env, flags] of [
    [{ SENTRY_DSN: dsn }, {}],
    [{}, { sentryDsn: dsn }],
  ] as const) {
    const dotenv = readDotenv(env, flags, path);
    assert.deepEqual(dotenv.values, { SENTRY_ENVIRONMENT: "ci" });
    assert.ok(dotenv.ignored.includes("SENTRY_TRACES_SAMPLE_RATE"));
  }
  assert.deepEqual(readDotenv({}, {}, path).values, { SENTRY_TRACES_SAMPLE_RATE: "0", SENTRY_ENVIRONMENT: "ci" });
});

test("a backend the environment configures at all (endpoint, client certificate, --otel-endpoint) is not moved by a .env", () => {
  const path = dotenvFile(
    "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT=https://evil.example/v1/traces\nOTEL_EXPORTER_OTLP_METRICS_ENDPOINT=https://evil.example/v1/metrics\n",
  );
  for (const env of [
    { OTEL_EXPORTER_OTLP_ENDPOINT: "https://collector.corp.internal:4318" },
    { OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE: "/etc/otel/client.pem" },
    { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: "https://collector.corp.internal:4318/v1/traces" },
  ]) {
    const dotenv = readDotenv(env, {}, path);
    assert.deepEqual(dotenv.values, {}, JSON.stringify(env));
    // Refused, and named (a value the environment sets itself wins silently).
    assert.ok(dotenv.ignored.includes("OTEL_EXPORTER_OTLP_METRICS_ENDPOINT"), JSON.stringify(env));
  }
  assert.deepEqual(readDotenv({}, { otelEndpoint: "https://collector.corp.internal:4318" }, path).values, {});
  assert.equal(
    Object.keys(readDotenv({}, {}, path).values).length,
    2,
    "with nothing configured, the project's endpoint is taken",
  );
});

test("a .env never names a certificate or key file (a device or the terminal would be read)", () => {
  const path = dotenvFile(
    [
      "OTEL_EXPORTER_OTLP_ENDPOINT=https://collector.example:4318",
      "OTEL_EXPORTER_OTLP_CERTIFICATE=/dev/zero",
      "OTEL_EXPORTER_OTLP_TRACES_CLIENT_CERTIFICATE=/dev/stdin",
      "OTEL_EXPORTER_OTLP_CLIENT_KEY=/dev/tty",
    ].join("\n"),
  );
  const dotenv = readDotenv({}, {}, path);
  assert.deepEqual(dotenv.values, { OTEL_EXPORTER_OTLP_ENDPOINT: "https://collector.example:4318" });
  assert.equal(dotenv.ignored.length, 3);
});

test("a .env that is a symlink (even to /dev/zero), a FIFO, a folder or too large is skipped with a warning", () => {
  const link = join(dir, "link");
  symlinkSync("/dev/zero", link);
  const fifo = join(dir, "fifo");
  execFileSync("mkfifo", [fifo]);
  const folder = join(dir, "folder");
  mkdirSync(folder);
  const big = dotenvFile(`OTEL_SERVICE_NAME=${"x".repeat(MAX_DOTENV_BYTES)}\n`);
  for (const [path, problem] of [
    [link, /symbolic link/],
    [fifo, /not a regular file/],
    [folder, /not a regular file/],
    [big, /larger than 64 kB/],
  ] as const) {
    const dotenv = readDotenv({}, {}, path);
    assert.deepEqual(dotenv.values, {}, path);
    assert.equal(dotenv.warnings.length, 1);
    assert.match(dotenv.warnings[0] as string, problem);
  }
  assert.deepEqual(readDotenv({}, {}, join(dir, "absent")), { values: {}, ignored: [], warnings: [] });
});

test("a .env shortens the waits every backend shares only when the environment configures no backend", () => {
  const path = dotenvFile("CLAUDIA_EXPORT_TIMEOUT_MS=1\nCLAUDIA_RESEND_WAIT_MS=0\n");
  const shorter = { CLAUDIA_EXPORT_TIMEOUT_MS: "1", CLAUDIA_RESEND_WAIT_MS: "0" };
  assert.deepEqual(readDotenv({}, {}, path).values, shorter, "the project's own backend, or none");
  for (const [env, flags] of [
    [{ OTEL_EXPORTER_OTLP_ENDPOINT: "https://collector.corp.internal:4318" }, {}],
    [{ LOGFIRE_TOKEN: "t" }, {}],
    [{ SENTRY_DSN: "https://key@sentry.example/1" }, {}],
    [{}, { otelEndpoint: "https://collector.corp.internal:4318" }],
  ] as const) {
    const dotenv = readDotenv(env, flags, path);
    assert.deepEqual(dotenv.values, {}, JSON.stringify({ env, flags }));
    assert.deepEqual(dotenv.ignored.sort(), Object.keys(shorter));
  }
  const longer = dotenvFile("CLAUDIA_EXPORT_TIMEOUT_MS=10000\nCLAUDIA_RESEND_WAIT_MS=2000\n");
  assert.deepEqual(readDotenv({ LOGFIRE_TOKEN: "t" }, {}, longer).values, {
    CLAUDIA_EXPORT_TIMEOUT_MS: "10000",
    CLAUDIA_RESEND_WAIT_MS: "2000",
  });
});
