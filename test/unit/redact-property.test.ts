/**
 * Generated cases for redaction: no configured or planted secret survives, whatever surrounds it
 * (any text, line breaks, JSON escaping once or twice, percent-encoding), also when the text is cut
 * right through the secret; and cutting while redacting shows exactly what redacting the whole
 * text and then cutting would.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import fc from "fast-check";
import { truncate } from "../../src/trace/content.ts";
import { createRedactor } from "../../src/trace/redact.ts";
import { mayMatch, RULES, type Rule } from "../../src/trace/redact-rules.ts";

const RUNS = { numRuns: 300 };

const chars = (alphabet: string, min: number, max: number) =>
  fc.string({ unit: fc.constantFrom(...alphabet), minLength: min, maxLength: max });
const ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/** Any text around a secret: any characters, graphemes kept whole, line breaks included. */
const surrounding = fc.oneof(
  fc.string({ unit: "grapheme", maxLength: 40 }),
  fc.string({
    unit: fc.constantFrom(" ", "\n", "\t", '"', "\\", "=", ":", "a", "Z", "0", "_", "-", "é", "🙂"),
    maxLength: 30,
  }),
);

/** How a text reaches redaction: as is, inside JSON (once or twice), percent-encoded; and what that makes of a value. */
const jsonOnce = (s: string) => JSON.stringify(s).slice(1, -1);
const ENCODINGS: [(s: string) => string, (secret: string) => string][] = [
  [(s) => s, (s) => s],
  [(s) => JSON.stringify({ output: s }), jsonOnce],
  [(s) => JSON.stringify({ content: JSON.stringify({ output: s }) }), (s) => jsonOnce(jsonOnce(s))],
  [(s) => encodeURIComponent(s), encodeURIComponent],
];
const encoding = fc.constantFrom(...ENCODINGS);

/** A configured value: 8+ characters of anything printable, quotes and backslashes included. */
const configuredValue = fc
  .string({ unit: "grapheme", minLength: 8, maxLength: 60 })
  .filter((s) => s.trim() === s && s.length >= 8);

/** Tokens of the built-in shapes, with random bodies. */
const plantedToken = fc.oneof(
  chars(ALNUM, 36, 40).map((b) => `ghp_${b}`),
  chars(ALNUM, 36, 40).map((b) => `npm_${b}`),
  chars(ALNUM, 34, 34).map((b) => `hf_${b}`),
  chars(`${ALNUM}_-`, 60, 120).map((b) => `pypi-A${b}`),
  chars(`${ALNUM}_-`, 40, 60).map((b) => `sntrys_A${b}`),
  chars(ALNUM, 40, 40).map((b) => `pylf_v1_eu_${b}`),
  chars(`${ALNUM}_-`, 60, 95).map((b) => `sk-ant-api03-${b}A`),
  chars(`${ALNUM}_-`, 60, 150).map((b) => `sk-proj-${b}A`),
  chars("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", 16, 16).map((b) => `AKIA${b}`),
  chars(`${ALNUM}_-`, 20, 30).map((b) => `glpat-${b}A`),
  chars(`${ALNUM}_`, 82, 82).map((b) => `github_pat_${b}`),
  chars(ALNUM, 24, 30).map((b) => `sk_live_${b}`),
);

/** A secret with the text before it ending where a token may start. */
const SEPARATORS = [" ", "\n", '"', "'", "(", ",", "\t", ">"];
const separated = (before: string) => (/[A-Za-z0-9_]$/.test(before) ? `${before} ` : before);

/** `name=value` pairs whose name says it holds a secret. */
const assignment = fc.record({
  name: fc.constantFrom(
    "GITHUB_PAT",
    "NPM_AUTH",
    "AWS_SECRETS",
    "password",
    "api_key",
    "clientSecret",
    "AccountKey",
    "db.password",
  ),
  sep: fc.constantFrom("=", ": ", " = ", '": "', "="),
  value: chars(`${ALNUM}+/_-`, 10, 50),
});

/** Without the parts of `secret` long enough to identify it (8 characters), unless `around` has them. */
function assertGone(out: string, secret: string, around: string) {
  for (let i = 0; i + 8 <= secret.length; i++) {
    const piece = secret.slice(i, i + 8);
    if (around.includes(piece)) continue;
    assert.ok(!out.includes(piece), `"${piece}" of ${JSON.stringify(secret)} survived in ${JSON.stringify(out)}`);
  }
}

