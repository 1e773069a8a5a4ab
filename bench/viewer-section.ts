/**
 * bench/results.md's viewer section is written by `npm run bench:ui`, the rest by `npm run bench`:
 * each keeps the other's part when it rewrites the file.
 */
import { readFileSync } from "node:fs";

export const VIEWER_HEADING = "## Viewer: first render of the runs list";

/** The viewer section of the file at `path` (from its heading to the next one or the end), or "". */
export function viewerSection(path: string | URL): string {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch {
    return "";
  }
  const start = text.indexOf(VIEWER_HEADING);
  if (start < 0) return "";
  const body = text.slice(start + VIEWER_HEADING.length);
  const next = body.search(/^## /m);
  return `${VIEWER_HEADING}${next < 0 ? body : body.slice(0, next)}`.trimEnd();
}

/** `rendered` (the rest of the file, new) with the viewer section of the file at `path` kept at its end. */
export function withViewerSection(rendered: string, path: string | URL): string {
  const section = viewerSection(path);
  return section === "" ? rendered : `${rendered.trimEnd()}\n\n${section}\n`;
}
