/**
 * The longest stretch of text a regular expression can read from where a match attempt starts:
 * finite only when every quantifier has an upper bound and there is no back-reference. Redaction
 * uses it to prove its patterns cannot backtrack over unbounded input, and to size the margin it
 * scans past a cut.
 *
 * Understands the syntax the redaction patterns use (groups, look-arounds, classes, escapes,
 * `* + ? {n} {n,} {n,m}` with or without `?`); anything else counts as one character.
 */

interface Cursor {
  source: string;
  at: number;
}

/** Characters a node consumes at most (`width`) and reads at most, look-aheads included (`reach`). */
interface Extent {
  width: number;
  reach: number;
}

const NONE: Extent = { width: 0, reach: 0 };
const ONE: Extent = { width: 1, reach: 1 };
const UNBOUNDED: Extent = { width: Number.POSITIVE_INFINITY, reach: Number.POSITIVE_INFINITY };

/** Upper bound of characters `source` can read per match attempt; `Infinity` when unbounded. */
export function regexExtent(source: string): number {
  const cursor: Cursor = { source, at: 0 };
  const extent = alternation(cursor);
  if (cursor.at < source.length) throw new Error(`unbalanced ")" at ${cursor.at} in /${source}/`);
  return extent.reach;
}

function alternation(c: Cursor): Extent {
  let widest = sequence(c);
  while (c.source[c.at] === "|") {
    c.at++;
    const next = sequence(c);
    widest = { width: Math.max(widest.width, next.width), reach: Math.max(widest.reach, next.reach) };
  }
  return widest;
}

function sequence(c: Cursor): Extent {
  let width = 0;
  let reach = 0;
  while (c.at < c.source.length && c.source[c.at] !== "|" && c.source[c.at] !== ")") {
    const next = quantified(c, atom(c));
    reach = Math.max(reach, width + next.reach);
    width += next.width;
  }
  return { width, reach };
}

/** One atom; a look-ahead reads without consuming, a look-behind reads text before the start. */
function atom(c: Cursor): Extent {
  const ch = c.source[c.at] ?? "";
  if (ch === "(") return group(c);
  if (ch === "[") return characterClass(c);
  if (ch === "\\") return escaped(c);
  c.at++;
  return ch === "^" || ch === "$" ? NONE : ONE;
}

function group(c: Cursor): Extent {
  const rest = c.source.slice(c.at, c.at + 4);
  const behind = rest.startsWith("(?<=") || rest.startsWith("(?<!");
  const ahead = rest.startsWith("(?=") || rest.startsWith("(?!");
  if (behind) c.at += 4;
  else if (ahead || rest.startsWith("(?:")) c.at += 3;
  else if (rest.startsWith("(?<")) c.at = c.source.indexOf(">", c.at) + 1;
  else c.at++;
  const inner = alternation(c);
  if (c.source[c.at] !== ")") throw new Error(`unclosed "(" in /${c.source}/`);
  c.at++;
  if (behind) return NONE;
  return ahead ? { width: 0, reach: inner.reach } : inner;
}

function characterClass(c: Cursor): Extent {
  c.at++;
  if (c.source[c.at] === "]") c.at++;
  while (c.at < c.source.length && c.source[c.at] !== "]") c.at += c.source[c.at] === "\\" ? 2 : 1;
  c.at++;
  return ONE;
}

function escaped(c: Cursor): Extent {
  const next = c.source[c.at + 1] ?? "";
  c.at += 2;
  if (/[1-9]/.test(next) || next === "k") return UNBOUNDED;
  if (next === "b" || next === "B") return NONE;
  if (next === "x") c.at += 2;
  if (next === "u") c.at += c.source[c.at] === "{" ? c.source.indexOf("}", c.at) + 1 - c.at : 4;
  if (next === "c") c.at += 1;
  return ONE;
}

const BRACES = /^\{(\d+)(,(\d*))?\}/;

/** How many times the atom may repeat: `undefined` when no quantifier follows. */
function repeats(c: Cursor): number | undefined {
  const ch = c.source[c.at];
  if (ch === "*" || ch === "+" || ch === "?") {
    c.at++;
    return ch === "?" ? 1 : Number.POSITIVE_INFINITY;
  }
  const m = ch === "{" ? BRACES.exec(c.source.slice(c.at)) : null;
  if (!m) return undefined;
  c.at += m[0].length;
  return m[2] === undefined ? Number(m[1]) : m[3] ? Number(m[3]) : Number.POSITIVE_INFINITY;
}

function quantified(c: Cursor, one: Extent): Extent {
  const times = repeats(c);
  if (times === undefined) return one;
  if (c.source[c.at] === "?") c.at++;
  if (times === 0) return NONE;
  if (one.width === 0) return one;
  return { width: one.width * times, reach: one.width * (times - 1) + one.reach };
}
