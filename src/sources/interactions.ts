/**
 * An interactive session cut into interactions, one per user prompt: Claude Code's hooks say
 * when a prompt starts (UserPromptSubmit) and when its turn is over (Stop, StopFailure), or the
 * session (SessionEnd); the session transcript, followed from the first prompt on, says what
 * happened in between. Each interaction gets its own event sink.
 */
import type { RunEvent } from "../events.ts";
import type { HookInput } from "./hook-server.ts";
import { TranscriptTail } from "./transcript-tail.ts";
import { inWindow, promptWindow } from "./window.ts";

export interface InteractionStart {
  /** 1 for the session's first prompt. */
  index: number;
  prompt: string;
  sessionId?: string;
  time: number;
}

export interface InteractionSink {
  emit(event: RunEvent): void;
  /**
   * The turn is over: `completed` when Claude Code said so (Stop / StopFailure), else why it
   * ended early: `next_prompt`, `session_end` or `exit`.
   */
  end(outcome: { completed: boolean; reason?: string; time: number }): void;
}

/** The longest a turn's end waits for its answer to reach the transcript. */
const ANSWER_WAIT_MS = 2000;
/** How long an ended prompt still gets its subagents' events (its trace waits 1 s for accounting). */
const OWNED_AFTER_END_MS = 3000;

type Outcome = { completed: boolean; reason?: string; time: number };

/** A prompt being traced. */
interface Interaction {
  sink: InteractionSink;
  start: InteractionStart;
  latest: number;
  answer?: string;
  /** Subagents it started in the background that have not reported back, by their Agent call. */
  background: Map<string, string>;
  /** Its turn is over, but not its background subagents' work: how it ends when theirs does. */
  after?: Outcome;
  ended: boolean;
  /** A `/compact` typed at the prompt, not a prompt. */
  compaction?: boolean;
  /** Claude Code said its turn is over (its end may still wait for the answer to be written). */
  stopped?: boolean;
  /** The user stopped its turn (Esc): no Stop comes, and a prompt typed next is not queued. */
  cutShort?: boolean;
  /** When the transcript says it was stopped: its end, not whenever the session goes on. */
  cutAt?: number;
}

export class Interactions {
  private tail: TranscriptTail | undefined;
  private tailPath: string | undefined;
  private current: Interaction | undefined;
  private count = 0;
  private version: string | undefined;
  /**
   * The prompts that ended last, oldest first: Claude Code's accounting of their last calls can
   * arrive after their end (a `/compact` can end between a prompt's end and that accounting).
   */
  private readonly previous: Interaction[] = [];
  /** A `/compact` that is over, waiting for its boundary to be read from the transcript. */
  private compacting: Interaction | undefined;
  /** Prompts typed while the agent worked, not yet given to it, oldest first. */
  private readonly queued: { input: HookInput; prompt: string }[] = [];
  /** Stop hooks of queued prompts' turns that ended before their prompt's trace began. */
  private readonly laterStops: { answer?: string; time: number }[] = [];
  /** Accounting that came between a turn and a queued prompt's turn (see `event`). */
  private readonly held: RunEvent[] = [];
  /**
   * The prompt each subagent, and each of its tool calls, belongs to: the one that started it. A
   * subagent in the background goes on after its prompt's turn, and its work is that prompt's.
   */
  private readonly owners = new Map<string, Interaction>();
  /** Sessions the hooks named (`/clear` starts another); a `claude` a tool starts has its own. */
  private readonly sessions = new Set<string>();

  constructor(
    private readonly open: (start: InteractionStart) => InteractionSink,
    private readonly pollMs = 100,
  ) {}

