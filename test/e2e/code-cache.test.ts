/**
 * The compiled code shipped beside the command's bundles (src/cli/code-cache.ts): the build makes it
 * for the parts a traced run loads, this node accepts it, and a cache is never used for a source other
 * than the one it was made from.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { pathToFileURL } from "node:url";
import { CODE_CACHE_SUFFIX, codeCacheData, codeCacheFile, wrapperScript } from "../../src/cli/code-cache.ts";
import { ROOT } from "../support/sandbox.ts";

const BIN = join(ROOT, "dist", "bin");

test("the build ships a code cache, accepted by this node, for each part a traced run loads", () => {
  const made = readdirSync(BIN).filter((name) => name.endsWith(CODE_CACHE_SUFFIX));
  for (const part of ["cli.js", "traced-run.js", "otlp.js", "github-job.js"]) {
    assert.ok(made.includes(part + CODE_CACHE_SUFFIX), `no cache for ${part}: ${made.join(", ")}`);
  }
  for (const name of made) {
    const file = join(BIN, name.slice(0, -CODE_CACHE_SUFFIX.length));
    const source = readFileSync(file, "utf8");
    const data = codeCacheData(source, readFileSync(join(BIN, name)));
    assert.ok(data, `${name} was not made from ${file}`);
    assert.equal(wrapperScript(source, file, data).cachedDataRejected, false, `${name} rejected by V8`);
  }
});

/** Requires `a.js` in a fresh node with the loader on, beside `cache` (or none); what it exports. */
function requireWithCache(source: string, cache: Buffer | undefined): string {
  const dir = mkdtempSync(join(tmpdir(), "claudia-code-cache-"));
  try {
    writeFileSync(join(dir, "a.js"), source);
    if (cache) writeFileSync(join(dir, `a.js${CODE_CACHE_SUFFIX}`), cache);
    const loader = pathToFileURL(join(ROOT, "dist", "cli", "code-cache.js")).href;
    const program = `import(${JSON.stringify(loader)}).then((m) => { m.useCodeCache(${JSON.stringify(dir)});
      process.stdout.write(String(require(${JSON.stringify(join(dir, "a.js"))}))); })`;
    return execFileSync(process.execPath, ["-e", program], { encoding: "utf8" });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A cache V8 accepts for `source`, as the build makes it, with everything it compiled. */
function cacheOf(source: string, filename: string): Buffer {
  const script = wrapperScript(source, filename);
  const module = { exports: {} };
  (script.runInThisContext() as (e: unknown, r: unknown, m: unknown) => void)(module.exports, undefined, module);
  return script.createCachedData();
}

test("a cache is used for its own source only, and a damaged one is ignored", () => {
  const mine = "module.exports = 'mine';";
  const other = "module.exports = 'evil';"; // the same length: V8's own check would take it
  assert.equal(mine.length, other.length);
  const otherCache = cacheOf(other, "a.js");
  // V8 alone would run the other source's code (the code the file holds, compared whole, is what prevents it):
  assert.equal(wrapperScript(mine, "a.js", otherCache).cachedDataRejected, false);
  assert.equal(requireWithCache(mine, codeCacheFile(other, otherCache)), "mine");
  assert.equal(requireWithCache(mine, codeCacheFile(mine, cacheOf(mine, "a.js"))), "mine");
  assert.equal(requireWithCache(mine, Buffer.from("not a cache")), "mine");
  assert.equal(requireWithCache(mine, codeCacheFile(mine, Buffer.from("garbage from a truncated write"))), "mine");
  assert.equal(requireWithCache(mine, undefined), "mine");
});
