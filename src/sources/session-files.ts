/**
 * Where Claude Code keeps a session's transcript: `<config dir>/projects/<working directory,
 * flattened>/<session id>.jsonl`. A session id is a UUID, so the file of that name is that
 * session's, wherever Claude Code put it (a `--worktree`, a long path it shortened): found by its
 * id, never guessed from a folder's newest file.
 */
import { existsSync, readdirSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";

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
