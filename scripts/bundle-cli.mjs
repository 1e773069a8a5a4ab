#!/usr/bin/env node
/**
 * The `claudia` command as an esbuild bundle in dist/bin/ (main.js plus the chunks it loads on
 * demand). The library (dist/index.js) stays tsc's output; only the command is bundled, because
 * loading some 260 separate files of the OpenTelemetry SDK costs ~300 ms of CPU per run, on the same
 * cores Claude Code is booting on; bundled, the tracing half loads in well under 100 ms.
 * Figures and the profile: bench/results.md.
 */
import { readFileSync } from "node:fs";
import { rm } from "node:fs/promises";
import { build } from "esbuild";

const outdir = "dist/bin";

/**
 * journal.ts needs only JsonTraceSerializer, but the otlp-transformer index also reaches the metrics
 * serializers and through them all of @opentelemetry/sdk-metrics, which would then load on every
 * run. Point that one import at the package's trace/json module.
 */
const otlpJsonOnly = {
  name: "otlp-json-only",
  setup(b) {
    b.onResolve({ filter: /^@opentelemetry\/otlp-transformer$/ }, async (a) => {
      if (!/src[\\/]export[\\/]journal\.ts$/.test(a.importer)) return undefined;
      const r = await b.resolve("@opentelemetry/otlp-transformer/build/esm/trace/json/index.js", {
        kind: a.kind,
        resolveDir: a.resolveDir,
      });
      if (r.errors.length > 0) throw new Error("otlp-transformer's layout changed: no build/esm/trace/json");
      return { path: r.path };
    });
  },
};

await rm(outdir, { recursive: true, force: true });
const result = await build({
  entryPoints: ["src/cli/main.ts"],
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  splitting: true,
  outdir,
  chunkNames: "[name]-[hash]",
  // The OpenTelemetry packages' ESM builds (under "module") tree-shake; their CommonJS ones do not.
  mainFields: ["module", "main"],
  conditions: ["module"],
  // Loaded only for OTEL_EXPORTER_OTLP_PROTOCOL=grpc or a Sentry DSN: resolved from node_modules then.
  external: [
    "@grpc/grpc-js",
    "@opentelemetry/exporter-trace-otlp-grpc",
    "@opentelemetry/exporter-metrics-otlp-grpc",
    "@sentry/node",
    "@sentry/core",
  ],
  // CommonJS code inside the bundle may require() node's built-ins; ESM output needs a real require.
  banner: {
    js: 'import { createRequire as __claudiaCreateRequire } from "node:module"; const require = __claudiaCreateRequire(import.meta.url);',
  },
  plugins: [otlpJsonOnly],
  legalComments: "none",
  logLevel: "warning",
});
if (result.errors.length > 0) process.exit(1);
const main = readFileSync(`${outdir}/main.js`, "utf8");
if (!main.startsWith("#!/usr/bin/env node")) throw new Error("dist/bin/main.js lost its hashbang");
