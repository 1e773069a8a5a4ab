/**
 * Scenarios for per-call exactness: thinking, server web searches, 1-hour cache writes, retries,
 * fallbacks, an alias answered by a dated id, a subagent on another model, auto-compaction, a reply
 * whose stream pauses between two tool calls, two WebSearch or WebFetch calls side by side.
 * Each is a pure function of the conversation (a retry is told its attempt number).
 */
import { bash, type Reply, type Scenario, text, tools, workingDirectory } from "../../src/demo/scenario-types.ts";

const overloaded: Reply = {
  error: { status: 529, type: "overloaded_error", message: "scripted overload" },
  retryable: true,
};
const internal: Reply = { error: { status: 500, type: "api_error", message: "scripted failure" }, retryable: true };

/** The summary request of a compaction: Claude Code asks for a summary of the conversation so far. */
/** The WebSearch tool's own model call: one server web search. */
const ownSearchCall: Reply = {
  content: [
    { type: "server_tool_use", name: "web_search", input: { query: "claudia" } },
    { type: "web_search_tool_result", results: [{ url: "https://example.com/c", title: "C" }] },
    { type: "text", text: "Found C." },
  ],
  stop_reason: "end_turn",
  usage: { webSearchRequests: 1 },
};

const isSummaryRequest = (lastUserText: string) => /create a detailed summary/i.test(lastUserText);

