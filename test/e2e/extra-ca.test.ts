/**
 * `NODE_EXTRA_CA_CERTS`, with the `claudia` command run as npm installs it (the file itself, not
 * `node file`): node starts without reading it, claudia still trusts its certificates when it
 * connects to a backend over TLS (OTLP/HTTP, OTLP/gRPC, Sentry), and Claude Code gets the variable
 * exactly as it was.
 */
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:https";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { makeTestCertificates, type TestCertificates } from "../support/https-site.ts";
import { type OtlpReceiver, startOtlpReceiver } from "../support/otlp-receiver.ts";
import { BASE_ARGS, CLAUDE, CLAUDIA, createSandbox, run, type Sandbox } from "../support/sandbox.ts";
import { type ScriptedModel, startScriptedModel } from "../support/scripted-model.ts";
import { traceIdFrom, waitForSpans } from "../support/trace-checks.ts";

let certificates: TestCertificates;
let model: ScriptedModel;
let receiver: OtlpReceiver;
let sandbox: Sandbox;
before(async () => {
  certificates = makeTestCertificates();
  model = await startScriptedModel();
  receiver = await startOtlpReceiver({ tls: certificates });
  sandbox = createSandbox(model.url);
});
after(async () => {
  await model.close();
  await receiver.close();
  sandbox.remove();
  certificates.remove();
});

/**
 * The command as installed: the file run as a program. gRPC's own `GRPC_DEFAULT_SSL_ROOTS_FILE_PATH`
 * (which a machine may set) would replace node's roots for gRPC, so it is left out.
 */
const installed = (env: NodeJS.ProcessEnv) => {
  const base = { ...sandbox.env };
  delete base.GRPC_DEFAULT_SSL_ROOTS_FILE_PATH;
  return run(CLAUDIA, [...BASE_ARGS, "[[scenario:extra-ca]] show the CA variables"], {
    env: { ...base, NODE_EXTRA_CA_CERTS: certificates.caFile, ...env },
    cwd: sandbox.work,
  });
};

const notDelivered = /not delivered/;

for (const [protocol, url] of [
  ["http/protobuf", () => receiver.url],
  ["grpc", () => receiver.grpcUrl],
] as const) {
  test(`over OTLP ${protocol} with TLS, the run is delivered to a backend whose CA only NODE_EXTRA_CA_CERTS names`, async () => {
    const ran = await installed({ OTEL_EXPORTER_OTLP_ENDPOINT: url(), OTEL_EXPORTER_OTLP_PROTOCOL: protocol });
    assert.equal(ran.code, 0, ran.stderr);
    assert.doesNotMatch(ran.stderr, notDelivered);
    const spans = await waitForSpans(receiver.spans, traceIdFrom(ran.stderr), 4);
    const tool = spans.find((s) => s.name === "execute_tool Bash");
    // Claude Code's tool saw the variable as it was given, and not the launcher's.
    assert.equal(
      String(tool?.attributes["gen_ai.tool.call.result"]).trim(),
      `ca=${certificates.caFile} deferred=unset`,
    );
  });
}

test("without NODE_EXTRA_CA_CERTS the same backend is not trusted: the run goes on and says so", async () => {
  const ran = await installed({
    NODE_EXTRA_CA_CERTS: undefined,
    OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
    OTEL_EXPORTER_OTLP_PROTOCOL: "http/protobuf",
  });
  assert.equal(ran.code, 0, ran.stderr);
  assert.match(ran.stdout, /CA: ca=unset deferred=unset/);
  assert.match(ran.stderr, /not delivered to otlp: .*certificate/);
});

test("a NODE_EXTRA_CA_CERTS file that cannot be read gets node's own warning when claudia connects", async () => {
  const missing = `${certificates.caFile}.missing`;
  const ran = await installed({
    NODE_EXTRA_CA_CERTS: missing,
    OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
    OTEL_EXPORTER_OTLP_PROTOCOL: "http/protobuf",
  });
  assert.equal(ran.code, 0, ran.stderr);
  assert.match(ran.stdout, new RegExp(`CA: ca=${missing} deferred=unset`));
  const warnings = ran.stderr.split("\n").filter((line) => line.includes("Ignoring extra certs"));
  assert.equal(warnings.length, 1, ran.stderr);
  assert.match(
    warnings[0] as string,
    new RegExp(`Warning: Ignoring extra certs from \`${missing}\`, load failed: ENOENT`),
  );
  assert.match(ran.stderr, /not delivered to otlp: .*certificate/);
});

