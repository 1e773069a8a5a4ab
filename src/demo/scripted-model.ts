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
import type { Reply, ReplyUsage, Scenario, ScenarioContext } from "./scenario-types.ts";

export interface ServedUsage {
  input_tokens: number;
  output_tokens: number;
  cache_read_input_tokens: number;
  cache_creation_input_tokens: number;
  /** The 5-minute / 1-hour split of the cache writes. */
  cache_creation?: { ephemeral_5m_input_tokens: number; ephemeral_1h_input_tokens: number };
  output_tokens_details?: { thinking_tokens: number };
  server_tool_use?: { web_search_requests: number };
}

/** One model call the endpoint answered. */
export interface ServedCall {
  id: string;
  /** The `request-id` response header. */
  requestId: string;
  /** The model asked for. */
  model: string;
  /** The model the answer names (a dated id for an alias). */
  responseModel: string;
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

/** What the endpoint has seen and served so far. */
interface ModelState {
  options: ScriptedModelOptions;
  served: ServedCall[];
  errors: { scenario: string; status: number }[];
  requests: RequestBody[];
  arrivals: number[];
  /** Requests seen per conversation: a retry re-sends the same one. */
  attempts: Map<string, number>;
  /** The next number for a message or tool-use id. */
  nextId: number;
}

interface Answer {
  status: number;
  headers: Record<string, string>;
  body: string;
  /** The rest of the stream, sent after a pause. */
  rest?: { afterMs: number; body: string };
}

export async function startScriptedModel(options: ScriptedModelOptions): Promise<ScriptedModel> {
  const state: ModelState = {
    options,
    served: [],
    errors: [],
    requests: [],
    arrivals: [],
    attempts: new Map(),
    nextId: 1,
  };
  const server: Server = createServer((req, res) => {
    void answer(state, req).then(
      ({ status, headers, body, rest }) => {
        res.writeHead(status, headers);
        if (!rest) return void res.end(body);
        res.write(body);
        setTimeout(() => res.end(rest.body), rest.afterMs);
      },
      (error: unknown) => {
        res.writeHead(500, { "content-type": "application/json" });
        res.end(JSON.stringify({ type: "error", error: { type: "api_error", message: String(error) } }));
      },
    );
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    served: state.served,
    errors: state.errors,
    requests: state.requests,
    arrivals: state.arrivals,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** One request's answer: its scenario's next reply, as an error or a stream. */
async function answer(state: ModelState, req: IncomingMessage): Promise<Answer> {
  state.arrivals.push(Date.now());
  const text = await readBody(req);
  if (req.method !== "POST" || !req.url?.startsWith("/v1/messages")) {
    return { status: 404, headers: { "content-type": "application/json" }, body: "{}" };
  }
  const body = JSON.parse(text) as RequestBody;
  state.requests.push(body);
  const conversation = JSON.stringify(body.messages);
  const attempt = state.attempts.get(conversation) ?? 0;
  state.attempts.set(conversation, attempt + 1);
  const context = { ...contextOf(body, state.options.defaultScenario ?? "text"), attempt };
  const scenario = state.options.scenarios[context.scenario];
  if (!scenario) throw new Error(`unknown scenario ${context.scenario}`);
  const reply = scenario(context);
  if (state.options.latencyMs) await new Promise((r) => setTimeout(r, state.options.latencyMs));
  if ("error" in reply) {
    state.errors.push({ scenario: context.scenario, status: reply.error.status });
    return {
      status: reply.error.status,
      headers: { "content-type": "application/json", "x-should-retry": reply.retryable ? "true" : "false" },
      body: JSON.stringify({ type: "error", error: { type: reply.error.type, message: reply.error.message } }),
    };
  }
  const id = `msg_scripted_${String(state.nextId++).padStart(4, "0")}`;
  const call = serve(state, id, body, context, reply);
  state.served.push(call.record);
  const [first, rest] = call.sse;
  return {
    status: 200,
    headers: { "content-type": "text/event-stream", "cache-control": "no-cache", "request-id": call.record.requestId },
    body: first,
    rest: rest === undefined || !reply.pause ? undefined : { afterMs: reply.pause.ms, body: rest },
  };
}

/** A reply as Claude Code receives it (the stream) and as the tests compare it (the record). */
function serve(
  state: ModelState,
  id: string,
  body: RequestBody,
  context: ScenarioContext,
  reply: Exclude<Reply, { error: unknown }>,
): { sse: [string, string?]; record: ServedCall } {
  const content = reply.content.map((block) =>
    block.type === "tool_use" || block.type === "server_tool_use"
      ? {
          ...block,
          id: `${block.type === "tool_use" ? "toolu" : "srvtoolu"}_scripted_${String(state.nextId++).padStart(4, "0")}`,
        }
      : block,
  );
  const usage = usageFor(body, content, reply.usage);
  const model = reply.model ?? body.model;
  const record: ServedCall = {
    id,
    requestId: `req_scripted_${id.slice("msg_scripted_".length)}`,
    model: body.model,
    responseModel: model,
    scenario: context.scenario,
    stopReason: reply.stop_reason,
    usage,
    toolUses: content
      .filter((b) => b.type === "tool_use")
      .map((b) => ({ id: String((b as { id: string }).id), name: String((b as { name: string }).name) })),
  };
  return { sse: messageStream(id, model, content, usage, reply.stop_reason, reply.pause?.beforeBlock), record };
}

/**
 * message_start, each block's events, message_delta (the usage), message_stop; in two pieces when
 * the stream pauses before block `pauseBefore`.
 */
function messageStream(
  id: string,
  model: string,
  content: ContentBlock[],
  usage: ServedUsage,
  stopReason: string,
  pauseBefore?: number,
): [string, string?] {
  const events: [string, unknown][] = [];
  let split: number | undefined;
  const { output_tokens_details: _details, server_tool_use: _server, ...startUsage } = usage;
  events.push([
    "message_start",
    {
      type: "message_start",
      message: {
        id,
        type: "message",
        role: "assistant",
        model,
        content: [],
        stop_reason: null,
        stop_sequence: null,
        usage: { ...startUsage, output_tokens: 1 },
      },
    },
  ]);
  let lastServerTool = "";
  content.forEach((block, index) => {
    if (index === pauseBefore) split = events.length;
    if (block.type === "server_tool_use") lastServerTool = String(block.id);
    events.push(...blockEvents(block, index, lastServerTool));
  });
  const { cache_creation: _cache, ...deltaUsage } = usage;
  events.push([
    "message_delta",
    { type: "message_delta", delta: { stop_reason: stopReason, stop_sequence: null }, usage: deltaUsage },
  ]);
  events.push(["message_stop", { type: "message_stop" }]);
  const sse = (part: [string, unknown][]) =>
    part.map(([event, data]) => `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`).join("");
  return split === undefined ? [sse(events)] : [sse(events.slice(0, split)), sse(events.slice(split))];
}

/** The server-sent events of one content block. */
function blockEvents(block: ContentBlock, index: number, serverToolId: string): [string, unknown][] {
  const start = (content_block: unknown): [string, unknown] => [
    "content_block_start",
    { type: "content_block_start", index, content_block },
  ];
  const delta = (d: unknown): [string, unknown] => [
    "content_block_delta",
    { type: "content_block_delta", index, delta: d },
  ];
  const out: [string, unknown][] = [];
  if (block.type === "text") {
    out.push(start({ type: "text", text: "" }), delta({ type: "text_delta", text: block.text }));
  } else if (block.type === "thinking") {
    out.push(
      start({ type: "thinking", thinking: "", signature: "" }),
      delta({ type: "thinking_delta", thinking: block.thinking }),
      delta({ type: "signature_delta", signature: "c2NyaXB0ZWQ=" }),
    );
  } else if (block.type === "web_search_tool_result") {
    const results = (block.results as { url: string; title: string }[]).map((r) => ({
      type: "web_search_result",
      url: r.url,
      title: r.title,
      encrypted_content: "c2NyaXB0ZWQ=",
      page_age: null,
    }));
    out.push(start({ type: "web_search_tool_result", tool_use_id: serverToolId, content: results }));
  } else {
    const { input, ...rest } = block;
    out.push(start({ ...rest, input: {} }), delta({ type: "input_json_delta", partial_json: JSON.stringify(input) }));
  }
  out.push(["content_block_stop", { type: "content_block_stop", index }]);
  return out;
}

/** Deterministic usage: different for every call, derived from what was sent and what is answered. */
function usageFor(body: RequestBody, content: ContentBlock[], extra: ReplyUsage = {}): ServedUsage {
  const sent = JSON.stringify(body.messages).length;
  const answered = JSON.stringify(content).length;
  const cacheCreation = 20 + body.messages.length * 7;
  const usage: ServedUsage = {
    input_tokens: 3 + body.messages.length,
    cache_read_input_tokens: 1000 + Math.floor(sent / 40) + (extra.extraCacheRead ?? 0),
    cache_creation_input_tokens: cacheCreation,
    output_tokens: 5 + Math.ceil(answered / 4) + (extra.thinkingTokens ?? 0),
    cache_creation: {
      ephemeral_5m_input_tokens: extra.cache1h ? 0 : cacheCreation,
      ephemeral_1h_input_tokens: extra.cache1h ? cacheCreation : 0,
    },
  };
  if (extra.thinkingTokens !== undefined) usage.output_tokens_details = { thinking_tokens: extra.thinkingTokens };
  if (extra.webSearchRequests !== undefined) usage.server_tool_use = { web_search_requests: extra.webSearchRequests };
  return usage;
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

function contextOf(body: RequestBody, defaultScenario: string): Omit<ScenarioContext, "attempt"> {
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
