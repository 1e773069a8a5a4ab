/**
 * The built-in secret shapes. Every pattern and value has bounded quantifiers (checked by
 * `test/unit/redact-linear.test.ts`), so each match attempt reads a bounded stretch of text and a
 * scan is linear in the input; a secret longer than its bound is followed to its end by `tail`.
 */
import { isSecretName } from "./secret-names.ts";

export interface Rule {
  kind: string;
  /** Global. Without `value`, the whole match is the secret; with it, the match is kept. */
  pattern: RegExp;
  /** Sticky: the secret, right after `pattern`'s match. */
  value?: RegExp;
  /** Sticky, a single character class repeated: what a secret at its bound may go on with. */
  tail?: RegExp;
  /** Whether a match of `pattern` is one (its name, the command around it). */
  accept?: (match: RegExpExecArray, text: string) => boolean;
  /**
   * A command the match must share its line with, at most 300 characters before it (`curl` for
   * `-u user:password`). Global; found once per text, so checking it stays linear.
   */
  context?: RegExp;
  /** Matches may overlap (verbatim values: one may end inside another); the scan resumes one on. */
  overlapping?: boolean;
  /** The kind of one match, when it depends on what matched. */
  kindOf?: (match: string) => string;
  /**
   * Words of which every match has one (in lower case with `anyCase`): a text with none is not
   * scanned, and its pattern not even compiled (V8 compiles a pattern on its first use, and again
   * to machine code on its second).
   */
  hints?: Hints;
}

export interface Hints {
  words: readonly string[];
  anyCase?: boolean;
}

/** Whether `text` may hold a match of `rule` (`lower`: the text in lower case, made once per text). */
export function mayMatch(rule: Rule, text: string, lower: () => string): boolean {
  const hints = rule.hints;
  if (!hints) return true;
  const haystack = hints.anyCase ? lower() : text;
  return hints.words.some((word) => haystack.includes(word));
}

const hint = (...words: string[]): Hints => ({ words });
const hintAnyCase = (...words: string[]): Hints => ({ words, anyCase: true });

const TOKEN_TAIL = /[A-Za-z0-9_-]*/y;
const ALNUM_TAIL = /[A-Za-z0-9]*/y;
/**
 * A value: right after a quote, everything up to the closing quote on that line (a password may
 * have spaces), when it starts like a value and the quote ends it (a delimiter or the end follows:
 * not `"token=" + token + "&x"`); else up to whitespace, a quote or a separator, `\"`-style
 * escapes part of it.
 */
