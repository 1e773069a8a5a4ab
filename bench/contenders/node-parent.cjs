// Contender: a node process that does nothing but start Claude Code and exit with its code: the
// least any wrapper written for node costs. With BENCH_ACCOUNTING=1 it also asks Claude Code for
// what claudia asks of it (its per-request accounting, sent to a receiver here that answers at
// once, a session id and a trace context), so its cost is claudia's floor. CommonJS, as claudia's
// command is, and started as claudia's command starts node (deferred-ca.sh), so Claude Code gets
// NODE_EXTRA_CA_CERTS back here. argv: the claude binary, then its arguments.
const { spawn } = require("node:child_process");

const deferred = process.env.CLAUDIA_DEFERRED_NODE_EXTRA_CA_CERTS;
delete process.env.CLAUDIA_DEFERRED_NODE_EXTRA_CA_CERTS;
if (deferred && process.env.NODE_EXTRA_CA_CERTS === undefined) process.env.NODE_EXTRA_CA_CERTS = deferred;

const [claude, ...args] = process.argv.slice(2);

function start(env, extra) {
  const child = spawn(claude, [...extra, ...args], { env, stdio: "inherit" });
  child.once("close", (code) => process.exit(code ?? 1));
}

if (process.env.BENCH_ACCOUNTING !== "1") {
  start(process.env, []);
} else {
  const { randomUUID } = require("node:crypto");
  const receiver = require("node:http").createServer((req, res) => {
    req.resume().on("end", () => res.writeHead(200, { "content-type": "application/json" }).end("{}"));
  });
  receiver.listen(0, "127.0.0.1", () => {
    const env = {
      ...process.env,
      CLAUDE_CODE_ENABLE_TELEMETRY: "1",
      OTEL_LOGS_EXPORTER: "otlp",
      OTEL_EXPORTER_OTLP_LOGS_PROTOCOL: "http/json",
      OTEL_EXPORTER_OTLP_LOGS_ENDPOINT: `http://127.0.0.1:${receiver.address().port}/v1/logs`,
      OTEL_EXPORTER_OTLP_LOGS_COMPRESSION: "none",
      OTEL_LOGS_EXPORT_INTERVAL: "200",
      OTEL_METRICS_EXPORTER: "none",
      TRACEPARENT: `00-${randomUUID().replace(/-/g, "")}-${randomUUID().replace(/-/g, "").slice(0, 16)}-01`,
    };
    start(env, ["--session-id", randomUUID()]);
  });
}
