#!/usr/bin/env node
/**
 * The `claudia` command as esbuild bundles in dist/bin/. The library (dist/index.js) stays tsc's
 * output; only the command is bundled. Figures and the profile behind this layout: bench/PROFILE.md.
 *
 * Every file is CommonJS (dist/bin/package.json says so): node's ES module loader costs ~10 ms of
 * CPU to start and compiles modules more slowly, and that CPU is taken from the cores Claude Code
 * runs on.
 * - dist/bin/main.js: the command's first file, which lets node use the compiled code shipped beside
 *   the bundles (src/cli/code-cache.ts, made by scripts/code-cache.mjs), then loads cli.js.
 * - dist/bin/cli.js: everything a run needs before Claude Code starts.
 * - One file for each part loaded later with import() (which the bundle turns into require()): the
 *   tracing half (OpenTelemetry, the trace builder, the journal) that loads once Claude Code runs,
 *   the OTLP exporters and metrics (one file: they share most of their code) it loads only when a
 *   backend needs them, the terminal UI mode,
 *   claudia's own subcommands. Loading some 260 separate files of the OpenTelemetry SDK cost ~300 ms
 *   of CPU per run; bundled, the tracing half loads in ~12 ms.
 * - dist/ui/: the page `claudia traces ui` serves: src/ui bundled with the front-end library it
 *   uses (preact, htm) into one script, so it works offline and needs no framework build step.
 */
import { copyFileSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { rm } from "node:fs/promises";
import { resolve } from "node:path";
import { build } from "esbuild";

const outdir = "dist/bin";

/** The parts loaded later, each its own file: source → file name (without .js). */
const LAZY = {
  "src/pipeline/traced-run.ts": "traced-run",
  "src/export/otlp.ts": "otlp",
  "src/cli/interactive.ts": "interactive",
  "src/cli/traces/command.ts": "command",
  "src/cli/demo.ts": "demo",
  "src/cli/github-job.ts": "github-job",
};
const lazyFiles = new Map(Object.entries(LAZY).map(([source, name]) => [resolve(source), name]));

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

/**
 * A part loaded with import() stays in its own file (except in that file itself). Imported
 * statically it is bundled: only cli.js must never load one that way.
 */
const lazyOutside = (self) => ({
  name: "lazy-outside",
  setup(b) {
    b.onResolve({ filter: /\.ts$/ }, (a) => {
      const name = lazyFiles.get(resolve(a.resolveDir, a.path));
      if (!name || name === self) return undefined;
      if (a.kind === "dynamic-import") return { path: `./${name}.js`, external: true };
      if (self === "cli") throw new Error(`${a.path} must only be loaded with import() (${a.importer})`);
      return undefined;
    });
  },
});

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
  format: "cjs",
  // import() of another part becomes require(): no ES module loader.
  supported: { "dynamic-import": false },
  define: { "import.meta.url": "__claudiaModuleUrl" },
  banner: { js: 'const __claudiaModuleUrl = require("node:url").pathToFileURL(__filename).href;' },
};

/**
 * dist/bin/main.js's first two lines. Run as a program (how npm installs the `claudia` command), the
 * file is a shell script: it moves `NODE_EXTRA_CA_CERTS` aside (with its own process id, which node
 * keeps across `exec`, so the JavaScript can tell the launcher's value from any other), where the
 * file's JavaScript puts it back, and runs itself with the `node` on PATH (as `#!/usr/bin/env node`
 * would). node then starts
 * without reading the certificates, which claudia reads only if it opens a TLS connection
 * (src/export/extra-ca.ts). To node, the second line is a string and a comment.
 */
const DEFERRED = "CLAUDIA_DEFERRED_NODE_EXTRA_CA_CERTS";
/**
 * bash, where it is /bin/sh, sets SHLVL as it starts, and its `exec` gives it back, except an SHLVL
 * that was unset, which `exec` would pass on as 0: then node is started without it.
 */
const SHLVL_UNSET = 'if [ -n "$BASH_VERSION" ] && [ "$SHLVL" = 1 ]; then exec env -u SHLVL node "$0" "$@"; fi';
const LAUNCHER = [
  "#!/bin/sh",
  `':' //; unset ${DEFERRED}; if [ -n "$NODE_EXTRA_CA_CERTS" ]; then ${DEFERRED}="$$ $NODE_EXTRA_CA_CERTS"; export ${DEFERRED}; unset NODE_EXTRA_CA_CERTS; fi; ${SHLVL_UNSET}; exec node "$0" "$@"`,
  "",
].join("\n");

await rm(outdir, { recursive: true, force: true });
const parts = [["src/cli/launch.ts", "main"], ["src/cli/main.ts", "cli"], ...Object.entries(LAZY)];
const results = await Promise.all(
  parts.map(([source, name]) =>
    build({
      ...common,
      entryPoints: [source],
      outfile: `${outdir}/${name}.js`,
      plugins: [otlpJsonOnly, lazyOutside(name)],
    }),
  ),
);
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
if ([...results, ui].some((result) => result.errors.length > 0)) process.exit(1);
writeFileSync(`${outdir}/package.json`, `${JSON.stringify({ type: "commonjs" })}\n`);
const main = readFileSync(`${outdir}/main.js`, "utf8");
if (!main.startsWith("#!/usr/bin/env node\n")) throw new Error("dist/bin/main.js lost its hashbang");
writeFileSync(`${outdir}/main.js`, LAUNCHER + main.slice(main.indexOf("\n") + 1));
for (const file of readdirSync(outdir).filter((name) => name.endsWith(".js"))) {
  const code = readFileSync(`${outdir}/${file}`, "utf8");
  if (/\bimport\.meta\b/.test(code)) throw new Error(`dist/bin/${file} (CommonJS) still uses import.meta`);
  // Only packages outside the bundle (gRPC, Sentry) may still be loaded with import().
  if (/\bimport\(["']\./.test(code)) throw new Error(`dist/bin/${file} loads a part with import()`);
}
