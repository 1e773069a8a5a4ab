/**
 * Where Claude Code keeps session transcripts: `<config dir>/projects/<working directory,
 * flattened>/<session id>.jsonl`, `<config dir>` being `$CLAUDE_CONFIG_DIR` or `~/.claude`. A
 * session id is a UUID, so the file of that name is that session's, wherever Claude Code put it (a
 * `--worktree`, a long path it shortened): a run's transcript is found by its id, never guessed from
 * a folder's newest file. A subagent's own transcript lives under its session
 * (`<session id>/subagents/agent-*.jsonl`) and is read with it, never as a session.
 */
import { type Dirent, existsSync, lstatSync, readdirSync, type Stats } from "node:fs";
import { homedir } from "node:os";
import { basename, join } from "node:path";

/** Claude Code's configuration folder (`CLAUDE_CONFIG_DIR`, else `~/.claude`). */
export function configDir(env: NodeJS.ProcessEnv): string {
  return env.CLAUDE_CONFIG_DIR || join(homedir(), ".claude");
}

/** Claude Code's projects folder for a working directory (where it keeps session transcripts). */
export function projectDir(cwd: string, env: NodeJS.ProcessEnv = process.env): string {
  return join(configDir(env), "projects", cwd.replace(/[^a-zA-Z0-9]/g, "-"));
}

/**
 * Where a session's transcript is: in the working directory's projects folder, else in any
 * project folder. Undefined while Claude Code has not written it (or never will:
 * `--no-session-persistence`, or Claude Code never started).
 */
export function locateSession(
  sessionId: string,
  cwd: string,
  env: NodeJS.ProcessEnv = process.env,
): string | undefined {
  if (!/^[A-Za-z0-9._-]+$/.test(sessionId)) return undefined;
  const name = `${sessionId}.jsonl`;
  const expected = join(projectDir(cwd, env), name);
  if (existsSync(expected)) return expected;
  const projects = join(configDir(env), "projects");
  let dirs: string[];
  try {
    dirs = readdirSync(projects);
  } catch {
    return undefined;
  }
  for (const dir of dirs) {
    const path = join(projects, dir, name);
    if (existsSync(path)) return path;
  }
  return undefined;
}

export interface SessionFile {
  path: string;
  sessionId: string;
  mtimeMs: number;
  /** Bytes when listed (Claude Code only appends: a larger file has been continued since). */
  size: number;
}

/** Deep enough for `projects/<project>/<session>.jsonl` given any folder above it; no deeper. */
const MAX_DEPTH = 4;

export function claudeProjectsDir(env: NodeJS.ProcessEnv): string {
  return join(configDir(env), "projects");
}

function asSession(path: string, stat: { mtimeMs: number; size: number }): SessionFile | undefined {
  const name = basename(path);
  if (!name.endsWith(".jsonl") || name.startsWith("agent-")) return undefined;
  return { path, sessionId: name.slice(0, -".jsonl".length), mtimeMs: stat.mtimeMs, size: stat.size };
}

function walk(dir: string, depth: number, found: SessionFile[], warn: (message: string) => void): void {
  let entries: Dirent[];
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch (error) {
    warn(`could not read ${dir} (${(error as NodeJS.ErrnoException).code ?? String(error)}); skipped`);
    return;
  }
  for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
    const path = join(dir, entry.name);
    // Symbolic links are not followed: a folder could lead anywhere, or in a circle.
    if (entry.isDirectory() && entry.name !== "subagents" && depth < MAX_DEPTH) walk(path, depth + 1, found, warn);
    else if (entry.isFile()) {
      const session = asSession(path, statOf(path));
      if (session) found.push(session);
    }
  }
}

function statOf(path: string): { mtimeMs: number; size: number } {
  try {
    return lstatSync(path);
  } catch {
    return { mtimeMs: 0, size: 0 };
  }
}

/**
 * The sessions under each of `paths` (files are taken as they are, folders searched), or under
 * Claude Code's projects folder when none is given. Each path that cannot be read is one warning.
 */
export function sessionFiles(paths: string[], env: NodeJS.ProcessEnv, warn: (message: string) => void): SessionFile[] {
  const found: SessionFile[] = [];
  for (const path of paths.length > 0 ? paths : [claudeProjectsDir(env)]) {
    let stat: Stats;
    try {
      stat = lstatSync(path);
    } catch (error) {
      if (paths.length > 0)
        warn(`could not read ${path} (${(error as NodeJS.ErrnoException).code ?? String(error)}); skipped`);
      continue;
    }
    if (stat.isDirectory()) walk(path, 0, found, warn);
    else if (stat.isFile()) {
      const session = asSession(path, stat);
      if (session) found.push(session);
      else warn(`${path} is not a session transcript (<session id>.jsonl); skipped`);
    } else warn(`${path} is not a file or folder; skipped`);
  }
  const seen = new Set<string>();
  return found.filter((f) => !seen.has(f.path) && seen.add(f.path));
}