  hook(input: HookInput, now = Date.now()): void {
    switch (input.hook_event_name) {
      case "UserPromptSubmit": {
        const prompt = typeof input.prompt === "string" ? input.prompt : "";
        // Typed while the agent works: Claude Code queues it, and gives it to the agent either
        // within this turn (with a tool's result) or as a turn of its own once this one is over.
        // What the transcript says so far first: whether the user stopped the turn before typing.
        this.tail?.poll();
        const working = this.current && !this.current.stopped && !this.current.compaction && !this.current.cutShort;
        if (working) {
          this.queued.push({ input, prompt });
          break;
        }
        this.endCurrent({ completed: this.current?.stopped === true, reason: "next_prompt", time: now });
        this.begin(input, prompt, now);
        break;
      }
      // `/compact` typed at the prompt fires no UserPromptSubmit: its summary call is a run of its own.
      // (An automatic compaction happens within a prompt's turn, and is that prompt's.)
      case "PreCompact":
        if (input.trigger === "manual" && (!this.current || this.current.stopped)) {
          this.endCurrent({ completed: true, time: now });
          const instructions = typeof input.custom_instructions === "string" ? input.custom_instructions.trim() : "";
          this.begin(input, instructions ? `/compact ${instructions}` : "/compact", now).compaction = true;
        }
        break;
      case "PostCompact":
        if (this.current?.compaction) this.compacted(this.current, now);
        break;
      case "Stop":
      case "StopFailure": {
        const text = input.last_assistant_message;
        const answer = typeof text === "string" && text.trim() !== "" ? text : undefined;
        // What the transcript says so far first: a queued prompt's turn may have begun, or the
        // current one been stopped by the user (which gets no Stop of its own). Else the turn before
        // was followed at once by a queued prompt's turn, now over too, though its line is not read
        // yet: that one ends as soon as it begins.
        this.tail?.poll();
        const current = this.current;
        if ((!current || current.stopped || current.cutShort) && this.queued.length > 0) {
          this.laterStops.push({ answer, time: now });
        } else this.endWhenWritten(answer, now);
        break;
      }
      case "SessionEnd":
        this.queued.length = 0;
        this.laterStops.length = 0;
        // A turn whose Stop came is over, though its answer may not be read yet: completed.
        this.endCurrent({ completed: this.current?.stopped === true, reason: "session_end", time: now });
        this.endWaiting(now);
        this.stopTail();
        break;
    }
  }

  /** A prompt (or a `/compact`) starts: its own run, following the session's transcript from now on. */
  private begin(input: HookInput, prompt: string, now: number): Interaction {
    if (input.transcript_path) this.follow(input.transcript_path, now);
    const start: InteractionStart = { index: ++this.count, prompt, sessionId: input.session_id, time: now };
    if (start.sessionId) this.sessions.add(start.sessionId);
    const sink = this.open(start);
    const interaction: Interaction = { sink, start, latest: now, background: new Map(), ended: false };
    this.current = interaction;
    sink.emit({ kind: "prompt", agentId: null, time: now, text: start.prompt, synthetic: false });
    if (start.sessionId)
      sink.emit({ kind: "session", time: now, sessionId: start.sessionId, claudeCodeVersion: this.version });
    return interaction;
  }

  /**
   * A `/compact` is over, but its boundary reaches the transcript just after this hook, and its
   * summary call's accounting up to an export interval later: it ends once the boundary is read
   * (its trace then waits, briefly, for that accounting), or after ANSWER_WAIT_MS. A prompt typed
   * meanwhile is traced as usual.
   */
  private compacted(compacting: Interaction, time: number): void {
    this.current = undefined;
    this.ended(compacting);
    this.compacting = compacting;
    setTimeout(() => this.endCompacting(time), ANSWER_WAIT_MS).unref();
  }

  private endCompacting(time: number): void {
    const compacting = this.compacting;
    this.compacting = undefined;
    if (compacting && !compacting.ended) this.end(compacting, { completed: true, time });
  }

  /**
   * The transcript shows a queued prompt given to the agent as a turn of its own (after the turn
   * it was typed in): that turn is over, and the queued prompt's begins.
   */
  private nextQueued(time: number): void {
    const next = this.queued.shift();
    if (!next) return;
    // Its transcript line is being read: what came before it is read already (not read again here,
    // which would hand the new turn's first lines to the old one).
    this.endCurrent({ completed: this.current?.stopped === true, reason: "next_prompt", time }, false);
    this.begin(next.input, next.prompt, time);
    const stop = this.laterStops.shift();
    // After the transcript line being read now: the turn's own lines come next.
    if (stop) setImmediate(() => this.endWhenWritten(stop.answer, stop.time));
    for (const request of this.held.splice(0)) this.dispatch(request);
  }

