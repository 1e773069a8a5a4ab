/**
 * A backend that fails at the end of a library run: the program's messages and exit are its own,
 * the wait is the documented bound, and nothing of claudia's keeps the program alive after its
 * query has ended. The program is a separate node process, as a user's is.
 */
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { pathToFileURL } from "node:url";
import { storedRecords } from "../support/journal.ts";
import { type Fault, type OtlpReceiver, startOtlpReceiver } from "../support/otlp-receiver.ts";
import { claudia, createSandbox, MODEL, ROOT, run, type Sandbox } from "../support/sandbox.ts";
import { type ScriptedModel, startScriptedModel } from "../support/scripted-model.ts";

const TSX = pathToFileURL(join(ROOT, "node_modules", "tsx", "dist", "loader.mjs")).href;
const BOUND_MS = 3000;
/** claudia's documented slack past the bound (closing), and a machine's. */
const SLACK_MS = 250 + 1250;

let model: ScriptedModel;
let backend: OtlpReceiver;
let sandbox: Sandbox;

before(async () => {
  model = await startScriptedModel();
  backend = await startOtlpReceiver();
  sandbox = createSandbox(model.url);
});
after(async () => {
  await model.close();
  await backend.close();
  sandbox.remove();
});

/** A program that reads a traced query to the end, printing when its last message came and when its loop ended. */
const PROGRAM = `
import { tracedQuery } from ${JSON.stringify(pathToFileURL(join(ROOT, "src", "index.ts")).href)};
let last = 0;
for await (const m of tracedQuery({ prompt: process.argv[2], options: {
  model: ${JSON.stringify(MODEL)}, permissionMode: "bypassPermissions", allowDangerouslySkipPermissions: true,
} })) {
  last = Date.now();
  if (m.type === "result") console.log(m.subtype);
}
console.log(JSON.stringify({ last, loopEnd: Date.now() }));
`;

test("black-hole backend: the loop ends within the bound, and the program exits as soon as it ends", async () => {
  backend.fault = { kind: "blackhole" };
  const file = join(sandbox.work, "program.mts");
  writeFileSync(file, PROGRAM);
  const ran = await run(process.execPath, ["--import", TSX, file, "[[scenario:bash]] black hole"], {
    cwd: sandbox.work,
    env: {
      ...sandbox.env,
      OTEL_EXPORTER_OTLP_ENDPOINT: backend.url,
      OTEL_EXPORTER_OTLP_PROTOCOL: "http/json",
      CLAUDIA_EXPORT_TIMEOUT_MS: String(BOUND_MS),
      CLAUDIA_RESEND_WAIT_MS: "0",
    },
  });
  const exited = Date.now();
  assert.equal(ran.code, 0, ran.stderr);
  const [outcome, times] = ran.stdout.trim().split("\n");
  assert.equal(outcome, "success");
  const { last, loopEnd } = JSON.parse(times ?? "{}") as { last: number; loopEnd: number };
  assert.ok(backend.arrivals > 0, "the spans were sent");
  assert.ok(loopEnd - last <= BOUND_MS + SLACK_MS, `the loop ended ${loopEnd - last} ms after the last message`);
  assert.ok(exited - loopEnd <= SLACK_MS, `the program exited ${exited - loopEnd} ms after its loop ended`);
  assert.match(ran.stderr, /^claudia: 4 span\(s\) not delivered to otlp: .*\n$/);
});

/** A program that makes `process.argv[2]` runs one after the other, printing each trace id, then when its loop ended. */
const LOOP_PROGRAM = `
import { runAgentWithTelemetry } from ${JSON.stringify(pathToFileURL(join(ROOT, "src", "index.ts")).href)};
for (let i = 0; i < Number(process.argv[2]); i++) {
  const { traceId } = await runAgentWithTelemetry({ prompt: "[[scenario:bash]] run " + i, options: {
    model: ${JSON.stringify(MODEL)}, permissionMode: "bypassPermissions", allowDangerouslySkipPermissions: true,
  } });
  console.log(traceId);
}
console.log(JSON.stringify({ loopEnd: Date.now() }));
`;

/**
 * OTLP/HTTP's connections are detached: the program ends at once. gRPC's cannot be: it waits for the
 * request under way (2 s here), but starts no further run once its own run is over.
 */
const RESEND_CASES: { protocol: string; url: () => string; down: Fault; slackMs: number }[] = [
  { protocol: "http/json", url: () => backend.url, down: { kind: "status", status: 500 }, slackMs: SLACK_MS },
  {
    protocol: "grpc",
    url: () => backend.grpcUrl,
    down: { kind: "grpc-status", code: 14, details: "down" },
    slackMs: 2000 + SLACK_MS,
  },
];

for (const { protocol, url, down, slackMs } of RESEND_CASES)
  test(`${protocol}: a background re-send still going through earlier runs does not hold the program's exit, and loses no run`, async () => {
    const env = {
      ...sandbox.env,
      OTEL_EXPORTER_OTLP_ENDPOINT: url(),
      OTEL_EXPORTER_OTLP_PROTOCOL: protocol,
    };
    const file = join(sandbox.work, "loop.mts");
    writeFileSync(file, LOOP_PROGRAM);
    const loop = (runs: number, more: NodeJS.ProcessEnv) =>
      run(process.execPath, ["--import", TSX, file, String(runs)], { cwd: sandbox.work, env: { ...env, ...more } });
    // An outage: three runs, none delivered.
    backend.fault = down;
    const outage = await loop(3, { CLAUDIA_RESEND_WAIT_MS: "0" });
    assert.equal(outage.code, 0, outage.stderr);
    const earlier = outage.stdout.trim().split("\n").slice(0, 3);
    // The backend is back but slow: re-sending the three takes some 2 s per request, longer than the next run.
    backend.fault = { kind: "slow", ms: 2000 };
    const ran = await loop(1, {});
    const exited = Date.now();
    assert.equal(ran.code, 0, ran.stderr);
    const { loopEnd } = JSON.parse(ran.stdout.trim().split("\n").at(-1) ?? "{}") as { loopEnd: number };
    assert.ok(exited - loopEnd <= slackMs, `the program exited ${exited - loopEnd} ms after its loop ended`);
    assert.equal(ran.stderr, "", "its own run was delivered");

    const delivered = (records: Awaited<ReturnType<typeof storedRecords>>) =>
      earlier.filter((id) => records.find((r) => r.traceId === id)?.deliveries.otlp?.delivered === true);
    const left = await storedRecords(sandbox);
    if (protocol !== "grpc") {
      assert.ok(delivered(left).length < earlier.length, "the re-send was still going when the program exited");
    }
    // What it had not sent stays undelivered in the journal, unlocked: a push sends it.
    backend.fault = undefined;
    const push = await claudia(sandbox, ["traces", "push"], env);
    assert.equal(push.code, 0, push.stderr + push.stdout);
    assert.deepEqual(delivered(await storedRecords(sandbox)), earlier);
    for (const id of earlier)
      assert.ok(backend.spans.some((s) => s.traceId === id && s.name.startsWith("invoke_agent")));
  });
