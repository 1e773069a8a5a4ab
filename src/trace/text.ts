/**
 * Text from a session (prompts, tool descriptions, tool output) made safe to write to a terminal.
 */

/**
 * Escape sequences (CSI `ESC [ … final`, OSC `ESC ] … BEL|ESC \`, other `ESC x`), then every
 * remaining C0/C1 control character and DEL. Tabs and line feeds stay. Bounded, so linear.
 */
const SEQUENCE =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what this removes
  /\x1b\[[0-?]{0,64}[ -/]{0,16}[@-~]?|\x1b\][^\x07\x1b]{0,4096}(?:\x07|\x1b\\)?|\x1b[\s\S]?|\x9b[0-?]{0,64}[ -/]{0,16}[@-~]?|\x9d[^\x07\x1b\x9c]{0,4096}[\x07\x9c]?/g;
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what this removes
const CONTROL = /[\x00-\x08\x0b-\x1f\x7f-\x9f]/g;

/** `text` without terminal control sequences or control characters (tabs and newlines kept). */
export function stripControl(text: string): string {
  return text.replace(SEQUENCE, "").replace(CONTROL, "");
}

/**
 * A CI runner reads a log command anywhere in a line its step writes, stdout or stderr: GitHub
 * Actions `##[set-output name=…]`, `##[add-mask]`, `##[stop-commands]` (its older syntax, still
 * parsed), Azure Pipelines `##vso[task.setvariable …]`. Session text in claudia's own lines must
 * not become one: a space splits the `##`. (A space, not an invisible character: the runner's
 * culture-aware search skips those.) Its newer `::command::` form counts only at a line's start,
 * where claudia's lines always have their own prefix.
 */
export function inertRunnerCommands(line: string): string {
  return line.replace(/##(?=\[|vso\[)/gi, "# #");
}

/**
 * `text` cut to at most `max` UTF-16 units with an ellipsis, never between the two halves of a
 * surrogate pair (an emoji cut in half shows as U+FFFD).
 */
export function ellipsize(text: string, max: number): string {
  if (text.length <= max) return text;
  let end = Math.max(0, max - 1);
  const last = text.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end--;
  return `${text.slice(0, end)}…`;
}
