/**
 * Secret shapes and credentials that redaction must catch beyond the common API keys: registry and
 * vendor tokens, HTTP and command-line credentials, secret-named variables, JSON-escaped values,
 * the configured backends' own credentials; and claudia's progress lines.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { cut, ProgressPrinter, toolLine } from "../../src/cli/console.ts";
import { createRedactor, credentialValues, invalidUserPatterns, isSecretName } from "../../src/trace/redact.ts";
import { inertRunnerCommands, stripControl } from "../../src/trace/text.ts";

const redact = createRedactor({});

/** [kind, text, the secret that must not survive] */
const GAPS: [string, string, string][] = [
  [
    "npm_token",
    "publish with npm_AbCdEfGhIjKlMnOpQrStUvWxYz0123456789 from CI",
    "npm_AbCdEfGhIjKlMnOpQrStUvWxYz0123456789",
  ],
  ["huggingface_token", "HF: hf_AbCdEfGhIjKlMnOpQrStUvWxYz01234567 ok", "hf_AbCdEfGhIjKlMnOpQrStUvWxYz01234567"],
  [
    "pypi_token",
    "twine upload -u __token__ pypi-AgEIcHlwaS5vcmcCJGE4ZjYxYWE0LWQxYjItNDE5OC1hNjY2LTlkNjE1YWQ3OWQ1ZAACKlsz",
    "pypi-AgEIcHlwaS5vcmcCJGE4ZjYxYWE0LWQxYjItNDE5OC1hNjY2LTlkNjE1YWQ3OWQ1ZAACKlsz",
  ],
  [
    "sentry_token",
    "sentry-cli --auth-token sntrys_eyJpYXQiOjE3MDAwMDAwMDB9_AbCdEfGhIjKlMnOpQrStUvWxYz012345",
    "sntrys_eyJpYXQiOjE3MDAwMDAwMDB9_AbCdEfGhIjKlMnOpQrStUvWxYz012345",
  ],
  [
    "sentry_token",
    "user token sntryu_0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
    "sntryu_0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
  ],
  [
    "logfire_token",
    "logfire token pylf_v1_us_AbCdEfGhIjKlMnOpQrStUvWxYz0123456789",
    "pylf_v1_us_AbCdEfGhIjKlMnOpQrStUvWxYz0123456789",
  ],
  ["authorization", "curl -H 'Authorization: Basic dXNlcjpodW50ZXIyaHVudGVyMg==' x", "dXNlcjpodW50ZXIyaHVudGVyMg=="],
  ["authorization", '{"authorization": "token 0123456789abcdefABCDEF"}', "0123456789abcdefABCDEF"],
  ["cli_password", "curl -u deploy:Tr0ub4dor-and-3 https://example.com/api", "Tr0ub4dor-and-3"],
  ["cli_password", "curl --user 'admin:s3cr3t!pass' https://example.com", "s3cr3t!pass"],
  ["cli_password", "mysql -h db -u root -pSup3rS3cret app", "Sup3rS3cret"],
  ["cli_password", "tool login --password hunter2hunter2 --verbose", "hunter2hunter2"],
  ["cli_password", "tool login --password=hunter2hunter2", "hunter2hunter2"],
  [
    "secret_assignment",
    "DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=Zm9vYmFyYmF6cXV4Zm9vYmFyYmF6cXV4MTIzNDU2Nzg5MA==;EndpointSuffix=core.windows.net",
    "Zm9vYmFyYmF6cXV4Zm9vYmFyYmF6cXV4MTIzNDU2Nzg5MA==",
  ],
  ["secret_assignment", "export GITHUB_PAT=plainvalue0123456789", "plainvalue0123456789"],
  ["secret_assignment", "NPM_AUTH=bnBtOmF1dGh2YWx1ZQ", "bnBtOmF1dGh2YWx1ZQ"],
  ["secret_assignment", "AWS_SECRETS: multi-part-value-42", "multi-part-value-42"],
  ["secret_assignment", '{"clientSecret":"pa\\"ss\\\\word-007"}', 'pa\\"ss\\\\word-007'],
  [
    "sentry_dsn",
    "dsn https://0123456789abcdef0123456789abcdef@o1.ingest.sentry.io/42",
    "0123456789abcdef0123456789abcdef",
  ],
];

