/**
 * Property-based tests of the argv splitter: thousands of generated mixes of Claude Code's
 * options, claudia's options and a prompt never crash, and Claude Code always receives its own
 * arguments unchanged and in order.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import fc from "fast-check";
import { splitArgv } from "../../src/cli/argv.ts";
import { parseHelp } from "../../src/cli/claude-help.ts";

const cli = parseHelp(readFileSync(join(import.meta.dirname, "fixtures", "claude-help-2.1.331.txt"), "utf8"));
const CLAUDIA_VALUE = ["--otel-endpoint", "--otel-headers", "--service-name"];
const CLAUDIA_FLAGS = ["--quiet", "--claudia-debug"];
const flags = cli.options
  .filter((o) => o.value === "none")
  .flatMap((o) => o.names)
  .filter((n) => !["-h", "--help", "-v", "--version"].includes(n));
const required = cli.options.filter((o) => o.value === "required" && !o.variadic).flatMap((o) => o.names);
const optionalOrVariadic = cli.options.filter((o) => o.value === "optional" || o.variadic).flatMap((o) => o.names);
const long = (names: string[]) => names.filter((n) => n.startsWith("--"));

const anyText = fc.string({ unit: "grapheme", maxLength: 12 });
const prompt = anyText.filter((s) => s !== "" && !s.startsWith("-") && !cli.commands.includes(s));

type Token = { claude: string[]; claudia?: [string, string | true] };
const token: fc.Arbitrary<Token> = fc.oneof(
  fc.constantFrom(...flags).map((f) => ({ claude: [f] })),
  fc.tuple(fc.constantFrom(...required), anyText).map(([o, v]) => ({ claude: [o, v] })),
  fc.tuple(fc.constantFrom(...long(required)), anyText).map(([o, v]) => ({ claude: [`${o}=${v}`] })),
  fc.tuple(fc.constantFrom(...long(optionalOrVariadic)), anyText).map(([o, v]) => ({ claude: [`${o}=${v}`] })),
  fc.tuple(fc.constantFrom(...CLAUDIA_VALUE), anyText, fc.boolean()).map(([o, v, joined]) => ({
    claude: [],
    claudia: [joined ? `${o}=${v}` : o, v] as [string, string],
  })),
  fc.constantFrom(...CLAUDIA_FLAGS).map((f) => ({ claude: [], claudia: [f, true] as [string, true] })),
);

test("generated option/prompt mixes: claude's arguments arrive unchanged, claudia's are taken, the prompt is found", () => {
  fc.assert(
    fc.property(fc.array(token, { maxLength: 8 }), prompt, fc.boolean(), (tokens, text, promptFirst) => {
      const argv: string[] = [];
      const expected: string[] = [];
      if (promptFirst) {
        argv.push(text);
        expected.push(text);
      }
      for (const t of tokens) {
        if (t.claudia) {
          const [name, value] = t.claudia;
          argv.push(name);
          if (value !== true && !name.includes("=")) argv.push(value);
        } else {
          argv.push(...t.claude);
          expected.push(...t.claude);
        }
      }
      if (!promptFirst) {
        argv.push(text);
        expected.push(text);
      }
      const split = splitArgv(argv, cli);
      assert.deepEqual(split.claudeArgs, expected);
      assert.deepEqual(split.positionals, [text]);
      for (const t of tokens) {
        if (!t.claudia) continue;
        const [name, value] = t.claudia;
        if (value === true) assert.equal(split.claudia[name === "--quiet" ? "quiet" : "debug"], true);
      }
    }),
    { numRuns: 3000 },
  );
});

test("any argv at all: the splitter never crashes unexpectedly and never drops or reorders claude's arguments", () => {
  const word = fc.oneof(
    anyText,
    fc.constantFrom(...flags, ...required, ...optionalOrVariadic, ...cli.commands, "--", "-", "-pc", "-r"),
  );
  fc.assert(
    fc.property(fc.array(word, { maxLength: 12 }), (argv) => {
      let split: ReturnType<typeof splitArgv>;
      try {
        split = splitArgv(argv, cli);
      } catch (error) {
        // Only a claudia option without its value may be refused, and only at the end.
        assert.match(String(error), /needs a value/);
        return;
      }
      // Claude's arguments are argv minus claudia's own options, in order.
      const claudiaFlags = new Set(["--quiet", "--claudia-debug", "--config", "--version", "-v", "--help", "-h"]);
      let i = 0;
      for (const arg of split.claudeArgs) {
        while (i < argv.length && argv[i] !== arg) {
          const skipped = argv[i] as string;
          const base = skipped.split("=")[0] as string;
          assert.ok(
            claudiaFlags.has(skipped) || CLAUDIA_VALUE.includes(base) || CLAUDIA_VALUE.includes(argv[i - 1] ?? ""),
            `dropped ${skipped}`,
          );
          i++;
        }
        assert.ok(i < argv.length, `claude got ${arg} that was not in argv`);
        i++;
      }
    }),
    { numRuns: 3000 },
  );
});
