/**
 * Small helpers of CI detection: a bounded file read, a repository URL fit for a resource, the parts
 * of a pull request's URL.
 */
import { readRegularFile } from "../config/read-file.ts";

/**
 * A regular file's text if it is at most `limit` bytes; undefined otherwise or if unreadable (with
 * `followLinks: false`, if it is a symbolic link).
 */
export function readBounded(
  path: string,
  limit = 64 * 1024,
  options: { followLinks?: boolean } = {},
): string | undefined {
  try {
    return readRegularFile(path, limit, options).toString("utf8");
  } catch {
    return undefined;
  }
}

const SCP_LIKE = /^(?:[\w.-]+@)?([\w.-]+):(?!\/\/)([\w./~-]+)$/;

/**
 * The web address of a repository: https, no credentials, no `.git`; from an https, ssh, git or
 * scp-like (`git@host:org/repo.git`) remote. Undefined for anything else (a local path).
 */
export function repositoryUrl(remote: string): string | undefined {
  const text = remote.trim();
  const scp = SCP_LIKE.exec(text);
  let host: string;
  let path: string;
  if (scp?.[1] && scp[2]) {
    host = scp[1];
    path = scp[2];
  } else {
    let url: URL;
    try {
      url = new URL(text);
    } catch {
      return undefined;
    }
    if (!["http:", "https:", "ssh:", "git:", "git+ssh:", "ssh+git:"].includes(url.protocol) || !url.hostname)
      return undefined;
    const keepPort = url.protocol === "http:" || url.protocol === "https:";
    host = keepPort && url.port ? `${url.hostname}:${url.port}` : url.hostname;
    path = url.pathname;
  }
  const clean = path
    .replace(/^\/+/, "")
    .replace(/\.git\/?$/, "")
    .replace(/\/+$/, "");
  return clean ? `https://${host}/${clean}` : undefined;
}

/**
 * A change's (pull or merge request's) web address split into its repository's address and its
 * number: GitHub's `…/pull/N`, GitLab's `…/-/merge_requests/N`, Bitbucket's `…/pull-requests/N`,
 * Gitea's `…/pulls/N`. Undefined for anything else.
 */
export function changeUrlParts(url: string | undefined): { repository: string; number: string } | undefined {
  const match = /^(.+?)\/(?:pull|pulls|-\/merge_requests|pull-requests)\/(\d+)\/?$/.exec(url?.trim() ?? "");
  return match?.[1] && match[2] ? { repository: match[1], number: match[2] } : undefined;
}

/** `vcs.provider.name` for a repository on one of the hosts the conventions name. */
export function vcsProviderOf(url: string | undefined): string | undefined {
  if (!url) return undefined;
  const host = new URL(url).hostname;
  if (host === "github.com" || host.endsWith(".github.com") || host.endsWith(".ghe.com")) return "github";
  if (host === "gitlab.com" || host.startsWith("gitlab.")) return "gitlab";
  if (host === "bitbucket.org") return "bitbucket";
  return undefined;
}
