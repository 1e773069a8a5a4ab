/**
 * Sections of bench/results.md that their own benchmarks write (`npm run bench:redaction`,
 * `npm run bench:ui`), each between `<!-- name:start -->` and `<!-- name:end -->`, kept when
 * `npm run bench` rewrites the rest of the file.
 */
import { existsSync, readFileSync } from "node:fs";

const BLOCK = /<!-- ([a-z-]+):start -->[\s\S]*?<!-- \1:end -->/g;

/** `markdown` with the section `name` set to `body` (in place, or appended). */
export function withSection(markdown: string, name: string, body: string): string {
  const block = `<!-- ${name}:start -->\n${body.trim()}\n<!-- ${name}:end -->`;
  const old = [...markdown.matchAll(BLOCK)].find((m) => m[1] === name)?.[0];
  return old ? markdown.replace(old, () => block) : `${markdown.trimEnd()}\n\n${block}\n`;
}

/** `markdown` (a new results.md) with every section of the file at `path` kept at its end. */
export function keepSections(markdown: string, path: string | URL): string {
  const old = existsSync(path) ? [...readFileSync(path, "utf8").matchAll(BLOCK)].map((m) => m[0]) : [];
  return old.length > 0 ? `${markdown.trimEnd()}\n\n${old.join("\n\n")}\n` : markdown;
}
