/**
 * The scripted model's scenarios. Each one is a pure function of the conversation so far: it
 * never counts calls, so a background subagent's notification turn or a retry gets a sensible
 * answer instead of looping.
 */

import { bash, firstLine, param, type Scenario, text, tools } from "../../src/demo/scenario-types.ts";

export const scenarios: Record<string, Scenario> = {
  text: () => text("Hello from the scripted model."),

  bash: (c) =>
    c.toolResults.length === 0
      ? tools({ type: "text", text: "I'll run a command." }, bash("echo hello-from-bash", "Print a greeting"))
      : text(`The command printed: ${firstLine(c.toolResults[0]?.text)}`),

  /** A Bash call that prints the trace context the tool process received. */
  traceparent: (c) =>
    c.toolResults.length === 0
      ? tools(bash('echo "tp=$TRACEPARENT ts=$TRACESTATE"', "Show the trace context"))
      : text(`Context: ${firstLine(c.toolResults[0]?.text)}`),

  /** A Bash call that prints the extra CA variables the tool process received. */
  "extra-ca": (c) =>
    c.toolResults.length === 0
      ? tools(
          bash(
            'echo "ca=$(printenv NODE_EXTRA_CA_CERTS || echo unset) deferred=$(printenv CLAUDIA_DEFERRED_NODE_EXTRA_CA_CERTS || echo unset)"',
            "Show the CA variables",
          ),
        )
      : text(`CA: ${firstLine(c.toolResults[0]?.text)}`),

  /** A Bash call that prints the shell level the tool's shell has (one more than Claude Code's). */
  shlvl: (c) =>
    c.toolResults.length === 0
      ? tools(bash('echo "shlvl=$(printenv SHLVL || echo unset)"', "Show the shell level"))
      : text(`Level: ${firstLine(c.toolResults[0]?.text)}`),

  /** A tool with a large output (about 14 kB), for size limits. */
  "big-output": (c) =>
    c.toolResults.length === 0 ? tools(bash("seq 1 3000", "Print many numbers")) : text("That was a lot of numbers."),

  /** A tool that prints 10 MB, for memory and size bounds. */
  "huge-output": (c) =>
    c.toolResults.length === 0
      ? tools(bash("head -c 10000000 /dev/zero | tr '\\0' a", "Print 10 MB"))
      : text("That was 10 MB."),

  /** A long-running tool call, to interrupt. */
  sleep: (c) =>
    c.toolResults.length === 0
      ? tools(bash(`node -e 'setTimeout(() => console.log(37), 37000)' ${param(c, "tag") ?? ""}`, "Wait a long time"))
      : text("Woke up."),

  /** Two long tool calls in one reply (Claude Code runs them one after the other), to interrupt. */
  "sleep-two": (c) =>
    c.toolResults.length === 0
      ? tools(
          bash("node -e 'setTimeout(() => console.log(1), 30000)'", "Wait a long time"),
          bash("node -e 'setTimeout(() => console.log(2), 31000)'", "Wait longer"),
        )
      : text("Woke up."),

  /** A quick tool call, then a reply whose stream stalls for 6 s after its first block: to interrupt mid-stream. */
  "slow-second": (c) =>
    c.toolResults.length === 0
      ? tools(bash("echo fast", "Print a word"))
      : c.toolResults.length === 1
        ? {
            ...tools({ type: "text", text: "Second, slowly." }, bash("echo slow", "Print another")),
            pause: { beforeBlock: 1, ms: 6000 },
          }
        : text("Slow done."),

  /** Secrets in a tool's output and in the model's answer, for the redaction tests. */
  secrets: (c) =>
    c.toolResults.length === 0
      ? tools(bash('echo "deploy=$MY_DEPLOY_TOKEN"', "Print the deploy token"))
      : text("I found ghp_1234567890abcdefghijABCDEFGHIJ123456 in .env and the deploy token."),

  /** A tool call whose input holds a value nested 4000 levels deep, with a secret 70 levels down. */
  "deep-input": (c) => {
    if (c.toolResults.length > 0) return text("Deep enough.");
    let nested: unknown = { token: "ghp_deepDEEPdeep0123456789abcdefABCDEF0123" };
    for (let level = 0; level < 70; level++) nested = { level: nested };
    let deep: unknown = "bottom";
    for (let level = 0; level < 4000; level++) deep = [deep];
    return tools({ type: "tool_use", name: "Bash", input: { command: "echo deep", nested, deep } });
  },

  /** A tool call whose description holds CI runners' log commands (GitHub's `##[`, Azure's `##vso[`). */
  "runner-commands": (c) =>
    c.toolResults.length === 0
      ? tools(bash("echo done", "Run ##[set-output name=status]ok and ##vso[task.setvariable variable=X]1"))
      : text("Done."),

  "bash-fail": (c) =>
    c.toolResults.length === 0
      ? tools(bash("ls /nonexistent-claudia-path", "List a missing folder"))
      : text("That folder does not exist."),

  "two-tools": (c) =>
    c.toolResults.length === 0
      ? tools(bash("echo first", "First command"), bash("echo second", "Second command"))
      : text("Both commands ran."),

  "read-write": (c) => {
    const dir = param(c, "dir") ?? "/tmp";
    if (c.toolResults.length === 0)
      return tools({ type: "tool_use", name: "Read", input: { file_path: `${dir}/input.txt` } });
    if (c.toolResults.length === 1)
      return tools({
        type: "tool_use",
        name: "Write",
        input: { file_path: `${dir}/output.txt`, content: "written by the scripted model\n" },
      });
    return text("Read input.txt and wrote output.txt.");
  },

  subagent: (c) =>
    c.toolResults.length === 0
      ? tools({
          type: "tool_use",
          name: "Agent",
          input: {
            description: "Run a check",
            prompt: "[[scenario:sub-worker]] Run the check command.",
            subagent_type: "general-purpose",
            run_in_background: false,
          },
        })
      : text("The subagent finished its check."),

  background: (c) =>
    c.toolResults.length === 0
      ? tools({
          type: "tool_use",
          name: "Agent",
          input: {
            description: "Background check",
            prompt: "[[scenario:sub-worker]] Run the check command.",
            subagent_type: "general-purpose",
            run_in_background: true,
          },
        })
      : text(
          /task-notification|completed/i.test(c.lastUserText) && !c.lastUserText.includes("Async agent launched")
            ? "The background agent reported back."
            : "Started a background agent.",
        ),

  /** A subagent on haiku whose one tool call fails, then the main loop's answer. */
  "subagent-fail": (c) =>
    c.toolResults.length === 0
      ? tools({
          type: "tool_use",
          name: "Agent",
          input: {
            description: "Check on haiku",
            prompt: "[[scenario:bash-fail]] List the folder.",
            subagent_type: "general-purpose",
            model: "haiku",
            run_in_background: false,
          },
        })
      : text("The subagent reported a missing folder."),

  "sub-worker": (c) =>
    c.toolResults.length === 0
      ? tools(bash("echo from-subagent", "Subagent check"))
      : text("Check passed: from-subagent"),

  mcp: (c) =>
    c.toolResults.length === 0
      ? tools({ type: "tool_use", name: "mcp__fixtures__shout", input: { text: "hello mcp" } })
      : text(`The MCP tool answered: ${firstLine(c.toolResults[0]?.text)}`),

  /** `--json-schema`: the answer is given through the StructuredOutput tool Claude Code adds. */
  structured: (c) =>
    c.toolNames.includes("StructuredOutput") && c.toolResults.length === 0
      ? tools({ type: "tool_use", name: "StructuredOutput", input: { answer: "forty-two" } })
      : text("Answered."),

  /** A reply with no content at all. */
  empty: () => ({ content: [], stop_reason: "end_turn" }),

  /** A reply whose one text block is empty. */
  "empty-text": () => text(""),

  /** A tool call, then a reply with no content. */
  "empty-after-tool": (c) =>
    c.toolResults.length === 0
      ? tools(bash("echo before-empty", "Print a word"))
      : { content: [], stop_reason: "end_turn" },

  /** Two Read calls in one reply (read-only tools run side by side): one file exists, one does not. */
  "parallel-reads": (c) =>
    c.toolResults.length === 0
      ? tools(
          { type: "tool_use", name: "Read", input: { file_path: "/etc/hostname" } },
          { type: "tool_use", name: "Read", input: { file_path: "/nonexistent-claudia-path/missing.txt" } },
        )
      : text("Read one file; the other is missing."),

  /**
   * Several prompts in one session: a prompt with `[[run:WORD]]` runs `echo WORD`, one with
   * `[[fail]]` gets an API error, any other is answered.
   */
  turns: (c) => {
    if (c.lastUserText.includes("[[fail]]")) {
      return { error: { status: 400, type: "invalid_request_error", message: "scripted bad request" } };
    }
    const word = /\[\[run:(\w+)\]\]/.exec(c.lastUserText)?.[1];
    return word ? tools(bash(`echo ${word}`, `Print ${word}`)) : text(`Turn ${c.assistantTurns + 1} answered.`);
  },

  /** The MCP tool called with input its schema refuses: the call fails. */
  "mcp-fail": (c) =>
    c.toolResults.length === 0
      ? tools({ type: "tool_use", name: "mcp__fixtures__shout", input: { text: 42 } })
      : text(`The MCP tool refused: ${firstLine(c.toolResults[0]?.text)}`),

  "api-400": () => ({ error: { status: 400, type: "invalid_request_error", message: "scripted bad request" } }),
  "api-529": () => ({ error: { status: 529, type: "overloaded_error", message: "scripted overload" } }),

  "max-turns": (c) =>
    c.toolResults.length < 10 ? tools(bash(`echo turn-${c.toolResults.length}`, "Another turn")) : text("Stopping."),

  /** `[[tools:N]]` sequential Bash calls, then a text answer: for benchmarks and scale. */
  many: (c) => {
    const n = Number(param(c, "tools") ?? "20");
    return c.toolResults.length < n
      ? tools(bash(`echo call-${c.toolResults.length}`, `Call ${c.toolResults.length}`))
      : text(`Made ${n} tool calls.`);
  },
};
