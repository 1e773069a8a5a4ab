/**
 * Secret redaction for everything claudia captures and prints: prompts, tool arguments and results,
 * model text, error messages, progress lines. On by default; `CLAUDIA_REDACT=off` switches it off,
 * and `CLAUDIA_REDACT_PATTERNS` adds patterns (a JSON array of regular expressions, or one per line).
 *
 * Each secret becomes `[REDACTED:<kind>]`. Every rule scans the original text once (bounded
 * patterns, so linear time); the secrets found are merged and replaced in one pass. Pure functions;
 * the patterns are compiled once per redactor.
 */

import { cutWithMarker } from "./content.ts";
import { mayMatch, RULES, RULES_MARGIN, type Rule } from "./redact-rules.ts";
import { noRedaction, type Redactor } from "./redactor.ts";
import { regexExtent } from "./regex-extent.ts";
import { isSecretName } from "./secret-names.ts";

export { noRedaction, type Redactor } from "./redactor.ts";
export { isSecretName } from "./secret-names.ts";

/** Values shorter than this are too common to be hunted verbatim. */
const MIN_LITERAL = 8;

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** The forms a value takes in captured text: as is, JSON-escaped (once and twice), percent-encoded. */
function literalForms(value: string): string[] {
  const json = JSON.stringify(value).slice(1, -1);
  const forms = [value, json, JSON.stringify(json).slice(1, -1), encodeURIComponent(value)];
  return [...new Set(forms)];
}

/** One rule for the verbatim values: each value's kind is looked up by the form that matched. */
function literalRule(values: Map<string, string>): Rule | undefined {
  const kinds = new Map<string, string>();
  for (const [value, kind] of values) {
    if (value.length < MIN_LITERAL) continue;
    for (const form of literalForms(value)) if (!kinds.has(form)) kinds.set(form, kind);
  }
  if (kinds.size === 0) return undefined;
  const forms = [...kinds.keys()].sort((a, b) => b.length - a.length);
  return {
    kind: "env_secret",
    pattern: new RegExp(forms.map(escapeRegExp).join("|"), "g"),
    kindOf: (match: string) => kinds.get(match) ?? "env_secret",
    overlapping: true,
  };
}

/**
 * The user's pattern sources: a JSON array of strings (or one JSON string), or one regular expression
 * per line. A JSON array entry that is not a string, or JSON that is an object, is an invalid entry.
 */
function patternSources(text: string | undefined): { valid: string[]; invalid: string[] } {
  if (!text?.trim()) return { valid: [], invalid: [] };
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  if (Array.isArray(parsed)) {
    const valid = parsed.filter((s): s is string => typeof s === "string" && s !== "");
    const invalid = parsed.filter((s) => typeof s !== "string" || s === "").map((s) => JSON.stringify(s));
    return { valid, invalid };
  }
  if (typeof parsed === "string")
    return parsed ? { valid: [parsed], invalid: [] } : { valid: [], invalid: [text.trim()] };
  if (parsed !== null && typeof parsed === "object") return { valid: [], invalid: [text.trim()] };
  const lines = text
    .split("\n")
    .map((s) => s.trim())
    .filter(Boolean);
  return { valid: lines, invalid: [] };
}

function compiles(source: string): boolean {
  try {
    new RegExp(source);
    return true;
  } catch {
    return false;
  }
}

/** Entries of CLAUDIA_REDACT_PATTERNS that are ignored: not strings, or not valid regular expressions. */
export function invalidUserPatterns(text: string | undefined): string[] {
  const { valid, invalid } = patternSources(text);
  return [...invalid, ...valid.filter((s) => !compiles(s))];
}

/** Of the user's pattern sources, those that are not valid regular expressions. */
export function uncompilable(sources: readonly string[]): string[] {
  return sources.filter((source) => !compiles(source));
}

function userRules(text: string | undefined): Rule[] {
  return patternSources(text)
    .valid.filter(compiles)
    .map((source) => ({ kind: "custom", pattern: new RegExp(source, "g") }));
}

/** Environment values that are secrets: the variable's name says so, 8+ characters, not a path. */
function environmentSecrets(env: NodeJS.ProcessEnv): string[] {
  return Object.entries(env).flatMap(([name, value]) =>
    value !== undefined && !value.startsWith("/") && isSecretName(name) ? [value] : [],
  );
}

interface Span {
  start: number;
  end: number;
  kind: string;
  rank: number;
}

