/**
 * A checkout's `.env` is not trusted: it may shape telemetry, never pick the program, reach
 * Claude Code's environment, switch redaction off, or hang claudia.
 */
import assert from "node:assert/strict";
import { chmodSync, existsSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, test } from "node:test";
import { scriptedRuns } from "../support/harness.ts";
import { BASE_ARGS, claudia } from "../support/sandbox.ts";
import { traceIdFrom, waitForSpans } from "../support/trace-checks.ts";

const h = scriptedRuns();
const dotenvPath = () => join(h.sandbox.work, ".env");
afterEach(() => rmSync(dotenvPath(), { force: true }));

test("CLAUDIA_CLAUDE_PATH in .env is never executed, not for --help, not for a run", async () => {
  const marker = join(h.sandbox.home, "dotenv-program-ran");
  const program = join(h.sandbox.work, "x.sh");
  writeFileSync(program, `#!/bin/sh\ntouch ${marker}\necho fake\n`);
  chmodSync(program, 0o755);
  writeFileSync(dotenvPath(), "CLAUDIA_CLAUDE_PATH=./x.sh\n");
  const help = await claudia(h.sandbox, ["--help"]);
  assert.equal(help.code, 0);
  assert.ok(!existsSync(marker), ".env's program ran for --help");
  const ran = await claudia(h.sandbox, [...BASE_ARGS, "[[scenario:text]] hello"]);
  assert.equal(ran.code, 0, ran.stderr);
  assert.match(ran.stdout, /Hello from the scripted model/);
  assert.ok(!existsSync(marker), ".env's program ran for a run");
  assert.match(ran.stderr, /claudia: \.env: ignored CLAUDIA_CLAUDE_PATH/);
});

