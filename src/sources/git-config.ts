/**
 * The URL of remote "origin" from a git config file's text, read the way git reads it: section and
 * key names in any case, values with `;` or `#` comments after them, double quotes and backslash
 * escapes. Only what this needs: no includes, no values continued on the next line.
 */

/** Whether a section header's text (between `[` and `]`) is remote "origin", in either syntax. */
function isOriginSection(header: string): boolean {
  const match = /^\s*([\w.-]+)(?:\s+"((?:[^"\\]|\\.)*)")?\s*$/.exec(header);
  if (!match?.[1]) return false;
  const name = match[1].toLowerCase();
  // `[remote "origin"]`; the old `[remote.origin]` (its subsection in lower case).
  return match[2] === undefined ? name === "remote.origin" : name === "remote" && match[2] === "origin";
}

/**
 * A value as git's config parser makes it: whitespace around it dropped, whitespace inside kept,
 * `"…"` quoting (where `;` and `#` are text), `\"`, `\\`, `\n`, `\t`, `\b`, and a comment from an
 * unquoted `;` or `#` to the end of the line. Undefined where git would refuse the line.
 */
export function configValue(raw: string): string | undefined {
  let value = "";
  let quoted = false;
  let spaces = "";
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i] as string;
    if (!quoted && /\s/.test(c)) {
      if (value) spaces += " ";
      continue;
    }
    if (!quoted && (c === ";" || c === "#")) break;
    value += spaces;
    spaces = "";
    if (c === '"') quoted = !quoted;
    else if (c === "\\") {
      const escaped = ({ '"': '"', "\\": "\\", n: "\n", t: "\t", b: "\b" } as Record<string, string>)[raw[++i] ?? ""];
      if (escaped === undefined) return undefined;
      value += escaped;
    } else value += c;
  }
  return quoted ? undefined : value;
}

/** The URL of remote "origin" (its first `url`, the one git fetches from) in a git config's text. */
export function originUrl(config: string | undefined): string | undefined {
  let inOrigin = false;
  for (const line of config?.split("\n") ?? []) {
    const header = /^\s*\[([^\]]*)\]\s*(?:[;#].*)?$/.exec(line);
    if (header) inOrigin = isOriginSection(header[1] ?? "");
    else if (inOrigin) {
      const entry = /^\s*([A-Za-z][\w-]*)\s*=(.*)$/.exec(line);
      if (entry?.[1]?.toLowerCase() === "url") {
        const url = configValue(entry[2] ?? "");
        if (url) return url;
      }
    }
  }
  return undefined;
}
