/**
 * How claudia finds a run's transcript: a new session is named by claudia (`--session-id`), so no
 * hook is needed; a resumed one (`--resume`, `--continue`) is found through a `UserPromptSubmit`
 * hook, and its history is not this run's.
 */
import assert from "node:assert/strict";
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, test } from "node:test";
import { promptOf } from "../support/conformance.ts";
import { scriptedRuns } from "../support/harness.ts";
import { BASE_ARGS, claudia } from "../support/sandbox.ts";
import {
  assertChatSpansMatchServed,
  assertTotalsAreSumOfCalls,
  named,
  root,
  traceIdFrom,
  waitForSpans,
} from "../support/trace-checks.ts";

const h = scriptedRuns();

/** Run claudia with `args`; its spans and the calls the model served it. */
async function traced(args: string[], env: NodeJS.ProcessEnv = {}) {
  const before = h.model.served.length;
  const ran = await claudia(h.sandbox, [...BASE_ARGS, ...args], env);
  assert.equal(ran.code, 0, ran.stderr);
  const spans = await waitForSpans(h.receiver.spans, traceIdFrom(ran.stderr));
  return { ran, spans, served: h.model.served.slice(before) };
}

describe("sessions", () => {
  test("a new session is named by claudia; the user's own --settings and hooks reach Claude Code untouched", async () => {
    const marker = join(h.sandbox.work, "user-hook-ran");
    const settings = JSON.stringify({
      hooks: { UserPromptSubmit: [{ hooks: [{ type: "command", command: `touch ${marker}` }] }] },
    });
    const { ran, spans, served } = await traced(["--settings", settings, "[[scenario:bash]] named"], {
      CLAUDIA_DEBUG: "1",
    });
    assert.ok(existsSync(marker), "the user's hook ran");
    assert.doesNotMatch(ran.stderr, /\[claudia\] hook /, "no claudia hook was called");
    const session = root(spans).attributes["gen_ai.conversation.id"] as string;
    assert.match(session, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    // The transcript Claude Code wrote is the one claudia named, and the trace is all of it.
    const transcript = join(h.sandbox.home, ".claude", "projects", h.sandbox.work.replace(/[^a-zA-Z0-9]/g, "-"));
    assert.ok(existsSync(join(transcript, `${session}.jsonl`)));
    assert.equal(served.length, 2);
    assertChatSpansMatchServed(spans, served);
    assert.equal(named(spans, "execute_tool Bash").length, 1);
    assertTotalsAreSumOfCalls(spans, served);
  });

  test("--resume and --continue: the trace is this run's calls and totals, not the session's history", async () => {
    const first = await traced(["--output-format", "json", "[[scenario:bash]] first"]);
    const session = (JSON.parse(first.ran.stdout) as { session_id: string }).session_id;
    assert.equal(root(first.spans).attributes["gen_ai.conversation.id"], session);

    for (const [label, args] of [
      ["--resume", ["--resume", session, "[[scenario:text]] second"]],
      ["--continue", ["--continue", "[[scenario:text]] third"]],
      // A fork is a new session whose transcript starts with a copy of the history.
      ["--fork-session", ["--resume", session, "--fork-session", "[[scenario:text]] fourth"]],
    ] as const) {
      const next = await traced([...args, "--output-format", "json"], { CLAUDIA_DEBUG: "1" });
      assert.match(next.ran.stderr, /\[claudia\] hook UserPromptSubmit/, `${label}: found through the hook`);
      const r = root(next.spans);
      if (label === "--fork-session") assert.notEqual(r.attributes["gen_ai.conversation.id"], session, label);
      else assert.equal(r.attributes["gen_ai.conversation.id"], session, label);
      assert.equal(next.served.length, 1, label);
      assertChatSpansMatchServed(next.spans, next.served);
      assert.equal(named(next.spans, "execute_tool Bash").length, 0, `${label}: the first run's tool call is history`);
      assertTotalsAreSumOfCalls(next.spans, next.served);
      // The sum of this run's calls, each priced by Claude Code itself.
      assert.equal(r.attributes["claude_code.cost.source"], "claude_code", label);
      // Claude Code's own totals for the session include the earlier runs: they are larger.
      const result = JSON.parse(next.ran.stdout) as { total_cost_usd: number };
      assert.ok(result.total_cost_usd > Number(r.attributes["gen_ai.usage.cost"]), label);
      assert.equal(promptOf(r), args.at(-1), `${label}: the prompt is this run's`);
    }
  });

  test("--resume whose hooks are switched off (disableAllHooks), text output: the session from Claude Code's accounting", async () => {
    const first = await traced(["--output-format", "json", "[[scenario:bash]] before-hooks-off"]);
    const session = (JSON.parse(first.ran.stdout) as { session_id: string }).session_id;
    const settings = JSON.stringify({ disableAllHooks: true });
    const next = await traced(["--resume", session, "--settings", settings, "[[scenario:text]] hooks-off"], {
      CLAUDIA_DEBUG: "1",
    });
    assert.doesNotMatch(next.ran.stderr, /\[claudia\] hook /, "no hook came");
    const r = root(next.spans);
    assert.equal(r.attributes["gen_ai.conversation.id"], session);
    assert.equal(promptOf(r), "[[scenario:text]] hooks-off");
    assert.equal(next.served.length, 1);
    assertChatSpansMatchServed(next.spans, next.served);
    assertTotalsAreSumOfCalls(next.spans, next.served);
  });

  test("a run without a transcript carries nothing of the run before it in the same directory", async () => {
    const first = await traced(["--output-format", "json", "[[scenario:bash]] the-first-run-prompt"]);
    const firstRoot = root(first.spans);
    assert.equal(named(first.spans, "execute_tool Bash").length, 1);
    const firstTokens = firstRoot.attributes["gen_ai.usage.input_tokens"];

    // Started a moment later in the same directory: Claude Code writes no transcript at all.
    const ephemeral = await traced(
      ["--no-session-persistence", "--output-format", "json", "[[scenario:text]] the-ephemeral-prompt"],
      { CLAUDIA_DEBUG: "1" },
    );
    const result = JSON.parse(ephemeral.ran.stdout) as { session_id: string; total_cost_usd: number };
    const ephemeralRoot = root(ephemeral.spans);
    assert.match(ephemeral.ran.stderr, /no transcript for session/);
    // No transcript: the root, and the calls Claude Code's own accounting reported for this run.
    assert.deepEqual(ephemeral.spans.map((s) => s.name).sort(), ["chat claude-sonnet-4-5", "invoke_agent claude-code"]);
    const [call] = ephemeral.served;
    const chat = named(ephemeral.spans, "chat claude-sonnet-4-5")[0];
    assert.ok(call && chat && ephemeral.served.length === 1);
    const u = call.usage;
    assert.equal(
      chat.attributes["gen_ai.usage.input_tokens"],
      u.input_tokens + u.cache_read_input_tokens + u.cache_creation_input_tokens,
    );
    assert.equal(chat.attributes["gen_ai.usage.output_tokens"], u.output_tokens);
    assert.equal(ephemeralRoot.attributes["gen_ai.conversation.id"], result.session_id);
    assert.notEqual(result.session_id, firstRoot.attributes["gen_ai.conversation.id"]);
    // Its totals are Claude Code's report of this run, not the first run's transcript.
    assert.equal(ephemeralRoot.attributes["gen_ai.usage.cost"], result.total_cost_usd);
    assert.notEqual(ephemeralRoot.attributes["gen_ai.usage.input_tokens"], firstTokens);

    // Claude Code cannot start at all (the program is not executable).
    const notExecutable = join(h.sandbox.work, "not-executable");
    writeFileSync(notExecutable, "#!/bin/sh\nexit 0\n", { mode: 0o644 });
    const broken = await claudia(h.sandbox, [...BASE_ARGS, "[[scenario:text]] the-broken-prompt"], {
      CLAUDIA_CLAUDE_PATH: notExecutable,
    });
    assert.notEqual(broken.code, 0);
    assert.match(broken.stderr, /could not start Claude Code/);
    const brokenSpans = await waitForSpans(h.receiver.spans, traceIdFrom(broken.stderr));
    assert.equal(brokenSpans.length, 1, "the root span only");
    const brokenRoot = root(brokenSpans);
    assert.equal(brokenRoot.attributes["gen_ai.usage.input_tokens"], 0);
    assert.equal(brokenRoot.attributes["gen_ai.usage.cost"], undefined);
    assert.equal(brokenRoot.attributes["gen_ai.conversation.id"], undefined);

    for (const [label, ran, spans] of [
      ["--no-session-persistence", ephemeral.ran, ephemeral.spans],
      ["cannot start", broken, brokenSpans],
    ] as const) {
      const seen = JSON.stringify(spans) + ran.stderr;
      assert.doesNotMatch(seen, /the-first-run-prompt/, `${label}: the first run's prompt`);
      assert.doesNotMatch(seen, /hello-from-bash|execute_tool|Bash/, `${label}: the first run's tool call`);
    }
  });
});
