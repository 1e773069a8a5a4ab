// Contender: the same SDK session traced by OpenInference's instrumentation, exporting OTLP
// (http/protobuf) to OTEL_EXPORTER_OTLP_ENDPOINT. argv: prompt, model.
import * as ClaudeAgentSDK from "@anthropic-ai/claude-agent-sdk";
import { ClaudeAgentSDKInstrumentation } from "@arizeai/openinference-instrumentation-claude-agent-sdk";
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-proto";
import { BatchSpanProcessor, TracerProvider } from "@opentelemetry/sdk-trace";

const [prompt = "", model = "claude-sonnet-4-5"] = process.argv.slice(2);
const exporter = new OTLPTraceExporter({ url: `${process.env.OTEL_EXPORTER_OTLP_ENDPOINT}/v1/traces` });
const provider = new TracerProvider({ spanProcessors: [new BatchSpanProcessor({ exporter })] });
const instrumentation = new ClaudeAgentSDKInstrumentation({ tracerProvider: provider });
const sdk = instrumentation.manuallyInstrument(ClaudeAgentSDK);
for await (const message of sdk.query({
  prompt,
  options: { model, permissionMode: "bypassPermissions", allowDangerouslySkipPermissions: true },
})) {
  if (message.type === "result" && message.subtype === "success") process.stdout.write(`${message.result}\n`);
}
const flushStart = performance.now();
await provider.forceFlush();
await provider.shutdown();
process.stderr.write(
  `[bench] flush ${Math.round(performance.now() - flushStart)} ms; peak RSS ${Math.round(process.resourceUsage().maxRSS / 1024)} MB\n`,
);
