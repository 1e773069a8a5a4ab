/**
 * Branch, commit and origin of the git checkout a directory is in, read from `.git` itself (no
 * `git` binary): HEAD, the branch's loose ref or packed-refs, the config's origin URL. Works for
 * linked worktrees (a `.git` file pointing at the real git dir, `commondir` at the shared one).
 * Reads a handful of small files, each bounded; gives up quietly on anything unexpected.
 */
import { readlinkSync, type Stats, statSync } from "node:fs";
import { dirname, isAbsolute, join, resolve } from "node:path";
import { readBounded } from "./ci-util.ts";
import { originUrl } from "./git-config.ts";
import { isValidRefName } from "./git-ref-name.ts";

export interface GitCheckout {
  branch?: string;
  revision?: string;
  remoteUrl?: string;
}

const SHA = /^[0-9a-f]{40}(?:[0-9a-f]{24})?$/;
const MAX_DEPTH = 64;
/** HEAD and loose refs are read as files in `.git`, never through a link to elsewhere. */
const NO_LINKS = { followLinks: false };

/**
 * What is at `dir/.git`: nothing ("absent": look further up), the git dir it is or points to, or
 * something unusable (a `.git` file without a `gitdir:` line). git stops at the first `.git` it
 * finds, so this does too, even when it cannot be read: going on would report the repository
 * around it instead.
 */
function dotGitAt(dir: string): string | "absent" | "unusable" {
  const dotGit = join(dir, ".git");
  let stat: Stats;
  try {
    stat = statSync(dotGit);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return code === "ENOENT" || code === "ENOTDIR" ? "absent" : "unusable";
  }
  if (stat.isDirectory()) return dotGit;
  const pointer = /^gitdir: (.+)$/m.exec(readBounded(dotGit, 4096) ?? "")?.[1]?.trim();
  if (!pointer) return "unusable";
  return isAbsolute(pointer) ? pointer : resolve(dir, pointer);
}

/** The git dir of the checkout containing `cwd`, and its common dir (they differ for a worktree). */
function findGitDir(cwd: string): { gitDir: string; commonDir: string } | undefined {
  let dir = resolve(cwd);
  for (let depth = 0; depth < MAX_DEPTH; depth++) {
    const gitDir = dotGitAt(dir);
    if (gitDir === "unusable") return undefined;
    if (gitDir !== "absent") {
      const common = readBounded(join(gitDir, "commondir"), 4096)?.trim();
      return { gitDir, commonDir: common ? resolve(gitDir, common) : gitDir };
    }
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
  return undefined;
}

/**
 * HEAD's text. Very old git made HEAD a symbolic link to `refs/heads/<branch>`: that is read as the
 * `ref:` line it stands for, from the link's text alone. No link is followed, so one pointing out of
 * `.git` reads nothing (and the name is checked before any file is read by it).
 */
function readHead(gitDir: string): string | undefined {
  const path = join(gitDir, "HEAD");
  const text = readBounded(path, 4096, NO_LINKS);
  if (text !== undefined) return text.trim();
  try {
    const target = readlinkSync(path);
    return target.startsWith("refs/heads/") ? `ref: ${target}` : undefined;
  } catch {
    return undefined;
  }
}

/** A valid ref's commit: its loose file (worktree's own, then the shared one), else packed-refs. */
function resolveRef(ref: string, gitDir: string, commonDir: string): string | undefined {
  for (const dir of [gitDir, commonDir]) {
    const sha = readBounded(join(dir, ref), 4096, NO_LINKS)?.trim();
    if (sha && SHA.test(sha)) return sha;
  }
  const packed = readBounded(join(commonDir, "packed-refs"), 16 * 1024 * 1024);
  for (const line of packed?.split("\n") ?? []) {
    const space = line.indexOf(" ");
    if (space > 0 && line.slice(space + 1).trim() === ref) {
      const sha = line.slice(0, space);
      return SHA.test(sha) ? sha : undefined;
    }
  }
  return undefined;
}

export function readGitCheckout(cwd: string): GitCheckout {
  const dirs = findGitDir(cwd);
  if (!dirs) return {};
  const { gitDir, commonDir } = dirs;
  const head = readHead(gitDir) ?? "";
  const remoteUrl = originUrl(readBounded(join(commonDir, "config"), 256 * 1024));
  const ref = /^ref: (.+)$/.exec(head)?.[1];
  if (!ref) return { revision: SHA.test(head) ? head : undefined, remoteUrl };
  // Not a name git could have made: nothing read by it. A reftable repository's HEAD is one on
  // purpose (`ref: refs/heads/.invalid`): its refs are in binary tables, not read here.
  if (!isValidRefName(ref)) return { remoteUrl };
  return {
    branch: ref.startsWith("refs/heads/") ? ref.slice("refs/heads/".length) : undefined,
    revision: resolveRef(ref, gitDir, commonDir),
    remoteUrl,
  };
}
