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
import { ArgvError, splitArgv } from "../../src/cli/argv.ts";
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

/** Every option claudia takes for itself. */
const CLAUDIA_OWN_FLAGS = ["--quiet", "--claudia-debug", "--config", "--version", "-v", "--help", "-h"];
const CLAUDIA_OWN_VALUES = ["--otel-endpoint", "--otel-headers", "--service-name", "--logfire-token", "--sentry-dsn"];
/** claudia's option values are marked, so that the check below can tell them from Claude Code's arguments. */
const CLAUDIA_VALUE_MARK = "claudia-value-";

test("any argv at all: the splitter never crashes unexpectedly and never drops or reorders claude's arguments", () => {
  const chunk: fc.Arbitrary<string[]> = fc.oneof(
    anyText.map((t) => [t]),
    fc
      .constantFrom(...flags, ...required, ...optionalOrVariadic, ...cli.commands, "--", "-", "-pc", "-r")
      .map((t) => [t]),
    fc.constantFrom(...CLAUDIA_OWN_FLAGS).map((t) => [t]),
    fc
      .tuple(fc.constantFrom(...CLAUDIA_OWN_VALUES), fc.nat(99), fc.boolean())
      .map(([o, n, joined]) => (joined ? [`${o}=${CLAUDIA_VALUE_MARK}${n}`] : [o, `${CLAUDIA_VALUE_MARK}${n}`])),
  );
  // A claudia option left without its value, at the very end, is the one argv the splitter may refuse.
  const argvs = fc
    .tuple(fc.array(chunk, { maxLength: 12 }), fc.option(fc.constantFrom(...CLAUDIA_OWN_VALUES), { nil: undefined }))
    .map(([chunks, last]) => [...chunks.flat(), ...(last ? [last] : [])]);
  let checked = 0;
  fc.assert(
    fc.property(argvs, (argv) => {
      let split: ReturnType<typeof splitArgv>;
      try {
        split = splitArgv(argv, cli);
      } catch (error) {
        // Only the splitter's own refusal, of a claudia option without its value, and only at the end.
        assert.ok(error instanceof ArgvError, `not the splitter's refusal: ${String(error)}`);
        const refused = /^(\S+) needs a value$/.exec(error.message)?.[1];
        assert.ok(refused && CLAUDIA_OWN_VALUES.includes(refused), error.message);
        assert.equal(argv.at(-1), refused, "refused only when it ends the command line");
        return;
      }
      // claudia's own may be taken out of argv; everything else is Claude Code's, in order, to the last one.
      const claudias = (k: number) => {
        const word = argv[k] as string;
        if (CLAUDIA_OWN_FLAGS.includes(word) || CLAUDIA_OWN_VALUES.includes(word)) return true;
        if (CLAUDIA_OWN_VALUES.includes(word.split("=")[0] as string) && word.includes("=")) return true;
        return word.startsWith(CLAUDIA_VALUE_MARK) && CLAUDIA_OWN_VALUES.includes(argv[k - 1] ?? "");
      };
      let i = 0;
      for (const arg of split.claudeArgs) {
        while (i < argv.length && argv[i] !== arg) {
          assert.ok(claudias(i), `dropped ${argv[i]}`);
          i++;
        }
        assert.ok(i < argv.length, `claude got ${arg} that was not in argv`);
        i++;
        checked++;
      }
      for (; i < argv.length; i++) assert.ok(claudias(i), `dropped ${argv[i]} after claude's last argument`);
    }),
    { numRuns: 3000 },
  );
  assert.ok(checked > 3000, `claude arguments were checked (${checked})`);
});
