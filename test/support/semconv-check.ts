/**
 * Conformance of claudia's spans to the GenAI semantic conventions: every `gen_ai.*` attribute is
 * registered (in the package we depend on, or claudia's documented extension, or the opt-in names
 * of the newest conventions) with its registered type; deprecated names are absent; each span type
 * has its required attributes, its kind and its name; every content attribute is a JSON document
 * of the shape its published schema describes (checked here field by field).
 */
import { genAiRegistry } from "./semconv-registry.ts";

/** What the checks read of a span: a received OTLP span or an SDK `ReadableSpan` alike. */
export interface CheckedSpan {
  name: string;
  /** OpenTelemetry API kind: 0 internal, 1 server, 2 client. */
  kind: number;
  attributes: Record<string, unknown>;
  events?: { name: string; attributes?: Record<string, unknown> }[];
  /** How long the span lasted, when known (bounds durations in seconds such as the time to first chunk). */
  durationSeconds?: number;
}

/** claudia's documented extension to the conventions. */
const EXTENSIONS: Record<string, "double"> = { "gen_ai.usage.cost": "double" };
/** Names of the newest conventions, behind `OTEL_SEMCONV_STABILITY_OPT_IN=gen_ai_latest_experimental`. */
const LATEST: Record<string, "int"> = { "gen_ai.usage.cache_write.input_tokens": "int" };
/** Renamed in the newest conventions: absent when they are opted in. */
const RENAMED_IN_LATEST = ["gen_ai.usage.cache_creation.input_tokens"];
/** Other attribute names claudia may write: its own namespaces and the general conventions' names it uses. */
const OTHER_NAMES = /^(claude_code\.|claudia\.|error\.type$|server\.(address|port)$|http\.response\.status_code$)/;
/** The Messages API's own stop reasons, which output messages give as the conventions' finish reasons. */
const PROVIDER_STOP_REASONS = ["end_turn", "tool_use", "max_tokens", "stop_sequence", "refusal"];
const CONTENT = [
  "gen_ai.input.messages",
  "gen_ai.output.messages",
  "gen_ai.system_instructions",
  "gen_ai.tool.definitions",
];

const SPAN_KIND = { internal: 0, client: 2 } as const;
const REQUIRED: Record<string, { kind: number; attributes: string[]; name: (a: Record<string, unknown>) => string }> = {
  chat: {
    kind: SPAN_KIND.client,
    attributes: ["gen_ai.operation.name", "gen_ai.provider.name", "gen_ai.request.model"],
    name: (a) => `chat ${a["gen_ai.request.model"]}`,
  },
  invoke_agent: {
    kind: SPAN_KIND.internal,
    attributes: ["gen_ai.operation.name", "gen_ai.provider.name", "gen_ai.agent.name"],
    name: (a) => `invoke_agent ${a["gen_ai.agent.name"]}`,
  },
  execute_tool: {
    kind: SPAN_KIND.internal,
    attributes: ["gen_ai.operation.name", "gen_ai.tool.name"],
    name: (a) => `execute_tool ${a["gen_ai.tool.name"]}`,
  },
};

/** Every way the spans depart from the conventions; empty when they conform. */
export function conformanceProblems(spans: CheckedSpan[], options: { latest: boolean }): string[] {
  const problems: string[] = [];
  for (const span of spans) {
    const where = (what: string) => problems.push(`${span.name}: ${what}`);
    checkAttributes(span.attributes, options, where);
    for (const event of span.events ?? []) {
      checkAttributes(event.attributes ?? {}, options, (what) => where(`event ${event.name}: ${what}`));
    }
    const operation = span.attributes["gen_ai.operation.name"];
    const rule = typeof operation === "string" ? REQUIRED[operation] : undefined;
    if (!rule) {
      where(`unknown gen_ai.operation.name ${JSON.stringify(operation)}`);
      continue;
    }
    for (const name of rule.attributes) if (span.attributes[name] === undefined) where(`missing required ${name}`);
    for (const problem of spanRules(span, operation as string, options)) where(problem);
    if (span.kind !== rule.kind) where(`span kind ${span.kind}, expected ${rule.kind}`);
    const expected = rule.name(span.attributes);
    if (operation !== "invoke_agent" && span.name !== expected) where(`name should be "${expected}"`);
    if (operation === "invoke_agent" && !span.name.startsWith("invoke_agent"))
      where(`name should start with invoke_agent`);
  }
  return problems;
}

/** The conventions' conditional requirements and the dialect's rules, per span. */
function spanRules(span: CheckedSpan, operation: string, options: { latest: boolean }): string[] {
  const a = span.attributes;
  const problems: string[] = [];
  if (a["server.address"] !== undefined) {
    if (typeof a["server.address"] !== "string") problems.push("server.address is not a string");
    if (!Number.isInteger(a["server.port"])) problems.push("server.port must be an integer when server.address is set");
  }
  const ttfc = a["gen_ai.response.time_to_first_chunk"];
  if (typeof ttfc === "number" && span.durationSeconds !== undefined && ttfc > span.durationSeconds + 1)
    problems.push(`gen_ai.response.time_to_first_chunk ${ttfc} is longer than the span: not in seconds?`);
  if (options.latest && operation === "invoke_agent") {
    for (const key of ["gen_ai.usage.cache_read.input_tokens", "gen_ai.usage.cache_write.input_tokens"])
      if (a[key] !== undefined) problems.push(`${key} is not on invoke_agent spans in the newest conventions`);
  }
  const output = a["gen_ai.output.messages"];
  if (typeof output === "string") {
    try {
      for (const message of JSON.parse(output) as { finish_reason?: unknown }[])
        if (PROVIDER_STOP_REASONS.includes(String(message?.finish_reason)))
          problems.push(`finish_reason ${message.finish_reason} is the provider's, not the conventions' value`);
    } catch {
      // Invalid JSON is reported with the content checks.
    }
  }
  return problems;
}

