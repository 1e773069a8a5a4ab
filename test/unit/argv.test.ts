import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, test } from "node:test";
import { ArgvError, splitArgv } from "../../src/cli/argv.ts";
import { hiddenOptions, parseHelp } from "../../src/cli/claude-help.ts";
import { resolveClaudePath } from "../../src/sources/claude-binary.ts";

const help = readFileSync(join(import.meta.dirname, "fixtures", "claude-help-2.1.331.txt"), "utf8");
const cli = parseHelp(help);

describe("parseHelp", () => {
  test("learns value-taking, optional and variadic options and the subcommands", () => {
    const spec = (name: string) => cli.options.find((o) => o.names.includes(name));
    assert.deepEqual(spec("--model"), { names: ["--model"], value: "required", variadic: false });
    assert.deepEqual(spec("-r"), { names: ["-r", "--resume"], value: "optional", variadic: false });
    assert.deepEqual(spec("--allowedTools"), {
      names: ["--allowedTools", "--allowed-tools"],
      value: "required",
      variadic: true,
    });
    assert.equal(spec("--verbose")?.value, "none");
    assert.equal(spec("-p")?.value, "none");
    for (const command of ["mcp", "doctor", "update", "upgrade", "install", "plugin", "plugins", "auth"]) {
      assert.ok(cli.commands.includes(command), command);
    }
    assert.ok(!cli.commands.includes("prompt"));
  });
});

describe("hiddenOptions", () => {
  test("options Claude Code hides from --help are read from the installed binary", () => {
    const hidden = hiddenOptions(resolveClaudePath());
    assert.deepEqual(
      hidden.find((o) => o.names.includes("--max-turns")),
      { names: ["--max-turns"], value: "required", variadic: false },
    );
    const s = splitArgv(["--max-turns", "3", "go"], { ...cli, options: [...cli.options, ...hidden] });
    assert.deepEqual(s.positionals, ["go"]);
  });
});

describe("splitArgv", () => {
  test("claude's options pass through unchanged and in order; claudia's are taken out", () => {
    const argv = [
      "--quiet",
      "--model",
      "opus",
      "-c",
      "--otel-endpoint=http://x:4318",
      "--max-budget-usd",
      "3",
      "fix it",
    ];
    const s = splitArgv(argv, cli);
    assert.deepEqual(s.claudeArgs, ["--model", "opus", "-c", "--max-budget-usd", "3", "fix it"]);
    assert.deepEqual(s.positionals, ["fix it"]);
    assert.equal(s.claudia.quiet, true);
    assert.equal(s.claudia.otelEndpoint, "http://x:4318");
    assert.equal(s.model, "opus");
    assert.equal(s.hasPrint, false);
  });

  test("options claudia has never seen pass through; --flag=value always works", () => {
    const s = splitArgv(["--brand-new-flag", "--output-format=json", "hello"], cli);
    assert.deepEqual(s.claudeArgs, ["--brand-new-flag", "--output-format=json", "hello"]);
    assert.equal(s.outputFormat, "json");
    assert.deepEqual(s.positionals, ["hello"]);
  });

  test("a value that starts like an option still belongs to its option", () => {
    const s = splitArgv(["--append-system-prompt", "-be brief-", "go"], cli);
    assert.deepEqual(s.positionals, ["go"]);
  });

  test("short options reach claude as written, combined or not", () => {
    const s = splitArgv(["-pc", "-r", "abc", "go"], cli);
    assert.deepEqual(s.claudeArgs, ["-pc", "-r", "abc", "go"]);
    assert.equal(s.hasPrint, true);
    assert.deepEqual(s.positionals, ["go"]);
  });

  test("a variadic option takes following words, and that is reported as ambiguous", () => {
    const s = splitArgv(["--allowedTools", "Bash", "Edit", "fix the bug"], cli);
    assert.deepEqual(s.positionals, []);
    assert.deepEqual(
      s.greedy.map((g) => g.value),
      ["Bash", "Edit", "fix the bug"],
    );
  });

  test("a claudia option between a variadic option's words does not end them: Claude Code never sees it", () => {
    const s = splitArgv(["--allowedTools", "Bash", "--quiet", "fix the bug"], cli);
    assert.equal(s.claudia.quiet, true);
    assert.deepEqual(s.claudeArgs, ["--allowedTools", "Bash", "fix the bug"]);
    assert.deepEqual(s.positionals, [], "Claude Code reads the words as tools, so there is no prompt");
    assert.deepEqual(
      s.greedy.map((g) => g.value),
      ["Bash", "fix the bug"],
    );
    const valued = splitArgv(
      ["--disallowedTools", "Edit", "--otel-endpoint", "http://x", "Write", "--model", "m", "go"],
      cli,
    );
    assert.equal(valued.claudia.otelEndpoint, "http://x");
    assert.deepEqual(valued.claudeArgs, ["--disallowedTools", "Edit", "Write", "--model", "m", "go"]);
    assert.deepEqual(valued.positionals, ["go"]);
  });

  test("an optional value given after a claudia option is still the option's; one given already ends it", () => {
    const open = splitArgv(["--debug", "--quiet", "api"], cli);
    assert.deepEqual(open.claudeArgs, ["--debug", "api"]);
    assert.deepEqual(open.positionals, []);
    const given = splitArgv(["--debug", "api", "--quiet", "fix the bug"], cli);
    assert.deepEqual(given.positionals, ["fix the bug"]);
    const short = splitArgv(["-r", "--claudia-debug", "abc"], cli);
    assert.deepEqual(short.claudeArgs, ["-r", "abc"]);
    assert.deepEqual(short.positionals, []);
    const closed = splitArgv(["--model", "m", "--quiet", "fix the bug"], cli);
    assert.deepEqual(closed.positionals, ["fix the bug"], "a required value was taken: the word is the prompt");
  });

  test("claude subcommands are recognised; everything after them is theirs", () => {
    const s = splitArgv(["mcp", "list", "--quiet"], cli);
    assert.equal(s.subcommand, "mcp");
    assert.deepEqual(s.claudeArgs, ["mcp", "list", "--quiet"]);
    assert.equal(s.claudia.quiet, false);
  });

  test("after --, everything is positional", () => {
    const s = splitArgv(["--model", "x", "--", "--quiet"], cli);
    assert.deepEqual(s.positionals, ["--quiet"]);
    assert.equal(s.claudia.quiet, false);
    assert.deepEqual(s.claudeArgs, ["--model", "x", "--", "--quiet"]);
  });

  test("a claudia option without its value is a clear error", () => {
    assert.throws(() => splitArgv(["--otel-endpoint"], cli), ArgvError);
  });

  test("the options given are known by their long names, in clusters and with values too", () => {
    const s = splitArgv(["-cp", "--model=x", "-r", "abc", "--fork-session", "--quiet", "go"], cli);
    assert.deepEqual([...s.options].sort(), ["--continue", "--fork-session", "--model", "--print", "--resume"]);
    assert.deepEqual(s.positionals, ["go"]);
    assert.deepEqual(splitArgv(["go", "--", "--resume"], cli).options, new Set());
  });
});
