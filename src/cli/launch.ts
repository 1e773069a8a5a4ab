#!/usr/bin/env node
/**
 * The `claudia` command's first file (dist/bin/main.js): it lets node use the compiled code shipped
 * with the package (code-cache.ts), then loads the command itself (dist/bin/cli.js, from main.ts).
 * Only meaningful in the bundle, where `import.meta.url` is this file's.
 */
import { createRequire } from "node:module";
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { useCodeCache } from "./code-cache.ts";

const here = fileURLToPath(import.meta.url);
useCodeCache(dirname(here));
createRequire(here)("./cli.js");