  /** Whether a session is this UI's (its hooks named it). */
  knows = (sessionId: string): boolean => this.sessions.has(sessionId);

  /** Claude Code has exited: end what is open and stop following. */
  close(now = Date.now()): void {
    this.endCurrent({ completed: this.current?.stopped === true, reason: "exit", time: now });
    this.endWaiting(now);
    this.stopTail();
  }

  /**
   * Claude Code fires Stop as the turn ends, sometimes just before the answer reaches the
   * transcript: wait (briefly) until the answer the hook names has been read.
   */
  private endWhenWritten(answer: string | undefined, time: number): void {
    const current = this.current;
    if (!current) return;
    current.stopped = true;
    const deadline = Date.now() + ANSWER_WAIT_MS;
    const check = () => {
      if (this.current !== current) return;
      const pending = this.tail?.pendingAnswer();
      // Reading on may have started the next turn (a queued prompt's line): this one is over then.
      if (this.current !== current) return;
      const written = (text: string | undefined) => text?.includes(answer?.trim() ?? "") === true;
      if (answer === undefined || written(pending) || written(current.answer) || Date.now() >= deadline) {
        this.endCurrent({ completed: true, time });
      } else setTimeout(check, 20);
    };
    check();
  }

  private endCurrent(outcome: Outcome, readFirst = true): void {
    if (readFirst) this.tail?.flush();
    const current = this.current;
    this.current = undefined;
    if (!current) return;
    this.ended(current);
    const ending = current.cutAt === undefined ? outcome : { ...outcome, time: Math.min(outcome.time, current.cutAt) };
    // Its background subagents are still at work: it ends when they have all reported back.
    if (current.background.size > 0) current.after = ending;
    else this.end(current, ending);
  }

  private end(interaction: Interaction, outcome: Outcome): void {
    interaction.ended = true;
    interaction.after = undefined;
    // Its subagents' last accounting can still come while its trace waits for it (up to 1 s): what
    // it owned is forgotten only after that.
    const forget = setTimeout(() => {
      for (const [id, owner] of this.owners) if (owner === interaction) this.owners.delete(id);
    }, OWNED_AFTER_END_MS);
    forget.unref();
    // Transcript times can run a little past the hook's: the root ends after everything in it.
    interaction.sink.end({ ...outcome, time: Math.max(outcome.time, interaction.latest) });
  }

  /** The session or Claude Code has ended: prompts still waiting for background subagents end too. */
  private endWaiting(time: number): void {
    for (const interaction of new Set(this.owners.values())) {
      if (!interaction.ended && interaction.after) this.end(interaction, { ...interaction.after, time });
    }
  }

  /** A background subagent has reported back (`id`: its Agent call): its prompt may now end. */
  private reportedBack(owner: Interaction, id: string): void {
    const agentId = owner.background.get(id);
    if (agentId === undefined) return;
    owner.background.delete(id);
    // After the transcript line being read now: then the subagent's last lines (the notification
    // can be read before them), and the prompt's end once none of its subagents is still at work.
    setImmediate(() => {
      this.tail?.flush(agentId);
      if (owner.ended || !owner.after || owner.background.size > 0) return;
      this.end(owner, { ...owner.after, time: Math.max(owner.after.time, owner.latest) });
    });
  }

  /** Follow the session's transcript from the prompt that names it on (a resumed session's history is not read as this session's). */
  private follow(path: string, promptTime: number): void {
    if (this.tailPath === path) return;
    this.stopTail();
    this.tailPath = path;
    this.tail = new TranscriptTail(path, (event) => this.route(event), promptWindow(promptTime));
    this.tail.start(this.pollMs);
  }

  private stopTail(): void {
    const tail = this.tail;
    this.tail = undefined;
    this.tailPath = undefined;
    tail?.stop();
  }

