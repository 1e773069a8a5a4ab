/**
 * Secret redaction for everything claudia captures: prompts, tool arguments and results, model
 * text, error messages. On by default; `CLAUDIA_REDACT=off` switches it off, and
 * `CLAUDIA_REDACT_PATTERNS` adds patterns (a JSON array of regular expressions, or one per line).
 *
 * Each match becomes `[REDACTED:<kind>]`. Pure functions; the patterns are compiled once.
 */

interface Rule {
  kind: string;
  pattern: RegExp;
  /**
   * Which capture group is the secret; the other groups are kept. With a group, the groups must
   * cover the whole match. Without one, the whole match is the secret.
   */
  group?: number;
}

/** Built-in secret shapes, most specific first. */
const RULES: Rule[] = [
  {
    kind: "private_key",
    pattern:
      /-----BEGIN (?:[A-Z]+ )*PRIVATE KEY(?: BLOCK)?-----[\s\S]*?-----END (?:[A-Z]+ )*PRIVATE KEY(?: BLOCK)?-----/g,
  },
  { kind: "anthropic_key", pattern: /\bsk-ant-(?:api|admin|oat)\d{2}-[A-Za-z0-9_-]{20,}/g },
  { kind: "openai_key", pattern: /\bsk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_-]{20,}T3BlbkFJ[A-Za-z0-9_-]{20,}/g },
  { kind: "openai_key", pattern: /\bsk-(?:proj|svcacct|admin)-[A-Za-z0-9_-]{40,}/g },
  { kind: "aws_access_key", pattern: /\b(?:AKIA|ASIA|ABIA|ACCA)[A-Z2-7]{16}\b/g },
  {
    kind: "aws_secret_key",
    pattern: /(aws_secret_access_key|aws_secret_key|secretaccesskey)(["']?\s*[:=]\s*["']?)([A-Za-z0-9/+]{40})\b/gi,
    group: 3,
  },
  { kind: "github_token", pattern: /\b(?:ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9]{36,}\b/g },
  { kind: "github_token", pattern: /\bgithub_pat_[A-Za-z0-9_]{60,}\b/g },
  { kind: "gitlab_token", pattern: /\bglpat-[A-Za-z0-9_-]{20,}\b/g },
  { kind: "slack_token", pattern: /\bxox[abposr]-[A-Za-z0-9-]{10,}/g },
  { kind: "slack_webhook", pattern: /https:\/\/hooks\.slack\.com\/services\/[A-Za-z0-9/_-]+/g },
  { kind: "stripe_key", pattern: /\b(?:sk|rk)_(?:live|test)_[A-Za-z0-9]{20,}\b/g },
  { kind: "google_api_key", pattern: /\bAIza[0-9A-Za-z_-]{35}\b/g },
  { kind: "jwt", pattern: /\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/g },
  { kind: "bearer_token", pattern: /\b(Bearer\s+)(?!\[REDACTED)([A-Za-z0-9._~+/=-]{16,})/g, group: 2 },
  { kind: "url_credentials", pattern: /\b([a-z][a-z0-9+.-]*:\/\/[^\s:/@]+:)([^\s@/]+)(@)/gi, group: 2 },
  {
    kind: "secret_assignment",
    pattern:
      /\b([A-Za-z0-9_]*(?:password|passwd|secret|token|api_?key|access_?key)["']?\s*[:=]\s*["']?)(?!\[REDACTED)([^\s"'&,;]{6,})/gi,
    group: 2,
  },
];

const SECRET_NAME = /(^|_)(API_?KEY|KEY|TOKEN|SECRET|PASSWORD|PASSWD)(_|$)/i;
/** Values too short or too common to be worth hunting for verbatim. */
const MIN_ENV_SECRET = 8;

export interface Redactor {
  (text: string): string;
  /** False when redaction is switched off. */
  readonly enabled: boolean;
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** The user's pattern sources: a JSON array of regular expressions, or one per line. */
function patternSources(text: string | undefined): string[] {
  if (!text?.trim()) return [];
  try {
    const parsed = JSON.parse(text) as unknown;
    return Array.isArray(parsed) ? parsed.map(String) : [String(parsed)];
  } catch {
    return text
      .split("\n")
      .map((s) => s.trim())
      .filter(Boolean);
  }
}

function compiles(source: string): boolean {
  try {
    new RegExp(source);
    return true;
  } catch {
    return false;
  }
}

/** Patterns in CLAUDIA_REDACT_PATTERNS that are not valid regular expressions (they are ignored). */
export function invalidUserPatterns(text: string | undefined): string[] {
  return patternSources(text).filter((s) => !compiles(s));
}

function userRules(text: string | undefined): Rule[] {
  return patternSources(text)
    .filter(compiles)
    .map((source) => ({ kind: "custom", pattern: new RegExp(source, "g") }));
}

/**
 * A redactor for this environment: the built-in shapes, the user's patterns, and the verbatim
 * values of environment variables whose names say KEY, TOKEN, SECRET or PASSWORD.
 */
export function createRedactor(env: NodeJS.ProcessEnv = process.env): Redactor {
  const mode = env.CLAUDIA_REDACT?.trim().toLowerCase();
  if (mode === "off" || mode === "false" || mode === "0" || mode === "no") {
    return Object.assign((text: string) => text, { enabled: false });
  }
  const values = Object.entries(env)
    .filter(
      ([name, value]) =>
        SECRET_NAME.test(name) && value !== undefined && value.length >= MIN_ENV_SECRET && !value.startsWith("/"),
    )
    .map(([, value]) => value as string)
    .sort((a, b) => b.length - a.length);
  const envRule: Rule[] =
    values.length > 0 ? [{ kind: "env_secret", pattern: new RegExp(values.map(escapeRegExp).join("|"), "g") }] : [];
  const rules = [...envRule, ...RULES, ...userRules(env.CLAUDIA_REDACT_PATTERNS)];
  const redact = (text: string): string => {
    if (!text) return text;
    let out = text;
    for (const rule of rules) {
      rule.pattern.lastIndex = 0;
      out = out.replace(rule.pattern, (match: string, ...groups: unknown[]) => {
        if (!rule.group) return `[REDACTED:${rule.kind}]`;
        const parts = groups.slice(
          0,
          groups.findIndex((g) => typeof g === "number"),
        ) as (string | undefined)[];
        return (
          parts.map((part, i) => (i + 1 === rule.group ? `[REDACTED:${rule.kind}]` : (part ?? ""))).join("") || match
        );
      });
    }
    return out;
  };
  return Object.assign(redact, { enabled: true });
}