describe("redaction properties", () => {
  test("a configured value never survives, whatever surrounds it and however it is encoded", () => {
    fc.assert(
      fc.property(configuredValue, surrounding, surrounding, encoding, (secret, before, after, [encode, form]) => {
        const out = createRedactor({}, [secret])(encode(`${before}${secret}${after}`));
        assert.ok(!out.includes(form(secret)), `${JSON.stringify(secret)} survived in ${JSON.stringify(out)}`);
        assert.ok(out.includes("[REDACTED:credential]"), out);
      }),
      RUNS,
    );
  });

  test("a secret-named environment value never survives, in any encoding", () => {
    fc.assert(
      fc.property(
        configuredValue.filter((s) => !s.startsWith("/")),
        surrounding,
        encoding,
        (secret, before, [encode, form]) => {
          const out = createRedactor({ RELEASE_TOKEN: secret })(encode(`${before}${secret}\n`));
          assert.ok(!out.includes(form(secret)), `${JSON.stringify(secret)} survived in ${JSON.stringify(out)}`);
          assert.ok(out.includes("[REDACTED:env_secret]"), out);
        },
      ),
      RUNS,
    );
  });

  test("a planted token never survives, whatever text is around it", () => {
    fc.assert(
      fc.property(
        plantedToken,
        surrounding,
        fc.constantFrom(...SEPARATORS),
        encoding,
        (token, before, sep, [encode]) => {
          const text = encode(`${separated(before)}${token}${sep}${before}`);
          assertGone(createRedactor({})(text), token, text.replace(token, ""));
        },
      ),
      RUNS,
    );
  });

  test("a secret-named assignment's value never survives", () => {
    fc.assert(
      fc.property(assignment, surrounding, encoding, ({ name, sep, value }, before, [encode]) => {
        const text = encode(`${separated(before)}${name}${sep}${value}\n`);
        assertGone(createRedactor({})(text), value, text.replace(value, ""));
      }),
      RUNS,
    );
  });

  test("cut through a secret, no part of it shows", () => {
    fc.assert(
      fc.property(
        fc.oneof(plantedToken, configuredValue),
        fc.string({ unit: "grapheme", maxLength: 200 }),
        fc.nat(),
        (secret, before, at) => {
          const r = createRedactor({}, [secret]);
          const prefix = separated(before);
          const text = `${prefix}${secret} and the rest`;
          const max = prefix.length + 1 + (at % secret.length);
          const out = r.redactAndCut(text, max);
          assertGone(out, secret, prefix);
          assert.ok(out.length <= max || out.startsWith("…["), out);
        },
      ),
      RUNS,
    );
  });
});

/** Pieces of long texts: words, runs that shrink or grow when redacted, planted secrets, filler. */
const piece = fc.oneof(
  fc.string({ unit: "grapheme", maxLength: 30 }),
  plantedToken.map((t) => ` ${t} `),
  fc.constantFrom(
    "password=hunter2hunter2 ",
    "a".repeat(3000),
    " ".repeat(2000),
    "sk-".repeat(1000),
    `-----BEGIN RSA PRIVATE KEY-----\n${"MIIEowIBAAKCAQEA\n".repeat(300)}-----END RSA PRIVATE KEY-----\n`,
    "A=".repeat(800),
  ),
);

describe("redactAndCut", () => {
  test("shows exactly what redacting the whole text and then cutting it shows", () => {
    const r = createRedactor({}, ["configured-value-1234"]);
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 12 }), fc.nat({ max: 20_000 }), (pieces, max) => {
        const text = pieces.join("configured-value-1234");
        const whole = r(text);
        assert.equal(r.head(text, max).head, whole.slice(0, max));
        if (text.length <= max + r.margin) assert.equal(r.redactAndCut(text, max), truncate(whole, max));
        else {
          const shown = Math.max(0, max - 40);
          assert.equal(r.redactAndCut(text, max).slice(0, shown), truncate(whole, max).slice(0, shown));
        }
      }),
      { numRuns: 150 },
    );
  });
});

