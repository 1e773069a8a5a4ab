/**
 * How the browser reaches the viewer without its token on a command line, which other local users
 * can read: the browser is given a page in a private file (0600, in a new 0700 folder) that
 * forwards to the token's address. The file is removed when the viewer stops.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

export interface LaunchPage {
  /** The page's `file:` URL, for the browser's command line. */
  url: string;
  remove(): void;
}

const escapeAttribute = (text: string) =>
  text.replace(/&/g, "&amp;").replace(/"/g, "&quot;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

/** A private page that forwards to `target`; undefined when it cannot be written (the printed URL is enough). */
export function writeLaunchPage(target: string, dir = tmpdir()): LaunchPage | undefined {
  let folder: string | undefined;
  try {
    folder = mkdtempSync(join(dir, "claudia-ui-"));
    const path = join(folder, "open.html");
    const href = escapeAttribute(target);
    const html =
      '<!doctype html><meta charset="utf-8"><meta name="referrer" content="no-referrer">' +
      `<meta http-equiv="refresh" content="0;url=${href}"><title>claudia traces ui</title>` +
      `<p><a href="${href}">Open the trace viewer</a></p>\n`;
    // A new file only (never one planted in its place), readable by its owner alone.
    writeFileSync(path, html, { mode: 0o600, flag: "wx" });
    const made = folder;
    return { url: pathToFileURL(path).href, remove: () => rmSync(made, { recursive: true, force: true }) };
  } catch {
    if (folder) rmSync(folder, { recursive: true, force: true });
    return undefined;
  }
}