test("nothing from .env reaches Claude Code's environment: not ANTHROPIC_BASE_URL, not any other variable", async () => {
  const served = h.model.served.length;
  writeFileSync(dotenvPath(), "ANTHROPIC_BASE_URL=http://127.0.0.1:9/bogus\nMY_DEPLOY_TOKEN=from-dotenv-123456\n");
  const ran = await claudia(h.sandbox, [...BASE_ARGS, "[[scenario:secrets]] print it"]);
  assert.equal(ran.code, 0, ran.stderr);
  // The real environment's endpoint served the run...
  assert.equal(h.model.served.length, served + 2);
  // ...and the tool, started by Claude Code, saw no MY_DEPLOY_TOKEN at all.
  const spans = await waitForSpans(h.receiver.spans, traceIdFrom(ran.stderr), 4);
  const tool = spans.find((s) => s.name === "execute_tool Bash");
  assert.equal(String(tool?.attributes["gen_ai.tool.call.result"]).trim(), "deploy=");
  assert.match(ran.stderr, /ignored ANTHROPIC_BASE_URL, 1 other variable \(/);
});

test("CLAUDIA_REDACT=off in .env is ignored with a warning; telemetry settings are taken and named", async () => {
  const key = "AKIAIOSFODNN7EXAMPLE";
  writeFileSync(dotenvPath(), "CLAUDIA_REDACT=off\nOTEL_SERVICE_NAME=from-dotenv\n");
  const ran = await claudia(h.sandbox, [...BASE_ARGS, `[[scenario:text]] key ${key}`]);
  assert.equal(ran.code, 0, ran.stderr);
  assert.match(ran.stderr, /\.env: ignored CLAUDIA_REDACT /);
  assert.match(ran.stderr, /settings from \.env: OTEL_SERVICE_NAME/);
  const spans = await waitForSpans(h.receiver.spans, traceIdFrom(ran.stderr), 2);
  const exported = JSON.stringify(spans);
  assert.match(exported, /\[REDACTED:aws_access_key\]/);
  assert.ok(!exported.includes(key));
  assert.ok(spans.some((s) => s.resource["service.name"] === "from-dotenv"));
});

test("a .env that is a symlink to /dev/zero is skipped with a warning, and the run goes on", async () => {
  symlinkSync("/dev/zero", dotenvPath());
  const ran = await claudia(h.sandbox, [...BASE_ARGS, "[[scenario:text]] hello"]);
  assert.equal(ran.code, 0, ran.stderr);
  assert.match(ran.stderr, /\.env skipped: it is a symbolic link/);
  const traces = await claudia(h.sandbox, ["traces", "--limit", "1"]);
  assert.equal(traces.code, 0);
  assert.match(traces.stderr, /\.env skipped/);
});

test("a .env may not make claudia wait long at exit; the environment may, and the run is still traced", async () => {
  writeFileSync(dotenvPath(), "CLAUDIA_EXPORT_TIMEOUT_MS=60001\n");
  const fromDotenv = await claudia(h.sandbox, [...BASE_ARGS, "[[scenario:text]] hello"]);
  assert.equal(fromDotenv.code, 0, fromDotenv.stderr);
  assert.match(fromDotenv.stderr, /\.env: ignored CLAUDIA_EXPORT_TIMEOUT_MS/);
  rmSync(dotenvPath());
  // Longer than the metrics interval (a timeout past it once left claudia waiting on nothing).
  const ran = await claudia(h.sandbox, [...BASE_ARGS, "[[scenario:text]] hello"], {
    CLAUDIA_EXPORT_TIMEOUT_MS: "60001",
  });
  assert.equal(ran.code, 0, ran.stderr);
  assert.match(ran.stdout, /Hello from the scripted model/);
  assert.doesNotMatch(ran.stderr, /internal error|not traced/);
  const spans = await waitForSpans(h.receiver.spans, traceIdFrom(ran.stderr), 2);
  assert.ok(spans.some((s) => s.name === "invoke_agent claude-code"));
});

test("a .env's names and values are quoted in warnings without their escape sequences", async () => {
  const osc52 = "\u001b]52;c;cHduZWQ=\u0007";
  writeFileSync(dotenvPath(), `CLAUDIA_X${osc52}=1\nOTEL_BSP_SCHEDULE_DELAY="\u001b]0;pwned\u0007\u001b[2J"\n`);
  for (const args of [
    ["traces", "list"],
    [...BASE_ARGS, "[[scenario:text]] hello"],
  ]) {
    const ran = await claudia(h.sandbox, args);
    assert.equal(ran.code, 0, ran.stderr);
    assert.match(ran.stderr, /ignored CLAUDIA_X\n/, "the warning is still given");
    // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is looked for
    assert.ok(!/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/.test(ran.stderr), JSON.stringify(ran.stderr));
    if (args[0] !== "traces") assert.match(ran.stderr, /OTEL_BSP_SCHEDULE_DELAY/, "the bad value is reported");
  }
});

test("a .env does not change the headers or protocol of an OTLP endpoint the environment configures", async () => {
  // A shared SaaS endpoint: the header names the account, so a checkout's header would take the traces.
  writeFileSync(
    dotenvPath(),
    "OTEL_EXPORTER_OTLP_TRACES_HEADERS=x-team=checkout\nOTEL_EXPORTER_OTLP_TRACES_PROTOCOL=grpc\nOTEL_SERVICE_NAME=from-dotenv\n",
  );
  const requests = h.receiver.requests.length;
  const ran = await claudia(h.sandbox, [...BASE_ARGS, "[[scenario:text]] hello"], {
    OTEL_EXPORTER_OTLP_HEADERS: "x-team=mine",
  });
  assert.equal(ran.code, 0, ran.stderr);
  assert.match(ran.stderr, /\.env: ignored OTEL_EXPORTER_OTLP_TRACES_HEADERS, OTEL_EXPORTER_OTLP_TRACES_PROTOCOL /);
  const spans = await waitForSpans(h.receiver.spans, traceIdFrom(ran.stderr), 2);
  assert.ok(
    spans.some((s) => s.resource["service.name"] === "from-dotenv"),
    "the rest of .env is taken",
  );
  const traces = h.receiver.requests.slice(requests).filter((r) => r.path === "/v1/traces");
  assert.ok(traces.length > 0);
  for (const request of traces) assert.equal(request.headers["x-team"], "mine");
});

test("a .env cannot make sends to a backend the environment configures time out; the run is delivered", async () => {
  writeFileSync(dotenvPath(), "CLAUDIA_EXPORT_TIMEOUT_MS=1\nOTEL_SERVICE_NAME=from-dotenv\n");
  const ran = await claudia(h.sandbox, [...BASE_ARGS, "[[scenario:bash]] short wait"]);
  assert.equal(ran.code, 0, ran.stderr);
  assert.match(ran.stderr, /\.env: ignored CLAUDIA_EXPORT_TIMEOUT_MS /);
  assert.doesNotMatch(ran.stderr, /not delivered/);
  const spans = await waitForSpans(h.receiver.spans, traceIdFrom(ran.stderr), 4);
  assert.ok(
    spans.some((s) => s.resource["service.name"] === "from-dotenv"),
    "the rest of .env is taken",
  );
});