/** Where `context` occurs in `text`, in order. */
function positions(text: string, context: RegExp): number[] {
  const found: number[] = [];
  context.lastIndex = 0;
  for (let m = context.exec(text); m !== null; m = context.exec(text)) found.push(m.index);
  return found;
}

const CONTEXT_REACH = 300;

/** Where a rule's context was found in a text, and how far a scan over them has got. */
interface ContextScan {
  at: number[];
  next: number;
  /** The first line break at or after the context occurrence last looked at (-1: none). */
  lineBreak: number;
}

/**
 * Whether a match at `index` shares its line with a context occurrence at most 300 characters
 * before it. Matches come in order, so the scan only moves forward.
 */
function nearContext(text: string, scan: ContextScan, index: number): boolean {
  while ((scan.at[scan.next] ?? Number.POSITIVE_INFINITY) < index) scan.next++;
  const before = scan.at[scan.next - 1];
  if (before === undefined || index - before > CONTEXT_REACH) return false;
  if (scan.lineBreak !== -1 && scan.lineBreak < before) scan.lineBreak = text.indexOf("\n", before);
  return scan.lineBreak === -1 || scan.lineBreak >= index;
}

/** Every secret `rule` finds in `text`, appended to `out`. */
function collect(text: string, rule: Rule, rank: number, out: Span[]) {
  const { pattern, value, tail } = rule;
  const at = rule.context ? positions(text, rule.context) : undefined;
  if (at?.length === 0) return;
  const scan: ContextScan | undefined = at && {
    at,
    next: 0,
    lineBreak: at[0] === undefined ? -1 : text.indexOf("\n", at[0]),
  };
  pattern.lastIndex = 0;
  for (let m = pattern.exec(text); m !== null; m = pattern.exec(text)) {
    if (m[0] === "") pattern.lastIndex++;
    if (scan && !nearContext(text, scan, m.index)) continue;
    if (rule.accept && !rule.accept(m, text)) continue;
    let start = m.index;
    let end = m.index + m[0].length;
    if (value) {
      value.lastIndex = end;
      const secret = value.exec(text);
      if (secret === null) continue;
      start = end;
      end += secret[0].length;
    }
    if (tail) {
      tail.lastIndex = end;
      end += tail.exec(text)?.[0].length ?? 0;
    }
    if (end > start) out.push({ start, end, kind: rule.kindOf?.(m[0]) ?? rule.kind, rank });
    if (rule.overlapping) pattern.lastIndex = m.index + 1;
    else if (end > pattern.lastIndex) pattern.lastIndex = end;
  }
}

/** The secrets in `text`, sorted, overlapping ones merged (the earliest, then the first rule, names it). */
function findSpans(text: string, rules: readonly Rule[]): Span[] {
  const found: Span[] = [];
  let lower: string | undefined;
  const lowerText = () => {
    lower ??= text.toLowerCase();
    return lower;
  };
  rules.forEach((rule, rank) => {
    if (mayMatch(rule, text, lowerText)) collect(text, rule, rank, found);
  });
  found.sort((a, b) => a.start - b.start || a.rank - b.rank);
  const merged: Span[] = [];
  for (const span of found) {
    const last = merged[merged.length - 1];
    if (last && span.start < last.end) last.end = Math.max(last.end, span.end);
    else merged.push(span);
  }
  return merged;
}

/**
 * `text` redacted up to `safe` (a secret starting before it is replaced whole), stopping once the
 * output is longer than `max`. Returns the output and the original position reached.
 */
function render(text: string, spans: Span[], safe: number, max: number): { out: string; pos: number } {
  let out = "";
  let pos = 0;
  for (const span of spans) {
    if (span.start >= safe || out.length > max) break;
    out += `${text.slice(pos, span.start)}[REDACTED:${span.kind}]`;
    pos = span.end;
  }
  if (pos < safe && out.length <= max) {
    out += text.slice(pos, safe);
    pos = safe;
  }
  return { out, pos };
}

/** The shown text cut to `maxLength` with a `…[N more chars]` marker, as content truncation writes it. */
function marked({ head, total }: { head: string; total: number }, maxLength: number): string {
  return cutWithMarker(head, total, maxLength);
}

