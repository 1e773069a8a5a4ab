/**
 * What redacts a text (redact.ts makes the real one), and the one that changes nothing. Apart from
 * redact.ts so that code which only takes a redactor (the progress lines, loaded before Claude Code
 * starts) does not build the secret rules.
 */
import { cutWithMarker } from "./content.ts";

export interface Redactor {
  (text: string): string;
  /** False when redaction is switched off. */
  readonly enabled: boolean;
  /** How far past a cut `head` reads: longer than any built-in secret or configured value. */
  readonly margin: number;
  /**
   * The first `maxLength` characters of the redacted text, and the redacted text's length (exact
   * when the whole text was read, else counting the unread rest as it is). Reads only as much of
   * `text` as that takes, plus a margin longer than any built-in secret, so a secret across the cut
   * is still found.
   */
  head(text: string, maxLength: number): { head: string; total: number };
  /** `redact(text)` cut to `maxLength` with a `…[N more chars]` marker, reading only a bounded prefix. */
  redactAndCut(text: string, maxLength: number): string;
}

/** A redactor that changes nothing (redaction switched off). */
export const noRedaction: Redactor = Object.assign((text: string) => text, {
  enabled: false,
  margin: 0,
  head: (text: string, maxLength: number) => ({ head: text.slice(0, maxLength), total: text.length }),
  redactAndCut: (text: string, maxLength: number) => cutWithMarker(text, text.length, maxLength),
});
