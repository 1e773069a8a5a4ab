/**
 * The options Claude Code names in its resume line, read from the user's own arguments with the
 * bundled binary's option table.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { BUNDLED_CLI } from "../../src/cli/claude-cli-table.ts";
import { resumeHintEnv, resumeHintFlags } from "../../src/cli/resume-hint.ts";
import { resolveClaudePath } from "../../src/sources/claude-binary.ts";

const cli = { options: [...BUNDLED_CLI.options, ...BUNDLED_CLI.hidden], commands: BUNDLED_CLI.commands };
const flags = (args: string[]) => resumeHintFlags(args, cli);

describe("resume line options", () => {
  test("the user's options with their values, in their order", () => {
    assert.equal(
      flags(["--model", "claude-sonnet-4-5", "--dangerously-skip-permissions", "--settings", "/home/u/s.json"]),
      "--model claude-sonnet-4-5 --dangerously-skip-permissions --settings /home/u/s.json",
    );
    assert.equal(flags(["--add-dir", "a", "b", "--model=opus"]), "--add-dir a b --model=opus");
    assert.equal(flags([]), "");
  });

  test("the session's own options and any prompt are left out", () => {
    assert.equal(flags(["--continue", "--model", "opus"]), "--model opus");
    assert.equal(flags(["-r", "1b0e6a53-0000-4000-8000-000000000000", "--verbose"]), "--verbose");
    assert.equal(flags(["fix the bug", "--verbose"]), "--verbose");
    assert.equal(flags(["--verbose", "--", "--model", "opus"]), "--verbose");
  });

  test("none at all when one of them cannot be written back as it was", () => {
    assert.equal(flags(["--model", "opus", "--settings", '{"hooks":{}}']), "", "a value with quotes and spaces");
    assert.equal(flags(["--nonexistent-option", "--model", "opus"]), "", "an option it does not know");
    assert.equal(flags(["--model", "opus", "--agent-id", "x"]), "", "an option of a team's agent");
    assert.equal(flags(["--mcp-config", "/dev/fd/3"]), "", "a device");
    assert.equal(flags(["--model"]), "", "a missing value");
  });

  test("set for the bundled binary only, and never over the user's own", () => {
    const bundled = resolveClaudePath({});
    assert.deepEqual(resumeHintEnv(bundled, ["--verbose"], {}), {
      CLAUDE_CODE_RELAUNCH_RESUME_HINT_FLAGS: "--verbose",
    });
    assert.deepEqual(resumeHintEnv(bundled, ["--verbose"], { CLAUDE_CODE_RELAUNCH_RESUME_HINT_FLAGS: "" }), {});
    assert.deepEqual(resumeHintEnv("/usr/local/bin/claude", ["--verbose"], {}), {});
  });
});
