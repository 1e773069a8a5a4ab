/**
 * The system prompt options as texts: the CLI's options and files (read bounded, regular files
 * only) and the library's `systemPrompt` shapes.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import {
  MAX_PROMPT_FILE_BYTES,
  readPromptFile,
  systemPromptOfArgs,
  systemPromptOfOption,
} from "../../src/sources/system-prompt.ts";

test("command-line options: the replaced prompt first, then the appended ones, files read", () => {
  const dir = mkdtempSync(join(tmpdir(), "claudia-sp-"));
  writeFileSync(join(dir, "extra.md"), "from a file");
  const warnings: string[] = [];
  const texts = systemPromptOfArgs(
    [
      { option: "--append-system-prompt-file", value: "extra.md" },
      { option: "--system-prompt", value: "You are terse." },
      { option: "--append-system-prompt-file", value: "missing.md" },
    ],
    dir,
    (m) => warnings.push(m),
  );
  assert.deepEqual(texts, ["You are terse.", "from a file"]);
  assert.equal(warnings.length, 1);
  assert.match(warnings[0] as string, /missing\.md: ENOENT/);
});

test("a prompt file is read up to the bound, and only when it is a regular file", () => {
  const dir = mkdtempSync(join(tmpdir(), "claudia-sp-"));
  writeFileSync(join(dir, "big.md"), "x".repeat(MAX_PROMPT_FILE_BYTES + 10));
  assert.equal((readPromptFile(join(dir, "big.md")) as string).length, MAX_PROMPT_FILE_BYTES);
  assert.deepEqual(readPromptFile(dir), { error: "not a regular file" });
  execFileSync("mkfifo", [join(dir, "fifo")]);
  // A FIFO with no writer would block a plain read; it is refused at once.
  assert.deepEqual(readPromptFile(join(dir, "fifo")), { error: "not a regular file" });
});

test("the library's systemPrompt shapes", () => {
  assert.deepEqual(systemPromptOfOption("Be brief."), ["Be brief."]);
  assert.deepEqual(systemPromptOfOption(["static", "__SYSTEM_PROMPT_DYNAMIC_BOUNDARY__", "dynamic"]), [
    "static",
    "dynamic",
  ]);
  assert.deepEqual(systemPromptOfOption({ type: "preset", preset: "claude_code", append: "Explain." }), ["Explain."]);
  assert.deepEqual(systemPromptOfOption({ type: "preset", preset: "claude_code" }), []);
  assert.deepEqual(systemPromptOfOption({ type: "custom", prompt: "Release bot." }), ["Release bot."]);
  assert.deepEqual(systemPromptOfOption(undefined), []);
});
