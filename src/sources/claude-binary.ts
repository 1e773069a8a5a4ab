/**
 * Where the Claude Code binary is: `CLAUDIA_CLAUDE_PATH`, else the one bundled in the Agent
 * SDK's platform package (resolved from this package, so a newer binary in a parent
 * node_modules is never picked up by accident).
 */
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

export class ClaudeNotFoundError extends Error {}

/** glibc or musl: only asked when both Linux packages are installed (the check costs ~7 ms). */
function isMusl(): boolean {
  try {
    const report = process.report?.getReport() as { header?: { glibcVersionRuntime?: string } } | undefined;
    return !report?.header?.glibcVersionRuntime;
  } catch {
    return false;
  }
}

function binaryIn(require: NodeJS.Require, pkg: string): string | undefined {
  try {
    const binary = join(
      dirname(require.resolve(`${pkg}/package.json`)),
      process.platform === "win32" ? "claude.exe" : "claude",
    );
    return existsSync(binary) ? binary : undefined;
  } catch {
    return undefined;
  }
}

export function resolveClaudePath(env: NodeJS.ProcessEnv = process.env): string {
  // An override is used as given: if it cannot be started, the run says so and is traced as failed.
  const override = env.CLAUDIA_CLAUDE_PATH;
  if (override) return override;
  const require = createRequire(import.meta.url);
  const base = `@anthropic-ai/claude-agent-sdk-${process.platform}-${process.arch}`;
  // npm installs the one platform package that fits (glibc or musl on Linux).
  const packages = process.platform === "linux" ? [base, `${base}-musl`] : [base];
  const found = packages.map((pkg) => binaryIn(require, pkg));
  const [glibc, musl] = found;
  const binary = glibc && musl ? (isMusl() ? musl : glibc) : (glibc ?? musl);
  if (binary) return binary;
  const pkg = packages[0] as string;
  throw new ClaudeNotFoundError(
    `Claude Code binary not found: ${pkg} is not installed (reinstall claude-telemetry, or set CLAUDIA_CLAUDE_PATH)`,
  );
}
