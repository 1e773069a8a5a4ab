/**
 * A backend that fails never changes the run: same stdout, same exit code, a bounded wait at
 * exit, one clear line on stderr, and every span kept in the journal until a push delivers it.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, test } from "node:test";
import { scriptedRuns } from "../support/harness.ts";
import { storedRecord } from "../support/journal.ts";
import { type Fault, type OtlpReceiver, startOtlpReceiver } from "../support/otlp-receiver.ts";
import { freePort } from "../support/ports.ts";
import { BASE_ARGS, CLAUDIA, claude, claudia, type Ran, run } from "../support/sandbox.ts";
import { contentErrors } from "../support/semconv-check.ts";
import { root, traceIdFrom, waitForSpans } from "../support/trace-checks.ts";

const h = scriptedRuns();
const HEADER_SECRET = "fault-header-secret-42";
/** claudia's documented default bound for waiting on a backend at exit. */
const EXPORT_BOUND_MS = 5000;
/** Slack for the rest of claudia's work at exit (writing the journal, closing): generous, as CI machines vary. */
const SLACK_MS = 1500;

/** Whether a process has ended (gone, or a zombie not yet reaped). */
function ended(pid: number): boolean {
  try {
    return /^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, "utf8"));
  } catch {
    return true;
  }
}

function commandLine(pid: number): string[] {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0");
  } catch {
    return [];
  }
}

function childrenOf(pid: number): number[] {
  try {
    const text = readFileSync(`/proc/${pid}/task/${pid}/children`, "utf8").trim();
    return text === "" ? [] : text.split(/\s+/).map(Number);
  } catch {
    return [];
  }
}

/**
 * Run claudia, watching its Claude Code process from outside: besides what \`claudia()\` returns,
 * the wall-clock time claudia went on for after Claude Code (the child given the prompt) had ended.
 */
async function watchedClaudia(args: string[], env: NodeJS.ProcessEnv): Promise<Ran & { afterClaudeMs: number }> {
  let claudiaPid: number | undefined;
  let claudePid: number | undefined;
  let claudeEnded: number | undefined;
  const watch = setInterval(() => {
    if (claudiaPid === undefined) return;
    claudePid ??= childrenOf(claudiaPid).find((pid) => commandLine(pid).includes(PROMPT));
    if (claudePid !== undefined && claudeEnded === undefined && ended(claudePid)) claudeEnded = Date.now();
  }, 10);
  try {
    const ran = await run(process.execPath, [CLAUDIA, ...args], {
      env: { ...h.sandbox.env, ...env },
      cwd: h.sandbox.work,
      onSpawn: (pid) => {
        claudiaPid = pid;
      },
    });
    const now = Date.now();
    if (claudePid === undefined) throw new Error(`Claude Code was never seen running:\n${ran.stderr}`);
    return { ...ran, afterClaudeMs: now - (claudeEnded ?? now) };
  } finally {
    clearInterval(watch);
  }
}

