/**
 * A real OTLP backend: autotel-devtools (run with the pinned Node 22 that `npm run setup` installs)
 * receives a scripted run's traces and metrics over http/protobuf, http/json and gRPC; they are read
 * back through its query API and compared with what the run did.
 */
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { join } from "node:path";
import { describe, test } from "node:test";
import { scriptedRuns } from "../support/harness.ts";
import { node22 } from "../support/node22.ts";
import { freePort } from "../support/ports.ts";
import { BASE_ARGS, claudia, ROOT } from "../support/sandbox.ts";
import { traceIdFrom } from "../support/trace-checks.ts";

const CLI = join(ROOT, "node_modules", "autotel-devtools", "dist", "cli.js");
const h = scriptedRuns();

async function startAutotel(): Promise<{ http: string; grpc: string; stop(): void }> {
  const [httpPort, grpcPort] = [await freePort(), await freePort()];
  const child: ChildProcess = spawn(
    node22(),
    [CLI, "-p", String(httpPort), "--grpc-port", String(grpcPort), "-H", "127.0.0.1"],
    {
      stdio: "ignore",
      env: { ...process.env, NODE_NO_WARNINGS: "1" },
    },
  );
  const http = `http://127.0.0.1:${httpPort}`;
  for (let i = 0; i < 100; i++) {
    try {
      if ((await fetch(`${http}/api/stats`)).ok) break;
    } catch {
      // Not listening yet.
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { http, grpc: `http://127.0.0.1:${grpcPort}`, stop: () => child.kill() };
}

async function query(base: string, path: string, body: unknown) {
  const res = await fetch(`${base}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  assert.equal(res.status, 200);
  return res.json() as Promise<Record<string, unknown>>;
}

interface StoredSpan {
  spanId: string;
  parentSpanId?: string;
  name: string;
  attributes: Record<string, unknown>;
  status: { code: string };
}

describe("autotel-devtools, a real OTLP backend", () => {
  for (const protocol of ["http/protobuf", "http/json", "grpc"] as const) {
    test(`traces and metrics over ${protocol} are stored and read back equal to the run`, async () => {
      const backend = await startAutotel();
      try {
        const before = h.model.served.length;
        const ran = await claudia(h.sandbox, [...BASE_ARGS, "[[scenario:bash-fail]] autotel"], {
          OTEL_EXPORTER_OTLP_ENDPOINT: protocol === "grpc" ? backend.grpc : backend.http,
          OTEL_EXPORTER_OTLP_PROTOCOL: protocol,
        });
        assert.equal(ran.code, 0);
        const traceId = traceIdFrom(ran.stderr);
        const found = (await query(backend.http, "/api/query/traces", {
          query: `trace_id = "${traceId}"`,
          limit: 1000,
        })) as {
          traces: { spans: StoredSpan[] }[];
        };
        const spans = found.traces[0]?.spans ?? [];
        assert.deepEqual(spans.map((s) => s.name).sort(), [
          "chat claude-sonnet-4-5",
          "chat claude-sonnet-4-5",
          "execute_tool Bash",
          "invoke_agent claude-code",
        ]);
        const root = spans.find((s) => s.name === "invoke_agent claude-code") as StoredSpan;
        for (const s of spans) if (s !== root) assert.equal(s.parentSpanId, root.spanId);
        const served = h.model.served.slice(before);
        for (const call of served) {
          const chat = spans.find((s) => s.attributes["gen_ai.response.id"] === call.id) as StoredSpan;
          const u = call.usage;
          assert.equal(
            chat.attributes["gen_ai.usage.input_tokens"],
            u.input_tokens + u.cache_read_input_tokens + u.cache_creation_input_tokens,
          );
          assert.equal(chat.attributes["gen_ai.usage.output_tokens"], u.output_tokens);
        }
        const tool = spans.find((s) => s.name === "execute_tool Bash") as StoredSpan;
        assert.equal(tool.status.code, "ERROR");
        assert.equal(tool.attributes["error.type"], "tool_error");

        const calls = (await query(backend.http, "/api/query/metrics", { name: "claudia.tool.calls" })) as {
          series: { attributes: Record<string, unknown>; points: { value: number }[] }[];
        };
        assert.deepEqual(
          calls.series.map((s) => [
            s.attributes["gen_ai.tool.name"],
            s.attributes.outcome,
            s.points.reduce((n, p) => n + p.value, 0),
          ]),
          [["Bash", "tool_error", 1]],
        );
        const tokens = (await query(backend.http, "/api/query/metrics", { name: "gen_ai.client.token.usage" })) as {
          series: { attributes: Record<string, unknown>; points: { sum?: number; count?: number }[] }[];
        };
        const output = tokens.series.find((s) => s.attributes["gen_ai.token.type"] === "output");
        assert.equal(
          output?.points.reduce((n, p) => n + (p.sum ?? 0), 0),
          served.reduce((n, c) => n + c.usage.output_tokens, 0),
        );
      } finally {
        backend.stop();
      }
    });
  }
});
