/**
 * `claudia demo`: the real Claude Code, traced by claudia, against a scripted model that claudia
 * serves on 127.0.0.1. No API key, no network. The run is recorded like any other (journal and any
 * configured backend) and the demo ends by showing its trace.
 */
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { homedir, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { DEMO_NOTES, DEMO_PROMPT, demoScenarios } from "../demo/scenario.ts";
import { startScriptedModel } from "../demo/scripted-model.ts";
import { claudiaHome, journalDir } from "../export/journal.ts";
import { listRuns } from "../export/journal-store.ts";
import { tracesCommand } from "./traces/command.ts";

const DEMO_HELP = `Usage: claudia demo

Runs the real Claude Code (the bundled binary), traced by claudia, against a scripted model that
claudia serves on 127.0.0.1: no API key, no network. The session reads a file, runs a command,
delegates to a subagent that runs a tool, and writes a file, in a temporary workspace. The run is
recorded like any other (the local journal, and any backend you configured), then its trace is shown.
`;

/**
 * The model name the scripted model answers as: a real, current one (Claude Code warns about
 * models it is retiring), so the cost is the price table's real list price.
 */
export const DEMO_MODEL = "claude-sonnet-4-6";

export async function demoCommand(args: string[], env: NodeJS.ProcessEnv, color: boolean): Promise<number> {
  if (args.includes("--help") || args.includes("-h")) {
    process.stdout.write(DEMO_HELP);
    return 0;
  }
  const say = (line: string) => process.stderr.write(`${line}\n`);
  const model = await startScriptedModel({ scenarios: demoScenarios, defaultScenario: "demo" });
  const base = mkdtempSync(join(tmpdir(), "claudia-demo-"));
  const workspace = join(base, "workspace");
  const home = join(base, "home");
  const tmp = join(base, "tmp");
  for (const dir of [workspace, home, tmp]) mkdirSync(dir, { recursive: true });
  writeFileSync(join(workspace, "notes.md"), DEMO_NOTES);
  const started = Date.now();
  try {
    say("claudia demo: the real Claude Code, with a SCRIPTED model served by claudia on 127.0.0.1");
    say("(no API key, no network; the answers are scripted, the tools really run in a temporary workspace)\n");
    const childEnv = demoEnv(env, { home, tmp, modelUrl: model.url });
    const code = await runClaudia(workspace, childEnv);
    const run = listRuns(journalDir(childEnv)).find((r) => r.record.startTime >= started - 1000);
    if (!run) {
      say("\nclaudia demo: the run was not recorded (is the journal switched off with CLAUDIA_JOURNAL=off?)");
      return code === 0 ? 1 : code;
    }
    say(`\nThe trace of that run (claudia traces show ${run.record.traceId.slice(0, 12)}):\n`);
    await tracesCommand(["show", run.record.traceId], {
      out: (t) => process.stdout.write(t),
      err: (t) => process.stderr.write(t),
      env: childEnv,
      color,
    });
    say(`\nSee it in your browser: claudia traces ui ${run.record.traceId.slice(0, 12)}`);
    say(`List every recorded run with \`claudia traces\`; send them to a backend with OTEL_EXPORTER_OTLP_ENDPOINT.`);
    return code;
  } finally {
    await model.close();
    rmSync(base, { recursive: true, force: true });
  }
}

/** The demo run's environment: the scripted model, a throwaway home, the user's own journal. */
function demoEnv(env: NodeJS.ProcessEnv, at: { home: string; tmp: string; modelUrl: string }): NodeJS.ProcessEnv {
  const childEnv: NodeJS.ProcessEnv = {
    ...env,
    // Claude Code gets a throwaway home, so the demo never touches your ~/.claude...
    HOME: at.home,
    TMPDIR: at.tmp,
    CLAUDE_CODE_TMPDIR: at.tmp,
    // ...while the run is recorded in your journal, as any run is.
    CLAUDIA_HOME: claudiaHome(env),
    XDG_CACHE_HOME: env.XDG_CACHE_HOME || join(homedir(), ".cache"),
    ANTHROPIC_BASE_URL: at.modelUrl,
    ANTHROPIC_API_KEY: "scripted-demo-key",
    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: "1",
    DISABLE_TELEMETRY: "1",
    DISABLE_ERROR_REPORTING: "1",
    DISABLE_AUTOUPDATER: "1",
    CLAUDE_CODE_MAX_RETRIES: "1",
  };
  for (const key of [
    "ANTHROPIC_AUTH_TOKEN",
    "CLAUDE_CODE_USE_BEDROCK",
    "CLAUDE_CODE_USE_VERTEX",
    "CLAUDE_CONFIG_DIR",
  ]) {
    delete childEnv[key];
  }
  return childEnv;
}

/** `claudia` itself on the demo's prompt, as a user would run it; its exit code. */
function runClaudia(workspace: string, env: NodeJS.ProcessEnv): Promise<number> {
  const main = fileURLToPath(new URL("./main.js", import.meta.url));
  return new Promise<number>((resolve) => {
    const child = spawn(
      process.execPath,
      [main, "--model", DEMO_MODEL, "--allowedTools", "Read,Write,Bash,Agent,Task", "--", DEMO_PROMPT],
      { cwd: workspace, env, stdio: ["ignore", "inherit", "inherit"] },
    );
    child.once("error", () => resolve(127));
    child.once("close", (c) => resolve(c ?? 1));
  });
}