/** Text that looks like the new shapes but is not a secret. */
const LOOK_ALIKES = [
  "npm_config_cache and npm_package_version",
  "from hf_hub import hf_hub_download",
  "pip install pypi-simple",
  "docker run -u 1000:1000 image",
  "gcc -pedantic -pthread -pipe main.c",
  "mkdir -p build/out",
  "ssh -p2222 host",
  "max_tokens=128000 input_tokens: 1234",
  "key={item.id} sortKey: createdAt",
  "SSH_KEY_PATH=/home/u/.ssh/id_ed25519",
  "TOKEN_URL=https://auth.example.com/oauth/token",
  "password_length=32",
  "the Authorization header is set",
  "docker login --password-stdin",
];

describe("redaction gaps", () => {
  for (const [kind, text, secret] of GAPS) {
    test(`${kind}: ${text.slice(0, 40)}`, () => {
      const out = redact(text);
      assert.ok(!out.includes(secret), `not redacted: ${out}`);
      assert.ok(out.includes(`[REDACTED:${kind}]`), `${kind} expected in: ${out}`);
    });
  }

  test("look-alikes of the new shapes are left alone", () => {
    for (const text of LOOK_ALIKES) assert.equal(redact(text), text);
  });

  test("environment variables named like GITHUB_PAT, NPM_AUTH, AWS_SECRETS are redacted verbatim", () => {
    const r = createRedactor({
      GITHUB_PAT: "value-one-1234",
      NPM_AUTH: "value-two-5678",
      AWS_SECRETS: "value-3-abcdef",
    });
    assert.equal(
      r("a value-one-1234 b value-two-5678 c value-3-abcdef"),
      "a [REDACTED:env_secret] b [REDACTED:env_secret] c [REDACTED:env_secret]",
    );
    assert.ok(isSecretName("GITHUB_PAT") && isSecretName("NPM_AUTH") && isSecretName("AWS_SECRETS"));
    assert.ok(
      !isSecretName("PWD") && !isSecretName("KEY_FILE") && !isSecretName("max_tokens") && !isSecretName("PATH"),
    );
  });

  test("a secret holding a quote or a backslash is found after JSON escaping, once or twice", () => {
    const secret = 'q"u\\o-te-secret';
    const r = createRedactor({ DEPLOY_TOKEN: secret });
    const once = JSON.stringify({ output: `value ${secret} end` });
    const twice = JSON.stringify({ content: once });
    for (const text of [once, twice, encodeURIComponent(secret)]) {
      const out = r(text);
      assert.ok(out.includes("[REDACTED:env_secret]"), out);
      assert.ok(!out.includes("o-te-secret"), out);
    }
  });
});

describe("configured credentials", () => {
  test("every configured credential value is redacted verbatim and in its escaped forms; short ones are not", () => {
    const r = createRedactor({}, ["plain-header-value-1", 'with"quote\\value', "short"]);
    assert.equal(r("got plain-header-value-1!"), "got [REDACTED:credential]!");
    assert.equal(r(JSON.stringify('with"quote\\value')), '"[REDACTED:credential]"');
    assert.equal(r(`q=${encodeURIComponent('with"quote\\value')}`), "q=[REDACTED:credential]");
    assert.equal(r("a short word"), "a short word");
  });

  test("overlapping configured values are both redacted", () => {
    const r = createRedactor({}, ["abcdefgh12", "gh12345678"]);
    assert.equal(r("xabcdefgh12345678y"), "x[REDACTED:credential]y");
  });

  test("credentialValues lists header values, Basic pairs, URL and DSN credentials", () => {
    const basic = `Basic ${Buffer.from("ci-user:basic-password-9").toString("base64")}`;
    const values = credentialValues([
      {
        url: "https://u:url-password-1@otel.example.com/v1/traces?api_key=query-secret-2",
        headers: { authorization: basic, "x-team": "team-token-3456" },
      },
      {
        url: "https://logfire-us.pydantic.dev/v1/traces",
        headers: { Authorization: "pylf_v1_us_0123456789abcdefghij" },
      },
      {
        url: "https://o1.ingest.sentry.io/api/1/envelope/",
        headers: {},
        sentry: { dsn: "https://0123456789abcdef0123456789abcdef@o1.ingest.sentry.io/1" },
      },
      undefined,
    ]);
    for (const expected of [
      "url-password-1",
      "query-secret-2",
      basic,
      "basic-password-9",
      "team-token-3456",
      "pylf_v1_us_0123456789abcdefghij",
      "0123456789abcdef0123456789abcdef",
    ]) {
      assert.ok(values.includes(expected), `${expected} missing from ${values.join(", ")}`);
    }
    assert.ok(values.every((v) => v.length >= 8));
  });
});