  /**
   * The main agent's prompt line in the transcript: whether it goes on to the prompt's trace (a
   * queued prompt given to the agent within a turn is part of its conversation). A queued prompt's
   * line as a turn of its own starts that turn.
   */
  private promptLine(event: Extract<RunEvent, { kind: "prompt" }>): boolean {
    const at = this.queued.findIndex((q) => q.prompt.trim() === event.text.trim());
    if (!event.queued) {
      // Queued before it and never given a turn (nothing came of them): not waited for any longer.
      if (at >= 0) this.queued.splice(0, at);
      if (at >= 0) this.nextQueued(event.time);
      else if (this.current && /^\[Request interrupted by user/.test(event.text)) {
        this.current.cutShort = true;
        this.current.cutAt ??= event.time;
      }
      return false;
    }
    if (at >= 0) this.queued.splice(at, 1);
    return true;
  }

  /** An event from another source (Claude Code's accounting), routed like the transcript's. */
  event = (event: RunEvent): void => {
    this.tail?.observe(event);
    // Between a turn and the queued prompt's (whose line is not read yet), a request may be either's.
    if (!this.current && this.queued.length > 0 && event.kind === "api.request") {
      this.hold(event);
      return;
    }
    this.dispatch(event);
  };

  /** Held until the queued prompt's turn begins, or for at most ANSWER_WAIT_MS. */
  private hold(request: RunEvent): void {
    this.held.push(request);
    if (this.held.length > 1) return;
    setTimeout(() => {
      for (const event of this.held.splice(0)) this.dispatch(event);
    }, ANSWER_WAIT_MS).unref();
  }

  private dispatch(event: RunEvent): void {
    const owner = this.ownerOf(event);
    const mine = this.current && (event.kind !== "api.request" || event.endTime >= this.current.start.time);
    // A request made before the current prompt: the latest ended one that had started by then.
    const earlier =
      !owner && !mine && event.kind === "api.request"
        ? this.previous.findLast((p) => event.endTime >= p.start.time)
        : undefined;
    if (earlier) earlier.sink.emit(event);
    else this.route(event, owner);
  }

  private ended(interaction: Interaction): void {
    this.previous.push(interaction);
    if (this.previous.length > 4) this.previous.shift();
  }

  private route(event: RunEvent, owner = this.ownerOf(event)): void {
    if (event.kind === "session") this.version ??= event.claudeCodeVersion;
    // The prompt comes from the hook (a queued one's line starts its turn); the session's saved
    // totals cover every prompt, not this one.
    if (event.kind === "prompt" && event.agentId === null && !this.promptLine(event)) return;
    const compacting = event.kind === "compaction" ? this.compacting : undefined;
    const target = owner ?? compacting ?? this.current;
    if (!target) return;
    if (event.kind === "result") return;
    const at = event.kind === "chat" || event.kind === "api.request" ? event.endTime : event.time;
    if (!owner && !inWindow(promptWindow(target.start.time), at)) return;
    target.latest = Math.max(target.latest, at);
    if (event.kind === "chat" && event.agentId === null) target.answer = event.text;
    this.own(target, event);
    target.sink.emit(event);
    if (event.kind === "tool.background.end" && owner) this.reportedBack(owner, event.id);
    if (compacting) this.endCompacting(at);
  }

  /** The prompt an event belongs to when it is a subagent's (or a background subagent's report). */
  private ownerOf(event: RunEvent): Interaction | undefined {
    if ("agentId" in event && typeof event.agentId === "string") return this.owners.get(event.agentId);
    if (event.kind === "tool.end" || event.kind === "tool.background.end" || event.kind === "tool.decision") {
      return this.owners.get(event.id);
    }
    return undefined;
  }

  /** Subagents, and their tool calls, belong to the prompt that started them. */
  private own(target: Interaction, event: RunEvent): void {
    if (event.kind === "subagent.start") {
      this.owners.set(event.agentId, target);
      if (event.background && event.parentToolUseId) {
        target.background.set(event.parentToolUseId, event.agentId);
        this.owners.set(event.parentToolUseId, target);
      }
    } else if (event.kind === "tool.start" && event.agentId !== null) this.owners.set(event.id, target);
  }
}
