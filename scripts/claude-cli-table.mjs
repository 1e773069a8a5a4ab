#!/usr/bin/env node
/**
 * Writes src/cli/claude-cli-table.ts: the options and subcommands of the Claude Code binary the
 * Agent SDK bundles, read from that binary (its `--help`, and the option definitions it hides from
 * `--help`). claudia uses this table whenever it runs the bundled binary, so no run has to learn it.
 *
 * Run by `npm run build` after tsc (it uses the compiled parser in dist/cli/). The file is committed:
 * it is written again only when the pinned Agent SDK's version changes (or with
 * CLAUDIA_CLI_TABLE=rebuild), and test/unit/claude-help.test.ts checks that it still matches the
 * installed binary.
 */
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";

const { parseHelp, hiddenOptions, readHelp } = await import("../dist/cli/claude-help.js");
const { resolveClaudePath } = await import("../dist/sources/claude-binary.js");

const TABLE = "src/cli/claude-cli-table.ts";

let binary;
try {
  binary = resolveClaudePath({});
} catch (error) {
  process.stderr.write(`claude-cli-table: ${error.message}; keeping ${TABLE} as it is\n`);
  process.exit(0);
}
const pkg = JSON.parse(readFileSync(join(dirname(binary), "package.json"), "utf8"));
const current = await import("../dist/cli/claude-cli-table.js").then(
  (m) => m.BUNDLED_CLI,
  () => undefined,
);
// Written for this very package version already (test/unit/claude-help.test.ts checks it still
// matches the binary): reading the ~400 MB binary again would only slow every build down.
if (current?.packageVersion === pkg.version && process.env.CLAUDIA_CLI_TABLE !== "rebuild") process.exit(0);
const help = parseHelp(readHelp(binary, process.env));
const listed = new Set(help.options.flatMap((o) => o.names));
const hidden = hiddenOptions(binary).filter((o) => !o.names.some((n) => listed.has(n)));
if (help.options.length === 0) throw new Error(`${binary} --help listed no options`);
const table = {
  packageVersion: pkg.version,
  claudeVersion: execFileSync(binary, ["--version"], { encoding: "utf8" }).trim().split(" ")[0],
  commands: help.commands,
  options: help.options,
  hidden,
};
const text = [
  "// Written by scripts/claude-cli-table.mjs (npm run build) from the bundled Claude Code: do not edit.",
  'import type { BundledCli } from "./claude-help.ts";',
  "",
  `export const BUNDLED_CLI: BundledCli = ${JSON.stringify(table, null, 2)};`,
  "",
].join("\n");

if (JSON.stringify(current) !== JSON.stringify(table)) {
  // The command's bundle (next build step) reads src/, so it gets the new table right away.
  writeFileSync(TABLE, text);
  execFileSync(join("node_modules", ".bin", "biome"), ["format", "--write", TABLE], { stdio: "ignore" });
  process.stderr.write(`claude-cli-table: ${TABLE} written for Claude Code ${table.claudeVersion}\n`);
}
