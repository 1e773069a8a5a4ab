/**
 * Property-based test of the journal reader: whatever valid JSON a run's record and span lines
 * hold (damaged, edited, from another version), no `claudia traces` command and no background
 * re-send crashes; each ends with its ordinary exit code.
 */
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { after, before, test } from "node:test";
import fc from "fast-check";
import { tracesCommand } from "../../src/cli/traces/command.ts";
import { resolveTelemetryConfig } from "../../src/export/config.ts";
import { runFiles } from "../../src/export/journal.ts";
import { RunJournal } from "../../src/export/run-journal.ts";
import { type OtlpReceiver, startOtlpReceiver } from "../support/otlp-receiver.ts";

const TRACE = "0af7651916cd43dd8448eb211c80319c";
const START = Date.parse("2026-03-01T10:00:00Z");

const validRecord = {
  traceId: TRACE,
  startTime: START,
  endTime: START + 1500,
  durationMs: 1500,
  status: "ok",
  prompt: "hello",
  model: "claude-sonnet-4-5",
  numTurns: 1,
  toolCalls: 1,
  inputTokens: 10,
  outputTokens: 5,
  costUsd: 0.001,
  sessionId: "s",
  exitCode: 0,
  spans: 2,
  deliveries: { otlp: { endpoint: "http://x/", delivered: false, spans: 0, at: "2026-03-01T10:00:02Z" } },
};

const ns = (ms: number) => `${BigInt(ms) * 1000000n}`;
const attr = (key: string, value: unknown) => ({ key, value });
const validSpans = [
  {
    traceId: TRACE,
    spanId: "b7ad6b7169203331",
    name: "invoke_agent claude-code",
    kind: 1,
    startTimeUnixNano: ns(START),
    endTimeUnixNano: ns(START + 1500),
    attributes: [attr("gen_ai.operation.name", { stringValue: "invoke_agent" })],
    events: [
      { name: "user.prompt", timeUnixNano: ns(START), attributes: [attr("gen_ai.prompt", { stringValue: "hi" })] },
    ],
    status: { code: 0 },
  },
  {
    traceId: TRACE,
    spanId: "c7ad6b7169203331",
    parentSpanId: "b7ad6b7169203331",
    name: "execute_tool Bash",
    kind: 1,
    startTimeUnixNano: ns(START + 100),
    endTimeUnixNano: ns(START + 900),
    attributes: [
      attr("gen_ai.operation.name", { stringValue: "execute_tool" }),
      attr("gen_ai.tool.name", { stringValue: "Bash" }),
      attr("gen_ai.tool.call.arguments", { stringValue: '{"command":"ls"}' }),
    ],
    status: { code: 2, message: "failed" },
  },
];
const request = (spans: unknown[]) => ({
  resourceSpans: [{ resource: { attributes: [attr("service.name", { stringValue: "t" })] }, scopeSpans: [{ spans }] }],
});

/** A value with one field (at any depth of the path given) replaced by arbitrary JSON. */
function mutated<T extends Record<string, unknown>>(base: T): fc.Arbitrary<unknown> {
  return fc.tuple(fc.constantFrom(...Object.keys(base)), fc.jsonValue(), fc.boolean()).map(([key, value, drop]) => {
    const copy: Record<string, unknown> = { ...base };
    if (drop) delete copy[key];
    else copy[key] = value;
    return copy;
  });
}

const numberish = fc.oneof(
  fc.constantFrom(1e20, -1, 1.5, Number.MAX_SAFE_INTEGER, "1.0", "abc", "", null, "99999999999999999999999"),
  fc.jsonValue(),
);
const record = fc.oneof(
  fc.jsonValue(),
  mutated(validRecord),
  fc
    .tuple(fc.constantFrom("startTime", "endTime", "durationMs", "costUsd", "inputTokens"), numberish)
    .map(([key, value]) => ({ ...validRecord, [key]: value })),
);
const span = fc.oneof(
  fc.jsonValue(),
  ...validSpans.map((s) => mutated(s)),
  fc
    .tuple(fc.constantFrom("startTimeUnixNano", "endTimeUnixNano"), numberish)
    .map(([key, value]) => ({ ...validSpans[0], [key]: value })),
  fc.tuple(fc.string(), fc.jsonValue()).map(([key, value]) => ({
    ...validSpans[1],
    attributes: [attr("gen_ai.tool.call.arguments", value), attr(key, value)],
  })),
);
const line = fc.oneof(
  fc.jsonValue().map((v) => JSON.stringify(v)),
  fc.array(span, { maxLength: 3 }).map((spans) => JSON.stringify(request([...validSpans, ...spans]))),
  fc.array(span, { minLength: 1, maxLength: 3 }).map((spans) => JSON.stringify(request(spans))),
);

let receiver: OtlpReceiver;
const home = mkdtempSync(join(tmpdir(), "claudia-journal-property-"));
before(async () => {
  receiver = await startOtlpReceiver();
});
after(async () => {
  await receiver.close();
  rmSync(home, { recursive: true, force: true });
});

const COMMANDS = [
  ["list"],
  ["list", "--json"],
  ["show", "last"],
  ["show", "last", "--full"],
  ["show", TRACE.slice(0, 8), "--json"],
  ["push"],
];

test("arbitrary valid JSON in a run's record and span lines never crashes a traces command or the re-send", async () => {
  const env = {
    CLAUDIA_HOME: home,
    OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
    OTEL_EXPORTER_OTLP_PROTOCOL: "http/json",
    CLAUDIA_EXPORT_TIMEOUT_MS: "2000",
  };
  await fc.assert(
    fc.asyncProperty(record, fc.array(line, { maxLength: 3 }), async (rec, lines) => {
      rmSync(join(home, "journal"), { recursive: true, force: true });
      rmSync(join(home, "journal.outbox"), { recursive: true, force: true });
      const files = runFiles(join(home, "journal"), START, TRACE);
      mkdirSync(dirname(files.spans), { recursive: true });
      writeFileSync(files.record, JSON.stringify(rec));
      writeFileSync(files.spans, lines.join("\n"));
      for (const args of COMMANDS) {
        const code = await tracesCommand(args, { out: () => {}, err: () => {}, env, color: true });
        assert.ok(code === 0 || code === 1, `claudia traces ${args.join(" ")} exited ${code}`);
      }
      writeFileSync(files.record, JSON.stringify(rec));
      const config = resolveTelemetryConfig({}, env);
      const journal = RunJournal.open(config.journal, Date.now(), "f".repeat(32), () => {});
      // Once reading the whole journal (and listing what waits), once reading the list.
      await journal?.resendUndelivered(config, () => {});
      await journal?.resendUndelivered(config, () => {});
    }),
    { numRuns: 150 },
  );
});