const ASSIGNED_VALUE =
  /(?:(?<=")[^"\\\s,;+)][^"\\\n]{5,4095}(?=\\{0,3}"(?:[\s,;}\])]|$))|(?<=')[^'\\\s,;+)][^'\\\n]{5,4095}(?=\\{0,3}'(?:[\s,;}\])]|$))|(?:\\.|[^\s"'&,;\\]){6,4096})/y;
const ASSIGNED_TAIL = /[^\s"'&,;\\]*/y;
const FLAG_VALUE = /(?:\\.|[^\s"'\\]){1,1024}/y;

/** A word that names a secret somewhere in a name (the name itself is then judged by `isSecretName`). */
const SECRET_WORD =
  "(?:[Pp][Aa][Ss][Ss]|[Ss][Ee][Cc][Rr][Ee][Tt]|[Tt][Oo][Kk][Ee][Nn]|[Kk][Ee][Yy]|PAT|AUTH|CRED|[Cc]redential|DSN)";

/** A JSON escape (`\n`) or a percent-encoded byte (`%20`): text that was a separator. */
const ENCODED_SEPARATOR = String.raw`\\[nrtbf]|%[0-9A-Fa-f]{2}`;
/** What may come before a token: the start, a non-word character, an encoded separator. */
const BEFORE_WORD = `(?:^|[^A-Za-z0-9_]|${ENCODED_SEPARATOR})`;
/** What may come before a command-line argument: the start, whitespace, an encoded separator. */
const BEFORE_ARGUMENT = String.raw`(?:^|\s|${ENCODED_SEPARATOR})`;
/** Where a name may start: not inside a longer name, or after an encoded separator. */
const NAME_START = `(?:(?<![A-Za-z0-9_.-])|(?<=${ENCODED_SEPARATOR}))`;
/** A quote around a name or value, maybe JSON-escaped (up to twice) or percent-encoded. */
const QUOTE = String.raw`(?:\\{0,3}["']|%2[27])`;
/** A space or tab, maybe percent-encoded. */
const SPACE = "(?:[ 	]|%20|%09)";

/**
 * Whether a matched name holds a secret: the name, or its part after a `.` or `-` (`db.password`,
 * `x.GITHUB_PAT`), or without the end of an escape before it (`\\nGITHUB_PAT`, `%20GITHUB_PAT`).
 */
function secretName(m: RegExpExecArray, text: string): boolean {
  const name = m[1] ?? "";
  const candidates = [name];
  for (let i = 0; i < name.length; i++) if (name[i] === "." || name[i] === "-") candidates.push(name.slice(i + 1));
  if (text[m.index - 1] === "\\" && /^[nrtbf]/.test(name)) candidates.push(name.slice(1));
  if (text[m.index - 1] === "%" && /^[0-9A-Fa-f]{2}/.test(name)) candidates.push(name.slice(2));
  return candidates.some(isSecretName);
}

/**
 * A token starting with `prefix` where a token may start. The prefix comes first and the check of
 * what precedes it second (a look-behind), so the scan can skip ahead to the prefix.
 */
const token = (prefix: string, rest: string, flags = "g", before = BEFORE_WORD) =>
  new RegExp(`${prefix}(?<=${before}${prefix})${rest}`, flags);

/**
 * The most any built-in rule reads from where a secret starts (its pattern's longest match plus its
 * value's): `regexExtent` of each, worked out once here, not in every run (~2 ms of a run's CPU).
 * test/unit/redact-linear.test.ts checks it against the rules.
 */
export const RULES_MARGIN = 12008;

/** Built-in secret shapes, most specific first (on overlap, the first one's kind is shown). */
export const RULES: readonly Rule[] = [
  {
    kind: "private_key",
    hints: hint("-----BEGIN "),
    pattern:
      /-----BEGIN (?:[A-Z0-9]{1,20} ){0,4}PRIVATE KEY(?: BLOCK)?-----(?:(?!-----)[\s\S]){0,10000}(?:-----END (?:[A-Z0-9]{1,20} ){0,4}PRIVATE KEY(?: BLOCK)?-----)?/g,
  },
  {
    kind: "anthropic_key",
    hints: hint("sk-ant-"),
    pattern: token("sk-ant-", String.raw`[a-z]{2,10}\d{2}-[A-Za-z0-9_-]{20,400}`),
    tail: TOKEN_TAIL,
  },
  {
    kind: "openai_key",
    pattern: token("sk-", "[A-Za-z0-9_-]{20,400}"),
    tail: TOKEN_TAIL,
    accept: (m) => m[0].includes("T3BlbkFJ"),
    hints: hint("T3BlbkFJ"),
  },
  {
    kind: "openai_key",
    pattern: token("sk-(?:proj|svcacct|admin)-", "[A-Za-z0-9_-]{40,400}"),
    hints: hint("sk-proj-", "sk-svcacct-", "sk-admin-"),
    tail: TOKEN_TAIL,
  },
  {
    kind: "aws_access_key",
    pattern: token("(?:AKIA|ASIA|ABIA|ACCA)", String.raw`[A-Z2-7]{16}\b`),
    hints: hint("AKIA", "ASIA", "ABIA", "ACCA"),
  },
  {
    kind: "aws_secret_key",
    hints: hintAnyCase("aws_secret_access_key", "aws_secret_key", "secretaccesskey"),
    pattern: token(
      "(?:aws_secret_access_key|aws_secret_key|secretaccesskey)",
      String.raw`["']?[ \t]{0,10}[:=][ \t]{0,10}["']?`,
      "gi",
    ),
    value: /[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+])/y,
  },
  {
    kind: "github_token",
    pattern: token("(?:ghp|gho|ghu|ghs|ghr)_", "[A-Za-z0-9]{36,255}"),
    hints: hint("ghp_", "gho_", "ghu_", "ghs_", "ghr_"),
    tail: ALNUM_TAIL,
  },
  {
    kind: "github_token",
    pattern: token("github_pat_", "[A-Za-z0-9_]{60,255}"),
    tail: TOKEN_TAIL,
    hints: hint("github_pat_"),
  },
  { kind: "gitlab_token", pattern: token("glpat-", "[A-Za-z0-9_-]{20,255}"), tail: TOKEN_TAIL, hints: hint("glpat-") },
  { kind: "slack_token", pattern: token("xox[abposr]-", "[A-Za-z0-9-]{10,255}"), tail: TOKEN_TAIL, hints: hint("xox") },
  {
    kind: "slack_webhook",
    hints: hint("https://hooks.slack.com/services/"),
    pattern: /https:\/\/hooks\.slack\.com\/services\/[A-Za-z0-9/_-]{1,255}/g,
    tail: /[A-Za-z0-9/_-]*/y,
  },
  {
    kind: "stripe_key",
    hints: hint("sk_live_", "sk_test_", "rk_live_", "rk_test_"),
    pattern: token("(?:sk|rk)_(?:live|test)_", "[A-Za-z0-9]{20,255}"),
    tail: ALNUM_TAIL,
  },
  { kind: "google_api_key", pattern: token("AIza", String.raw`[0-9A-Za-z_-]{35}\b`), hints: hint("AIza") },
  { kind: "npm_token", pattern: token("npm_", "[A-Za-z0-9]{36,255}"), tail: ALNUM_TAIL, hints: hint("npm_") },
  { kind: "huggingface_token", pattern: token("hf_", "[A-Za-z0-9]{30,255}"), tail: ALNUM_TAIL, hints: hint("hf_") },
  { kind: "pypi_token", pattern: token("pypi-", "[A-Za-z0-9_-]{50,2000}"), tail: TOKEN_TAIL, hints: hint("pypi-") },
  {
    kind: "sentry_token",
    hints: hint("sntrys_", "sntryu_"),
    pattern: token("sntry[su]_", "[A-Za-z0-9_+/=-]{30,2000}"),
    tail: /[A-Za-z0-9_+/=-]*/y,
  },
  { kind: "logfire_token", pattern: token("pylf_", "[A-Za-z0-9_-]{20,255}"), tail: TOKEN_TAIL, hints: hint("pylf_") },
  {
    kind: "jwt",
    hints: hint("eyJ"),
    // Only at the start of a run of token characters (not after a "-"): inside one, every "eyJ"
    // would read up to 2000 characters on for a dot, 1.2 s per MB of "-eyJa-eyJa…".
    pattern: token(
      "eyJ",
      String.raw`[A-Za-z0-9_-]{8,2000}\.eyJ[A-Za-z0-9_-]{8,8000}\.[A-Za-z0-9_-]{8,2000}`,
      "g",
      `(?:^|[^A-Za-z0-9_-]|${ENCODED_SEPARATOR})`,
    ),
    tail: TOKEN_TAIL,
  },
  {
    kind: "sentry_dsn",
    hints: hint("://"),
    pattern: token(String.raw`https?:\/\/`, "(?=[0-9a-f]{32}(?::[0-9a-f]{32})?@)"),
    value: /[0-9a-f]{32}/y,
  },
  {
    kind: "bearer_token",
    hints: hint("Bearer"),
    pattern: token("Bearer", String.raw`\s{1,10}`),
    value: /[A-Za-z0-9._~+/=-]{16,4096}/y,
    tail: /[A-Za-z0-9._~+/=-]*/y,
  },
  {
    kind: "authorization",
    hints: hintAnyCase("authorization"),
    pattern: token(
      "(?:Proxy-)?Authorization",
      String.raw`["']?[ \t]{0,10}[:=][ \t]{0,10}["']?(?:(?:Basic|Bearer|Token|Digest|Negotiate|NTLM|ApiKey|Api-Key|Key)[ \t]{1,10})?`,
      "gi",
    ),
    value: /[^\s"',;]{6,4096}/y,
    tail: /[^\s"',;]*/y,
  },
  {
    kind: "url_credentials",
    hints: hint("://"),
    pattern: /:\/\/(?<=\b[a-z][a-z0-9+.-]{0,30}:\/\/)[^\s:/@]{1,256}:(?=[^\s@/]{1,256}@)/gi,
    value: /[^\s@/]{1,256}(?=@)/y,
  },
  {
    kind: "cli_password",
    pattern: token("(?:-u|--user)", String.raw`(?:[ \t]{1,5}|=)?["']?[^\s:"'@/]{1,256}:`, "g", BEFORE_ARGUMENT),
    value: FLAG_VALUE,
    context: /\bcurl\b/g,
    hints: hint("curl"),
  },
  {
    kind: "cli_password",
    pattern: token(
      "--?(?:password|passwd|pass|token|secret|api-key|apikey|auth-token|access-token|client-secret)",
      String.raw`(?:[ \t]{1,5}|=)["']?`,
      "gi",
      BEFORE_ARGUMENT,
    ),
    value: FLAG_VALUE,
    hints: hintAnyCase("-pass", "-token", "-secret", "-api-key", "-apikey"),
  },
  {
    kind: "cli_password",
    pattern: token("-p", String.raw`["']?(?=[^\s"'])`, "g", BEFORE_ARGUMENT),
    value: FLAG_VALUE,
    context: /\b(?:mysql|mysqldump|mysqladmin|mysqlimport|mysqlshow|mysqlcheck|mariadb|mariadb-dump)\b/g,
    hints: hint("mysql", "mariadb"),
  },
  {
    kind: "secret_assignment",
    pattern: new RegExp(
      `${NAME_START}(?=[A-Za-z0-9_.-]{0,124}?${SECRET_WORD})([A-Za-z0-9_.-]{1,128})${QUOTE}?${SPACE}{0,10}(?:[:=]|%3[AaDd])${SPACE}{0,10}${QUOTE}?`,
      "g",
    ),
    value: ASSIGNED_VALUE,
    tail: ASSIGNED_TAIL,
    accept: secretName,
    hints: hintAnyCase("pass", "secret", "token", "key", "pat", "auth", "cred", "dsn"),
  },
];
