import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse } from "yaml";
import { type Ran, run } from "./sandbox.ts";

export interface StepRun {
  name: string;
  code: number | null;
  stdout: string;
  stderr: string;
  /** What the step appended to GITHUB_STEP_SUMMARY. */
  summary: string;
  outputs: Record<string, string>;
}

export interface Job {
  steps: StepRun[];
  /** The folders the job restores from the cache, as absolute paths. */
  restored: string[];
  /** The folders the job saves to the cache for the next run, as absolute paths: as the runner
   * would, only when the save happens for the way the job ended (success or failure). */
  cached: string[];
}

const SETUP = /^npm install -g claude-telemetry$/;

function shell(script: string, env: NodeJS.ProcessEnv, cwd: string): Promise<Ran> {
  return run("bash", ["--noprofile", "--norc", "-eo", "pipefail", "-c", script], { env, cwd });
}

/** GITHUB_OUTPUT's `name=value` and `name<<delimiter` lines, as the runner reads them. */
export function parseGithubOutput(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string;
    const heredoc = /^([\w-]+)<<(.+)$/.exec(line);
    if (heredoc?.[1] && heredoc[2]) {
      const value: string[] = [];
      while (i + 1 < lines.length && lines[++i] !== heredoc[2]) value.push(lines[i] as string);
      out[heredoc[1]] = value.join("\n");
    } else if (/^[\w-]+=/.test(line)) out[line.slice(0, line.indexOf("="))] = line.slice(line.indexOf("=") + 1);
  }
  return out;
}

/**
 * Whether a step runs, by its `if:` and whether an earlier step failed, as GitHub's runner decides:
 * without `if:`, only while all went well.
 */
function githubStepRuns(condition: unknown, failed: boolean): boolean {
  const expression = typeof condition === "string" ? condition.replace(/^\$\{\{\s*|\s*\}\}$/g, "").trim() : undefined;
  if (expression === undefined || expression === "success()") return !failed;
  if (expression === "always()") return true;
  if (expression === "failure()") return failed;
  throw new Error(`the stand-in runner cannot evaluate if: ${expression}`);
}

/**
 * A cache action's step: `actions/cache` restores at once and saves after the job only if it
 * succeeded (its post step's `post-if: success()`: true is returned for that);
 * `actions/cache/restore` and `actions/cache/save` do one each, the save when its step runs.
 */
function githubCacheStep(uses: string, path: string, job: Job): boolean {
  if (uses.startsWith("actions/cache@")) job.restored.push(path);
  else if (uses.startsWith("actions/cache/restore@")) job.restored.push(path);
  else if (uses.startsWith("actions/cache/save@")) job.cached.push(path);
  else throw new Error(`the stand-in runner does not know ${uses}`);
  return uses.startsWith("actions/cache@");
}

export interface GithubContext {
  env: NodeJS.ProcessEnv;
  cwd: string;
  secrets: Record<string, string>;
  github: Record<string, string>;
  /** Addresses in the workflow and what stands in for them (a local receiver). */
  rewrite?: [string, string][];
}

