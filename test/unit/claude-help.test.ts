import assert from "node:assert/strict";
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { after, describe, test } from "node:test";
import { splitArgv } from "../../src/cli/argv.ts";
import { BUNDLED_CLI } from "../../src/cli/claude-cli-table.ts";
import {
  bundledCli,
  hiddenOptions,
  isClaudeCli,
  learnClaudeCli,
  parseHelp,
  readHelp,
} from "../../src/cli/claude-help.ts";
import { resolveClaudePath } from "../../src/sources/claude-binary.ts";

const binary = resolveClaudePath({});
const base = mkdtempSync(join(tmpdir(), "claudia-help-"));
after(() => rmSync(base, { recursive: true, force: true }));
const help = readFileSync(join(import.meta.dirname, "fixtures", "claude-help-2.1.331.txt"), "utf8");

/** A Claude Code that is not the bundled one: prints `text` for --help. */
function otherClaude(name: string, text: string): string {
  const dir = join(base, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "help.txt"), text);
  const path = join(dir, "claude");
  writeFileSync(path, `#!/bin/sh\ncat "${join(dir, "help.txt")}"\n`);
  chmodSync(path, 0o755);
  return path;
}

const cacheFiles = (env: NodeJS.ProcessEnv) => {
  try {
    return readdirSync(join(env.XDG_CACHE_HOME as string, "claudia"));
  } catch {
    return [];
  }
};

describe("the bundled Claude Code's table", () => {
  test("matches the installed bundled binary: its --help, its hidden options, its version", () => {
    const pkg = JSON.parse(readFileSync(join(dirname(binary), "package.json"), "utf8")) as { version: string };
    assert.equal(BUNDLED_CLI.packageVersion, pkg.version);
    const listed = parseHelp(readHelp(binary, process.env));
    assert.deepEqual(BUNDLED_CLI.options, listed.options);
    assert.deepEqual(BUNDLED_CLI.commands, listed.commands);
    const names = new Set(listed.options.flatMap((o) => o.names));
    const hidden = hiddenOptions(binary).filter((o) => !o.names.some((n) => names.has(n)));
    assert.deepEqual(BUNDLED_CLI.hidden, hidden);
    assert.ok(BUNDLED_CLI.hidden.some((o) => o.names.includes("--max-turns")));
  });

  test("is used for the bundled binary: nothing is run, nothing cached", () => {
    const env = { XDG_CACHE_HOME: join(base, "cache-bundled") };
    const cli = learnClaudeCli(binary, env);
    assert.deepEqual(cli, bundledCli(binary));
    assert.deepEqual(cacheFiles(env), []);
    assert.deepEqual(splitArgv(["--max-turns", "3", "-p", "go"], cli).positionals, ["go"]);
  });

  test("is not used for a binary of another version", () => {
    assert.equal(bundledCli(binary, { ...BUNDLED_CLI, packageVersion: "0.0.1" }), undefined);
    assert.equal(bundledCli(otherClaude("plain", help)), undefined);
  });
});

describe("learning another binary", () => {
  test("reads its --help, adds the bundled version's hidden options and caches the result", () => {
    const env = { XDG_CACHE_HOME: join(base, "cache-other") };
    const claude = otherClaude("other", help.replace("  --model <model>", "  --novel-option <x>\n  --model <model>"));
    const cli = learnClaudeCli(claude, env);
    assert.equal(cli.options.find((o) => o.names.includes("--novel-option"))?.value, "required");
    assert.ok(cli.options.some((o) => o.names.includes("--max-turns")));
    assert.equal(cacheFiles(env).length, 1);
    // Cached: the same table although the binary's --help now prints nothing (same path, size unchanged).
    writeFileSync(join(dirname(claude), "help.txt"), "");
    assert.deepEqual(learnClaudeCli(claude, env), cli);
  });

  test("a cache file of the wrong shape is ignored and learned again", () => {
    const env = { XDG_CACHE_HOME: join(base, "cache-bad") };
    const claude = otherClaude("bad-cache", help);
    const good = learnClaudeCli(claude, env);
    const [file] = cacheFiles(env);
    assert.ok(file);
    for (const bad of ['{"options":[{}],"commands":[]}', '{"options":[],"commands":[]}', "[1]", "{", '"x"']) {
      writeFileSync(join(env.XDG_CACHE_HOME, "claudia", file), bad);
      const cli = learnClaudeCli(claude, env);
      assert.deepEqual(cli, good, bad);
      assert.deepEqual(splitArgv(["--model", "m", "go"], cli).positionals, ["go"]);
    }
  });

  test("isClaudeCli accepts only a table of options and commands", () => {
    assert.ok(isClaudeCli({ options: [{ names: ["-p"], value: "none", variadic: false }], commands: [] }));
    assert.ok(!isClaudeCli({ options: [{ names: ["-p"], value: "maybe", variadic: false }], commands: [] }));
    assert.ok(!isClaudeCli({ options: [{ names: [], value: "none", variadic: false }], commands: [] }));
    assert.ok(!isClaudeCli({ options: [{ names: ["-p"], value: "none", variadic: false }], commands: [1] }));
    assert.ok(!isClaudeCli(null));
  });
});