export const exactScenarios: Record<string, Scenario> = {
  thinking: () => ({
    content: [
      { type: "thinking", thinking: "The user wants a greeting; keep it short." },
      { type: "text", text: "Hello after thinking." },
    ],
    stop_reason: "end_turn",
    usage: { thinkingTokens: 42 },
  }),

  "cache-1h": (c) =>
    c.toolResults.length === 0
      ? { ...tools(bash("echo cached", "Print a word")), usage: { cache1h: true } }
      : { ...text("Cached for an hour."), usage: { cache1h: true } },

  /** A main-loop reply that ran two server web searches itself. */
  "web-search-main": () => ({
    content: [
      { type: "server_tool_use", name: "web_search", input: { query: "claudia tracing" } },
      { type: "web_search_tool_result", results: [{ url: "https://example.com/a", title: "A" }] },
      { type: "server_tool_use", name: "web_search", input: { query: "claudia otel" } },
      { type: "web_search_tool_result", results: [{ url: "https://example.com/b", title: "B" }] },
      { type: "text", text: "Two searches found A and B." },
    ],
    stop_reason: "end_turn",
    usage: { webSearchRequests: 2 },
  }),

  /** The WebSearch tool: its own model call runs one server web search. */
  "web-search-tool": (c) => {
    if (c.toolNames.includes("web_search")) return ownSearchCall;
    return c.toolResults.length === 0
      ? tools({ type: "tool_use", name: "WebSearch", input: { query: "claudia [[scenario:web-search-tool]]" } })
      : text("The search found C.");
  },

  /** Two WebSearch calls in one reply, running side by side, each with its own model call. */
  "web-search-parallel": (c) => {
    if (c.toolNames.includes("web_search")) return ownSearchCall;
    return c.toolResults.length === 0
      ? tools(
          { type: "tool_use", name: "WebSearch", input: { query: "first [[scenario:web-search-parallel]]" } },
          { type: "tool_use", name: "WebSearch", input: { query: "second [[scenario:web-search-parallel]]" } },
        )
      : text("Both searches found C.");
  },

  /**
   * Two WebFetch calls in one reply (the site is the URL in the prompt), each applying its prompt
   * to the page in a model call of its own.
   */
  "web-fetch-parallel": (c) => {
    if (c.toolNames.length === 0 && c.lastUserText.includes("Web page content:")) {
      return text(`The page is ${/Page (\/\w+)/.exec(c.lastUserText)?.[1] ?? "unknown"}.`);
    }
    const site = /https:\/\/127\.0\.0\.1:\d+/.exec(c.firstUserText)?.[0] ?? "https://127.0.0.1:9";
    const fetch = (path: string) => ({
      type: "tool_use" as const,
      name: "WebFetch",
      input: { url: `${site}${path}`, prompt: `Which page is it? [[scenario:web-fetch-parallel]]` },
    });
    return c.toolResults.length === 0 ? tools(fetch("/a"), fetch("/b")) : text("Both pages read.");
  },

  /** A 529, then a 500, then an answer. */
  retry: (c) => (c.attempt === 0 ? overloaded : c.attempt === 1 ? internal : text("Answered on the third attempt.")),

  /** The main model is always overloaded; the fallback model answers. */
  fallback: (c) => (/haiku/.test(c.model) ? text(`Answered by ${c.model}.`) : overloaded),

  /**
   * Two tool calls in one streamed reply, the stream pausing between them: Claude Code runs the first
   * while the second streams, and its transcript has the first's result between the reply's parts.
   */
  interleaved: (c) =>
    c.toolResults.length === 0
      ? {
          ...tools(
            { type: "text", text: "Two checks." },
            bash("echo first", "First check"),
            bash("echo second", "Second check"),
          ),
          pause: { beforeBlock: 2, ms: 1500 },
        }
      : text("Both checks ran."),

  /** An alias answered by a dated model id. */
  alias: (c) => ({ ...text("Answered by a dated model."), model: `${c.model}-20990101` }),

  /** A subagent on another model. */
  "subagent-model": (c) =>
    c.toolResults.length === 0
      ? tools({
          type: "tool_use",
          name: "Agent",
          input: {
            description: "Check on haiku",
            prompt: "[[scenario:sub-worker]] Run the check command.",
            subagent_type: "general-purpose",
            model: "haiku",
          },
        })
      : text("The subagent finished its check."),

  /** A command that needs permission (it writes a file). */
  "needs-permission": (c) =>
    c.toolResults.length === 0
      ? tools(bash("touch made-by-claudia-test", "Create a file"))
      : text(c.toolResults[0]?.isError ? "The command was refused." : "The file was made."),

  /** A plain Bash failure whose output says "Permission denied". */
  "denied-text": (c) =>
    c.toolResults.length === 0
      ? tools(bash("echo 'cat: /secret: Permission denied' >&2; exit 1", "Read a protected file"))
      : text("The read failed."),

  /** A 200 kB Write, then a 10,000-character answer made of emoji (any cut lands at one). */
  "big-content": (c) =>
    c.toolResults.length === 0
      ? tools({
          type: "tool_use",
          name: "Write",
          input: { file_path: `${workingDirectory(c) ?? "/tmp"}/big.txt`, content: "z".repeat(200_000) },
        })
      : text("😀".repeat(5000)),

  /** A Bash command run in the background; its completion is reported later. */
  "background-bash": (c) => {
    if (c.toolResults.length === 0) {
      return tools({
        type: "tool_use",
        name: "Bash",
        input: { command: "sleep 1; echo bg-finished; exit 3", description: "Slow job", run_in_background: true },
      });
    }
    return text(
      /bg-finished|exit code 3|completed|failed/i.test(c.lastUserText) ? "The job finished." : "Started the job.",
    );
  },

  /**
   * A turn whose final answer stalls 3 s between its two parts, to type the next prompt meanwhile
   * (Claude Code queues it, and runs it as a turn of its own after this one).
   */
  "slow-final": (c) => {
    if (/second-sf/.test(c.lastUserText)) return text("Second answered.");
    if (c.toolResults.length === 0) return tools(bash("echo quick", "Print a word"));
    return {
      content: [
        { type: "text", text: "Final part one." },
        { type: "text", text: "Final part two." },
      ],
      stop_reason: "end_turn",
      pause: { beforeBlock: 1, ms: 3000 },
    };
  },

  /**
   * A turn whose tool runs 5 s, to type the next prompt meanwhile (Claude Code gives it to the
   * agent with the tool's result, within this turn).
   */
  "queued-in-turn": (c) => {
    if (c.toolResults.length === 0)
      return tools(bash(`node -e 'setTimeout(() => console.log("slept"), 5000)'`, "Wait"));
    return text(/second-q/.test(c.allText) ? "First done, saw second." : "First done.");
  },

  /** Short answers around a `/compact` typed in the terminal UI. */
  "manual-compact": (c) => {
    if (isSummaryRequest(c.lastUserText)) {
      return text("<summary>[[scenario:manual-compact]] The user said one. [[compacted]]</summary>");
    }
    return text(/three/.test(c.lastUserText) ? "Three answered." : "One answered.");
  },

  /** A long conversation: auto-compaction summarises it, then the run goes on. */
  compact: (c) => {
    if (isSummaryRequest(c.lastUserText)) {
      return text("<summary>[[scenario:compact]] The user asked for a check; it ran. [[compacted]]</summary>");
    }
    if (c.allText.includes("[[compacted]]")) return text("The steps ran.");
    // A few turns first (compaction keeps the latest ones), then a conversation that looks long.
    const n = c.toolResults.length;
    const usage = { extraCacheRead: n >= 3 ? 80000 : 0 };
    return n < 4 ? { ...tools(bash(`echo step-${n}`, `Step ${n}`)), usage } : { ...text("The steps ran."), usage };
  },
};
