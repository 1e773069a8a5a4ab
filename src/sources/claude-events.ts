/**
 * Claude Code's own per-request accounting: the OTel log events it exports when its telemetry is
 * on (`api_request`, `tool_decision`, `tool_result`, …), turned into run events.
 *
 * `api_request` is the one record of every Messages API request Claude Code made, with exact
 * usage (5-minute and 1-hour cache writes apart) and its own price, including requests the
 * transcript has no call for: the auto-compaction summary (`query_source=compact`) and a tool's
 * own model call (`web_search_tool`). The transcript's calls are joined with them by `requestId`.
 *
 * `claudeEventsEnv` says what to add to Claude Code's environment so it sends these events to
 * claudia, without redirecting the user's own metrics or traces; `userLogsTarget` says where the
 * user's own logs exporter pointed, so what arrives can be passed on to it unchanged.
 */
import type { RunEvent, TokenUsage, UsageDetails } from "../events.ts";

type Attributes = Map<string, string | number | boolean>;

/**
 * The main loop's query sources (headless/SDK and the terminal UI, whose source names the output
 * style when one is set: `repl_main_thread:outputStyle:Explanatory`); a subagent's start with `agent:`.
 */
const MAIN_SOURCES = ["sdk", "repl_main_thread", "print"];
const isMainSource = (source: string) => MAIN_SOURCES.some((main) => source === main || source.startsWith(`${main}:`));

/**
 * What to add to Claude Code's environment so its log events reach `endpoint` (an OTLP/HTTP JSON
 * logs URL). Empty when the user's own logs exporter cannot be taken over without changing where
 * or how their logs go (a `console` exporter, or a protocol other than http/json): the run is
 * then traced from the transcript alone.
 */
export function claudeEventsEnv(userEnv: NodeJS.ProcessEnv, endpoint: string): Record<string, string> {
  const userTelemetry = isOn(userEnv.CLAUDE_CODE_ENABLE_TELEMETRY);
  if (userTelemetry && exportsLogs(userEnv) && userLogsTarget(userEnv) === undefined) return {};
  // Telemetry off, but OTel exporters set for other programs (the tools Claude Code runs inherit
  // them): switching Claude Code's on, or overriding them, would change where their data goes.
  if (!userTelemetry && (exportsLogs(userEnv) || exports(userEnv.OTEL_METRICS_EXPORTER))) return {};
  if (
    !userTelemetry &&
    (isOn(userEnv.CLAUDE_CODE_ENHANCED_TELEMETRY_BETA) || isOn(userEnv.ENABLE_ENHANCED_TELEMETRY_BETA))
  ) {
    return {};
  }
  const env: Record<string, string> = {
    CLAUDE_CODE_ENABLE_TELEMETRY: "1",
    OTEL_LOGS_EXPORTER: "otlp",
    OTEL_EXPORTER_OTLP_LOGS_PROTOCOL: "http/json",
    OTEL_EXPORTER_OTLP_LOGS_ENDPOINT: endpoint,
    OTEL_EXPORTER_OTLP_LOGS_COMPRESSION: "none",
    OTEL_LOGS_EXPORT_INTERVAL: "200",
  };
  // Telemetry was off: switching it on for the logs must not start its metrics anywhere (its
  // traces need a beta switch of their own).
  if (!userTelemetry) env.OTEL_METRICS_EXPORTER = "none";
  return env;
}

/** Where the user's own Claude Code logs went, when they export them as OTLP/HTTP JSON. */
export function userLogsTarget(
  userEnv: NodeJS.ProcessEnv,
): { url: string; headers: Record<string, string> } | undefined {
  if (!isOn(userEnv.CLAUDE_CODE_ENABLE_TELEMETRY) || !exportsLogs(userEnv)) return undefined;
  if (userEnv.OTEL_LOGS_EXPORTER?.trim() !== "otlp") return undefined;
  const protocol = (userEnv.OTEL_EXPORTER_OTLP_LOGS_PROTOCOL || userEnv.OTEL_EXPORTER_OTLP_PROTOCOL || "").trim();
  if (protocol !== "http/json") return undefined;
  const base = userEnv.OTEL_EXPORTER_OTLP_ENDPOINT?.trim();
  const url = userEnv.OTEL_EXPORTER_OTLP_LOGS_ENDPOINT?.trim() || (base ? `${base.replace(/\/+$/, "")}/v1/logs` : "");
  if (!/^https?:\/\//.test(url)) return undefined;
  return {
    url,
    headers: {
      ...parseHeaders(userEnv.OTEL_EXPORTER_OTLP_HEADERS),
      ...parseHeaders(userEnv.OTEL_EXPORTER_OTLP_LOGS_HEADERS),
    },
  };
}

const isOn = (value: string | undefined) => value !== undefined && /^(1|true|yes|on)$/i.test(value.trim());
const exports = (exporter: string | undefined) =>
  exporter !== undefined && exporter.trim() !== "" && exporter.trim() !== "none";
const exportsLogs = (env: NodeJS.ProcessEnv) => exports(env.OTEL_LOGS_EXPORTER);

/** `k1=v1,k2=v2` (values percent-encoded), as the OTLP exporters read them. */
function parseHeaders(raw: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of (raw ?? "").split(",")) {
    const at = pair.indexOf("=");
    if (at <= 0) continue;
    const key = pair.slice(0, at).trim();
    let value = pair.slice(at + 1).trim();
    try {
      value = decodeURIComponent(value);
    } catch {
      // Kept as written.
    }
    if (key) out[key] = value;
  }
  return out;
}

