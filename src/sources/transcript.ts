/**
 * Turns lines of a Claude Code session transcript (`~/.claude/projects/…/<session>.jsonl`, and
 * each subagent's `subagents/agent-<id>.jsonl`) into run events.
 *
 * The transcript is where Claude Code records every model call with its final usage (the
 * streamed messages only carry the placeholder counts of `message_start`), every tool call and
 * result, subagents' own calls, and the session's cost totals. One `TranscriptParser` reads one
 * file; it keeps only the model call being assembled, so memory stays flat however long the
 * session is.
 */
import type { ChatEvent, ModelTotals, RunEvent, TokenUsage, UsageDetails } from "../events.ts";
import { inWindow, type TranscriptWindow } from "./window.ts";

type Json = Record<string, unknown>;

interface ContentBlock {
  type?: string;
  text?: string;
  thinking?: string;
  tool_name?: string;
  id?: string;
  name?: string;
  input?: unknown;
  tool_use_id?: string;
  content?: unknown;
  is_error?: boolean;
}

const time = (entry: Json, fallback: number): number => {
  const t = typeof entry.timestamp === "string" ? Date.parse(entry.timestamp) : Number.NaN;
  return Number.isNaN(t) ? fallback : t;
};

/** The text of a message's content (string or blocks), tool results included. */
export function contentText(content: unknown): string {
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) return "";
  return content
    .map((block: ContentBlock) => {
      if (typeof block?.text === "string") return block.text;
      if (block?.type === "tool_result") return contentText(block.content);
      // What ToolSearch returns: references to the tools it found.
      if (block?.type === "tool_reference" && typeof block.tool_name === "string") return `tool: ${block.tool_name}`;
      return "";
    })
    .filter((t) => t !== "")
    .join("\n");
}

export function usageOf(raw: unknown): TokenUsage {
  const u = (raw ?? {}) as Json;
  const n = (v: unknown) => (typeof v === "number" && Number.isFinite(v) ? v : 0);
  return {
    input: n(u.input_tokens),
    output: n(u.output_tokens),
    cacheRead: n(u.cache_read_input_tokens),
    cacheCreation: n(u.cache_creation_input_tokens),
  };
}

/** What a call's usage reports beyond the four counts; undefined when it reports none of it. */
export function usageDetailsOf(raw: unknown): UsageDetails | undefined {
  const u = (raw ?? {}) as Json;
  const n = (v: unknown) => (typeof v === "number" && Number.isFinite(v) ? v : undefined);
  const sub = (key: string) => (u[key] && typeof u[key] === "object" ? (u[key] as Json) : {});
  const details: UsageDetails = {
    cacheCreation5m: n(sub("cache_creation").ephemeral_5m_input_tokens),
    cacheCreation1h: n(sub("cache_creation").ephemeral_1h_input_tokens),
    reasoning: n(sub("output_tokens_details").thinking_tokens),
    webSearchRequests: n(sub("server_tool_use").web_search_requests),
    webFetchRequests: n(sub("server_tool_use").web_fetch_requests),
  };
  return Object.values(details).some((v) => v !== undefined) ? details : undefined;
}

/** Claude Code's per-model totals (`modelUsage` of a result, or of the saved cost state). */
export function modelTotalsOf(raw: unknown): Record<string, ModelTotals> | undefined {
  if (!raw || typeof raw !== "object") return undefined;
  const out: Record<string, ModelTotals> = {};
  for (const [model, value] of Object.entries(raw as Record<string, Json>)) {
    const n = (v: unknown) => (typeof v === "number" && Number.isFinite(v) ? v : 0);
    out[model] = {
      usage: {
        input: n(value.inputTokens),
        output: n(value.outputTokens),
        cacheRead: n(value.cacheReadInputTokens),
        cacheCreation: n(value.cacheCreationInputTokens),
      },
      costUsd: n(value.costUSD),
    };
  }
  return out;
}

/**
 * Who refused a tool call, from Claude Code's own fields (never from the output's text):
 * `hook` (a PreToolUse hook blocked it), `rule` (a permission rule), `user`, or `mode` (the
 * permission mode, e.g. `default` with nobody to ask). Undefined when it was not refused.
 */
