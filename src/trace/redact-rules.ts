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
}

const TOKEN_TAIL = /[A-Za-z0-9_-]*/y;
const ALNUM_TAIL = /[A-Za-z0-9]*/y;
/** A value up to whitespace, a quote or a separator; `\"`-style escapes are part of it. */
const ASSIGNED_VALUE = /(?:\\.|[^\s"'&,;\\]){6,4096}/y;
const ASSIGNED_TAIL = /[^\s"'&,;\\]*/y;
const FLAG_VALUE = /(?:\\.|[^\s"'\\]){1,1024}/y;

/** A word that names a secret somewhere in a name (the name itself is then judged by `isSecretName`). */
const SECRET_WORD =
  "(?:[Pp][Aa][Ss][Ss]|[Ss][Ee][Cc][Rr][Ee][Tt]|[Tt][Oo][Kk][Ee][Nn]|[Kk][Ee][Yy]|PAT|AUTH|CRED|[Cc]redential|DSN)";

/** Built-in secret shapes, most specific first (on overlap, the first one's kind is shown). */
export const RULES: readonly Rule[] = [
  {
    kind: "private_key",
    pattern:
      /-----BEGIN (?:[A-Z0-9]{1,20} ){0,4}PRIVATE KEY(?: BLOCK)?-----(?:(?!-----)[\s\S]){0,10000}(?:-----END (?:[A-Z0-9]{1,20} ){0,4}PRIVATE KEY(?: BLOCK)?-----)?/g,
  },
  { kind: "anthropic_key", pattern: /\bsk-ant-[a-z]{2,10}\d{2}-[A-Za-z0-9_-]{20,400}/g, tail: TOKEN_TAIL },
  {
    kind: "openai_key",
    pattern: /\bsk-[A-Za-z0-9_-]{20,400}/g,
    tail: TOKEN_TAIL,
    accept: (m) => m[0].includes("T3BlbkFJ"),
  },
  { kind: "openai_key", pattern: /\bsk-(?:proj|svcacct|admin)-[A-Za-z0-9_-]{40,400}/g, tail: TOKEN_TAIL },
  { kind: "aws_access_key", pattern: /\b(?:AKIA|ASIA|ABIA|ACCA)[A-Z2-7]{16}\b/g },
  {
    kind: "aws_secret_key",
    pattern: /\b(?:aws_secret_access_key|aws_secret_key|secretaccesskey)["']?[ \t]{0,10}[:=][ \t]{0,10}["']?/gi,
    value: /[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+])/y,
  },
  { kind: "github_token", pattern: /\b(?:ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9]{36,255}/g, tail: ALNUM_TAIL },
  { kind: "github_token", pattern: /\bgithub_pat_[A-Za-z0-9_]{60,255}/g, tail: TOKEN_TAIL },
  { kind: "gitlab_token", pattern: /\bglpat-[A-Za-z0-9_-]{20,255}/g, tail: TOKEN_TAIL },
  { kind: "slack_token", pattern: /\bxox[abposr]-[A-Za-z0-9-]{10,255}/g, tail: TOKEN_TAIL },
  {
    kind: "slack_webhook",
    pattern: /https:\/\/hooks\.slack\.com\/services\/[A-Za-z0-9/_-]{1,255}/g,
    tail: /[A-Za-z0-9/_-]*/y,
  },
  { kind: "stripe_key", pattern: /\b(?:sk|rk)_(?:live|test)_[A-Za-z0-9]{20,255}/g, tail: ALNUM_TAIL },
  { kind: "google_api_key", pattern: /\bAIza[0-9A-Za-z_-]{35}\b/g },
  { kind: "npm_token", pattern: /\bnpm_[A-Za-z0-9]{36,255}/g, tail: ALNUM_TAIL },
  { kind: "huggingface_token", pattern: /\bhf_[A-Za-z0-9]{30,255}/g, tail: ALNUM_TAIL },
  { kind: "pypi_token", pattern: /\bpypi-[A-Za-z0-9_-]{50,2000}/g, tail: TOKEN_TAIL },
  { kind: "sentry_token", pattern: /\bsntry[su]_[A-Za-z0-9_+/=-]{30,2000}/g, tail: /[A-Za-z0-9_+/=-]*/y },
  { kind: "logfire_token", pattern: /\bpylf_[A-Za-z0-9_-]{20,255}/g, tail: TOKEN_TAIL },
  {
    kind: "jwt",
    pattern: /\beyJ[A-Za-z0-9_-]{8,2000}\.eyJ[A-Za-z0-9_-]{8,8000}\.[A-Za-z0-9_-]{8,2000}/g,
    tail: TOKEN_TAIL,
  },
  {
    kind: "sentry_dsn",
    pattern: /\bhttps?:\/\/(?=[0-9a-f]{32}(?::[0-9a-f]{32})?@)/g,
    value: /[0-9a-f]{32}/y,
  },
  {
    kind: "bearer_token",
    pattern: /\bBearer\s{1,10}/g,
    value: /[A-Za-z0-9._~+/=-]{16,4096}/y,
    tail: /[A-Za-z0-9._~+/=-]*/y,
  },
  {
    kind: "authorization",
    pattern:
      /\b(?:Proxy-)?Authorization["']?[ \t]{0,10}[:=][ \t]{0,10}["']?(?:(?:Basic|Bearer|Token|Digest|Negotiate|NTLM|ApiKey|Api-Key|Key)[ \t]{1,10})?/gi,
    value: /[^\s"',;]{6,4096}/y,
    tail: /[^\s"',;]*/y,
  },
  {
    kind: "url_credentials",
    pattern: /:\/\/(?<=\b[a-z][a-z0-9+.-]{0,30}:\/\/)[^\s:/@]{1,256}:(?=[^\s@/]{1,256}@)/gi,
    value: /[^\s@/]{1,256}(?=@)/y,
  },
  {
    kind: "cli_password",
    pattern: /(?<!\S)(?:-u|--user)(?:[ \t]{1,5}|=)?["']?[^\s:"'@/]{1,256}:/g,
    value: FLAG_VALUE,
    context: /\bcurl\b/g,
  },
  {
    kind: "cli_password",
    pattern:
      /(?<![\w-])--?(?:password|passwd|pass|token|secret|api-key|apikey|auth-token|access-token|client-secret)(?:[ \t]{1,5}|=)["']?/gi,
    value: FLAG_VALUE,
  },
  {
    kind: "cli_password",
    pattern: /(?<!\S)-p["']?(?=[^\s"'])/g,
    value: FLAG_VALUE,
    context: /\b(?:mysql|mysqldump|mysqladmin|mysqlimport|mysqlshow|mysqlcheck|mariadb|mariadb-dump)\b/g,
  },
  {
    kind: "secret_assignment",
    pattern: new RegExp(
      `(?<![A-Za-z0-9_.-])-{0,2}(?=[A-Za-z0-9_.-]{0,124}?${SECRET_WORD})([A-Za-z][A-Za-z0-9_.-]{0,127})(?:\\\\{0,3}["'])?[ \t]{0,10}[:=][ \t]{0,10}(?:\\\\{0,3}["'])?`,
      "g",
    ),
    value: ASSIGNED_VALUE,
    tail: ASSIGNED_TAIL,
    accept: (m) => isSecretName(m[1] ?? ""),
  },
];
