/**
 * Library use: one prompt, to the end, traced. Without a tracerProvider, claudia exports by the
 * standard OTEL_* variables and records the run in the local journal.
 *
 *   npx tsx examples/run-agent.ts "Review the last commit"
 */
import { AgentRunError, runAgentWithTelemetry } from "claude-telemetry";

const prompt = process.argv[2] ?? "Summarize the README in three bullet points";
try {
  const { text, traceId, summary } = await runAgentWithTelemetry({
    prompt,
    extraArgs: { model: process.env.CLAUDE_MODEL ?? "sonnet", "max-turns": "10" },
  });
  console.log(text);
  console.error(`trace ${traceId}: ${summary.toolCalls} tool calls, $${summary.costUsd?.toFixed(4) ?? "?"}`);
} catch (error) {
  if (error instanceof AgentRunError) {
    console.error(`the agent failed (${error.message}); trace ${error.traceId}`);
    process.exitCode = 1;
  } else {
    throw error;
  }
}
