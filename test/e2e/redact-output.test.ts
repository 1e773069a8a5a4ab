/**
 * A configured credential is a secret wherever it shows up, even when it has no secret's shape;
 * claudia's progress line is redacted before it is cut.
 */
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { scriptedRuns } from "../support/harness.ts";
import { BASE_ARGS, claude, claudia } from "../support/sandbox.ts";
import { traceIdFrom, waitForSpans } from "../support/trace-checks.ts";

/** An OTLP header value that the `bash` scenario's command also prints and the model repeats. */
const HEADER_VALUE = "hello-from-bash";

const h = scriptedRuns({ OTEL_EXPORTER_OTLP_HEADERS: `x-team=${HEADER_VALUE}` });

function journalText(home: string): string {
  const dir = join(home, "journal");
  return readdirSync(dir)
    .flatMap((day) => readdirSync(join(dir, day)).map((f) => readFileSync(join(dir, day, f), "utf8")))
    .join("\n");
}

test("an OTLP header value printed by a tool reaches neither the backend, the journal nor stderr", async () => {
  const ran = await claudia(h.sandbox, [...BASE_ARGS, "[[scenario:bash]] run it"]);
  assert.equal(ran.code, 0);
  // The header was sent, and the value really was in the run: the command, its output, the answer.
  assert.equal(h.receiver.requests.at(-1)?.headers["x-team"], HEADER_VALUE);
  assert.ok(ran.stdout.includes(HEADER_VALUE), "Claude Code's own output is left as it is");
  const spans = await waitForSpans(h.receiver.spans, traceIdFrom(ran.stderr), 4);
  const exported = JSON.stringify(spans);
  assert.match(exported, /\[REDACTED:credential\]/);
  assert.ok(!exported.includes(HEADER_VALUE), "in exported spans");
  assert.ok(!journalText(h.sandbox.claudiaHome).includes(HEADER_VALUE), "in the journal");
  assert.ok(!ran.stderr.includes(HEADER_VALUE), "in claudia's stderr");
});

test("a token across the progress line's 80-character cut shows none of its characters", async () => {
  const token = "ghp_1234567890abcdefghijABCDEFGHIJ123456";
  const prompt = `[[scenario:text]] ${"p".repeat(45)} ${token} and more words after it`;
  const ran = await claudia(h.sandbox, [...BASE_ARGS, prompt]);
  assert.equal(ran.code, 0);
  const line = ran.stderr.split("\n").find((l) => l.startsWith("🤖"));
  assert.ok(line, ran.stderr);
  assert.ok(!line.includes("ghp_"), line);
  assert.match(line, /\[REDACTED/);
});

test("a tool input nested 4000 levels deep: the run is claude -p's; the trace keeps 64 levels and nothing below", async () => {
  const args = [...BASE_ARGS, "--output-format", "json", "[[scenario:deep-input]] go"];
  const direct = await claude(h.sandbox, ["-p", ...args]);
  const ran = await claudia(h.sandbox, args);
  assert.equal(ran.code, direct.code);
  assert.equal(JSON.parse(ran.stdout).result, JSON.parse(direct.stdout).result);
  assert.ok(!ran.stderr.includes("could not be traced"), ran.stderr);
  const spans = await waitForSpans(h.receiver.spans, traceIdFrom(ran.stderr), 4);
  const tool = spans.find((s) => s.name === "execute_tool Bash");
  assert.match(String(tool?.attributes["gen_ai.tool.call.arguments"]), /nested more than 64 levels deep/);
  // The secret sits 70 levels down: below the cap, so neither kept nor left unredacted.
  assert.ok(!JSON.stringify(spans).includes("ghp_deepDEEP"), "in exported spans");
  assert.ok(!journalText(h.sandbox.claudiaHome).includes("ghp_deepDEEP"), "in the journal");
});
