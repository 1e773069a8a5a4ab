#!/usr/bin/env node
/**
 * The `claudia` command as esbuild bundles in dist/bin/. The library (dist/index.js) stays tsc's
 * output; only the command is bundled. Figures and the profile behind this layout: bench/PROFILE.md.
 *
 * - dist/bin/main.js: everything a run needs before Claude Code starts, as one CommonJS file
 *   (dist/bin/package.json says so). CommonJS, because node's ES module loader costs ~10 ms to start,
 *   and every millisecond before Claude Code is spawned is added to the run.
 * - dist/bin/*.mjs: what loads once Claude Code runs (the tracing half: OpenTelemetry, the trace
 *   builder, the journal), the terminal UI mode and claudia's own subcommands, as ES modules with
 *   shared chunks. Loading some 260 separate files of the OpenTelemetry SDK cost ~300 ms of CPU per
 *   run, on the cores Claude Code boots on; bundled, it loads in well under 100 ms.
 * - dist/ui/: the page `claudia traces ui` serves: src/ui bundled with the front-end library it
 *   uses (preact, htm) into one script, so it works offline and needs no framework build step.
 */
import { copyFileSync, readFileSync, writeFileSync } from "node:fs";
import { rm } from "node:fs/promises";
import { join } from "node:path";
import { build } from "esbuild";

const outdir = "dist/bin";

/** What main.ts and headless.ts load with import() once they need it: the ES module half. */
const LAZY = {
  "../pipeline/traced-run.ts": "traced-run",
  "./interactive.ts": "interactive",
  "./traces/command.ts": "command",
  "./demo.ts": "demo",
  "./github-job.ts": "github-job",
};

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

/** In the start-up file, the lazy modules stay outside: import() of the ES module half. */
const lazyOutside = {
  name: "lazy-outside",
  setup(b) {
    b.onResolve({ filter: /\.ts$/ }, (a) => {
      const name = LAZY[a.path];
      if (!name) return undefined;
      if (a.kind !== "dynamic-import") throw new Error(`${a.path} must only be loaded with import() (${a.importer})`);
      return { path: `./${name}.mjs`, external: true };
    });
  },
};

const common = {
  bundle: true,
  platform: "node",
  target: "node20",
  // The OpenTelemetry packages' ESM builds (under "module") tree-shake; their CommonJS ones do not.
  mainFields: ["module", "main"],
  conditions: ["module"],
  // Loaded only for OTEL_EXPORTER_OTLP_PROTOCOL=grpc or a Sentry DSN: resolved from node_modules then.
  external: [
    "@grpc/grpc-js",
    "@opentelemetry/exporter-trace-otlp-grpc",
    "@opentelemetry/exporter-metrics-otlp-grpc",
    "@opentelemetry/otlp-grpc-exporter-base",
    "@sentry/node",
    "@sentry/core",
  ],
  legalComments: "none",
  logLevel: "warning",
};

await rm(outdir, { recursive: true, force: true });
const later = await build({
  ...common,
  entryPoints: Object.fromEntries(Object.entries(LAZY).map(([path, name]) => [name, join("src/cli", path)])),
  format: "esm",
  splitting: true,
  outdir,
  outExtension: { ".js": ".mjs" },
  chunkNames: "[name]-[hash]",
  // CommonJS code inside the bundle may require() node's built-ins; ESM output needs a real require.
  banner: {
    js: 'import { createRequire as __claudiaCreateRequire } from "node:module"; const require = __claudiaCreateRequire(import.meta.url);',
  },
  plugins: [otlpJsonOnly],
});
const first = await build({
  ...common,
  entryPoints: ["src/cli/main.ts"],
  format: "cjs",
  outfile: `${outdir}/main.js`,
  define: { "import.meta.url": "__claudiaModuleUrl" },
  banner: { js: 'const __claudiaModuleUrl = require("node:url").pathToFileURL(__filename).href;' },
  plugins: [lazyOutside],
});
const ui = await build({
  entryPoints: { app: "src/ui/main.ts" },
  bundle: true,
  platform: "browser",
  format: "esm",
  target: "es2022",
  minify: true,
  outdir: "dist/ui",
  legalComments: "none",
  logLevel: "warning",
});
for (const file of ["index.html", "app.css"]) copyFileSync(`src/ui/${file}`, `dist/ui/${file}`);
if (later.errors.length > 0 || first.errors.length > 0 || ui.errors.length > 0) process.exit(1);
writeFileSync(`${outdir}/package.json`, `${JSON.stringify({ type: "commonjs" })}\n`);
const main = readFileSync(`${outdir}/main.js`, "utf8");
if (!main.startsWith("#!/usr/bin/env node")) throw new Error("dist/bin/main.js lost its hashbang");
if (/\bimport\.meta\b/.test(main)) throw new Error("dist/bin/main.js (CommonJS) still uses import.meta");
