/**
 * A scripted Anthropic Messages endpoint on 127.0.0.1.
 *
 * It answers `POST /v1/messages` with the server-sent-event stream Claude Code expects
 * (message_start → content blocks → message_delta → message_stop). What it answers is decided
 * from the conversation it is sent, never from a call counter: the scenario is named by a
 * `[[scenario:NAME]]` marker in the conversation's first user message, and each scenario looks at
 * what has happened so far (tool results, notifications) to pick its next reply.
 *
 * Every reply it serves is recorded (message id, model, usage) so a trace can be compared with
 * exactly what the model side delivered. `claudia demo` plays its scenario with it; the tests
 * play theirs.
 */
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Reply, Scenario, ScenarioContext } from "./scenario-types.ts";

export interface ServedUsage {
  input_tokens: number;
  output_tokens: number;
  cache_read_input_tokens: number;
  cache_creation_input_tokens: number;
}

/** One model call the endpoint answered. */
export interface ServedCall {
  id: string;
  model: string;
  scenario: string;
  stopReason: string;
  usage: ServedUsage;
  toolUses: { id: string; name: string }[];
}

export interface ScriptedModel {
  url: string;
  port: number;
  served: ServedCall[];
  errors: { scenario: string; status: number }[];
  /** Every request body received, parsed. */
  requests: RequestBody[];
  /** When each request arrived (epoch ms), in order. */
  arrivals: number[];
  close(): Promise<void>;
}

export interface ScriptedModelOptions {
  /** The scenarios it can play, by name (`[[scenario:NAME]]` in the first user message picks one). */
  scenarios: Record<string, Scenario>;
  /** The scenario when no marker is found. */
  defaultScenario?: string;
  /** Delay before each answer starts, to mimic a real model's latency. */
  latencyMs?: number;
}

interface RequestBody {
  model: string;
  messages: { role: string; content: string | ContentBlock[] }[];
  system?: string | ContentBlock[];
  tools?: { name: string }[];
}

type ContentBlock = { type: string; text?: string; [key: string]: unknown };