describe("rule hints", () => {
  /** Pieces of the built-in shapes (in any case), what surrounds them in commands, JSON and URLs, and bodies. */
  const shapePiece = fc.oneof(
    fc.constantFrom(
      "sk-ant-api03-",
      "sk-",
      "T3BlbkFJ",
      "sk-proj-",
      "sk-admin-",
      "AKIA",
      "ASIA",
      "aws_secret_access_key",
      "secretAccessKey",
      "ghp_",
      "github_pat_",
      "glpat-",
      "xoxb-",
      "https://hooks.slack.com/services/",
      "sk_live_",
      "rk_test_",
      "AIza",
      "npm_",
      "hf_",
      "pypi-",
      "sntrys_",
      "pylf_",
      "eyJ",
      ".eyJ",
      "https://",
      "postgres://",
      "Bearer",
      "Authorization",
      "Proxy-Authorization",
      "curl",
      " -u ",
      " --user=",
      " --password ",
      " --Api-Key=",
      " -p",
      "mysql",
      "mariadb",
      "-----BEGIN RSA PRIVATE KEY-----",
      "-----END RSA PRIVATE KEY-----",
      "DB_PASSWORD",
      "x.Secret",
      "GITHUB_PAT",
      "NPM_AUTH",
      "aws_cred",
      "SENTRY_DSN",
      "apiKey",
      "token",
    ),
    fc.constantFrom(" ", "\n", "\\n", "%20", "=", ": ", '"', "'", "%3D", "@", ":", ".", "/", "-", "_"),
    chars(`${ALNUM}_-`, 1, 70),
    chars("abcdef0123456789", 32, 32),
    // Whole shapes whose pieces rarely line up by chance.
    fc.tuple(chars(ALNUM, 10, 20), chars(ALNUM, 10, 20)).map(([a, b]) => `sk-${a}T3BlbkFJ${b}`),
    chars("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", 16, 16).map((b) => `ASIA${b}`),
    chars(`${ALNUM}_-`, 35, 35).map((b) => `AIza${b}`),
    fc.tuple(chars(ALNUM, 8, 20), chars(ALNUM, 8, 20), chars(ALNUM, 8, 20)).map(([a, b, c]) => `eyJ${a}.eyJ${b}.${c}`),
    chars("abcdef0123456789", 32, 32).map((k) => `https://${k}@o1.ingest.sentry.io/1`),
    fc.tuple(chars(ALNUM, 1, 10), chars(ALNUM, 1, 10)).map(([u, p]) => `https://${u}:${p}@db.example`),
    fc.tuple(chars(ALNUM, 1, 10), chars(ALNUM, 1, 10)).map(([u, p]) => `curl -u ${u}:${p} https://x`),
    chars(ALNUM, 1, 10).map((p) => `mysql -u root -p${p} db`),
    chars(ALNUM, 16, 30).map((t) => `Bearer ${t}`),
    chars(ALNUM, 8, 30).map((t) => `Authorization: ${t}`),
    chars(`${ALNUM}/+`, 40, 40).map((k) => `aws_secret_access_key = ${k}`),
    chars(ALNUM, 8, 30).map((t) => ` --token=${t}`),
    chars(`${ALNUM}-`, 10, 30).map((t) => `xoxb-${t}`),
    chars(`${ALNUM}+/\n`, 0, 60).map((k) => `-----BEGIN EC PRIVATE KEY-----\n${k}`),
    plantedToken,
  );
  const caseOf = fc.constantFrom(
    (s: string) => s,
    (s: string) => s.toUpperCase(),
    (s: string) => s.toLowerCase(),
  );
  const text = fc
    .array(fc.tuple(shapePiece, caseOf), { minLength: 1, maxLength: 10 })
    .map((pieces) =>
      pieces.map(([piece, cased]) => (/^[a-z]/i.test(piece) && piece.length < 32 ? cased(piece) : piece)).join(""),
    );

  /** Whether the rule takes a match in `t`: its context is there, and it accepts the match. */
  const finds = (rule: Rule, t: string) => {
    if (rule.context) {
      rule.context.lastIndex = 0;
      if (!rule.context.test(t)) return false;
    }
    rule.pattern.lastIndex = 0;
    for (let m = rule.pattern.exec(t); m !== null; m = rule.pattern.exec(t)) {
      if (m[0] === "") rule.pattern.lastIndex++;
      if (!rule.accept || rule.accept(m, t)) return true;
    }
    return false;
  };

  test("every text a built-in rule finds a secret in has one of its hints", () => {
    const matched = new Map<string, number>();
    fc.assert(
      fc.property(text, (t) => {
        RULES.forEach((rule, i) => {
          if (!finds(rule, t)) return;
          matched.set(`${i} ${rule.kind}`, (matched.get(`${i} ${rule.kind}`) ?? 0) + 1);
          assert.ok(
            mayMatch(rule, t, () => t.toLowerCase()),
            `rule ${i} (${rule.kind}) finds a secret in ${JSON.stringify(t)} but its hints say it cannot`,
          );
        });
      }),
      { numRuns: 4000 },
    );
    // Not vacuous: every rule found a secret in some generated text.
    assert.equal(matched.size, RULES.length, `only ${[...matched.keys()].join(", ")} found one`);
  });
});
