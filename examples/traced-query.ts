/**
 * Library use: the Agent SDK's query() with a trace on the side, inside your own span, exported
 * by your own OpenTelemetry setup.
 *
 *   OTEL_EXPORTER_OTLP_ENDPOINT=http://localhost:4318 npx tsx examples/traced-query.ts
 */
import { context, trace } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-proto";
import { BatchSpanProcessor, TracerProvider } from "@opentelemetry/sdk-trace";
import { tracedQuery } from "claude-telemetry";

context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
const provider = new TracerProvider({
  spanProcessors: [new BatchSpanProcessor({ exporter: new OTLPTraceExporter() })],
});
trace.setGlobalTracerProvider(provider);

await provider.getTracer("my-job").startActiveSpan("nightly review", async (job) => {
  for await (const message of tracedQuery({
    prompt: process.argv[2] ?? "List the TODO comments in this repository",
    options: { model: process.env.CLAUDE_MODEL ?? "sonnet", maxTurns: 10 },
  })) {
    if (message.type === "result" && message.subtype === "success") console.log(message.result);
  }
  job.end();
});
await provider.shutdown();
