import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { createRedactor, invalidUserPatterns } from "../../src/trace/redact.ts";

const redact = createRedactor({});

/** [kind, text containing exactly one secret, the secret] */
const SECRETS: [string, string, string][] = [
  [
    "anthropic_key",
    "key: sk-ant-api03-AbCdEfGhIjKlMnOpQrStUvWxYz0123456789-_abcdEFGH",
    "sk-ant-api03-AbCdEfGhIjKlMnOpQrStUvWxYz0123456789-_abcdEFGH",
  ],
  [
    "anthropic_key",
    "ANTHROPIC=sk-ant-admin01-zyxwvutsrqponmlkjihgfedcba987654",
    "sk-ant-admin01-zyxwvutsrqponmlkjihgfedcba987654",
  ],
  [
    "openai_key",
    "use sk-proj-abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMN for it",
    "sk-proj-abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMN",
  ],
  [
    "openai_key",
    "old sk-abcdefghijklmnopqrstT3BlbkFJabcdefghijklmnopqrst key",
    "sk-abcdefghijklmnopqrstT3BlbkFJabcdefghijklmnopqrst",
  ],
  ["aws_access_key", "aws id AKIAIOSFODNN7EXAMPLE here", "AKIAIOSFODNN7EXAMPLE"],
  ["aws_access_key", "session ASIAY34FZKBOKMUTVV7A", "ASIAY34FZKBOKMUTVV7A"],
  [
    "aws_secret_key",
    "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
  ],
  [
    "github_token",
    "git clone with ghp_1234567890abcdefghijABCDEFGHIJ123456",
    "ghp_1234567890abcdefghijABCDEFGHIJ123456",
  ],
  [
    "github_token",
    "GH=github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ012345",
    "github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ012345",
  ],
  ["gitlab_token", "glpat-xYz0123456789abcdefGHIJ used", "glpat-xYz0123456789abcdefGHIJ"],
  ["slack_token", "bot xoxb-1234567890-0987654321-AbCdEfGhIjKlMnOp", "xoxb-1234567890-0987654321-AbCdEfGhIjKlMnOp"],
  [
    "slack_webhook",
    "post to https://hooks.slack.com/services/T000/B000/XXXXXXXXXXXXXXXX now",
    "https://hooks.slack.com/services/T000/B000/XXXXXXXXXXXXXXXX",
  ],
  ["stripe_key", "stripe sk_live_4eC39HqLyjWDarjtT1zdp7dc ok", "sk_live_4eC39HqLyjWDarjtT1zdp7dc"],
  ["stripe_key", "restricted rk_test_51H8abcdefghijklmnopqrstu", "rk_test_51H8abcdefghijklmnopqrstu"],
  ["google_api_key", "maps AIzaSyA-1234567890abcdefghijklmnopqrstu key", "AIzaSyA-1234567890abcdefghijklmnopqrstu"],
  [
    "jwt",
    "auth eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U end",
    "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U",
  ],
  [
    "private_key",
    "-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA7\nabc\n-----END RSA PRIVATE KEY-----",
    "MIIEpAIBAAKCAQEA7",
  ],
  [
    "private_key",
    "k: -----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEA\n-----END OPENSSH PRIVATE KEY-----",
    "b3BlbnNzaC1rZXktdjEA",
  ],
  ["bearer_token", "Authorization: Bearer abcdef0123456789abcdef0123456789", "abcdef0123456789abcdef0123456789"],
  ["url_credentials", "git remote https://deploy:s3cr3tP4ss@github.com/org/repo.git", "s3cr3tP4ss"],
  ["url_credentials", "DATABASE_URL=postgres://app:hunter2hunter2@db:5432/app", "hunter2hunter2"],
  ["secret_assignment", "password=correct-horse-battery", "correct-horse-battery"],
  ["secret_assignment", 'config {"api_key": "abc123def456ghi"}', "abc123def456ghi"],
  ["secret_assignment", "curl 'https://x/y?token=Zm9vYmFyYmF6cXV4' -s", "Zm9vYmFyYmF6cXV4"],
  ["secret_assignment", "CLIENT_SECRET: q1w2e3r4t5y6", "q1w2e3r4t5y6"],
];