interface OpenTool {
  agentId: string | null;
  name?: string;
  /** Its own model calls placed under it so far. */
  calls: number;
}

/**
 * How long a tool call that ended without an own call can still be given one. Requests name no
 * tool call: when the second of two fetches side by side finishes first, its request is taken for
 * the first's, and the first's own request then comes after the second has ended.
 */
const ENDED_WITHOUT_CALL_MS = 2000;

/** Query sources of a tool's own model call (one per tool call), and that tool. */
const OWN_CALL_OF: Record<string, string> = { web_search_tool: "WebSearch", web_fetch_apply: "WebFetch" };
const OWN_CALL_TOOLS = new Set(Object.values(OWN_CALL_OF));

/**
 * Turns OTLP/JSON log batches from Claude Code into run events. Remembers the tool calls in
 * progress, so a tool's own model call (it names no tool call) is placed under the tool that made it.
 */
export class ClaudeEventsParser {
  /** Tool calls accepted and not yet ended, newest last. */
  private readonly openTools = new Map<string, OpenTool>();
  /** Tool calls of a tool with own calls (WebSearch, WebFetch) that ended without one, newest last. */
  private readonly endedWithoutCall: (OpenTool & { id: string; time: number })[] = [];
  private session: string | undefined;

  /**
   * `sessions`: which sessions' events are the run's. A `claude` the run's tools start inherits the
   * environment, and its events would otherwise count as this run's: by default only the first
   * session seen is kept; the terminal UI, whose `/clear` starts another, names the ones it knows.
   */
  constructor(
    private readonly emit: (event: RunEvent) => void,
    private readonly sessions: "first" | ((sessionId: string) => boolean) = "first",
  ) {}

  /** One request body (already parsed JSON). Anything not shaped like OTLP logs is skipped. */
  batch(body: unknown): void {
    for (const resource of list(field(body, "resourceLogs"))) {
      for (const scope of list(field(resource, "scopeLogs"))) {
        for (const record of list(field(scope, "logRecords"))) this.record(record);
      }
    }
  }

  private record(record: unknown): void {
    const attributes = attributesOf(field(record, "attributes"));
    const name = attributes.get("event.name");
    if (name !== "api_request" && name !== "tool_decision" && name !== "tool_result") return;
    // The session is the one of the first request or tool decision (start-up events of a
    // `--continue` run carry a session id of their own).
    const session = str(attributes, "session.id");
    if (session && !this.isRunSession(session)) return;
    const time = timeOf(record, attributes);
    const agentId = str(attributes, "agent_id") ?? null;
    const toolUseId = str(attributes, "tool_use_id");
    switch (name) {
      case "api_request":
        this.apiRequest(attributes, time, agentId);
        break;
      case "tool_decision":
        if (!toolUseId) break;
        if (attributes.get("decision") === "accept") {
          this.openTools.set(toolUseId, { agentId, name: str(attributes, "tool_name"), calls: 0 });
        }
        this.emit({
          kind: "tool.decision",
          // Named only when the record says (a subagent's records carry `agent_id`).
          ...(attributes.has("agent_id") ? { agentId } : {}),
          id: toolUseId,
          time,
          decision: str(attributes, "decision") ?? "",
          source: str(attributes, "source"),
        });
        break;
      case "tool_result":
        if (toolUseId) this.ended(toolUseId, time);
        break;
    }
  }

  private ended(id: string, time: number): void {
    const open = this.openTools.get(id);
    this.openTools.delete(id);
    if (!open || open.calls > 0 || !OWN_CALL_TOOLS.has(open.name ?? "")) return;
    this.endedWithoutCall.push({ ...open, id, time });
    if (this.endedWithoutCall.length > 16) this.endedWithoutCall.shift();
  }

  /** The newest call of `tool` that ended without an own call shortly before `time`, taken. */
  private takeEnded(tool: string | undefined, agentId: string | null, time: number): string | undefined {
    if (tool === undefined) return undefined;
    const at = this.endedWithoutCall.findLastIndex(
      (e) => e.name === tool && e.agentId === agentId && time - e.time <= ENDED_WITHOUT_CALL_MS,
    );
    return at < 0 ? undefined : this.endedWithoutCall.splice(at, 1)[0]?.id;
  }