export function denialSourceOf(entry: Json): string | undefined {
  const decision = (entry.permissionDecision ?? {}) as Json;
  const kind = typeof entry.toolDenialKind === "string" ? entry.toolDenialKind : undefined;
  if (decision.decision !== "reject" && kind === undefined) return undefined;
  if (decision.source === "hook" || decision.reasonType === "hook") return "hook";
  // `user-rejected` is also how a headless refusal by the mode is recorded: the decision says who.
  if (decision.source === "user" || (decision.decision !== "reject" && kind === "user-rejected")) return "user";
  if (kind === "permission-rule" || decision.reasonType === "rule") return "rule";
  return "mode";
}

const isNotification = (text: string) => text.trimStart().startsWith("<task-notification>");
const isInterruption = (text: string) => text.startsWith("[Request interrupted by user");

export class TranscriptParser {
  private pending: ChatEvent | undefined;
  /** The call emitted last: more of its message can still come, after a line that is not part of it. */
  private emitted: ChatEvent | undefined;
  private requestStart: number | undefined;
  private lastTime = 0;
  private sawPrompt = false;
  /** The session's permission mode, as the transcript last said (`default`, `bypassPermissions`, …). */
  private permissionMode: string | undefined;

  /**
   * `window`: entries outside it are not this run's (a resumed session's history, a forked
   * session's copy of it, stretches other runs traced) and are skipped as if absent. An entry
   * without a time counts at the window's start, else at the last time seen.
   */
  constructor(
    private readonly agentId: string | null,
    private readonly emit: (event: RunEvent) => void,
    private readonly window: TranscriptWindow = {},
  ) {}

  /** Feed one transcript line. Malformed lines are skipped: a transcript is never trusted blindly. */
  line(text: string): void {
    if (text.trim() === "") return;
    let entry: Json;
    try {
      entry = JSON.parse(text) as Json;
    } catch {
      return;
    }
    if (!entry || typeof entry !== "object") return;
    if (!inWindow(this.window, time(entry, this.window.since ?? this.lastTime))) return;
    const at = time(entry, this.lastTime);
    this.lastTime = Math.max(this.lastTime, at);
    // Said by a `permission-mode` entry, and on prompts (the Agent SDK's).
    if (typeof entry.permissionMode === "string") this.permissionMode = entry.permissionMode;
    if (entry.type === "assistant") {
      this.assistant(entry, at);
      return;
    }
    // A streamed message's parts can have a tool's result between them (Claude Code runs a tool
    // whose block is complete while the rest streams): that does not end the message.
    const toolResult = isToolResult(entry);
    if (!toolResult) this.flush();
    switch (entry.type) {
      case "api-request":
        this.requestStart = at;
        this.emitted = undefined;
        break;
      case "user":
        this.user(entry, at, toolResult);
        break;
      case "system":
        this.system(entry, at);
        break;
      case "cost-state":
        if (this.agentId === null) this.costState(entry, at);
        break;
      case "attachment":
        this.attachment(entry, at);
        break;
    }
  }

  /** The file has ended (or the run has): emit the model call still being assembled. */
  end(): void {
    this.flush();
  }

  /**
   * Claude Code accounted for request `requestId` of agent `agentId`: its reply streamed to the end,
   * so the call being assembled for it (if this parser's) is complete, although no line may follow
   * for a long time (its tool runs).
   */
  requestDone(agentId: string | null, requestId: string): void {
    if (this.agentId === agentId && this.pending?.requestId === requestId) this.flush();
  }

  /** The text of the model call being assembled, if any. */
  get pendingText(): string | undefined {
    return this.pending?.text;
  }

  /** Time of the newest entry read so far. */
  get latest(): number {
    return this.lastTime;
  }

