/**
 * The pipeline and the commit a run belongs to, as resource attributes of the OpenTelemetry CI/CD
 * and VCS conventions: from the documented variables of GitHub Actions, GitLab CI, CircleCI,
 * Buildkite, Jenkins and Azure Pipelines; outside CI (or where a CI leaves them out), the branch
 * and commit of the working directory's git checkout, read from `.git` without a `git` binary.
 *
 * Cheap on purpose: at most a few small files are read (the GitHub event file, `.git/HEAD`, one ref,
 * the git config), each with a bounded read. `CLAUDIA_DETECT_CI=off` turns all of it off, and
 * `OTEL_RESOURCE_ATTRIBUTES` wins over anything found here (see `resourceAttributesOf` in the pipeline).
 */
import { CI_ATTR } from "../trace/semconv.ts";
import { firstHead, type HeadRef, headOfRef } from "./ci-ref.ts";
import { changeUrlParts, readBounded, repositoryUrl, vcsProviderOf } from "./ci-util.ts";
import { readGitCheckout } from "./git-checkout.ts";

type Env = Record<string, string | undefined>;
export type CiAttributes = Record<string, string>;

interface Provider {
  detect(env: Env): boolean;
  read(env: Env): Partial<Record<keyof typeof CI_ATTR, string | undefined>>;
}

const HEX_REVISION = /^[0-9a-f]{7,64}$/i;
const NUMBER = /^\d+$/;

/** A property of a JSON value, if the value is an object. */
const field = (value: unknown, key: string): unknown =>
  typeof value === "object" && value !== null ? (value as Record<string, unknown>)[key] : undefined;

const stringOf = (value: unknown) => (typeof value === "string" ? value : undefined);
const numberOf = (value: unknown) => (typeof value === "number" ? String(value) : undefined);

interface GithubPullRequest {
  number?: string;
  headRef?: string;
  headSha?: string;
  /**
   * Known from a comment on it (`issue_comment`): its payload has the number but not the head, and
   * GITHUB_REF and GITHUB_SHA are the default branch's, so the head is left to the checkout.
   */
  fromComment?: boolean;
}

/**
 * The pull request of a GitHub Actions run: from the event payload, else from `refs/pull/N/merge`.
 * Its branch comes from the payload too: GITHUB_HEAD_REF is set only for `pull_request` and
 * `pull_request_target`, not for `pull_request_review` and the other events about a pull request.
 */