describe("CLAUDIA_REDACT_PATTERNS", () => {
  test("JSON that is not an array of strings is reported, never compiled as [object Object]", () => {
    assert.deepEqual(invalidUserPatterns('{"a":1}'), ['{"a":1}']);
    assert.deepEqual(invalidUserPatterns('["ok-\\\\d+", 1, {"a":1}, "(unclosed"]'), ["1", '{"a":1}', "(unclosed"]);
    const r = createRedactor({ CLAUDIA_REDACT_PATTERNS: '{"a":1}' });
    assert.equal(r("object Object [object Object] abc"), "object Object [object Object] abc");
    assert.deepEqual(invalidUserPatterns('"ok-\\\\d+"'), []);
    assert.equal(createRedactor({ CLAUDIA_REDACT_PATTERNS: '"ok-\\\\d+"' })("ok-7"), "[REDACTED:custom]");
    const mixed = createRedactor({ CLAUDIA_REDACT_PATTERNS: '["ok-\\\\d+", 1]' });
    assert.equal(mixed("ok-42 1"), "[REDACTED:custom] 1");
  });
});

describe("progress lines", () => {
  const TOKEN = "ghp_1234567890abcdefghijABCDEFGHIJ123456";

  test("a secret across the 80-character cut is redacted before the line is cut", () => {
    const r = createRedactor({});
    const lines: string[] = [];
    const printer = new ProgressPrinter((line) => lines.push(line), r);
    const prompt = `${"p".repeat(60)} ${TOKEN} and more`;
    printer.handle({ kind: "prompt", text: prompt, agentId: null, time: 0, synthetic: false });
    assert.equal(lines.length, 1);
    assert.ok(!lines[0]?.includes("ghp_1234"), lines[0]);
    assert.match(lines[0] ?? "", /\[REDACTED/);
    // Cut first, then redacted, the 26 characters before the cut would have shown.
    assert.ok(r(cut(prompt)).includes("ghp_1234"));
  });

  test("tool titles are redacted with the run's redactor, and control sequences removed", () => {
    const r = createRedactor({}, ["configured-credential-42"]);
    assert.equal(toolLine("Bash", { command: "echo configured-credential-42" }, r), "Bash: echo [REDACTED:credential]");
    assert.equal(
      toolLine("Bash", { description: "\u001b]0;pwned\u0007List\u001b[31m files\u001b[0m\u009b2J" }),
      "Bash: List files",
    );
  });

  test("inertRunnerCommands splits every ##[ and ##vso[ (any case), and leaves other text as it is", () => {
    assert.equal(
      inertRunnerCommands("a ##[set-output name=x]y ##VSO[task.setvariable variable=V]1 ##[add-mask]z"),
      "a # #[set-output name=x]y # #VSO[task.setvariable variable=V]1 # #[add-mask]z",
    );
    assert.equal(
      inertRunnerCommands("### heading, #[x], ## [y], ::notice::n"),
      "### heading, #[x], ## [y], ::notice::n",
    );
  });

  test("stripControl removes escape sequences and control characters, keeping tabs and newlines", () => {
    assert.equal(stripControl("a\u001b[1;31mred\u001b[0m\tb\nc\u0007\u0000d\u007f"), "ared\tb\ncd");
    assert.equal(stripControl("title\u001b]0;evil title\u001b\\ rest"), "title rest");
    assert.equal(stripControl("x\u001b]8;;http://evil\u0007link\u001b]8;;\u0007y"), "xlinky");
    assert.equal(stripControl("plain text, é 中 🙂"), "plain text, é 中 🙂");
  });
});