  private assistant(entry: Json, at: number): void {
    const message = (entry.message ?? {}) as Json;
    const blocks = Array.isArray(message.content) ? (message.content as ContentBlock[]) : [];
    if (entry.isApiErrorMessage === true || message.model === "<synthetic>") {
      this.flush();
      const status = typeof entry.apiErrorStatus === "number" ? entry.apiErrorStatus : undefined;
      this.emit({ kind: "api.error", agentId: this.agentId, time: at, message: contentText(blocks), status });
      this.requestStart = undefined;
      return;
    }
    const id = typeof message.id === "string" ? message.id : "";
    if (this.pending && this.pending.id !== id) this.flush();
    if (!this.pending && id !== "" && this.emitted?.id === id) this.pending = continued(this.emitted);
    if (!this.pending) {
      this.emitted = undefined;
      this.pending = {
        kind: "chat",
        agentId: this.agentId,
        id,
        requestId: typeof entry.requestId === "string" ? entry.requestId : undefined,
        model: typeof message.model === "string" ? message.model : "unknown",
        requestedModel: typeof entry.requestedModel === "string" ? entry.requestedModel : undefined,
        startTime: this.requestStart ?? at,
        endTime: at,
        usage: usageOf(message.usage),
        stopReason: null,
        text: "",
        toolCalls: [],
      };
      this.requestStart = undefined;
    }
    const call = this.pending;
    call.endTime = at;
    call.usage = usageOf(message.usage);
    call.details = usageDetailsOf(message.usage);
    if (typeof message.stop_reason === "string") call.stopReason = message.stop_reason;
    for (const block of blocks) {
      if (block.type === "text" && typeof block.text === "string") {
        call.text = call.text ? `${call.text}\n${block.text}` : block.text;
      } else if (block.type === "thinking" && typeof block.thinking === "string") {
        call.thinking = call.thinking ? `${call.thinking}\n${block.thinking}` : block.thinking;
      } else if (block.type === "server_tool_use" && typeof block.id === "string") {
        const name = typeof block.name === "string" ? block.name : "unknown";
        call.serverToolCalls = [...(call.serverToolCalls ?? []), { id: block.id, name, input: block.input }];
      } else if (block.type === "tool_use" && typeof block.id === "string") {
        const name = typeof block.name === "string" ? block.name : "unknown";
        call.toolCalls.push({ id: block.id, name });
        this.emit({ kind: "tool.start", agentId: this.agentId, id: block.id, name, input: block.input, time: at });
      }
    }
  }

  /**
   * The user stopped the run (Esc, an SDK interrupt) rather than refused this call: Claude Code
   * records both as `user-rejected` (a refusal by the mode or a rule, headless, too, but with the
   * `reject` decision that says so). A call refused before it ran is marked `toolDenialBeforeRun`;
   * without it, the call was running. Before it ran, with permissions bypassed, nobody was asked:
   * it was waiting its turn when the run stopped.
   */
  private stopped(entry: Json): boolean {
    const decision = (entry.permissionDecision ?? {}) as Json;
    if (entry.toolDenialKind !== "user-rejected" || decision.decision === "reject") return false;
    return entry.toolDenialBeforeRun !== true || this.permissionMode === "bypassPermissions";
  }

  private user(entry: Json, at: number, toolResult: boolean): void {
    const message = (entry.message ?? {}) as Json;
    const content = message.content;
    if (toolResult) {
      const structured = (entry.toolUseResult ?? {}) as Json;
      for (const block of content as ContentBlock[]) {
        if (block?.type !== "tool_result" || typeof block.tool_use_id !== "string") continue;
        const output = contentText(block.content);
        const isError = block.is_error === true;
        let errorType: string | undefined;
        let denialSource: string | undefined;
        if (isError) {
          denialSource = denialSourceOf(entry);
          if (structured.interrupted === true || /interrupted by user/i.test(output) || this.stopped(entry)) {
            errorType = "interrupted";
            denialSource = undefined;
          } else errorType = denialSource ? "permission_denied" : "tool_error";
        }
        const end = {
          kind: "tool.end" as const,
          agentId: this.agentId,
          id: block.tool_use_id,
          time: at,
          isError,
          output,
          errorType,
        };
        const background = typeof structured.backgroundTaskId === "string" && !isError;
        this.emit({ ...end, ...(denialSource ? { denialSource } : {}), ...(background ? { background } : {}) });
      }
      return;
    }
    if (entry.isMeta === true || entry.isCompactSummary === true) return;
    const text = contentText(content);
    if (text === "") return;
    this.emitted = undefined;
    // A later prompt is the user's when Claude Code says where it came from (`promptSource`: one
    // process given several prompts); otherwise a turn Claude Code started itself.
    const given = typeof entry.promptSource === "string" && !isInterruption(text);
    const synthetic = isNotification(text) || (this.sawPrompt && !given);
    if (isNotification(text)) this.notification(text, at);
    this.sawPrompt = true;
    this.emit({ kind: "prompt", agentId: this.agentId, time: at, text, synthetic });
    if (this.agentId === null && typeof entry.sessionId === "string" && !synthetic) {
      this.emit({
        kind: "session",
        time: at,
        sessionId: entry.sessionId,
        claudeCodeVersion: typeof entry.version === "string" ? entry.version : undefined,
        cwd: typeof entry.cwd === "string" ? entry.cwd : undefined,
      });
    }
  }