export async function startScriptedModel(options: ScriptedModelOptions): Promise<ScriptedModel> {
  const { scenarios } = options;
  const served: ServedCall[] = [];
  const errors: { scenario: string; status: number }[] = [];
  const requests: RequestBody[] = [];
  const arrivals: number[] = [];
  let nextId = 1;
  const server: Server = createServer((req, res) => {
    void handle(req).then(
      ({ status, headers, body }) => {
        res.writeHead(status, headers);
        res.end(body);
      },
      (error: unknown) => {
        res.writeHead(500, { "content-type": "application/json" });
        res.end(JSON.stringify({ type: "error", error: { type: "api_error", message: String(error) } }));
      },
    );
  });

  async function handle(req: IncomingMessage) {
    arrivals.push(Date.now());
    const text = await readBody(req);
    if (req.method !== "POST" || !req.url?.startsWith("/v1/messages")) {
      return { status: 404, headers: { "content-type": "application/json" }, body: "{}" };
    }
    const body = JSON.parse(text) as RequestBody;
    requests.push(body);
    const context = contextOf(body, options.defaultScenario ?? "text");
    const scenario = scenarios[context.scenario];
    if (!scenario) throw new Error(`unknown scenario ${context.scenario}`);
    const reply = scenario(context);
    if (options.latencyMs) await new Promise((r) => setTimeout(r, options.latencyMs));
    if ("error" in reply) {
      errors.push({ scenario: context.scenario, status: reply.error.status });
      return {
        status: reply.error.status,
        headers: { "content-type": "application/json", "x-should-retry": "false" },
        body: JSON.stringify({ type: "error", error: { type: reply.error.type, message: reply.error.message } }),
      };
    }
    const id = `msg_scripted_${String(nextId++).padStart(4, "0")}`;
    const call = serve(id, body, context, reply);
    served.push(call.record);
    return {
      status: 200,
      headers: { "content-type": "text/event-stream", "cache-control": "no-cache" },
      body: call.sse,
    };
  }

  function serve(id: string, body: RequestBody, context: ScenarioContext, reply: Exclude<Reply, { error: unknown }>) {
    const content = reply.content.map((block) =>
      block.type === "tool_use" ? { ...block, id: `toolu_scripted_${String(nextId++).padStart(4, "0")}` } : block,
    );
    const usage = usageFor(body, content);
    const events: [string, unknown][] = [];
    events.push([
      "message_start",
      {
        type: "message_start",
        message: {
          id,
          type: "message",
          role: "assistant",
          model: body.model,
          content: [],
          stop_reason: null,
          stop_sequence: null,
          usage: { ...usage, output_tokens: 1 },
        },
      },
    ]);
    content.forEach((block, index) => {
      if (block.type === "text") {
        events.push([
          "content_block_start",
          { type: "content_block_start", index, content_block: { type: "text", text: "" } },
        ]);
        events.push([
          "content_block_delta",
          { type: "content_block_delta", index, delta: { type: "text_delta", text: block.text } },
        ]);
      } else {
        const { input, ...rest } = block as { input: unknown };
        events.push([
          "content_block_start",
          { type: "content_block_start", index, content_block: { ...rest, input: {} } },
        ]);
        events.push([
          "content_block_delta",
          {
            type: "content_block_delta",
            index,
            delta: { type: "input_json_delta", partial_json: JSON.stringify(input) },
          },
        ]);
      }
      events.push(["content_block_stop", { type: "content_block_stop", index }]);
    });
    events.push([
      "message_delta",
      {
        type: "message_delta",
        delta: { stop_reason: reply.stop_reason, stop_sequence: null },
        usage: { output_tokens: usage.output_tokens },
      },
    ]);
    events.push(["message_stop", { type: "message_stop" }]);
    const sse = events.map(([event, data]) => `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`).join("");
    const record: ServedCall = {
      id,
      model: body.model,
      scenario: context.scenario,
      stopReason: reply.stop_reason,
      usage,
      toolUses: content
        .filter((b) => b.type === "tool_use")
        .map((b) => ({ id: String((b as { id: string }).id), name: String((b as { name: string }).name) })),
    };
    return { sse, record };
  }

  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    served,
    errors,
    requests,
    arrivals,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Deterministic usage: different for every call, derived from what was sent and what is answered. */
function usageFor(body: RequestBody, content: ContentBlock[]): ServedUsage {
  const sent = JSON.stringify(body.messages).length;
  const answered = JSON.stringify(content).length;
  return {
    input_tokens: 3 + body.messages.length,
    cache_read_input_tokens: 1000 + Math.floor(sent / 40),
    cache_creation_input_tokens: 20 + body.messages.length * 7,
    output_tokens: 5 + Math.ceil(answered / 4),
  };
}

function textOf(content: string | ContentBlock[]): string {
  if (typeof content === "string") return content;
  return content
    .map((block) => {
      if (typeof block.text === "string") return block.text;
      if (block.type === "tool_result") return textOf((block.content as string | ContentBlock[]) ?? "");
      return "";
    })
    .join("\n");
}

function contextOf(body: RequestBody, defaultScenario: string): ScenarioContext {
  const first = body.messages.find((m) => m.role === "user");
  const firstText = first ? textOf(first.content) : "";
  const scenario = /\[\[scenario:([\w-]+)\]\]/.exec(firstText)?.[1] ?? defaultScenario;
  const toolResults: { toolUseId: string; text: string; isError: boolean }[] = [];
  for (const message of body.messages) {
    if (message.role !== "user" || typeof message.content === "string") continue;
    for (const block of message.content) {
      if (block.type === "tool_result") {
        toolResults.push({
          toolUseId: String(block.tool_use_id),
          text: textOf((block.content as string | ContentBlock[]) ?? ""),
          isError: block.is_error === true,
        });
      }
    }
  }
  const last = body.messages.at(-1);
  return {
    scenario,
    model: body.model,
    toolNames: (body.tools ?? []).map((t) => t.name),
    toolResults,
    assistantTurns: body.messages.filter((m) => m.role === "assistant").length,
    lastUserText: last && last.role === "user" ? textOf(last.content) : "",
    allText: body.messages.map((m) => textOf(m.content)).join("\n"),
    firstUserText: firstText,
    system: body.system === undefined ? "" : textOf(body.system),
  };
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}
