/**
 * Preloaded (`--import`) by scripts/code-cache.mjs into the claudia processes of one offline demo run:
 * compiles the files directly in CLAUDIA_CODE_CACHE_DIR as the command's loader does
 * (src/cli/code-cache.ts) and, at exit, saves V8's code for each beside it, with everything the run
 * compiled. The first process to save a file's cache keeps it.
 */
import { existsSync, renameSync, writeFileSync } from "node:fs";
import Module from "node:module";
import { basename, dirname, resolve } from "node:path";
import { CODE_CACHE_SUFFIX, codeCacheFile, runWrapper, wrapperScript } from "../dist/cli/code-cache.js";

const dir = resolve(process.env.CLAUDIA_CODE_CACHE_DIR ?? "dist/bin");
const compiled = [];
const SKIPPED = new Set(["main.js", "demo.js"]);
const compile = Module.prototype._compile;
Module.prototype._compile = function (content, filename) {
  // main.js is compiled before its loader exists: a cache of it would never be read. The demo runs
  // once: its cache would only make the package larger.
  if (dirname(filename) !== dir || SKIPPED.has(basename(filename))) return compile.call(this, content, filename);
  const script = wrapperScript(content, filename);
  compiled.push({ filename, content, script });
  return runWrapper(script, this, filename);
};

process.on("exit", () => {
  for (const { filename, content, script } of compiled) {
    const target = filename + CODE_CACHE_SUFFIX;
    if (existsSync(target)) continue;
    const draft = `${target}.${process.pid}`;
    writeFileSync(draft, codeCacheFile(content, script.createCachedData()));
    renameSync(draft, target);
  }
});
