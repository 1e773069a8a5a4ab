/**
 * The session transcripts Claude Code keeps: `<config>/projects/<project>/<session id>.jsonl`, where
 * `<config>` is `$CLAUDE_CONFIG_DIR` or `~/.claude`. A subagent's own transcript lives under its
 * session (`<session id>/subagents/agent-*.jsonl`) and is read with it, never as a session.
 */
import { lstatSync, readdirSync } from "node:fs";
import { homedir } from "node:os";
import { basename, join } from "node:path";

export interface SessionFile {
  path: string;
  sessionId: string;
  mtimeMs: number;
}

/** Deep enough for `projects/<project>/<session>.jsonl` given any folder above it; no deeper. */
const MAX_DEPTH = 4;

export function claudeProjectsDir(env: NodeJS.ProcessEnv): string {
  return join(env.CLAUDE_CONFIG_DIR || join(homedir(), ".claude"), "projects");
}

function asSession(path: string, mtimeMs: number): SessionFile | undefined {
  const name = basename(path);
  if (!name.endsWith(".jsonl") || name.startsWith("agent-")) return undefined;
  return { path, sessionId: name.slice(0, -".jsonl".length), mtimeMs };
}

function walk(dir: string, depth: number, found: SessionFile[], warn: (message: string) => void): void {
  let entries: import("node:fs").Dirent[];
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
      const session = asSession(path, mtimeOf(path));
      if (session) found.push(session);
    }
  }
}

function mtimeOf(path: string): number {
  try {
    return lstatSync(path).mtimeMs;
  } catch {
    return 0;
  }
}

/**
 * The sessions under each of `paths` (files are taken as they are, folders searched), or under
 * Claude Code's projects folder when none is given. Each path that cannot be read is one warning.
 */
export function sessionFiles(paths: string[], env: NodeJS.ProcessEnv, warn: (message: string) => void): SessionFile[] {
  const found: SessionFile[] = [];
  for (const path of paths.length > 0 ? paths : [claudeProjectsDir(env)]) {
    let stat: import("node:fs").Stats;
    try {
      stat = lstatSync(path);
    } catch (error) {
      if (paths.length > 0)
        warn(`could not read ${path} (${(error as NodeJS.ErrnoException).code ?? String(error)}); skipped`);
      continue;
    }
    if (stat.isDirectory()) walk(path, 0, found, warn);
    else if (stat.isFile()) {
      const session = asSession(path, stat.mtimeMs);
      if (session) found.push(session);
      else warn(`${path} is not a session transcript (<session id>.jsonl); skipped`);
    } else warn(`${path} is not a file or folder; skipped`);
  }
  const seen = new Set<string>();
  return found.filter((f) => !seen.has(f.path) && seen.add(f.path));
}
