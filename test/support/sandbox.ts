/**
 * A throwaway place to run the real Claude Code: its own HOME, temp dir and workspace, pointed
 * at the scripted model, with nothing reaching the network.
 */
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { resolveClaudePath } from "../../src/sources/claude-binary.ts";

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
/** The `claudia` command as installed: the bundle `bin` points at. */
export const CLAUDIA = join(ROOT, "dist", "bin", "main.js");
export const CLAUDE = resolveClaudePath({});
export const MCP_SERVER = join(ROOT, "test", "support", "mcp-server.mjs");
export const MODEL = "claude-sonnet-4-5";

export interface Sandbox {
  home: string;
  /** Where claudia keeps its journal in this sandbox. */
  claudiaHome: string;
  work: string;
  env: NodeJS.ProcessEnv;
  remove(): void;
}

/** Variables that would leak the developer's or CI's own telemetry setup into a test. */
const SCRUBBED = /^(OTEL_|TRACEPARENT|TRACESTATE|CLAUDIA_|CLAUDE_CODE_|ANTHROPIC_|LOGFIRE_|SENTRY_|XDG_)/;

export function createSandbox(modelUrl: string, extra: NodeJS.ProcessEnv = {}): Sandbox {
  const base = mkdtempSync(join(tmpdir(), "claudia-test-"));
  const home = join(base, "home");
  const tmp = join(base, "tmp");
  const work = join(base, "work");
  for (const dir of [home, tmp, work]) mkdirSync(dir, { recursive: true });
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) if (!SCRUBBED.test(key)) env[key] = value;
  Object.assign(env, {
    HOME: home,
    TMPDIR: tmp,
    CLAUDE_CODE_TMPDIR: tmp,
    XDG_CACHE_HOME: join(home, ".cache"),
    CLAUDIA_HOME: join(base, "claudia"),
    ANTHROPIC_BASE_URL: modelUrl,
    ANTHROPIC_API_KEY: "sk-ant-test-key",
    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: "1",
    DISABLE_TELEMETRY: "1",
    DISABLE_ERROR_REPORTING: "1",
    DISABLE_AUTOUPDATER: "1",
    IS_SANDBOX: "1",
    CLAUDE_CODE_MAX_RETRIES: "1",
    NO_COLOR: "1",
    ...extra,
  });
  return {
    home,
    claudiaHome: join(base, "claudia"),
    work,
    env,
    remove: () => rmSync(base, { recursive: true, force: true }),
  };
}

export interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function run(
  command: string,
  args: string[],
  options: { env: NodeJS.ProcessEnv; cwd: string; stdin?: string; onSpawn?: (pid: number) => void },
): Promise<Ran> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env: options.env, cwd: options.cwd, stdio: ["pipe", "pipe", "pipe"] });
    if (child.pid !== undefined) options.onSpawn?.(child.pid);
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => {
      stdout += c.toString();
    });
    child.stderr.on("data", (c: Buffer) => {
      stderr += c.toString();
    });
    child.once("error", reject);
    child.once("close", (code) => resolve({ code, stdout, stderr }));
    // A program may exit without reading its input: that is not the run's failure.
    child.stdin.on("error", () => {});
    child.stdin.end(options.stdin ?? "");
  });
}

/** The arguments every scripted run needs: the model the endpoint answers as, and no permission prompts. */
export const BASE_ARGS = ["--model", MODEL, "--dangerously-skip-permissions"];

/** The `claudia` command run as npm installs it: the file itself, started by its own first line. */
export const claudia = (
  sandbox: Sandbox,
  args: string[],
  env: NodeJS.ProcessEnv = {},
  stdin?: string,
  onSpawn?: (pid: number) => void,
) => run(CLAUDIA, args, { env: { ...sandbox.env, ...env }, cwd: sandbox.work, stdin, onSpawn });

export const claude = (sandbox: Sandbox, args: string[], env: NodeJS.ProcessEnv = {}, stdin?: string) =>
  run(CLAUDE, args, { env: { ...sandbox.env, ...env }, cwd: sandbox.work, stdin });
