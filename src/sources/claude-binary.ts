/**
 * Where the Claude Code binary is: `CLAUDIA_CLAUDE_PATH`, else the one bundled in the Agent
 * SDK's platform package (resolved from this package, so a newer binary in a parent
 * node_modules is never picked up by accident).
 */
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

export class ClaudeNotFoundError extends Error {}

function platformPackage(): string {
  const arch = process.arch;
  if (process.platform === "linux") {
    const musl = (() => {
      try {
        const report = process.report?.getReport() as { header?: { glibcVersionRuntime?: string } } | undefined;
        return !report?.header?.glibcVersionRuntime;
      } catch {
        return false;
      }
    })();
    return `@anthropic-ai/claude-agent-sdk-linux-${arch}${musl ? "-musl" : ""}`;
  }
  return `@anthropic-ai/claude-agent-sdk-${process.platform}-${arch}`;
}

export function resolveClaudePath(env: NodeJS.ProcessEnv = process.env): string {
  // An override is used as given: if it cannot be started, the run says so and is traced as failed.
  const override = env.CLAUDIA_CLAUDE_PATH;
  if (override) return override;
  const require = createRequire(import.meta.url);
  const pkg = platformPackage();
  try {
    const dir = dirname(require.resolve(`${pkg}/package.json`));
    const binary = join(dir, process.platform === "win32" ? "claude.exe" : "claude");
    if (existsSync(binary)) return binary;
  } catch {
    // Fall through to the error below.
  }
  throw new ClaudeNotFoundError(
    `Claude Code binary not found: ${pkg} is not installed (reinstall claude-telemetry, or set CLAUDIA_CLAUDE_PATH)`,
  );
}
