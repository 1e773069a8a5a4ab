/**
 * A pseudo-terminal for driving Claude Code's terminal UI in tests, through util-linux `script`
 * (no native module): keys go in on its stdin, the screen's bytes come out on its stdout.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Sandbox } from "./sandbox.ts";

export interface Terminal {
  child: ChildProcess;
  /** Everything shown so far, escape sequences removed. */
  screen(): string;
  type(text: string): Promise<void>;
  /**
   * Wait until `text` has appeared `times` times (compared without whitespace: the UI places
   * words with cursor moves).
   */
  waitFor(text: string, options?: { times?: number; ms?: number }): Promise<void>;
  /** The program's exit code (`script -e` passes it on). */
  exited: Promise<number | null>;
}

const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

const ESC = String.fromCharCode(27);
const BEL = String.fromCharCode(7);
const CURSOR_FORWARD = new RegExp(`${ESC}\\[(\\d*)C`, "g");
const OSC = new RegExp(`${ESC}\\][^${BEL}${ESC}]*(${BEL}|${ESC}\\\\)`, "g");
const CSI = new RegExp(`${ESC}\\[[0-9;?<>=]*[ -/]*[@-~]`, "g");
const SHORT = new RegExp(`${ESC}[78()=>][A-Z0-9]?`, "g");

/** Visible text: cursor moves become spaces, every other escape sequence goes. */
export function plain(bytes: string): string {
  return bytes
    .replace(CURSOR_FORWARD, (_m, n: string) => " ".repeat(Number(n || 1)))
    .replace(OSC, "")
    .replace(CSI, "")
    .replace(SHORT, "");
}

const squash = (text: string) => text.replace(/\s/g, "");

export function startTerminal(
  command: string,
  args: string[],
  options: { env: NodeJS.ProcessEnv; cwd: string; cols?: number; rows?: number },
): Terminal {
  const line = `stty cols ${options.cols ?? 100} rows ${options.rows ?? 30}; exec ${[command, ...args].map(quote).join(" ")}`;
  const child = spawn("script", ["-qfec", line, "/dev/null"], {
    cwd: options.cwd,
    env: { ...options.env, TERM: "xterm-256color" },
    stdio: ["pipe", "pipe", "pipe"],
  });
  let bytes = "";
  child.stdout?.on("data", (c: Buffer) => {
    bytes += c.toString("utf8");
  });
  child.stderr?.on("data", (c: Buffer) => {
    bytes += c.toString("utf8");
  });
  const exited = new Promise<number | null>((resolve) => child.once("close", (code) => resolve(code)));
  const screen = () => plain(bytes);
  const occurrences = (text: string) => squash(screen()).split(squash(text)).length - 1;
  const waitFor: Terminal["waitFor"] = async (text, { times = 1, ms = 20000 } = {}) => {
    const deadline = Date.now() + ms;
    while (occurrences(text) < times) {
      if (Date.now() > deadline || child.exitCode !== null) {
        throw new Error(`"${text}" did not appear on the terminal. It shows:\n${screen().slice(-2000)}`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  };

  return {
    child,
    screen,
    async type(text) {
      // Typed text and the Enter key arrive apart, as from a person (a paste ending in \r is not a
      // submit): Enter goes once the UI shows what was typed.
      const enter = text.endsWith("\r");
      const typed = enter ? text.slice(0, -1) : text;
      const shown = occurrences(typed);
      child.stdin?.write(typed);
      if (enter) {
        await waitFor(typed, { times: shown + 1 });
        child.stdin?.write("\r");
      }
    },
    waitFor,
    exited,
  };
}

/**
 * What a fresh HOME needs before Claude Code's UI will talk to the scripted model: onboarding
 * done, the API key approved, the workspace trusted, bypass-permissions mode accepted.
 */
export function seedInteractiveHome(sandbox: Sandbox): void {
  const key = String(sandbox.env.ANTHROPIC_API_KEY);
  const path = join(sandbox.home, ".claude.json");
  let state: Record<string, unknown> = {};
  try {
    state = JSON.parse(readFileSync(path, "utf8")) as Record<string, unknown>;
  } catch {
    // A fresh HOME.
  }
  const projects = (state.projects ?? {}) as Record<string, unknown>;
  projects[sandbox.work] = { hasTrustDialogAccepted: true, hasCompletedProjectOnboarding: true };
  writeFileSync(
    path,
    JSON.stringify({
      ...state,
      hasCompletedOnboarding: true,
      bypassPermissionsModeAccepted: true,
      customApiKeyResponses: { approved: [key.slice(-20)], rejected: [] },
      projects,
    }),
  );
}