  /** The run's session, as its first request or tool decision named it (when the first one seen is the run's). */
  get sessionId(): string | undefined {
    return this.session;
  }

  private isRunSession(session: string): boolean {
    if (this.sessions !== "first") return this.sessions(session);
    this.session ??= session;
    return session === this.session;
  }

  private apiRequest(attributes: Attributes, endTime: number, agentId: string | null): void {
    const costUsd = num(attributes, "cost_usd");
    // Without Claude Code's price the record is no better than the transcript: not used.
    if (costUsd === undefined) return;
    const querySource = str(attributes, "query_source");
    const usage: TokenUsage = {
      input: num(attributes, "input_tokens") ?? 0,
      output: num(attributes, "output_tokens") ?? 0,
      cacheRead: num(attributes, "cache_read_tokens") ?? 0,
      cacheCreation: num(attributes, "cache_creation_tokens") ?? 0,
    };
    const details: UsageDetails = {
      cacheCreation5m: num(attributes, "cache_creation_5m_tokens"),
      cacheCreation1h: num(attributes, "cache_creation_1h_tokens"),
    };
    const duration = num(attributes, "duration_ms") ?? 0;
    this.emit({
      kind: "api.request",
      agentId,
      requestId: str(attributes, "request_id"),
      model: str(attributes, "model") ?? "unknown",
      querySource,
      toolUseId: this.toolOf(querySource, agentId, endTime),
      startTime: endTime - duration,
      endTime,
      usage,
      details,
      costUsd,
      ttftMs: num(attributes, "ttft_ms"),
    });
  }

  /**
   * The tool call a tool-internal request belongs to. A request names no tool call; when its
   * source is a known tool's own call (one per call), it goes to the agent's oldest running call of
   * that tool that has none yet, so two searches in one message get one each; else to a call of
   * that tool that ended without one just before (see ENDED_WITHOUT_CALL_MS); a second call of the
   * same tool goes to its newest running call. Otherwise (a hook's call, an unknown source)
   * to the agent's newest tool call still running.
   */
  private toolOf(querySource: string | undefined, agentId: string | null, time: number): string | undefined {
    if (!querySource || isMainSource(querySource) || querySource === "compact") return undefined;
    if (querySource.startsWith("agent:")) return undefined;
    const tool = OWN_CALL_OF[querySource];
    let newest: string | undefined;
    let newestOfTool: string | undefined;
    let firstFree: string | undefined;
    for (const [id, open] of this.openTools) {
      if (open.agentId !== agentId) continue;
      newest = id;
      if (tool === undefined || open.name !== tool) continue;
      newestOfTool = id;
      if (open.calls === 0) firstFree ??= id;
    }
    const found = firstFree ?? this.takeEnded(tool, agentId, time) ?? newestOfTool ?? newest;
    const open = found === undefined ? undefined : this.openTools.get(found);
    if (open) open.calls++;
    return found;
  }
}

const field = (value: unknown, key: string): unknown =>
  value !== null && typeof value === "object" ? (value as Record<string, unknown>)[key] : undefined;
const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);

/** OTLP/JSON `KeyValue`s as a map of plain values (ints may arrive as strings). */
function attributesOf(raw: unknown): Attributes {
  const out: Attributes = new Map();
  for (const kv of list(raw)) {
    const key = field(kv, "key");
    const value = field(kv, "value");
    if (typeof key !== "string") continue;
    const v =
      field(value, "stringValue") ??
      field(value, "intValue") ??
      field(value, "doubleValue") ??
      field(value, "boolValue");
    if (typeof v === "string" || typeof v === "number" || typeof v === "boolean") out.set(key, v);
  }
  return out;
}

const str = (a: Attributes, key: string): string | undefined => {
  const v = a.get(key);
  return typeof v === "string" && v !== "" ? v : undefined;
};

const num = (a: Attributes, key: string): number | undefined => {
  const v = a.get(key);
  const n = typeof v === "number" ? v : typeof v === "string" && v.trim() !== "" ? Number(v) : Number.NaN;
  return Number.isFinite(n) ? n : undefined;
};

/** The record's time (epoch ms): its `timeUnixNano`, else `event.timestamp`, else now. */
function timeOf(record: unknown, attributes: Attributes): number {
  const nanos = field(record, "timeUnixNano");
  if (typeof nanos === "string" && /^\d{7,}$/.test(nanos)) return Number(nanos.slice(0, -6));
  if (typeof nanos === "number" && nanos > 0) return Math.floor(nanos / 1e6);
  const stamp = Date.parse(str(attributes, "event.timestamp") ?? "");
  return Number.isNaN(stamp) ? Date.now() : stamp;
}
