#!/usr/bin/env node
/**
 * The `claudia` command's first file (dist/bin/main.js). Run as a program, its first line is a
 * shell's (scripts/bundle-cli.mjs writes it): it starts node with `NODE_EXTRA_CA_CERTS` set aside,
 * which this file puts back before anything reads the environment (src/export/extra-ca.ts says
 * why). Then it lets node use the compiled code shipped with the package (code-cache.ts), and loads
 * the command itself (dist/bin/cli.js, from main.ts). Only meaningful in the bundle, where
 * `import.meta.url` is this file's.
 */
import { createRequire } from "node:module";
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { restoreDeferredExtraCa } from "../export/extra-ca.ts";
import { useCodeCache } from "./code-cache.ts";

restoreDeferredExtraCa();
const here = fileURLToPath(import.meta.url);
useCodeCache(dirname(here));
createRequire(here)("./cli.js");
