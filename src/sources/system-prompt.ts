/**
 * The system prompt a user gave Claude Code, as texts for `gen_ai.system_instructions`: the CLI's
 * `--system-prompt`, `--append-system-prompt` and their `-file` variants, or the library's
 * `systemPrompt` option. Only what the user wrote: Claude Code's own default prompt, which an
 * appended text extends, is not reported to claudia.
 */
import { closeSync, constants, fstatSync, openSync, readSync } from "node:fs";
import { resolve } from "node:path";

/** The options that carry a system prompt, text or file. */
export const SYSTEM_PROMPT_OPTIONS = new Set([
  "--system-prompt",
  "--system-prompt-file",
  "--append-system-prompt",
  "--append-system-prompt-file",
]);

/** The most of a system prompt file read (bytes): the rest is cut like any captured text. */
export const MAX_PROMPT_FILE_BYTES = 256 * 1024;

/** The marker the Agent SDK lets callers put between the static and dynamic parts of a prompt. */
const DYNAMIC_BOUNDARY = "__SYSTEM_PROMPT_DYNAMIC_BOUNDARY__";

/**
 * The texts of the system prompt options on a command line, in their order (a replaced prompt
 * first, as Claude Code applies it, then the appended ones). A file that cannot be read is
 * skipped with a warning: telemetry never stops the run.
 */
export function systemPromptOfArgs(
  values: readonly { option: string; value: string }[],
  cwd: string,
  warn: (message: string) => void,
): string[] {
  const texts: string[] = [];
  const ordered = [
    ...values.filter((v) => !v.option.startsWith("--append")),
    ...values.filter((v) => v.option.startsWith("--append")),
  ];
  for (const { option, value } of ordered) {
    if (!option.endsWith("-file")) {
      texts.push(value);
      continue;
    }
    const text = readPromptFile(resolve(cwd, value));
    if (typeof text === "string") texts.push(text);
    else warn(`${option} ${value}: ${text.error}; not recorded in the trace`);
  }
  return texts.filter((t) => t !== "");
}

/**
 * A prompt file's text, at most `MAX_PROMPT_FILE_BYTES`: a regular file only (a FIFO or device would
 * block or never end), opened without blocking.
 */
export function readPromptFile(path: string): string | { error: string } {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (error) {
    return { error: (error as NodeJS.ErrnoException).code ?? "cannot open" };
  }
  try {
    if (!fstatSync(fd).isFile()) return { error: "not a regular file" };
    const buffer = Buffer.alloc(MAX_PROMPT_FILE_BYTES);
    let length = 0;
    while (length < buffer.length) {
      const read = readSync(fd, buffer, length, buffer.length - length, null);
      if (read === 0) break;
      length += read;
    }
    return buffer.subarray(0, length).toString("utf8");
  } catch (error) {
    return { error: (error as NodeJS.ErrnoException).code ?? "cannot read" };
  } finally {
    closeSync(fd);
  }
}

/** The texts of the Agent SDK's `systemPrompt` option (a string, strings, a custom or a preset prompt). */
export function systemPromptOfOption(option: unknown): string[] {
  const texts = (value: unknown): string[] => {
    if (typeof value === "string") return [value];
    if (Array.isArray(value)) return value.filter((v): v is string => typeof v === "string");
    return [];
  };
  if (option === null || typeof option !== "object" || Array.isArray(option)) {
    return texts(option).filter((t) => t !== "" && t !== DYNAMIC_BOUNDARY);
  }
  const prompt = option as { type?: unknown; prompt?: unknown; append?: unknown };
  const found = prompt.type === "preset" ? texts(prompt.append) : texts(prompt.prompt);
  return found.filter((t) => t !== "" && t !== DYNAMIC_BOUNDARY);
}