  /** Session facts, failed attempts, fallbacks and compaction boundaries. */
  private system(entry: Json, at: number): void {
    const num = (v: unknown) => (typeof v === "number" && Number.isFinite(v) ? v : undefined);
    const text = (v: unknown) => (typeof v === "string" ? v : undefined);
    if (entry.subtype === "init" && typeof entry.session_id === "string") {
      this.emit({ kind: "session", time: at, sessionId: entry.session_id });
    } else if (entry.subtype === "api_error" && num(entry.retryAttempt) !== undefined) {
      const error = (entry.error ?? {}) as Json;
      const body = /"type"\s*:\s*"error"\s*,\s*"error"\s*:\s*\{\s*"type"\s*:\s*"([a-z_]+)"/.exec(
        text(error.message) ?? "",
      );
      this.emit({
        kind: "api.retry",
        agentId: this.agentId,
        time: at,
        status: num(error.status),
        errorType: body?.[1],
        message: text(error.formatted) ?? text(error.message) ?? "",
        attempt: num(entry.retryAttempt) as number,
        maxRetries: num(entry.maxRetries),
      });
    } else if (entry.subtype === "model_fallback") {
      const from = text(entry.originalModel) ?? text(entry.original_model);
      const to = text(entry.fallbackModel) ?? text(entry.fallback_model);
      if (from && to) this.emit({ kind: "model.fallback", agentId: this.agentId, time: at, from, to });
    } else if (entry.subtype === "compact_boundary") {
      const meta = (entry.compactMetadata ?? {}) as Json;
      this.emit({
        kind: "compaction",
        agentId: this.agentId,
        time: at,
        trigger: text(meta.trigger),
        preTokens: num(meta.preTokens),
        postTokens: num(meta.postTokens),
      });
    }
  }

  /** A task notification: a background command (or agent) has ended, with its status. */
  private notification(text: string, at: number): void {
    const tag = (name: string) => new RegExp(`<${name}>([^<]{1,200})</${name}>`).exec(text)?.[1]?.trim();
    const id = tag("tool-use-id");
    const status = tag("status");
    if (!id || !status) return;
    const code = /exit code (\d{1,3})\b/.exec(tag("summary") ?? "")?.[1];
    this.emit({
      kind: "tool.background.end",
      id,
      time: at,
      status,
      exitCode: code === undefined ? undefined : Number(code),
    });
  }

  /**
   * Attachments that matter to the trace: the main agent reached `--max-turns` (the run's
   * outcome), or a prompt typed while the agent worked was handed to it with a tool's result (a
   * `queued_command`: part of this turn's conversation).
   */
  private attachment(entry: Json, at: number): void {
    const attachment = (entry.attachment ?? {}) as Json;
    if (attachment.type === "queued_command" && typeof attachment.prompt === "string") {
      this.emit({
        kind: "prompt",
        agentId: this.agentId,
        time: at,
        text: attachment.prompt,
        synthetic: true,
        queued: true,
      });
      return;
    }
    if (attachment.type !== "max_turns_reached" || this.agentId !== null) return;
    const num = (v: unknown) => (typeof v === "number" && Number.isFinite(v) ? v : undefined);
    this.emit({
      kind: "max_turns",
      time: at,
      maxTurns: num(attachment.maxTurns),
      turnCount: num(attachment.turnCount),
    });
  }

  private costState(entry: Json, at: number): void {
    this.emit({
      kind: "result",
      source: "cost-state",
      time: at,
      sessionId: typeof entry.sessionId === "string" ? entry.sessionId : undefined,
      totalCostUsd: typeof entry.totalCostUSD === "number" ? entry.totalCostUSD : undefined,
      durationApiMs: typeof entry.totalAPIDuration === "number" ? entry.totalAPIDuration : undefined,
      models: modelTotalsOf(entry.modelUsage),
    });
  }

  private flush(): void {
    if (!this.pending) return;
    const call = this.pending;
    this.pending = undefined;
    this.emitted = call;
    this.emit(call);
  }
}

/** A user entry that carries tool results (and so is no prompt). */
function isToolResult(entry: Json): boolean {
  if (entry.type !== "user") return false;
  const content = ((entry.message ?? {}) as Json).content;
  return Array.isArray(content) && content.some((b: ContentBlock) => b?.type === "tool_result");
}

/** An emitted call, to be continued by more parts of its message (see `ChatEvent.replaces`). */
function continued(call: ChatEvent): ChatEvent {
  return {
    ...call,
    toolCalls: [...call.toolCalls],
    serverToolCalls: call.serverToolCalls && [...call.serverToolCalls],
    replaces: true,
  };
}
