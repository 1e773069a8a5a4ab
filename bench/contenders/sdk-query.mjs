// Contender: the Agent SDK's query() with no telemetry at all. argv: prompt, model.
import { query } from "@anthropic-ai/claude-agent-sdk";

const [prompt = "", model = "claude-sonnet-4-5"] = process.argv.slice(2);
for await (const message of query({
  prompt,
  options: { model, permissionMode: "bypassPermissions", allowDangerouslySkipPermissions: true },
})) {
  if (message.type === "result" && message.subtype === "success") process.stdout.write(`${message.result}\n`);
}