const recordOf = (traceId: string) => storedRecord(h.sandbox, traceId);
/** grpc-js says how long it waited only when the call had started before its deadline (a busy machine: not always). */
const GRPC_DEADLINE = /otlp: 4 DEADLINE_EXCEEDED: Deadline exceeded(?: after [\d.]+s)? \(kept/;

const PROMPT = "[[scenario:bash]] fault";
let direct: { code: number | null; stdout: string } | undefined;
const truth = async () => {
  direct ??= await claude(h.sandbox, ["-p", ...BASE_ARGS, PROMPT]);
  return direct;
};

interface FaultCase {
  protocol?: "grpc";
  /** What the line on stderr says of the failure. */
  says?: RegExp;
  /** The backend refused the data itself: later runs leave the run to `push`. */
  refusal?: boolean;
}

/** [name, fault, the export bound claudia runs with, the protocol and what to expect] */
const faults: [string, Fault | "refused", number, FaultCase?][] = [
  ["connection refused", "refused", EXPORT_BOUND_MS],
  ["black hole (accepts, never answers)", { kind: "blackhole" }, EXPORT_BOUND_MS],
  // 5 s per answer against the default 5 s bound would race; a 3 s bound (configurable) makes the wait certain.
  ["slow (5 s per answer)", { kind: "slow", ms: 5000 }, 3000],
  ["HTTP 500", { kind: "status", status: 500 }, EXPORT_BOUND_MS],
  ["HTTP 429 with Retry-After", { kind: "status", status: 429, retryAfter: "1" }, EXPORT_BOUND_MS],
  [
    "gRPC, connection refused",
    "refused",
    EXPORT_BOUND_MS,
    { protocol: "grpc", says: /otlp: 14 UNAVAILABLE: .*ECONNREFUSED [\d.:]+ \(kept/ },
  ],
  ["gRPC, black hole", { kind: "blackhole" }, 3000, { protocol: "grpc", says: GRPC_DEADLINE }],
  ["gRPC, slow (5 s per answer)", { kind: "slow", ms: 5000 }, 3000, { protocol: "grpc", says: GRPC_DEADLINE }],
  [
    "gRPC UNAVAILABLE",
    { kind: "grpc-status", code: 14, details: "down for maintenance" },
    EXPORT_BOUND_MS,
    { protocol: "grpc", says: /otlp: 14 UNAVAILABLE: down for maintenance \(/ },
  ],
  [
    "gRPC RESOURCE_EXHAUSTED",
    { kind: "grpc-status", code: 8, details: "quota spent" },
    EXPORT_BOUND_MS,
    { protocol: "grpc", says: /otlp: 8 RESOURCE_EXHAUSTED: quota spent \(/ },
  ],
  [
    "gRPC UNAUTHENTICATED, its details echoing the credential",
    { kind: "grpc-status", code: 16, details: `invalid token ${HEADER_SECRET}` },
    EXPORT_BOUND_MS,
    { protocol: "grpc", says: /otlp: 16 UNAUTHENTICATED: invalid token \[REDACTED:credential\] \(/ },
  ],
  [
    "gRPC INVALID_ARGUMENT",
    { kind: "grpc-status", code: 3, details: "bad span" },
    EXPORT_BOUND_MS,
    { protocol: "grpc", says: /otlp: 3 INVALID_ARGUMENT: bad span \(/, refusal: true },
  ],
];

describe("backend faults", () => {
  for (const [name, fault, bound, expect = {}] of faults) {
    test(`${name}: output and exit code unchanged, bounded exit, one line, nothing lost after recovery`, async () => {
      const expected = await truth();
      const grpc = expect.protocol === "grpc";
      let receiver: OtlpReceiver | undefined;
      let port: number;
      if (fault === "refused") port = await freePort();
      else {
        receiver = await startOtlpReceiver();
        receiver.fault = fault;
        port = Number(new URL(grpc ? receiver.grpcUrl : receiver.url).port);
      }
      try {
        const env = {
          OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${port}`,
          OTEL_EXPORTER_OTLP_PROTOCOL: grpc ? "grpc" : "http/protobuf",
          OTEL_EXPORTER_OTLP_HEADERS: `authorization=${HEADER_SECRET}`,
          CLAUDIA_RESEND_WAIT_MS: "0",
          CLAUDIA_EXPORT_TIMEOUT_MS: String(bound),
        };
        const ran = await watchedClaudia([...BASE_ARGS, PROMPT], env);
        assert.equal(ran.code, expected.code);
        assert.equal(ran.stdout, expected.stdout);
        // Wall-clock time from Claude Code's end to claudia's, seen from outside.
        assert.ok(
          ran.afterClaudeMs <= bound + SLACK_MS,
          `claudia went on for ${ran.afterClaudeMs} ms after Claude Code`,
        );
        const own = ran.stderr.split("\n").filter((l) => l.startsWith("claudia:"));
        assert.equal(own.length, 1, ran.stderr);
        assert.match(own[0] as string, /span\(s\) not delivered to otlp: .*claudia traces push/);
        if (expect.says) assert.match(own[0] as string, expect.says);
        assert.doesNotMatch(ran.stderr, /^\s+at /m, "no stack trace");
        assert.ok(!ran.stderr.includes(HEADER_SECRET));

        const traceId = traceIdFrom(ran.stderr);
        const record = await recordOf(traceId);
        assert.equal(record.spans, 4);
        assert.equal(record.deliveries.otlp?.delivered, false);
        assert.ok(!JSON.stringify(record).includes(HEADER_SECRET), "the record holds no credential");
        assert.equal(record.deliveries.otlp?.refused === true, expect.refusal === true, "a refusal, or not");

        // The backend recovers; push delivers every span, once.
        if (receiver) receiver.fault = undefined;
        else receiver = await startOtlpReceiver(grpc ? { grpcPort: port } : { port });
        const pushed = await claudia(h.sandbox, ["traces", "push"], env);
        assert.equal(pushed.code, 0, pushed.stdout + pushed.stderr);
        const arrived = receiver.spans.filter((s) => s.traceId === traceId);
        const ids = new Set(arrived.map((s) => s.spanId));
        assert.equal(ids.size, 4, "all four spans arrived");
        assert.equal(
          root(arrived.filter((s, i) => arrived.findIndex((x) => x.spanId === s.spanId) === i)).attributes[
            "claude_code.tool_calls"
          ],
          1,
        );
        assert.equal((await recordOf(traceId)).deliveries.otlp?.delivered, true);
      } finally {
        await receiver?.close();
      }
    });
  }

  test("a gRPC collector answering UNAVAILABLE, then back: retried within the run, delivered, no line", async () => {
    const expected = await truth();
    const receiver = await startOtlpReceiver();
    // The run's first export (its root span, sent at once) meets the outage and its retries see the end of it.
    receiver.fault = { kind: "grpc-status", code: 14, details: "starting", times: 2 };
    try {
      const ran = await watchedClaudia([...BASE_ARGS, PROMPT], {
        OTEL_EXPORTER_OTLP_ENDPOINT: receiver.grpcUrl,
        OTEL_EXPORTER_OTLP_PROTOCOL: "grpc",
        CLAUDIA_RESEND_WAIT_MS: "0",
      });
      assert.equal(ran.code, expected.code);
      assert.equal(ran.stdout, expected.stdout);
      assert.ok(ran.afterClaudeMs <= EXPORT_BOUND_MS + SLACK_MS, `claudia went on for ${ran.afterClaudeMs} ms`);
      assert.doesNotMatch(ran.stderr, /^claudia: .*not delivered/m, ran.stderr);
      assert.equal(receiver.fault, undefined, "both refusals were played");
      const traceId = traceIdFrom(ran.stderr);
      const arrived = new Set(receiver.spans.filter((s) => s.traceId === traceId).map((s) => s.spanId));
      assert.equal(arrived.size, 4, "every span arrived during the run");
      assert.equal((await recordOf(traceId)).deliveries.otlp?.delivered, true);
    } finally {
      await receiver.close();
    }
  });

  test("the line names the HTTP status a backend answered (a quota from an outage), never its reason phrase or body", async () => {
    const receiver = await startOtlpReceiver();
    try {
      for (const [status, name] of [
        [401, "Unauthorized"],
        [404, "Not Found"],
        [413, "Payload Too Large"],
        [429, "Too Many Requests"],
        [500, "Internal Server Error"],
        [503, "Service Unavailable"],
      ] as const) {
        const echo = `bad credential ${HEADER_SECRET}`;
        receiver.fault = { kind: "status", status, reason: echo, body: echo };
        const ran = await claudia(h.sandbox, [...BASE_ARGS, "[[scenario:text]] status"], {
          OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
          OTEL_EXPORTER_OTLP_HEADERS: `authorization=${HEADER_SECRET}`,
          CLAUDIA_RESEND_WAIT_MS: "0",
          CLAUDIA_EXPORT_TIMEOUT_MS: "1500",
        });
        assert.equal(ran.code, 0, ran.stderr);
        const own = ran.stderr.split("\n").filter((l) => l.startsWith("claudia:"));
        assert.equal(own.length, 1, ran.stderr);
        assert.match(own[0] as string, new RegExp(`not delivered to otlp: HTTP ${status} ${name} \\(kept`));
        assert.ok(!ran.stderr.includes(HEADER_SECRET) && !ran.stderr.includes("bad credential"), ran.stderr);
        const record = await recordOf(traceIdFrom(ran.stderr));
        assert.match(String(record.deliveries.otlp?.error), new RegExp(`^HTTP ${status} ${name}$`));
      }
    } finally {
      await receiver.close();
    }
  });

  test("HTTP 413: the batch is split and an oversized span trimmed; the run is delivered whole", async () => {
    const receiver = await startOtlpReceiver();
    receiver.fault = { kind: "too-large", maxBytes: 3000 };
    try {
      const ran = await claudia(h.sandbox, [...BASE_ARGS, "[[scenario:big-output]] large"], {
        OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
      });
      assert.equal(ran.code, 0);
      const traceId = traceIdFrom(ran.stderr);
      assert.doesNotMatch(ran.stderr, /not delivered/);
      const arrived = receiver.spans.filter((s) => s.traceId === traceId);
      assert.equal(arrived.length, 4);
      const tool = arrived.find((s) => s.name === "execute_tool Bash");
      assert.match(
        String(tool?.attributes["gen_ai.tool.call.result"]),
        /^1\n2\n3\n[\s\S]*trimmed to fit the backend's size limit\]$/,
      );
      assert.equal(tool?.attributes["gen_ai.tool.call.id"] !== undefined, true);
      assert.equal((await recordOf(traceId)).deliveries.otlp?.delivered, true);
    } finally {
      await receiver.close();
    }
  });
  test("a gRPC message over the backend's limit: the batch is split and an oversized span trimmed, as for HTTP 413", async () => {
    const receiver = await startOtlpReceiver({ grpcMaxBytes: 3000 });
    try {
      const ran = await claudia(h.sandbox, [...BASE_ARGS, "[[scenario:big-output]] large over grpc"], {
        OTEL_EXPORTER_OTLP_ENDPOINT: receiver.grpcUrl,
        OTEL_EXPORTER_OTLP_PROTOCOL: "grpc",
        OTEL_METRICS_EXPORTER: "none",
      });
      assert.equal(ran.code, 0);
      const traceId = traceIdFrom(ran.stderr);
      assert.doesNotMatch(ran.stderr, /not delivered/);
      const arrived = receiver.spans.filter((s) => s.traceId === traceId);
      assert.equal(arrived.length, 4);
      const tool = arrived.find((s) => s.name === "execute_tool Bash");
      assert.match(String(tool?.attributes["gen_ai.tool.call.result"]), /trimmed to fit the backend's size limit\]$/);
      assert.equal((await recordOf(traceId)).deliveries.otlp?.delivered, true);
    } finally {
      await receiver.close();
    }
  });
});

describe("limits", () => {
  test("a tool printing 10 MB: what reaches the exporter stays within the content limit", async () => {
    const receiver = await startOtlpReceiver();
    try {
      const ran = await claudia(h.sandbox, [...BASE_ARGS, "[[scenario:huge-output]] big"], {
        OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
      });
      assert.equal(ran.code, 0);
      const tool = receiver.spans.find((s) => s.traceId === traceIdFrom(ran.stderr) && s.name === "execute_tool Bash");
      const result = String(tool?.attributes["gen_ai.tool.call.result"]);
      // Claude Code itself keeps only a preview of a large output: the 10 MB never reach claudia.
      assert.ok(result.length <= 8192, `${result.length} characters`);
      assert.match(result, /Output too large \(9\.5MB\)/);
      // The next call's input carries the same result as a tool_call_response, within the limit and valid.
      const after = receiver.spans.filter(
        (s) =>
          s.traceId === traceIdFrom(ran.stderr) &&
          String(s.attributes["gen_ai.input.messages"]).includes("tool_call_response"),
      );
      assert.equal(after.length, 1);
      const input = String(after[0]?.attributes["gen_ai.input.messages"]);
      assert.ok(input.length <= 8192, `${input.length} characters`);
      assert.deepEqual(contentErrors("gen_ai.input.messages", input), []);
      const journal = await claudia(h.sandbox, ["traces", "show", traceIdFrom(ran.stderr), "--json"]);
      assert.ok(journal.stdout.length < 100_000, `the stored run is ${journal.stdout.length} bytes`);
    } finally {
      await receiver.close();
    }
  });

  /** A prompt far longer than any limit: claudia sees all of it, so any cut is claudia's. */
  const LONG_PROMPT = `[[scenario:text]] ${"0123456789".repeat(2000)}`;

  for (const [name, env, limit] of [
    ["by default, content is cut at 8192 characters", {}, 8192],
    ["CLAUDIA_CONTENT_MAX_LENGTH sets the cut", { CLAUDIA_CONTENT_MAX_LENGTH: "1000" }, 1000],
    [
      "OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT caps CLAUDIA_CONTENT_MAX_LENGTH",
      { CLAUDIA_CONTENT_MAX_LENGTH: "1000", OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT: "500" },
      500,
    ],
  ] as const) {
    test(`${name}, marked with how much was cut`, async () => {
      const ran = await claudia(h.sandbox, BASE_ARGS, env, LONG_PROMPT);
      assert.equal(ran.code, 0);
      const spans = await waitForSpans(h.receiver.spans, traceIdFrom(ran.stderr));
      // The prompt is the root's input document, cut inside its text so it stays valid JSON.
      const doc = String(root(spans).attributes["gen_ai.input.messages"]);
      assert.ok(doc.length <= limit, `${doc.length} > ${limit}`);
      assert.ok(doc.length > limit - 100, `cut no more than needed: ${doc.length}`);
      const prompt = JSON.parse(doc)[0].parts[0].content as string;
      assert.ok(prompt.startsWith("[[scenario:text]] 0123456789"), prompt.slice(0, 40));
      const cut = /…\[(\d+) more chars\]$/.exec(prompt);
      assert.ok(cut, prompt.slice(-40));
      assert.equal(prompt.length - cut[0].length + Number(cut[1]), LONG_PROMPT.length, "the marker counts exactly");
      const chat = spans.find((s) => s.name === "chat claude-sonnet-4-5");
      assert.ok(String(chat?.attributes["gen_ai.input.messages"]).length <= limit);
    });
  }
});