/** A redactor over `rules`; `margin` is the most any built-in rule reads from where a secret starts. */
function redactorFor(rules: readonly Rule[], margin: number): Redactor {
  const head = (text: string, maxLength: number) => {
    let end = Math.min(text.length, maxLength + margin);
    for (;;) {
      const whole = end >= text.length;
      const window = whole ? text : text.slice(0, end);
      const spans = findSpans(window, rules);
      if (whole && spans.length === 0) return { head: text.slice(0, maxLength), total: text.length };
      const { out, pos } = whole
        ? render(window, spans, window.length, Number.POSITIVE_INFINITY)
        : render(window, spans, end - margin, maxLength);
      if (whole || out.length > maxLength) {
        return { head: out.slice(0, maxLength), total: out.length + text.length - Math.min(pos, text.length) };
      }
      // The output is still short (secrets shrank it, or one runs on past the window): read on.
      end = Math.min(text.length, end * 4);
    }
  };
  const redact = (text: string) => (text ? head(text, Number.POSITIVE_INFINITY).head : text);
  const redactAndCut = (text: string, maxLength: number) => marked(head(text, maxLength), maxLength);
  return Object.assign(redact, { enabled: true, margin, head, redactAndCut });
}

/** How far past a cut redaction must read: the longest built-in match or verbatim value form. */
function marginFor(rules: readonly Rule[]): number {
  let margin = 0;
  for (const rule of rules) {
    const extent = regexExtent(rule.pattern.source) + (rule.value ? regexExtent(rule.value.source) : 0);
    if (Number.isFinite(extent)) margin = Math.max(margin, extent);
  }
  return margin;
}

/**
 * A redactor for this environment: the built-in shapes, the user's patterns, the verbatim values of
 * environment variables whose names say they hold a secret, and `extraSecrets` (configured
 * credentials: OTLP header values, tokens, DSN keys) verbatim and in their JSON-escaped and
 * percent-encoded forms. Values under 8 characters are not hunted verbatim.
 */
export function createRedactor(env: NodeJS.ProcessEnv = process.env, extraSecrets: readonly string[] = []): Redactor {
  const mode = env.CLAUDIA_REDACT?.trim().toLowerCase();
  if (mode === "off" || mode === "false" || mode === "0" || mode === "no") return noRedaction;
  const values = new Map<string, string>();
  for (const value of extraSecrets) values.set(value, "credential");
  for (const value of environmentSecrets(env)) if (!values.has(value)) values.set(value, "env_secret");
  const literal = literalRule(values);
  const builtIn = literal ? [literal, ...RULES] : [...RULES];
  const margin = Math.max(RULES_MARGIN, literal ? marginFor([literal]) : 0);
  return redactorFor([...builtIn, ...userRules(env.CLAUDIA_REDACT_PATTERNS)], margin);
}

/** What a configured backend holds that is a credential (the shape of the export configuration's backends). */
export interface CredentialSource {
  url?: string;
  headers?: Record<string, string>;
  sentry?: { dsn?: string };
  dsn?: string;
}

const AUTH_SCHEME = /^([A-Za-z][A-Za-z0-9-]*)\s+(\S.*)$/;

/** A header value's secrets: the value, the credential after a scheme, a Basic pair's parts. */
function headerSecrets(value: string): string[] {
  const out = [value.trim()];
  const scheme = AUTH_SCHEME.exec(value.trim());
  if (!scheme?.[2]) return out;
  out.push(scheme[2]);
  if (scheme[1]?.toLowerCase() === "basic") {
    const pair = Buffer.from(scheme[2], "base64").toString("utf8");
    const colon = pair.indexOf(":");
    if (colon > 0) out.push(pair, pair.slice(colon + 1));
  }
  return out;
}

const decoded = (s: string) => {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
};

/** A URL's secrets: its user name and password, and values of secret-named query parameters. */
function urlSecrets(text: string | undefined): string[] {
  if (!text) return [];
  let url: URL;
  try {
    url = new URL(text.trim());
  } catch {
    return [];
  }
  const out = [decoded(url.username), decoded(url.password)];
  for (const [name, value] of url.searchParams) if (isSecretName(name)) out.push(value);
  return out;
}

/**
 * The credential values in configured backends (header values, Sentry DSN keys, secrets in
 * endpoint URLs), for `createRedactor`'s `extraSecrets`. Short values are dropped there.
 */
export function credentialValues(backends: readonly (CredentialSource | undefined)[]): string[] {
  const out = new Set<string>();
  for (const backend of backends) {
    if (!backend) continue;
    for (const value of Object.values(backend.headers ?? {})) for (const s of headerSecrets(value)) out.add(s);
    for (const s of urlSecrets(backend.url)) out.add(s);
    for (const s of urlSecrets(backend.sentry?.dsn ?? backend.dsn)) out.add(s);
  }
  return [...out].filter((s) => s.length >= MIN_LITERAL);
}
