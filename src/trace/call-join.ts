/**
 * Joins the two descriptions of a model call: the transcript's (`chat`: content, tool calls) and
 * Claude Code's own accounting (`api.request`: exact usage and price), into exactly one call each.
 *
 * They arrive in any order (the accounting in batches every 200 ms, the last one as Claude Code
 * exits), so each side waits for the other, keyed by the agent and the API's request id (or, when a
 * proxy sends none, by the agent and the four token counts, first come first joined). The agent is
 * part of the key because a gateway that replays cached answers replays their request id too: two
 * subagents asking the same thing then share one.
 * - a transcript call waits for its request, then both go out as one call;
 * - a request the transcript never has (the compaction summary, a tool's own call) goes out at once;
 * - anything still unmatched goes out alone at `flush()` (the end of the run): a transcript call
 *   with the price table's cost, a request with Claude Code's.
 * A request id traced once (for its agent) is never traced again, so nothing is counted twice.
 * Without the accounting source (`waitForRequests` false) transcript calls go out at once.
 */
import type { ApiRequestEvent, ChatEvent } from "../events.ts";

/** One model call as it will be traced: the transcript's view, Claude Code's, or both. */
export interface JoinedCall<Note> {
  chat?: ChatEvent;
  request?: ApiRequestEvent;
  /** What happened before the call succeeded (failed attempts, a fallback), in order. */
  notes: Note[];
}

/** Query sources whose requests have no transcript call. */
const UNTRANSCRIBED = new Set(["compact"]);

/**
 * Calls this far apart (transcript time) and not one request accounted for: Claude Code is not
 * sending its accounting here (its own settings send its logs elsewhere, or it is a version
 * without it). Calls then stop waiting, so they are traced as they come.
 */
export const SILENT_ACCOUNTING_MS = 10_000;

export class CallJoin<Note> {
  /** Waiting sides by key; a key without a request id can hold several (identical counts). */
  private readonly held = new Map<string, { chat: ChatEvent; notes: Note[] }[]>();
  private readonly requests = new Map<string, ApiRequestEvent[]>();
  /** Requests already traced, as `doneKey`s. */
  private readonly done = new Set<string>();
  /** Whether any request has come; when the first call began to wait for one, until then. */
  private heard = false;
  private waitingSince: number | undefined;

  constructor(
    private waitForRequests: boolean,
    private readonly emit: (call: JoinedCall<Note>) => void,
  ) {}

  chat(chat: ChatEvent, notes: Note[]): void {
    if (chat.requestId && this.done.has(doneKey(chat.agentId, chat.requestId))) return;
    const key = keyOf(chat.requestId, chat.agentId, chat.usage);
    const request = take(this.requests, key);
    if (request) this.out({ chat, request, notes });
    else if (this.waitForRequests) {
      put(this.held, key, { chat, notes });
      this.stopWaitingIfSilent(chat.endTime);
    } else this.out({ chat, notes });
  }

  private stopWaitingIfSilent(now: number): void {
    if (this.heard) return;
    this.waitingSince ??= now;
    if (now - this.waitingSince < SILENT_ACCOUNTING_MS) return;
    this.waitForRequests = false;
    this.flush();
  }

  /**
   * More of a held call's message (`ChatEvent.replaces`): it takes the held call's place. A call
   * already traced keeps what it had: its request is counted once either way.
   */
  replace(chat: ChatEvent): void {
    if (chat.requestId && this.done.has(doneKey(chat.agentId, chat.requestId))) return;
    const key = keyOf(chat.requestId, chat.agentId, chat.usage);
    const entry = this.held.get(key)?.find((held) => held.chat.id === chat.id);
    if (entry) entry.chat = chat;
  }

  request(request: ApiRequestEvent): void {
    this.heard = true;
    if (request.requestId && this.done.has(doneKey(request.agentId, request.requestId))) return;
    const key = keyOf(request.requestId, request.agentId, request.usage);
    // The same record twice (a log batch sent again) waits once.
    if (request.requestId && this.requests.has(key)) return;
    const held = take(this.held, key);
    if (held) this.out({ chat: held.chat, request, notes: held.notes });
    else if (UNTRANSCRIBED.has(request.querySource ?? "") || request.toolUseId !== undefined) {
      this.out({ request, notes: [] });
    } else put(this.requests, key, request);
  }

  /** Transcript calls still waiting for their request. */
  get waiting(): number {
    let n = 0;
    for (const entries of this.held.values()) n += entries.length;
    return n;
  }

  /** The one call still waiting, taken out, when it is the only thing unmatched (no request waits either). */
  takeLone(): { chat: ChatEvent; notes: Note[] } | undefined {
    if (this.requests.size > 0 || this.waiting !== 1) return undefined;
    const [entries] = this.held.values();
    this.held.clear();
    return entries?.[0];
  }

  /** Emit everything still waiting (the run has ended); a request id already traced is not traced again. */
  flush(): void {
    for (const entries of this.held.values()) for (const { chat, notes } of entries) this.out({ chat, notes });
    for (const entries of this.requests.values()) for (const request of entries) this.out({ request, notes: [] });
    this.held.clear();
    this.requests.clear();
  }

  private out(call: JoinedCall<Note>): void {
    const side = call.request ?? call.chat;
    if (side?.requestId) {
      const key = doneKey(side.agentId, side.requestId);
      if (this.done.has(key)) return;
      this.done.add(key);
    }
    this.emit(call);
  }
}

function put<T>(map: Map<string, T[]>, key: string, value: T): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

function take<T>(map: Map<string, T[]>, key: string): T | undefined {
  const list = map.get(key);
  if (!list) return undefined;
  const value = list.shift();
  if (list.length === 0) map.delete(key);
  return value;
}

function keyOf(
  requestId: string | undefined,
  agentId: string | null,
  usage: { input: number; output: number; cacheRead: number; cacheCreation: number },
): string {
  if (requestId) return `id:${agentId ?? ""}|${requestId}`;
  return `usage:${agentId ?? ""}|${usage.input}|${usage.output}|${usage.cacheRead}|${usage.cacheCreation}`;
}

const doneKey = (agentId: string | null, requestId: string): string => `${agentId ?? ""}|${requestId}`;
