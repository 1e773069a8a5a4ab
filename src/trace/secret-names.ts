/**
 * Which names (environment variables, `name=value` keys, JSON keys) hold a secret.
 *
 * A name holds a secret when, separators (`_ - .`) removed and lower-cased, it ends with a word that
 * only ever names secrets (`password`, `token`, `apiKey`, `clientSecret`, `AccountKey` …), or when
 * it is written like an environment variable (upper case) and one of its parts is a shorter word
 * that does in that style (`GITHUB_PAT`, `NPM_AUTH`, `SSH_KEY`, `SENTRY_DSN`). Names whose last
 * part says they hold something else (`TOKEN_URL`, `KEY_FILE`, `password_length`) do not.
 */

const STRONG_ENDINGS =
  /(?:password|passwd|passphrase|secret|secrets|token|apikey|accesskey|secretkey|privatekey|accountkey|signingkey|encryptionkey|masterkey|credential|credentials)$/;

const ENV_STYLE = /^[A-Z][A-Z0-9_.-]*$/;
const ENV_PARTS = new Set(["KEY", "PAT", "AUTH", "PASS", "CREDS", "CRED", "DSN", "SECRET", "SECRETS", "TOKEN"]);

const NOT_SECRET_LAST = new Set([
  "path",
  "file",
  "dir",
  "name",
  "id",
  "type",
  "size",
  "len",
  "length",
  "count",
  "ttl",
  "url",
  "uri",
  "host",
  "env",
  "header",
  "field",
  "mode",
  "format",
  "kind",
  "expiry",
  "expires",
  "enabled",
]);

/** The name's parts: split on `_ - .` and at lower-to-upper case changes. */
function parts(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, "$1_$2")
    .split(/[_.-]+/)
    .filter(Boolean);
}

const judged = new Map<string, boolean>();

/** Whether `name` holds a secret (remembered for the last names seen: text repeats its names). */
export function isSecretName(name: string): boolean {
  let secret = judged.get(name);
  if (secret === undefined) {
    secret = judge(name);
    if (judged.size >= 1024) judged.clear();
    judged.set(name, secret);
  }
  return secret;
}

function judge(name: string): boolean {
  const split = parts(name);
  const last = split[split.length - 1]?.toLowerCase();
  if (last === undefined || NOT_SECRET_LAST.has(last)) return false;
  if (STRONG_ENDINGS.test(split.join("").toLowerCase())) return true;
  return ENV_STYLE.test(name) && split.some((part) => ENV_PARTS.has(part));
}
