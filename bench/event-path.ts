/**
 * Per-event handling time in claudia's event path, in process: transcript lines of a recorded
 * 200-tool session go through the transcript parser and the trace builder (with a real batch
 * span processor and an exporter that drops the spans), one line at a time; with Claude Code's
 * accounting on (as in a real run), each call's `api_request` log batch (OTLP/JSON, as received)
 * goes through its parser too, and is one more event.
 */
import { ROOT_CONTEXT } from "@opentelemetry/api";
import { ExportResultCode } from "@opentelemetry/core";
import { BatchSpanProcessor, type ReadableSpan, type SpanExporter, TracerProvider } from "@opentelemetry/sdk-trace";
import { resolveConfig } from "../src/config/resolve.ts";
import { ClaudeEventsParser } from "../src/sources/claude-events.ts";
import { TranscriptParser } from "../src/sources/transcript.ts";
import { TraceBuilder } from "../src/trace/builder.ts";
import { createRedactor } from "../src/trace/redact.ts";

class DropExporter implements SpanExporter {
  spans = 0;
  export(spans: ReadableSpan[], done: (r: { code: ExportResultCode }) => void) {
    this.spans += spans.length;
    done({ code: ExportResultCode.SUCCESS });
  }
  async shutdown() {}
}

/** Lines shaped like Claude Code's transcript of a session with `tools` Bash calls. */
export function syntheticTranscript(tools: number): string[] {
  const lines: string[] = [];
  let t = Date.parse("2026-11-25T10:00:00Z");
  const at = () => {
    t += 7;
    return new Date(t).toISOString();
  };
  lines.push(
    JSON.stringify({ type: "user", timestamp: at(), sessionId: "s", message: { role: "user", content: "go" } }),
  );
  for (let i = 0; i <= tools; i++) {
    lines.push(JSON.stringify({ type: "api-request", timestamp: at() }));
    const usage = {
      input_tokens: 5,
      output_tokens: 40,
      cache_read_input_tokens: 1200 + i,
      cache_creation_input_tokens: 30,
    };
    const content =
      i < tools
        ? [
            {
              type: "tool_use",
              id: `toolu_${i}`,
              name: "Bash",
              input: { command: `echo call-${i}`, description: `Call ${i}` },
            },
          ]
        : [{ type: "text", text: "done" }];
    lines.push(
      JSON.stringify({
        type: "assistant",
        timestamp: at(),
        requestId: `req_${i}`,
        message: {
          id: `msg_${i}`,
          model: "claude-sonnet-4-5",
          content,
          usage,
          stop_reason: i < tools ? "tool_use" : "end_turn",
        },
      }),
    );
    if (i < tools) {
      lines.push(
        JSON.stringify({
          type: "user",
          timestamp: at(),
          toolUseResult: { stdout: `call-${i}`, stderr: "" },
          message: {
            role: "user",
            content: [{ type: "tool_result", tool_use_id: `toolu_${i}`, content: `call-${i}`, is_error: false }],
          },
        }),
      );
    }
  }
  return lines;
}

/** The OTLP/JSON log batch Claude Code sends for call `i` of the synthetic session. */
function accountingBatch(i: number): string {
  const int = (key: string, intValue: number) => ({ key, value: { intValue } });
  const text = (key: string, stringValue: string) => ({ key, value: { stringValue } });
  const record = {
    timeUnixNano: `${Date.parse("2026-11-25T10:00:00Z") + i * 21}000000`,
    body: { stringValue: "claude_code.api_request" },
    attributes: [
      text("event.name", "api_request"),
      text("session.id", "s"),
      text("model", "claude-sonnet-4-5"),
      int("input_tokens", 5),
      int("output_tokens", 40),
      int("cache_read_tokens", 1200 + i),
      int("cache_creation_tokens", 30),
      int("cache_creation_5m_tokens", 30),
      int("cache_creation_1h_tokens", 0),
      { key: "cost_usd", value: { doubleValue: 0.0012 } },
      int("duration_ms", 900),
      int("ttft_ms", 300),
      text("request_id", `req_${i}`),
      text("query_source", "sdk"),
    ],
  };
  return JSON.stringify({ resourceLogs: [{ scopeLogs: [{ logRecords: [record] }] }] });
}

export async function measureEventPath(tools = 200, rounds = 5, accounting = true) {
  const perLine: number[] = [];
  let spans = 0;
  for (let round = 0; round < rounds; round++) {
    const exporter = new DropExporter();
    const provider = new TracerProvider({ spanProcessors: [new BatchSpanProcessor({ exporter })] });
    const builder = new TraceBuilder({
      tracer: provider.getTracer("bench"),
      parentContext: ROOT_CONTEXT,
      content: resolveConfig({}, {}).content,
      redact: createRedactor(process.env),
      startTime: Date.now(),
      exactCalls: accounting,
    });
    const parser = new TranscriptParser(null, (e) => builder.handle(e));
    const events = new ClaudeEventsParser((e) => builder.handle(e));
    let call = 0;
    for (const line of syntheticTranscript(tools)) {
      const start = performance.now();
      parser.line(line);
      perLine.push(performance.now() - start);
      if (accounting && line.includes('"type":"assistant"')) {
        const body = accountingBatch(call++);
        const received = performance.now();
        events.batch(JSON.parse(body));
        perLine.push(performance.now() - received);
      }
    }
    parser.end();
    builder.finish();
    await provider.forceFlush();
    spans = exporter.spans;
    await provider.shutdown();
  }
  // The first round is a fresh process's (code not yet optimised): reported apart from the rest,
  // the steady state of a session that has been running for a while.
  const perRound = perLine.length / rounds;
  const quantiles = (xs: number[]) => {
    const sorted = [...xs].sort((a, b) => a - b);
    const q = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] as number;
    return { events: sorted.length, p50: q(0.5), p99: q(0.99), max: sorted.at(-1) as number };
  };
  return { ...quantiles(perLine.slice(perRound)), first: quantiles(perLine.slice(0, perRound)), spans };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const rounds = Number(process.env.ROUNDS ?? "8");
  if (process.env.EVENT_PATH_JSON === "1") {
    // For `npm run bench`: this process's first round is a fresh process's first session.
    process.stdout.write(JSON.stringify(await measureEventPath(200, rounds, true)));
  } else {
    console.log("with Claude Code's accounting", await measureEventPath(200, rounds, true));
    console.log("transcript only", await measureEventPath(200, rounds, false));
  }
}