/** Run one job of a GitHub Actions workflow, step by step. */
export async function runGithubJob(workflow: string, jobName: string, ctx: GithubContext): Promise<Job> {
  const job = (parse(workflow) as { jobs: Record<string, { steps: Record<string, unknown>[] }> }).jobs[jobName];
  if (!job) throw new Error(`no job ${jobName}`);
  const dir = mkdtempSync(join(tmpdir(), "claudia-runner-"));
  const outputs: Record<string, Record<string, string>> = {};
  const expand = (text: string) =>
    text.replace(/\$\{\{\s*([\w.-]+)\s*\}\}/g, (_, expr: string) => {
      const [scope, ...rest] = expr.split(".");
      const value =
        scope === "secrets"
          ? ctx.secrets[rest.join(".")]
          : scope === "github"
            ? ctx.github[rest.join(".")]
            : scope === "steps" && rest[1] === "outputs"
              ? (outputs[rest[0] as string]?.[rest[2] as string] ?? "")
              : undefined;
      if (value === undefined) throw new Error(`the stand-in runner cannot evaluate \${{ ${expr} }}`);
      return value;
    });
  const rewrite = (text: string) => (ctx.rewrite ?? []).reduce((t, [from, to]) => t.split(from).join(to), text);
  const result: Job = { steps: [], restored: [], cached: [] };
  const savedOnSuccess: string[] = [];
  let failed = false;
  for (const [index, step] of job.steps.entries()) {
    if (!githubStepRuns(step.if, failed)) continue;
    const uses = typeof step.uses === "string" ? step.uses : undefined;
    if (uses?.startsWith("actions/cache")) {
      const path = String((step.with as Record<string, unknown>).path).replace(/^~(?=\/)/, ctx.env.HOME as string);
      if (githubCacheStep(uses, path, result)) savedOnSuccess.push(path);
    }
    if (typeof step.run !== "string" || SETUP.test(step.run.trim())) continue;
    const summary = join(dir, `summary-${index}.md`);
    const output = join(dir, `output-${index}.txt`);
    writeFileSync(summary, "");
    writeFileSync(output, "");
    const env: NodeJS.ProcessEnv = { ...ctx.env, GITHUB_STEP_SUMMARY: summary, GITHUB_OUTPUT: output };
    for (const [key, value] of Object.entries((step.env ?? {}) as Record<string, string>))
      env[key] = rewrite(expand(String(value)));
    const ran = await shell(expand(step.run), env, ctx.cwd);
    const id = typeof step.id === "string" ? step.id : `step${index}`;
    outputs[id] = parseGithubOutput(readFileSync(output, "utf8"));
    result.steps.push({ name: id, ...ran, summary: readFileSync(summary, "utf8"), outputs: outputs[id] });
    if (ran.code !== 0) failed = true;
  }
  if (!failed) result.cached.push(...savedOnSuccess);
  return result;
}

export interface GitlabContext {
  env: NodeJS.ProcessEnv;
  /** CI_PROJECT_DIR: where the job runs and what cache paths are relative to. */
  cwd: string;
  rewrite?: [string, string][];
}

/** Run one job of a GitLab CI file: its variables (expanded as GitLab does), then its script. */
export async function runGitlabJob(file: string, jobName: string, ctx: GitlabContext): Promise<Job & StepRun> {
  const job = (parse(file) as Record<string, Record<string, unknown>>)[jobName];
  if (!job) throw new Error(`no job ${jobName}`);
  const env: NodeJS.ProcessEnv = { ...ctx.env };
  const expand = (text: string) =>
    text.replace(/\$\{?(\w+)\}?/g, (_, name: string) => {
      const value = env[name];
      if (value === undefined) throw new Error(`the stand-in runner has no variable ${name}`);
      return value;
    });
  const rewrite = (text: string) => (ctx.rewrite ?? []).reduce((t, [from, to]) => t.split(from).join(to), text);
  for (const [key, value] of Object.entries((job.variables ?? {}) as Record<string, string>))
    env[key] = rewrite(expand(String(value)));
  const script = ((job.script ?? []) as string[]).filter((line) => !SETUP.test(line.trim())).join("\n");
  const ran = await shell(script, env, ctx.cwd);
  // The cache is saved after the job as `cache:when` says: by default only when it succeeded.
  const cache = (job.cache ?? {}) as { paths?: string[]; when?: string };
  const when = cache.when ?? "on_success";
  const paths = (cache.paths ?? []).map((p) => join(ctx.cwd, p));
  const saved = when === "always" || (when === "on_success") === (ran.code === 0);
  return { name: jobName, ...ran, summary: "", outputs: {}, steps: [], restored: paths, cached: saved ? paths : [] };
}
