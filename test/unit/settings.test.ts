import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, test } from "node:test";
import { exportTarget } from "../../src/config/backends.ts";
import { describeConfig } from "../../src/config/describe.ts";
import {
  ConfigError,
  parseBoolean,
  parseEnum,
  parseLines,
  parseList,
  parseNumber,
  parsePairs,
  parseRatio,
  parseUrl,
  redactUrl,
} from "../../src/config/parse.ts";
import { resolveConfig, resolveDiagnostics } from "../../src/config/resolve.ts";
import { SETTINGS } from "../../src/config/settings.ts";
import { endpointIdentity, signalUrl } from "../../src/config/urls.ts";
import { pendingDelivery, undelivered } from "../../src/export/deliver.ts";
import type { StoredRun } from "../../src/export/journal-store.ts";
import { ROOT } from "../support/sandbox.ts";

const installed = () => true;

/** The rows of the README's configuration table: variable, flag cell, default. */
function readmeRows(): { name: string; flag: string; default: string }[] {
  const readme = readFileSync(join(ROOT, "README.md"), "utf8");
  const section = readme.slice(
    readme.indexOf("## Configuration"),
    readme.indexOf("\n## ", readme.indexOf("## Configuration") + 1),
  );
  return section
    .split("\n")
    .filter((line) => line.startsWith("| `"))
    .map((line) => line.split("|").map((cell) => cell.trim()))
    .map(([, name = "", flag = "", def = ""]) => ({
      name: name.replace(/`/g, ""),
      flag,
      default: def.replace(/^`|`$/g, ""),
    }));
}

describe("the settings table", () => {
  test("the README's configuration table lists exactly its variables, once each, with the same defaults and flags", () => {
    const rows = readmeRows();
    assert.deepEqual(
      rows.map((r) => r.name),
      SETTINGS.map((s) => s.name),
    );
    for (const setting of SETTINGS) {
      const row = rows.find((r) => r.name === setting.name);
      assert.equal(row?.default, "default" in setting ? setting.default : "", setting.name);
      if ("flag" in setting) assert.ok(row?.flag.includes(setting.flag), `${setting.name}: ${setting.flag}`);
      else assert.equal(row?.flag, "", setting.name);
    }
  });

  test("every default is a value its own parser accepts (the defaults are what an empty environment gets)", () => {
    const config = resolveConfig({}, {}, installed);
    assert.deepEqual(config.warnings, []);
    assert.equal(config.serviceName, "claude-agents");
    assert.equal(config.exportTimeoutMs, 5000);
    assert.equal(config.scheduleDelayMs, 200);
    assert.equal(config.resendWaitMs, 1000);
    assert.equal(config.killAfterMs, 10000);
    assert.deepEqual(config.content, { capture: true, maxLength: 8192 });
    assert.deepEqual(config.redaction, { enabled: true, patterns: [] });
    assert.equal(config.journal.enabled, true);
    assert.equal(config.journal.maxAgeDays, 30);
    assert.equal(config.journal.maxBytes, 500 * 1024 * 1024);
    assert.equal(config.metricsTemporality, "delta");
    assert.equal(config.debug, false);
    assert.equal(config.quiet, false);
  });

  test("everything a run needs comes from the one resolution", () => {
    const config = resolveConfig(
      {},
      {
        OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT: "false",
        CLAUDIA_CONTENT_MAX_LENGTH: "1000",
        OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT: "500",
        CLAUDIA_REDACT: "off",
        CLAUDIA_REDACT_PATTERNS: '["acme-[0-9]+", "x"]',
        CLAUDIA_JOURNAL: "off",
        CLAUDIA_HOME: "/data/claudia",
        CLAUDIA_JOURNAL_MAX_AGE_DAYS: "7",
        CLAUDIA_RESEND_WAIT_MS: "0",
        CLAUDIA_KILL_AFTER_MS: "2500",
        OTEL_RESOURCE_ATTRIBUTES: "deployment.environment=ci,team=a%20b",
        OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE: "CUMULATIVE",
        CLAUDIA_CLAUDE_PATH: "/opt/claude",
        TRACEPARENT: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
        TRACESTATE: "k=v",
      },
      installed,
    );
    assert.deepEqual(config.warnings, []);
    assert.deepEqual(config.content, { capture: false, maxLength: 500 });
    assert.deepEqual(config.redaction, { enabled: false, patterns: ["acme-[0-9]+", "x"] });
    assert.equal(config.journal.enabled, false);
    assert.equal(config.journal.dir, "/data/claudia/journal");
    assert.equal(config.journal.maxAgeDays, 7);
    assert.equal(config.resendWaitMs, 0);
    assert.equal(config.killAfterMs, 2500);
    assert.deepEqual(config.resourceAttributes, { "deployment.environment": "ci", team: "a b" });
    assert.equal(config.metricsTemporality, "cumulative");
    assert.equal(config.claudePath, "/opt/claude");
    assert.equal(config.tracestate, "k=v");
  });

  test("a bad value is one warning naming the variable, and the default is used", () => {
    const config = resolveConfig(
      {},
      { CLAUDIA_EXPORT_TIMEOUT_MS: "soon", CLAUDIA_JOURNAL: "maybe", CLAUDIA_REDACT_PATTERNS: '{"a":1}' },
      installed,
    );
    assert.equal(config.exportTimeoutMs, 5000);
    assert.equal(config.journal.enabled, true);
    assert.deepEqual(config.redaction.patterns, []);
    assert.equal(config.warnings.length, 3, config.warnings.join("\n"));
    assert.match(config.warnings[0] ?? "", /^CLAUDIA_EXPORT_TIMEOUT_MS: .*using the default \(5000\)/);
  });

  test("a relative XDG_DATA_HOME is ignored, as the XDG specification says", () => {
    const config = resolveConfig({}, { XDG_DATA_HOME: "relative/dir" }, installed);
    assert.ok(config.journal.home.startsWith("/"), config.journal.home);
  });
});

describe("one parser per kind of value", () => {
  test("numbers, ratios, booleans, enums, lists, lines", () => {
    assert.equal(parseNumber(" 42 ", "N"), 42);
    assert.throws(() => parseNumber("4.5", "N"), ConfigError);
    assert.throws(() => parseNumber("0", "N", { min: 1 }), /from 1/);
    assert.equal(parseRatio("0.25", "R"), 0.25);
    assert.throws(() => parseRatio("2", "R"), ConfigError);
    for (const yes of ["1", "true", "YES", "on"]) assert.equal(parseBoolean(yes, "B"), true);
    for (const no of ["0", "false", "No", "off"]) assert.equal(parseBoolean(no, "B"), false);
    assert.throws(() => parseBoolean("maybe", "B"), ConfigError);
    assert.equal(parseEnum("GRPC", "P", ["grpc", "http/json"]), "grpc");
    assert.throws(() => parseEnum("carrier-pigeon", "P", ["grpc"]), /unknown value/);
    assert.deepEqual(parseList(" otlp, ,none ", "L"), ["otlp", "none"]);
    assert.deepEqual(parseLines("a\n\n b \r\nc", "X"), ["a", "b", "c"]);
    assert.deepEqual(parseLines('["a", "b"]', "X"), ["a", "b"]);
    assert.throws(() => parseLines('{"a":1}', "X"), ConfigError);
    assert.throws(() => parseLines("[1, 2]", "X"), /array of strings/);
  });

  test("a header written `Authorization: …` is refused without echoing its value", () => {
    const secret = "Bearer s3cr3t-token-value";
    assert.throws(
      () => parsePairs(`Authorization: ${secret}`, "OTEL_EXPORTER_OTLP_HEADERS"),
      (e: unknown) =>
        e instanceof ConfigError &&
        !e.message.includes("s3cr3t") &&
        e.message.includes("Authorization") &&
        /key=value/.test(e.message),
    );
    const config = resolveConfig(
      {},
      { OTEL_EXPORTER_OTLP_ENDPOINT: "http://h", OTEL_EXPORTER_OTLP_HEADERS: `Authorization: ${secret}` },
      installed,
    );
    assert.equal(config.warnings.length, 1);
    assert.doesNotMatch(config.warnings.join("\n"), /s3cr3t/);
    assert.deepEqual(parsePairs("authorization=Bearer%20abc,x=1=2", "H"), { authorization: "Bearer abc", x: "1=2" });
  });

  test("an item without `=` (a token given alone, a value cut at a comma) is refused without echoing it", () => {
    for (const text of ["s3cr3t-token-value", "authorization=Bearer abc,s3cr3t-token-value"]) {
      assert.throws(
        () => parsePairs(text, "OTEL_EXPORTER_OTLP_HEADERS"),
        (e: unknown) => e instanceof ConfigError && !e.message.includes("s3cr3t") && /%2C/.test(e.message),
      );
    }
    const config = resolveConfig(
      {},
      { OTEL_RESOURCE_ATTRIBUTES: "team=a,s3cr3t-token-value", LOGFIRE_TOKEN: "t" },
      installed,
    );
    assert.equal(config.warnings.length, 1);
    assert.doesNotMatch(config.warnings[0] ?? "", /s3cr3t/);
  });

  test("URL errors and --config never show user:password@ or query values", () => {
    assert.equal(redactUrl("https://user:pw@h:1/p?api_key=abc&x=1#f"), "https://***@h:1/p?api_key=***&x=***#f");
    for (const bad of ["ftp://user:pw@h/?api_key=abc", "http://user:pw@ bad/?api_key=abc"]) {
      assert.throws(
        () => parseUrl(bad, "--otel-endpoint"),
        (e: unknown) => e instanceof ConfigError && !/pw|abc/.test(e.message),
      );
    }
    assert.throws(
      () => resolveConfig({ sentryDsn: "https://secretkey@" }, {}, installed),
      (e: unknown) => e instanceof ConfigError && !e.message.includes("secretkey"),
    );
    const shown = JSON.stringify(
      describeConfig(
        resolveConfig(
          { otelEndpoint: "https://user:pw@h.example/otlp?api_key=abc", otelHeaders: "authorization=s3cr3t" },
          { LOGFIRE_TOKEN: "pylf_v1_eu_tok", LOGFIRE_BASE_URL: "https://u:lfpw@lf.example" },
          installed,
        ),
      ),
    );
    for (const secret of ["pw", "abc", "s3cr3t", "pylf_v1_eu_tok", "lfpw"]) assert.ok(!shown.includes(secret), secret);
    assert.match(shown, /h\.example\/otlp\/v1\/traces\?api_key=\*\*\*/);
  });

  test("the signal path goes on the URL's path, the query stays a query", () => {
    assert.equal(signalUrl("https://h/otlp?api_key=x", "traces"), "https://h/otlp/v1/traces?api_key=x");
    assert.equal(signalUrl("http://h:4318/", "metrics"), "http://h:4318/v1/metrics");
    const c = resolveConfig({}, { OTEL_EXPORTER_OTLP_ENDPOINT: "https://h/otlp/?api_key=x" }, installed);
    assert.equal(c.otlp?.url, "https://h/otlp/v1/traces?api_key=x");
    assert.equal(c.otlp?.metrics?.url, "https://h/otlp/v1/metrics?api_key=x");
    assert.equal(c.otlp?.identity, "https://h/otlp/v1/traces?api_key=***");
    assert.equal(endpointIdentity("http://u:p@h:1/v1/traces#x"), "http://h:1/v1/traces");
  });
});

describe("diagnostics", () => {
  test("OTEL_LOG_LEVEL=debug and OTEL_DEBUG=1 turn on claudia's diagnostics like --claudia-debug", () => {
    assert.equal(resolveDiagnostics({}, {}).debug, false);
    assert.equal(resolveDiagnostics({ debug: true }, {}).debug, true);
    assert.equal(resolveDiagnostics({}, { CLAUDIA_DEBUG: "1" }).debug, true);
    assert.equal(resolveDiagnostics({}, { OTEL_DEBUG: "1" }).debug, true);
    assert.equal(resolveDiagnostics({}, { OTEL_LOG_LEVEL: "debug" }).debug, true);
    assert.equal(resolveDiagnostics({}, { OTEL_LOG_LEVEL: "VERBOSE" }).debug, true);
    assert.equal(resolveDiagnostics({}, { OTEL_LOG_LEVEL: "warn" }).debug, false);
    assert.equal(resolveConfig({}, { OTEL_LOG_LEVEL: "all" }, installed).debug, true);
    assert.equal(resolveDiagnostics({}, { CLAUDIA_QUIET: "yes" }).quiet, true);
  });
});

describe("each backend gets its own configuration", () => {
  const env = {
    OTEL_EXPORTER_OTLP_ENDPOINT: "https://otlp.example",
    OTEL_EXPORTER_OTLP_HEADERS: "x-honeycomb-team=KEY",
    OTEL_EXPORTER_OTLP_TRACES_HEADERS: "x-t=1",
    OTEL_EXPORTER_OTLP_METRICS_HEADERS: "x-m=1",
    OTEL_EXPORTER_OTLP_PROTOCOL: "http/json",
    OTEL_EXPORTER_OTLP_COMPRESSION: "gzip",
    OTEL_EXPORTER_OTLP_CERTIFICATE: "/etc/ca.pem",
    LOGFIRE_TOKEN: "pylf_v1_eu_tok",
    SENTRY_DSN: "https://key@o1.ingest.sentry.io/42",
  };

  test("OTEL_EXPORTER_OTLP_* is the OTLP endpoint's alone; Logfire gets its token, for traces and metrics", () => {
    const c = resolveConfig({}, env, installed);
    assert.deepEqual(c.otlp?.headers, { "x-honeycomb-team": "KEY", "x-t": "1" });
    assert.deepEqual(c.otlp?.metrics?.headers, { "x-honeycomb-team": "KEY", "x-m": "1" });
    assert.equal(c.otlp?.protocol, "http/json");
    assert.equal(c.otlp?.compression, "gzip");
    assert.deepEqual(c.otlp?.tls, { ca: "/etc/ca.pem", cert: undefined, key: undefined });
    assert.deepEqual(c.logfire?.headers, { Authorization: "pylf_v1_eu_tok" });
    assert.equal(c.logfire?.protocol, "http/protobuf");
    assert.equal(c.logfire?.compression, "none");
    assert.equal(c.logfire?.tls, undefined);
    assert.deepEqual(c.logfire?.metrics, {
      url: "https://logfire-eu.pydantic.dev/v1/metrics",
      protocol: "http/protobuf",
      headers: { Authorization: "pylf_v1_eu_tok" },
      compression: "none",
    });
    assert.deepEqual(c.sentry?.headers, {});
    assert.equal(c.sentry?.identity, "https://o1.ingest.sentry.io/api/42/envelope/");
    const off = resolveConfig({}, { ...env, OTEL_METRICS_EXPORTER: "none" }, installed);
    assert.equal(off.otlp?.metrics, undefined);
    assert.equal(off.logfire?.metrics, undefined);
  });

  test("`traces export` is built from its flags alone", () => {
    const target = exportTarget({ endpoint: "http://x:4318", headers: "x-given=1" });
    assert.deepEqual(target.headers, { "x-given": "1" });
    assert.equal(target.protocol, "http/protobuf");
    assert.equal(target.url, "http://x:4318/v1/traces");
    assert.deepEqual(exportTarget({ endpoint: "http://x:4317", protocol: "grpc" }).url, "http://x:4317");
    assert.throws(() => exportTarget({ endpoint: "http://x", protocol: "smoke" }), ConfigError);
    assert.throws(() => exportTarget({ endpoint: "http://x", headers: "Authorization: s3cr3t" }), /^(?!.*s3cr3t)/);
  });
});

describe("undelivered runs are matched to a backend by its endpoint", () => {
  const runFor = (deliveries: Record<string, { endpoint: string; delivered: boolean }>): StoredRun =>
    ({
      record: {
        deliveries: Object.fromEntries(Object.entries(deliveries).map(([k, d]) => [k, { ...d, spans: 0, at: "" }])),
      },
      recordPath: "/nonexistent",
      spansPath: "/nonexistent",
    }) as unknown as StoredRun;
  const backendAt = (url: string, name = "otlp") => {
    const c = resolveConfig({}, { OTEL_EXPORTER_OTLP_ENDPOINT: url }, installed);
    assert.ok(c.otlp);
    return { ...c.otlp, name };
  };

  test("a run meant for A is not pending for B; by endpoint, not by name", () => {
    const a = runFor({ otlp: { endpoint: "http://a:4318/v1/traces", delivered: false } });
    assert.equal(pendingDelivery(a, backendAt("http://a:4318")), "otlp");
    assert.equal(pendingDelivery(a, backendAt("http://b:4318")), undefined);
    assert.equal(pendingDelivery(a, backendAt("http://user:pw@a:4318", "renamed")), "otlp");
    const done = runFor({
      otlp: { endpoint: "http://a:4318/v1/traces", delivered: false },
      again: { endpoint: "http://a:4318/v1/traces", delivered: true },
    });
    assert.equal(pendingDelivery(done, backendAt("http://a:4318")), undefined);
    const unknown = runFor({ otlp: { endpoint: "", delivered: false } });
    assert.deepEqual(undelivered([a, done, unknown], backendAt("http://a:4318")), [a]);
  });
});

describe("one owner", () => {
  const sources = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
      e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith(".ts") ? [join(dir, e.name)] : [],
    );
  const src = join(ROOT, "src");
  const relative = (path: string) => path.slice(src.length + 1);

  test("no module outside config/ reads claudia's variables, but those still listed here", () => {
    // Each of these still reads its own variables; the resolved configuration carries the same values.
    const notYetSwitched = [
      "export/journal-store.ts",
      "export/journal.ts",
      "sources/claude-binary.ts",
      "trace/ids.ts",
      "trace/redact.ts",
    ];
    // Claude Code's own telemetry variables, read and set for Claude Code's environment, not claudia's.
    const claudeCodes = ["sources/claude-events.ts"];
    const reads = /env(?:\.|\[\s*["'`])(?:CLAUDIA|OTEL|LOGFIRE|SENTRY|TRACEPARENT|TRACESTATE)/;
    const readers = sources(src)
      .filter((path) => !relative(path).startsWith("config/") && !claudeCodes.includes(relative(path)))
      .filter((path) => reads.test(readFileSync(path, "utf8")))
      .map(relative)
      .sort();
    assert.deepEqual(readers, notYetSwitched);
  });

  test("config/ imports from no other layer; export/ imports nothing from cli/", () => {
    for (const path of sources(src)) {
      const text = readFileSync(path, "utf8");
      const imports = [...text.matchAll(/from "(\.\.?\/[^"]+)"/g)].map((m) => m[1] ?? "");
      if (relative(path).startsWith("config/"))
        assert.deepEqual(
          imports.filter((i) => i.startsWith("../")),
          [],
          relative(path),
        );
      if (relative(path).startsWith("export/"))
        assert.deepEqual(
          imports.filter((i) => i.includes("/cli/")),
          [],
          relative(path),
        );
    }
  });
});