function githubPullRequest(env: Env): GithubPullRequest {
  const text = env.GITHUB_EVENT_PATH ? readBounded(env.GITHUB_EVENT_PATH, 4 * 1024 * 1024) : undefined;
  if (text) {
    try {
      const payload: unknown = JSON.parse(text);
      const pr = field(payload, "pull_request");
      if (typeof pr === "object" && pr !== null) {
        return {
          number: numberOf(field(pr, "number")),
          headRef: stringOf(field(field(pr, "head"), "ref")),
          headSha: stringOf(field(field(pr, "head"), "sha")),
        };
      }
      // A comment on a pull request is a comment on its issue, which says it is one.
      const issue = field(payload, "issue");
      const onPullRequest = field(issue, "pull_request");
      if (typeof onPullRequest === "object" && onPullRequest !== null) {
        return { number: numberOf(field(issue, "number")), fromComment: true };
      }
    } catch {
      // Not JSON: the ref may still say.
    }
  }
  return { number: /^refs\/pull\/(\d+)\//.exec(env.GITHUB_REF ?? "")?.[1] };
}

/**
 * The branch or tag of a GitHub Actions run: a pull request's own branch, else GITHUB_REF's. A run
 * on a pull request's merge commit without the payload (`refs/pull/7/merge`) is on neither.
 */
function githubHead(env: Env, pr: GithubPullRequest): HeadRef {
  const branch = pr.headRef || env.GITHUB_HEAD_REF;
  if (branch) return { refHeadName: branch, refHeadType: "branch" };
  if (env.GITHUB_REF) return headOfRef(env.GITHUB_REF);
  const type = env.GITHUB_REF_TYPE;
  return firstHead([env.GITHUB_REF_NAME, type === "branch" || type === "tag" ? type : undefined]);
}

const github: Provider = {
  detect: (env) => env.GITHUB_ACTIONS === "true",
  read(env) {
    const server = env.GITHUB_SERVER_URL || "https://github.com";
    const repo = env.GITHUB_REPOSITORY ? `${server}/${env.GITHUB_REPOSITORY}` : undefined;
    const run = repo && env.GITHUB_RUN_ID ? `${repo}/actions/runs/${env.GITHUB_RUN_ID}` : undefined;
    const pr = githubPullRequest(env);
    return {
      pipelineName: env.GITHUB_WORKFLOW,
      pipelineRunId: env.GITHUB_RUN_ID,
      pipelineRunUrl: run && env.GITHUB_RUN_ATTEMPT ? `${run}/attempts/${env.GITHUB_RUN_ATTEMPT}` : run,
      taskName: env.GITHUB_JOB,
      repositoryUrl: repo,
      ...(pr.fromComment ? {} : { ...githubHead(env, pr), refHeadRevision: pr.headSha ?? env.GITHUB_SHA }),
      changeId: pr.number,
      providerName: "github",
    };
  },
};

const gitlab: Provider = {
  detect: (env) => env.GITLAB_CI === "true",
  read: (env) => ({
    pipelineName: env.CI_PIPELINE_NAME || env.CI_PROJECT_PATH,
    pipelineRunId: env.CI_PIPELINE_ID,
    pipelineRunUrl: env.CI_PIPELINE_URL,
    taskName: env.CI_JOB_NAME,
    taskRunId: env.CI_JOB_ID,
    taskRunUrl: env.CI_JOB_URL,
    repositoryUrl: env.CI_PROJECT_URL,
    ...firstHead(
      [env.CI_MERGE_REQUEST_SOURCE_BRANCH_NAME, "branch"],
      [env.CI_COMMIT_TAG, "tag"],
      [env.CI_COMMIT_BRANCH, "branch"],
      [env.CI_COMMIT_REF_NAME, undefined],
    ),
    // A merged results pipeline runs on a merge commit GitLab made; the branch's own is beside it.
    refHeadRevision: env.CI_MERGE_REQUEST_SOURCE_BRANCH_SHA || env.CI_COMMIT_SHA,
    changeId: env.CI_MERGE_REQUEST_IID,
    providerName: "gitlab",
  }),
};

const circleci: Provider = {
  detect: (env) => env.CIRCLECI === "true",
  read: (env) => ({
    pipelineName: env.CIRCLE_PROJECT_REPONAME,
    pipelineRunId: env.CIRCLE_WORKFLOW_ID,
    pipelineRunUrl: env.CIRCLE_WORKFLOW_ID
      ? `https://app.circleci.com/pipelines/workflows/${env.CIRCLE_WORKFLOW_ID}`
      : undefined,
    taskName: env.CIRCLE_JOB,
    taskRunId: env.CIRCLE_BUILD_NUM,
    taskRunUrl: env.CIRCLE_BUILD_URL,
    repositoryUrl: env.CIRCLE_REPOSITORY_URL,
    ...firstHead([env.CIRCLE_TAG, "tag"], [env.CIRCLE_BRANCH, "branch"]),
    refHeadRevision: env.CIRCLE_SHA1,
    changeId: env.CIRCLE_PR_NUMBER || changeUrlParts(env.CIRCLE_PULL_REQUEST)?.number,
  }),
};

/**
 * Buildkite's ids of the repository providers it integrates with, as the convention's names. Others
 * (`git` for any git server, `beanstalk`, `phabricator`) are left to the repository's host.
 */
const BUILDKITE_PROVIDERS = new Map([
  ["github", "github"],
  ["github_enterprise", "github"],
  ["gitlab", "gitlab"],
  ["gitlab_ee", "gitlab"],
  ["bitbucket", "bitbucket"],
  ["bitbucket_server", "bitbucket"],
]);

const buildkite: Provider = {
  detect: (env) => env.BUILDKITE === "true",
  read: (env) => ({
    pipelineName: env.BUILDKITE_PIPELINE_NAME || env.BUILDKITE_PIPELINE_SLUG,
    pipelineRunId: env.BUILDKITE_BUILD_ID,
    pipelineRunUrl: env.BUILDKITE_BUILD_URL,
    taskName: env.BUILDKITE_LABEL || env.BUILDKITE_STEP_KEY,
    taskRunId: env.BUILDKITE_JOB_ID,
    taskRunUrl:
      env.BUILDKITE_BUILD_URL && env.BUILDKITE_JOB_ID
        ? `${env.BUILDKITE_BUILD_URL}#${env.BUILDKITE_JOB_ID}`
        : undefined,
    repositoryUrl: env.BUILDKITE_REPO,
    // A tag build's BUILDKITE_BRANCH holds the tag's name as well.
    ...firstHead([env.BUILDKITE_TAG, "tag"], [env.BUILDKITE_BRANCH, "branch"]),
    refHeadRevision: env.BUILDKITE_COMMIT,
    changeId: env.BUILDKITE_PULL_REQUEST,
    providerName: BUILDKITE_PROVIDERS.get(env.BUILDKITE_PIPELINE_PROVIDER ?? ""),
  }),
};

/**
 * The branch or tag of a Jenkins build: a multibranch pipeline's change branch, tag or branch (a
 * tag build's BRANCH_NAME holds the tag's name as well), else the git plugin's GIT_BRANCH
 * (`origin/main`, sometimes a full ref).
 */
function jenkinsHead(env: Env): HeadRef {
  const git = env.GIT_BRANCH?.startsWith("refs/")
    ? headOfRef(env.GIT_BRANCH)
    : firstHead([env.GIT_BRANCH?.replace(/^origin\//, ""), "branch"]);
  const multibranch = firstHead([env.CHANGE_BRANCH, "branch"], [env.TAG_NAME, "tag"], [env.BRANCH_NAME, "branch"]);
  return multibranch.refHeadName ? multibranch : git;
}

const jenkins: Provider = {
  detect: (env) => Boolean(env.JENKINS_URL && (env.BUILD_ID || env.BUILD_NUMBER)),
  read: (env) => ({
    pipelineName: env.JOB_NAME,
    pipelineRunId: env.BUILD_NUMBER || env.BUILD_ID,
    pipelineRunUrl: env.BUILD_URL,
    taskName: env.STAGE_NAME,
    repositoryUrl: env.GIT_URL || changeUrlParts(env.CHANGE_URL)?.repository,
    ...jenkinsHead(env),
    refHeadRevision: env.GIT_COMMIT,
    changeId: env.CHANGE_ID,
  }),
};

const AZURE_PROVIDERS = new Map([
  ["github", "github"],
  ["githubenterprise", "github"],
  ["bitbucket", "bitbucket"],
]);

const azure: Provider = {
  detect: (env) => env.TF_BUILD?.toLowerCase() === "true",
  read(env) {
    const project = env.SYSTEM_COLLECTIONURI && env.SYSTEM_TEAMPROJECT;
    const run =
      project && env.BUILD_BUILDID
        ? `${env.SYSTEM_COLLECTIONURI}${encodeURIComponent(env.SYSTEM_TEAMPROJECT as string)}/_build/results?buildId=${env.BUILD_BUILDID}`
        : undefined;
    // A pull request's source branch is a full ref on Azure Repos and a short name on GitHub.
    const prBranch = env.SYSTEM_PULLREQUEST_SOURCEBRANCH?.replace(/^refs\/heads\//, "");
    return {
      pipelineName: env.BUILD_DEFINITIONNAME,
      pipelineRunId: env.BUILD_BUILDID,
      pipelineRunUrl: run,
      taskName: env.SYSTEM_JOBDISPLAYNAME || env.AGENT_JOBNAME,
      taskRunId: env.SYSTEM_JOBID,
      taskRunUrl: run && env.SYSTEM_JOBID ? `${run}&view=logs&j=${env.SYSTEM_JOBID}` : undefined,
      repositoryUrl: env.BUILD_REPOSITORY_URI,
      ...(prBranch ? { refHeadName: prBranch, refHeadType: "branch" as const } : headOfRef(env.BUILD_SOURCEBRANCH)),
      // A pull request build's BUILD_SOURCEVERSION is the merge commit; the branch's own is beside it.
      refHeadRevision: env.SYSTEM_PULLREQUEST_SOURCECOMMITID || env.BUILD_SOURCEVERSION,
      changeId: env.SYSTEM_PULLREQUEST_PULLREQUESTNUMBER || env.SYSTEM_PULLREQUEST_PULLREQUESTID,
      providerName: AZURE_PROVIDERS.get(env.BUILD_REPOSITORY_PROVIDER?.toLowerCase() ?? ""),
    };
  },
};

const PROVIDERS: Provider[] = [github, gitlab, circleci, buildkite, jenkins, azure];

/**
 * The resource attributes of the pipeline and commit this process runs in. Pure apart from the few
 * small files it reads; never throws.
 */
export function detectCiResource(env: Env, cwd: string): CiAttributes {
  const provider = PROVIDERS.find((p) => p.detect(env));
  const found = provider ? provider.read(env) : {};
  if (!found.refHeadName || !found.refHeadRevision) {
    const git = readGitCheckout(cwd);
    if (!found.refHeadName && git.branch) Object.assign(found, { refHeadName: git.branch, refHeadType: "branch" });
    found.refHeadRevision ||= git.revision;
    found.repositoryUrl ||= git.remoteUrl;
  }
  found.repositoryUrl = found.repositoryUrl ? repositoryUrl(found.repositoryUrl) : undefined;
  if (!HEX_REVISION.test(found.refHeadRevision ?? "")) found.refHeadRevision = undefined;
  if (!NUMBER.test(found.changeId ?? "")) found.changeId = undefined;
  found.providerName ||= vcsProviderOf(found.repositoryUrl);
  const attributes: CiAttributes = {};
  for (const [key, name] of Object.entries(CI_ATTR) as [keyof typeof CI_ATTR, string][]) {
    const value = found[key]?.trim();
    if (value) attributes[name] = value;
  }
  return attributes;
}