test("a Sentry intake over TLS whose CA only NODE_EXTRA_CA_CERTS names receives the run", async () => {
  const bodies: string[] = [];
  const intake: Server = createServer(certificates, (req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      bodies.push(`${req.url} ${Buffer.concat(chunks).toString("utf8")}`);
      res.writeHead(200).end("{}");
    });
  });
  await new Promise<void>((resolve) => intake.listen(0, "127.0.0.1", resolve));
  try {
    const port = (intake.address() as AddressInfo).port;
    const ran = await installed({ SENTRY_DSN: `https://publickey@127.0.0.1:${port}/7` });
    assert.equal(ran.code, 0, ran.stderr);
    assert.doesNotMatch(ran.stderr, notDelivered);
    const traceId = traceIdFrom(ran.stderr);
    assert.ok(
      bodies.some((b) => b.startsWith("/api/7/envelope/") && b.includes(traceId)),
      `no envelope with trace ${traceId}: ${bodies.map((b) => b.slice(0, 80)).join(" | ")}`,
    );
  } finally {
    intake.closeAllConnections();
    await new Promise((resolve) => intake.close(resolve));
  }
});

test("node starts claudia without NODE_EXTRA_CA_CERTS, which is back before the command reads its environment", async () => {
  const seen = join(sandbox.work, "preload-saw.txt");
  const preload = join(sandbox.work, "preload.cjs");
  // A preload runs after node read (or did not read) the certificates, before the command's first line.
  writeFileSync(
    preload,
    `require("node:fs").appendFileSync(${JSON.stringify(seen)}, JSON.stringify([process.env.NODE_EXTRA_CA_CERTS ?? null, process.env.CLAUDIA_DEFERRED_NODE_EXTRA_CA_CERTS ?? null, process.pid]) + "\\n");`,
  );
  const ran = await installed({
    NODE_OPTIONS: `--require ${preload}`,
    CLAUDIA_DEFERRED_NODE_EXTRA_CA_CERTS: "/planted",
  });
  assert.equal(ran.code, 0, ran.stderr);
  const [extra, deferred, pid] = JSON.parse(readFileSync(seen, "utf8").split("\n")[0] as string);
  assert.equal(extra, null);
  // The launcher's value: its process id (node's, after `exec`), then the file.
  assert.equal(deferred, `${pid} ${certificates.caFile}`);
  assert.match(ran.stdout, new RegExp(`CA: ca=${certificates.caFile} deferred=unset`));
});

test("started with node directly, a launcher value set in the environment is not taken", async () => {
  const ran = await run(process.execPath, [CLAUDIA, ...BASE_ARGS, "[[scenario:extra-ca]] show the CA variables"], {
    env: {
      ...sandbox.env,
      NODE_EXTRA_CA_CERTS: undefined,
      CLAUDIA_DEFERRED_NODE_EXTRA_CA_CERTS: `1 ${certificates.caFile}`,
    },
    cwd: sandbox.work,
  });
  assert.equal(ran.code, 0, ran.stderr);
  assert.match(ran.stdout, /CA: ca=unset deferred=unset/);
});

test("Claude Code's own log events reach the user's https endpoint whose CA only NODE_EXTRA_CA_CERTS names", async () => {
  const before = receiver.requests.length;
  const ran = await installed({
    CLAUDE_CODE_ENABLE_TELEMETRY: "1",
    OTEL_LOGS_EXPORTER: "otlp",
    OTEL_EXPORTER_OTLP_LOGS_PROTOCOL: "http/json",
    OTEL_EXPORTER_OTLP_LOGS_ENDPOINT: `${receiver.url}/v1/logs`,
  });
  assert.equal(ran.code, 0, ran.stderr);
  assert.doesNotMatch(ran.stderr, /could not be passed on/);
  assert.ok(
    receiver.requests.slice(before).some((r) => r.path === "/v1/logs"),
    "their endpoint got the log events",
  );
});

test("Claude Code's shell level is the caller's (set or unset), when /bin/sh is bash as when it is dash", async () => {
  // What node (and so Claude Code) gets, seen by a preload; the tool's own bash would set SHLVL itself.
  const seen = join(sandbox.work, "shlvl-seen.txt");
  const preload = join(sandbox.work, "shlvl.cjs");
  writeFileSync(
    preload,
    `require("node:fs").writeFileSync(${JSON.stringify(seen)}, process.env.SHLVL === undefined ? "unset" : process.env.SHLVL);`,
  );
  const shown = (command: string, args: string[], shlvl: string | undefined) =>
    run(command, [...args, ...BASE_ARGS, "[[scenario:shlvl]] show the level"], {
      env: { ...sandbox.env, SHLVL: shlvl, NODE_OPTIONS: `--require ${preload}` },
      cwd: sandbox.work,
    });
  for (const shlvl of ["3", undefined]) {
    const bare = await shown(CLAUDE, ["-p"], shlvl);
    assert.match(bare.stdout, /Level: shlvl=\d+/);
    for (const [command, args] of [
      [CLAUDIA, []],
      ["bash", [CLAUDIA]],
    ] as const) {
      const ran = await shown(command, [...args], shlvl);
      const how = `${command} ${args.join(" ")}, SHLVL ${shlvl}`;
      assert.equal(ran.code, 0, ran.stderr);
      assert.equal(ran.stdout, bare.stdout, how);
      assert.equal(readFileSync(seen, "utf8"), shlvl ?? "unset", how);
    }
  }
});
