/**
 * V8's compiled code for the command's own bundled files (dist/bin), made when the package is built
 * (scripts/code-cache.mjs) and shipped beside them, so that a run does not compile what every run
 * compiles. A run in a fresh container has no cache of its own to warm: this one comes with the
 * package.
 *
 * A cache is used only for the exact code it was made from (the file holds that code, the source in
 * node's CommonJS wrapper, and it is compared whole: V8's own check compares only its length), and
 * only when this node's V8 accepts it (same V8 version and flags); otherwise node compiles the file
 * as it always does. Nothing is ever written here: a run only reads.
 */
import { readFileSync } from "node:fs";
import Module, { createRequire } from "node:module";
import { dirname } from "node:path";
import { constants, Script } from "node:vm";

/** A bundled file's cache: `<file>.js` → `<file>.js.v8cache`. */
export const CODE_CACHE_SUFFIX = ".v8cache";
const LENGTH_BYTES = 4;

type Compile = (this: Module, content: string, filename: string) => unknown;
type Wrapper = (
  exports: unknown,
  require: NodeJS.Require,
  module: Module,
  filename: string,
  dirname: string,
) => unknown;

/** The cache file's content for `source`: the code V8 compiled (its length, then its text), then V8's data. */
export function codeCacheFile(source: string, data: Buffer): Buffer {
  const code = Buffer.from(Module.wrap(source), "utf8");
  const length = Buffer.alloc(LENGTH_BYTES);
  length.writeUInt32LE(code.length);
  return Buffer.concat([length, code, data]);
}

/** V8's data in a cache file, when it was made from exactly this code. */
export function codeCacheData(source: string, file: Buffer): Buffer | undefined {
  if (file.length < LENGTH_BYTES) return undefined;
  const end = LENGTH_BYTES + file.readUInt32LE(0);
  if (file.length <= end) return undefined;
  return file.toString("utf8", LENGTH_BYTES, end) === Module.wrap(source) ? file.subarray(end) : undefined;
}

/** The function node wraps a CommonJS file in, compiled as node would, with `cachedData` if any. */
export function wrapperScript(source: string, filename: string, cachedData?: Buffer): Script {
  return new Script(Module.wrap(source), {
    filename,
    cachedData,
    importModuleDynamically: constants.USE_MAIN_CONTEXT_DEFAULT_LOADER,
  });
}

/** From now on, the CommonJS files directly in `dir` are compiled with their cache when they have one. */
export function useCodeCache(dir: string): void {
  const proto = Module.prototype as unknown as { _compile: Compile };
  const compile = proto._compile;
  proto._compile = function (this: Module, content: string, filename: string) {
    const cachedData = dirname(filename) === dir ? readCache(filename, content) : undefined;
    if (!cachedData) return compile.call(this, content, filename);
    return runWrapper(wrapperScript(content, filename, cachedData), this, filename);
  };
}

/** Runs a compiled wrapper for `module`, as node runs a CommonJS file. */
export function runWrapper(script: Script, module: Module, filename: string): unknown {
  const run = script.runInThisContext({ displayErrors: true }) as Wrapper;
  return run.call(module.exports, module.exports, createRequire(filename), module, filename, dirname(filename));
}

function readCache(filename: string, source: string): Buffer | undefined {
  try {
    return codeCacheData(source, readFileSync(filename + CODE_CACHE_SUFFIX));
  } catch {
    return undefined;
  }
}
