/**
 * The redaction figures' own section of bench/results.md, written by `npm run bench:redaction` and
 * kept when `npm run bench` rewrites the rest of the file.
 */
import { existsSync, readFileSync } from "node:fs";

const START = "<!-- redaction:start -->";
const END = "<!-- redaction:end -->";

/** The section in `markdown`, markers included, or "" when there is none. */
function sectionOf(markdown: string): string {
  const start = markdown.indexOf(START);
  const end = markdown.indexOf(END, start);
  return start >= 0 && end > start ? markdown.slice(start, end + END.length) : "";
}

/** `markdown` with `section` (its body, without markers) in place of the old one, or appended. */
export function withRedactionSection(markdown: string, section: string): string {
  const block = `${START}\n${section.trim()}\n${END}`;
  const old = sectionOf(markdown);
  return old ? markdown.replace(old, block) : `${markdown.trimEnd()}\n\n${block}\n`;
}

/** `markdown` (a new results.md) with the redaction section of the file at `path`, if it has one. */
export function keepRedactionSection(markdown: string, path: string | URL): string {
  const old = existsSync(path) ? sectionOf(readFileSync(path, "utf8")) : "";
  return old ? `${markdown.trimEnd()}\n\n${old}\n` : markdown;
}