const LOOK_ALIKES = [
  "the task-ant-farm ran",
  "commit 3f786850e387550fdab836ed7e6dc881de23001b is fine",
  "request 123e4567-e89b-12d3-a456-426614174000",
  "AKIAEXAMPLE is too short",
  "ghp_short",
  "please send the password reset link",
  "token=abc",
  "input_tokens: 1234, max_tokens=32000, token_count=99",
  "eyJhbGciOi without dots",
  "the Bearer of bad news",
  "https://example.com/path?page=2",
  "write to user@example.com",
  "xoxo-gossip girl",
  "mention sk_test in docs",
  "AIza alone",
  "the secret is out",
  "PWD=/home/user/project",
  "sk-ant-",
  "-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE\n-----END PUBLIC KEY-----",
];

describe("redaction", () => {
  test(`${SECRETS.length} secret shapes are replaced by [REDACTED:<kind>]`, () => {
    assert.ok(SECRETS.length >= 20);
    for (const [kind, text, secret] of SECRETS) {
      const out = redact(text);
      assert.ok(!out.includes(secret), `${kind} not redacted in: ${out}`);
      assert.ok(out.includes(`[REDACTED:${kind}]`), `${kind} expected in: ${out}`);
    }
  });

  test("a quoted secret-named value is redacted whole, spaces and all", () => {
    assert.equal(redact('password: "correct horse battery"'), 'password: "[REDACTED:secret_assignment]"');
    assert.equal(redact('{"privateKey": "abcd efgh ijkl mnop"}'), '{"privateKey": "[REDACTED:secret_assignment]"}');
    assert.equal(redact("DB_PASSWORD='two words here' next"), "DB_PASSWORD='[REDACTED:secret_assignment]' next");
    assert.equal(
      redact('{\\"api_key\\": \\"abc def ghi jkl\\"}'),
      '{\\"api_key\\": \\"[REDACTED:secret_assignment]\\"}',
      "inside a JSON-escaped string",
    );
    // A label's closing quote is not a value's opening one: code and prose between two strings stay.
    for (const text of [
      'url = "https://x?token=" + token + "&foo=bar"',
      'console.log("api_key=", config.apiKey, "loaded")',
      'He said "the token:" and then wrote a long sentence about it, see "x"',
      'Set "secret:" to the value shown in the "Keys" tab',
    ]) {
      assert.equal(redact(text), text);
    }
  });

  test("look-alikes are left alone", () => {
    for (const text of LOOK_ALIKES) assert.equal(redact(text), text);
  });

  test("the context around a secret is kept", () => {
    assert.equal(
      redact("Authorization: Bearer abcdef0123456789abcdef"),
      "Authorization: Bearer [REDACTED:bearer_token]",
    );
    assert.equal(redact("https://me:pw123456@host/x"), "https://me:[REDACTED:url_credentials]@host/x");
    assert.equal(redact("password=hunter22 and more"), "password=[REDACTED:secret_assignment] and more");
  });

  test("values of secret-named environment variables are redacted verbatim, wherever they appear", () => {
    const r = createRedactor({
      MY_SERVICE_TOKEN: "plain-looking-value-42",
      HOME: "/root",
      SHORT_KEY: "abc",
      KEY_FILE: "/etc/key.pem",
    });
    assert.equal(r("echo plain-looking-value-42"), "echo [REDACTED:env_secret]");
    assert.equal(r("home is /root, file /etc/key.pem, abc"), "home is /root, file /etc/key.pem, abc");
  });

  test("user patterns add to the built-in ones; CLAUDIA_REDACT=off switches redaction off", () => {
    const r = createRedactor({ CLAUDIA_REDACT_PATTERNS: '["INTERNAL-\\\\d{6}"]' });
    assert.equal(r("ticket INTERNAL-123456"), "ticket [REDACTED:custom]");
    const lines = createRedactor({ CLAUDIA_REDACT_PATTERNS: "acme-[a-z]+\nfoo\\d+" });
    assert.equal(lines("acme-secret foo42"), "[REDACTED:custom] [REDACTED:custom]");
    assert.deepEqual(invalidUserPatterns('["(unclosed"]'), ["(unclosed"]);
    const off = createRedactor({ CLAUDIA_REDACT: "off" });
    assert.equal(off.enabled, false);
    assert.equal(off("password=hunter22"), "password=hunter22");
  });
});
