#!/usr/bin/env node
/**
 * Makes dist/bin's code caches (src/cli/code-cache.ts): runs `claudia demo` (the real Claude Code
 * against claudia's scripted model, offline) with scripts/code-cache-writer.mjs preloaded, in a
 * throwaway home and journal, with an OTLP receiver here and a GitHub Actions job's files, so that
 * the run loads the parts a traced run uses. A build without them still works, only slower to start.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { CODE_CACHE_SUFFIX } from "../dist/cli/code-cache.js";

const dir = resolve("dist/bin");
const writer = pathToFileURL(resolve("scripts/code-cache-writer.mjs")).href;
const receiver = createServer((req, res) => req.resume().on("end", () => res.writeHead(200).end()));
await new Promise((done) => receiver.listen(0, "127.0.0.1", done));
const base = mkdtempSync(join(tmpdir(), "claudia-code-cache-"));
const env = { ...process.env };
// The builder's own backends, journal, CI and Claude Code settings stay out of it.
for (const key of Object.keys(env)) {
  if (/^(OTEL_|SENTRY_|LOGFIRE_|CLAUDIA_|GITHUB_|CLAUDE_|ANTHROPIC_|NODE_OPTIONS$)/.test(key)) delete env[key];
}
Object.assign(env, {
  NODE_OPTIONS: `--import=${JSON.stringify(writer)}`,
  CLAUDIA_CODE_CACHE_DIR: dir,
  CLAUDIA_HOME: join(base, "claudia"),
  XDG_CACHE_HOME: join(base, "cache"),
  OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${receiver.address().port}`,
  GITHUB_ACTIONS: "true",
  GITHUB_STEP_SUMMARY: join(base, "summary.md"),
  GITHUB_OUTPUT: join(base, "output"),
});
let stderr = "";
const code = await new Promise((done) => {
  const child = spawn(process.execPath, [join(dir, "main.js"), "demo"], {
    cwd: base,
    env,
    stdio: ["ignore", "ignore", "pipe"],
  });
  child.stderr.on("data", (chunk) => {
    stderr += chunk;
  });
  child.once("error", () => done(127));
  child.once("close", (c) => done(c ?? 1));
});
receiver.close();
rmSync(base, { recursive: true, force: true });
const made = readdirSync(dir).filter((name) => name.endsWith(CODE_CACHE_SUFFIX));
if (code !== 0 || made.length === 0) {
  process.stderr.write(`${stderr.split("\n").slice(-8).join("\n")}\n`);
  process.stderr.write(
    `code-cache: no code cache made (claudia demo exited ${code}); the command starts without one\n`,
  );
} else {
  process.stdout.write(`code-cache: ${made.join(", ")}\n`);
}