function checkAttributes(
  attributes: Record<string, unknown>,
  options: { latest: boolean },
  problem: (what: string) => void,
): void {
  const registry = genAiRegistry();
  for (const [key, value] of Object.entries(attributes)) {
    if (!key.startsWith("gen_ai.")) {
      if (!OTHER_NAMES.test(key)) problem(`${key} is neither a GenAI name nor under claude_code.* / claudia.*`);
      continue;
    }
    if (options.latest && RENAMED_IN_LATEST.includes(key)) problem(`${key} is renamed in the newest conventions`);
    const latest = LATEST[key];
    if (latest && !options.latest) problem(`${key} is only for the opted-in newest conventions`);
    const registered = registry.get(key);
    const type = EXTENSIONS[key] ?? latest ?? registered?.type;
    if (!type) {
      problem(`${key} is not a registered GenAI attribute`);
      continue;
    }
    if (registered?.deprecated) problem(`${key} is deprecated: ${registered.deprecated}`);
    const typeError = wrongType(value, type);
    if (typeError) problem(`${key}: ${typeError}`);
    if (CONTENT.includes(key)) for (const error of contentErrors(key, value)) problem(`${key}: ${error}`);
  }
}

function wrongType(value: unknown, type: string): string | undefined {
  switch (type) {
    case "int":
      return Number.isInteger(value) ? undefined : `expected an integer, got ${JSON.stringify(value)}`;
    case "double":
      return typeof value === "number" && Number.isFinite(value)
        ? undefined
        : `expected a number, got ${JSON.stringify(value)}`;
    case "string":
      return typeof value === "string" ? undefined : `expected a string, got ${JSON.stringify(value)}`;
    case "boolean":
      return typeof value === "boolean" ? undefined : `expected a boolean`;
    case "string[]":
      return Array.isArray(value) && value.every((v) => typeof v === "string") ? undefined : "expected a string array";
    default:
      return value === undefined || value === null ? "no value" : undefined;
  }
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);
const optionalString = (v: unknown) => v === undefined || v === null || typeof v === "string";

/** Required fields of each known part type (the schemas' `required`, with their types). */
const PARTS: Record<string, (part: Json) => string | undefined> = {
  text: (p) => (typeof p.content === "string" ? undefined : "text part without string content"),
  reasoning: (p) => (typeof p.content === "string" ? undefined : "reasoning part without string content"),
  tool_call: (p) =>
    typeof p.name === "string" && optionalString(p.id) ? undefined : "tool_call part without a name (or a bad id)",
  tool_call_response: (p) =>
    "response" in p && optionalString(p.id) ? undefined : "tool_call_response part without a response",
  server_tool_call: (p) =>
    typeof p.name === "string" && "server_tool_call" in p ? undefined : "server_tool_call part incomplete",
  server_tool_call_response: (p) =>
    "server_tool_call_response" in p ? undefined : "server_tool_call_response part incomplete",
  blob: (p) => (typeof p.content === "string" && p.modality !== undefined ? undefined : "blob part incomplete"),
  file: (p) => (typeof p.file_id === "string" && p.modality !== undefined ? undefined : "file part incomplete"),
  uri: (p) => (typeof p.uri === "string" && p.modality !== undefined ? undefined : "uri part incomplete"),
};

function partErrors(parts: unknown, where: string): string[] {
  if (!Array.isArray(parts)) return [`${where}: parts is not an array`];
  const errors: string[] = [];
  parts.forEach((part, i) => {
    if (!isObject(part) || typeof part.type !== "string") {
      errors.push(`${where} part ${i}: not an object with a string type`);
      return;
    }
    const error = PARTS[part.type]?.(part);
    if (error) errors.push(`${where} part ${i}: ${error}`);
  });
  return errors;
}

/** The content attribute's JSON against its schema: messages with roles and parts, or parts, or tools. */
export function contentErrors(key: string, value: unknown): string[] {
  if (typeof value !== "string") return ["not a JSON string"];
  let doc: unknown;
  try {
    doc = JSON.parse(value);
  } catch {
    return ["not valid JSON"];
  }
  if (!Array.isArray(doc)) return ["not a JSON array"];
  const errors: string[] = [];
  doc.forEach((item, i) => {
    if (key === "gen_ai.system_instructions") {
      errors.push(...partErrors([item], `item ${i}`));
      return;
    }
    if (!isObject(item)) {
      errors.push(`item ${i}: not an object`);
      return;
    }
    if (key === "gen_ai.tool.definitions") {
      if (typeof item.type !== "string" || typeof item.name !== "string") errors.push(`tool ${i}: needs type and name`);
      return;
    }
    if (typeof item.role !== "string") errors.push(`message ${i}: no role`);
    if (!optionalString(item.name)) errors.push(`message ${i}: name is not a string`);
    if (key === "gen_ai.output.messages" && typeof item.finish_reason !== "string")
      errors.push(`message ${i}: no finish_reason`);
    errors.push(...partErrors(item.parts, `message ${i}`));
  });
  return errors;
}
