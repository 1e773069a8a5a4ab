import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { InMemorySpanExporter } from "@opentelemetry/sdk-trace";
import { resolveConfig } from "../../src/config/resolve.ts";
import { createRunProvider } from "../../src/export/provider.ts";
import { resourceAttributesOf } from "../../src/pipeline/outputs.ts";
import { detectCiResource } from "../../src/sources/ci-resource.ts";
import { repositoryUrl } from "../../src/sources/ci-util.ts";
import { readGitCheckout } from "../../src/sources/git-checkout.ts";
import { configValue, originUrl } from "../../src/sources/git-config.ts";
import { isValidRefName } from "../../src/sources/git-ref-name.ts";

const base = mkdtempSync(join(tmpdir(), "claudia-ci-"));
after(() => rmSync(base, { recursive: true, force: true }));
/** A directory outside any git checkout, so only the CI variables count. */
const nowhere = join(base, "nowhere");
mkdirSync(nowhere);

const SHA = "0123456789abcdef0123456789abcdef01234567";
const HEAD_SHA = "fedcba9876543210fedcba9876543210fedcba98";

describe("detectCiResource: each provider from its documented variables", () => {
  test("GitHub Actions, a pull request: number and head commit from the event payload", () => {
    const event = join(base, "event.json");
    writeFileSync(event, JSON.stringify({ action: "opened", pull_request: { number: 42, head: { sha: HEAD_SHA } } }));
    const attrs = detectCiResource(
      {
        GITHUB_ACTIONS: "true",
        GITHUB_SERVER_URL: "https://github.com",
        GITHUB_REPOSITORY: "acme/widgets",
        GITHUB_WORKFLOW: "CI",
        GITHUB_RUN_ID: "9753949763",
        GITHUB_RUN_ATTEMPT: "2",
        GITHUB_JOB: "agent",
        GITHUB_REF: "refs/pull/42/merge",
        GITHUB_REF_NAME: "42/merge",
        GITHUB_HEAD_REF: "feature/x",
        GITHUB_SHA: SHA,
        GITHUB_EVENT_PATH: event,
      },
      nowhere,
    );
    assert.deepEqual(attrs, {
      "cicd.pipeline.name": "CI",
      "cicd.pipeline.run.id": "9753949763",
      "cicd.pipeline.run.url.full": "https://github.com/acme/widgets/actions/runs/9753949763/attempts/2",
      "cicd.pipeline.task.name": "agent",
      "vcs.repository.url.full": "https://github.com/acme/widgets",
      "vcs.ref.head.name": "feature/x",
      "vcs.ref.head.type": "branch",
      "vcs.ref.head.revision": HEAD_SHA,
      "vcs.change.id": "42",
      "vcs.provider.name": "github",
    });
  });

  test("GitHub Actions, a push: branch and commit from the variables, no change id", () => {
    const event = join(base, "push.json");
    writeFileSync(event, JSON.stringify({ ref: "refs/heads/main" }));
    const attrs = detectCiResource(
      {
        GITHUB_ACTIONS: "true",
        GITHUB_REPOSITORY: "acme/widgets",
        GITHUB_RUN_ID: "1",
        GITHUB_REF: "refs/heads/main",
        GITHUB_REF_NAME: "main",
        GITHUB_HEAD_REF: "",
        GITHUB_SHA: SHA,
        GITHUB_EVENT_PATH: event,
      },
      nowhere,
    );
    assert.equal(attrs["vcs.ref.head.name"], "main");
    assert.equal(attrs["vcs.ref.head.revision"], SHA);
    assert.equal(attrs["vcs.change.id"], undefined);
    assert.equal(attrs["cicd.pipeline.run.url.full"], "https://github.com/acme/widgets/actions/runs/1");
  });

  test("GitHub Actions, a pull request review: the branch from the payload (no GITHUB_HEAD_REF then)", () => {
    const event = join(base, "review.json");
    const pull_request = { number: 7, head: { ref: "feature/x", sha: HEAD_SHA } };
    writeFileSync(event, JSON.stringify({ action: "submitted", review: {}, pull_request }));
    const attrs = detectCiResource(
      {
        GITHUB_ACTIONS: "true",
        GITHUB_EVENT_NAME: "pull_request_review",
        GITHUB_EVENT_PATH: event,
        GITHUB_REF: "refs/pull/7/merge",
        GITHUB_REF_NAME: "7/merge",
        GITHUB_HEAD_REF: "",
        GITHUB_SHA: SHA,
      },
      nowhere,
    );
    assert.equal(attrs["vcs.ref.head.name"], "feature/x");
    assert.equal(attrs["vcs.ref.head.revision"], HEAD_SHA);
    assert.equal(attrs["vcs.change.id"], "7");
  });

  test("GitHub Actions, a comment on a pull request: its number; the head from the checkout, not the default branch", () => {
    const event = join(base, "comment.json");
    const issue = { number: 42, pull_request: { url: "https://api.github.com/repos/acme/widgets/pulls/42" } };
    writeFileSync(event, JSON.stringify({ action: "created", comment: { body: "@claude fix it" }, issue }));
    const env = {
      GITHUB_ACTIONS: "true",
      GITHUB_EVENT_NAME: "issue_comment",
      GITHUB_EVENT_PATH: event,
      GITHUB_REF: "refs/heads/main",
      GITHUB_REF_NAME: "main",
      GITHUB_SHA: SHA,
    };
    const work = fakeCheckout("comment-pr", "ref: refs/heads/feature/x\n", { "refs/heads/feature/x": `${HEAD_SHA}\n` });
    const attrs = detectCiResource(env, work);
    assert.equal(attrs["vcs.change.id"], "42");
    assert.equal(attrs["vcs.ref.head.name"], "feature/x");
    assert.equal(attrs["vcs.ref.head.revision"], HEAD_SHA);
    // Outside a checkout the head is not known: the default branch is not the change's head.
    const bare = detectCiResource(env, nowhere);
    assert.equal(bare["vcs.change.id"], "42");
    assert.equal(bare["vcs.ref.head.name"], undefined);
    assert.equal(bare["vcs.ref.head.revision"], undefined);
  });

  test("GitHub Actions, a comment on an issue: no change, the workflow's branch", () => {
    const event = join(base, "issue-comment.json");
    writeFileSync(event, JSON.stringify({ action: "created", comment: {}, issue: { number: 5 } }));
    const attrs = detectCiResource(
      {
        GITHUB_ACTIONS: "true",
        GITHUB_EVENT_NAME: "issue_comment",
        GITHUB_EVENT_PATH: event,
        GITHUB_REF: "refs/heads/main",
        GITHUB_SHA: SHA,
      },
      nowhere,
    );
    assert.equal(attrs["vcs.change.id"], undefined);
    assert.equal(attrs["vcs.ref.head.name"], "main");
    assert.equal(attrs["vcs.ref.head.revision"], SHA);
  });

  test("GitHub Actions without a readable event file: the pull request number from GITHUB_REF", () => {
    const attrs = detectCiResource(
      { GITHUB_ACTIONS: "true", GITHUB_REF: "refs/pull/7/merge", GITHUB_EVENT_PATH: join(base, "missing.json") },
      nowhere,
    );
    assert.equal(attrs["vcs.change.id"], "7");
  });

  test("GitLab CI, a merge request pipeline", () => {
    const attrs = detectCiResource(
      {
        GITLAB_CI: "true",
        CI_PIPELINE_NAME: "",
        CI_PROJECT_PATH: "acme/widgets",
        CI_PIPELINE_ID: "120912",
        CI_PIPELINE_URL: "https://gitlab.com/acme/widgets/-/pipelines/120912",
        CI_JOB_NAME: "agent",
        CI_JOB_ID: "12097",
        CI_JOB_URL: "https://gitlab.com/acme/widgets/-/jobs/12097",
        CI_PROJECT_URL: "https://gitlab.com/acme/widgets",
        CI_COMMIT_REF_NAME: "feature/x",
        CI_MERGE_REQUEST_SOURCE_BRANCH_NAME: "feature/x",
        CI_COMMIT_SHA: SHA,
        CI_MERGE_REQUEST_IID: "17",
        CI_REPOSITORY_URL: "https://gitlab-ci-token:secret@gitlab.com/acme/widgets.git",
      },
      nowhere,
    );
    assert.deepEqual(attrs, {
      "cicd.pipeline.name": "acme/widgets",
      "cicd.pipeline.run.id": "120912",
      "cicd.pipeline.run.url.full": "https://gitlab.com/acme/widgets/-/pipelines/120912",
      "cicd.pipeline.task.name": "agent",
      "cicd.pipeline.task.run.id": "12097",
      "cicd.pipeline.task.run.url.full": "https://gitlab.com/acme/widgets/-/jobs/12097",
      "vcs.repository.url.full": "https://gitlab.com/acme/widgets",
      "vcs.ref.head.name": "feature/x",
      "vcs.ref.head.type": "branch",
      "vcs.ref.head.revision": SHA,
      "vcs.change.id": "17",
      "vcs.provider.name": "gitlab",
    });
    assert.ok(!JSON.stringify(attrs).includes("secret"));
  });

  test("GitLab CI, a merged results pipeline: the source branch's own commit, not the merge GitLab made", () => {
    const attrs = detectCiResource(
      {
        GITLAB_CI: "true",
        CI_PROJECT_URL: "https://gitlab.com/acme/widgets",
        CI_COMMIT_REF_NAME: "feature/x",
        CI_MERGE_REQUEST_SOURCE_BRANCH_NAME: "feature/x",
        CI_MERGE_REQUEST_SOURCE_BRANCH_SHA: HEAD_SHA,
        CI_COMMIT_SHA: SHA,
        CI_MERGE_REQUEST_IID: "17",
      },
      nowhere,
    );
    assert.equal(attrs["vcs.ref.head.name"], "feature/x");
    assert.equal(attrs["vcs.ref.head.revision"], HEAD_SHA);
    // Empty in a plain merge request pipeline, whose commit is the branch's own.
    const plain = detectCiResource(
      { GITLAB_CI: "true", CI_MERGE_REQUEST_SOURCE_BRANCH_SHA: "", CI_COMMIT_SHA: SHA },
      nowhere,
    );
    assert.equal(plain["vcs.ref.head.revision"], SHA);
  });

  test("CircleCI: the ssh remote becomes a web address, the pull request number from its URL", () => {
    const attrs = detectCiResource(
      {
        CIRCLECI: "true",
        CIRCLE_PROJECT_REPONAME: "widgets",
        CIRCLE_WORKFLOW_ID: "6b7c2e5a-0000-4000-8000-000000000001",
        CIRCLE_JOB: "agent",
        CIRCLE_BUILD_NUM: "311",
        CIRCLE_BUILD_URL: "https://circleci.com/gh/acme/widgets/311",
        CIRCLE_REPOSITORY_URL: "git@github.com:acme/widgets.git",
        CIRCLE_BRANCH: "feature/x",
        CIRCLE_SHA1: SHA,
        CIRCLE_PULL_REQUEST: "https://github.com/acme/widgets/pull/42",
      },
      nowhere,
    );
    assert.deepEqual(attrs, {
      "cicd.pipeline.name": "widgets",
      "cicd.pipeline.run.id": "6b7c2e5a-0000-4000-8000-000000000001",
      "cicd.pipeline.run.url.full": "https://app.circleci.com/pipelines/workflows/6b7c2e5a-0000-4000-8000-000000000001",
      "cicd.pipeline.task.name": "agent",
      "cicd.pipeline.task.run.id": "311",
      "cicd.pipeline.task.run.url.full": "https://circleci.com/gh/acme/widgets/311",
      "vcs.repository.url.full": "https://github.com/acme/widgets",
      "vcs.ref.head.name": "feature/x",
      "vcs.ref.head.type": "branch",
      "vcs.ref.head.revision": SHA,
      "vcs.change.id": "42",
      "vcs.provider.name": "github",
    });
  });

  test("CircleCI on Bitbucket: the pull request number from its …/pull-requests/N address", () => {
    const attrs = detectCiResource(
      {
        CIRCLECI: "true",
        CIRCLE_REPOSITORY_URL: "git@bitbucket.org:acme/widgets.git",
        CIRCLE_BRANCH: "feature/x",
        CIRCLE_SHA1: SHA,
        CIRCLE_PULL_REQUEST: "https://bitbucket.org/acme/widgets/pull-requests/12",
      },
      nowhere,
    );
    assert.equal(attrs["vcs.change.id"], "12");
    assert.equal(attrs["vcs.provider.name"], "bitbucket");
  });

  test("Buildkite: BUILDKITE_PULL_REQUEST=false is no change; a commit of HEAD is no revision", () => {
    const env = {
      BUILDKITE: "true",
      BUILDKITE_PIPELINE_NAME: "Widgets",
      BUILDKITE_PIPELINE_SLUG: "widgets",
      BUILDKITE_BUILD_ID: "b81ed283-58b7-4925-aa4a-d3da0eafcf2b",
      BUILDKITE_BUILD_URL: "https://buildkite.com/acme/widgets/builds/59034",
      BUILDKITE_LABEL: ":robot: agent",
      BUILDKITE_JOB_ID: "d593f546-8c9a-45f8-8701-a2b92fbea9a7",
      BUILDKITE_REPO: "git@github.com:acme/widgets.git",
      BUILDKITE_BRANCH: "main",
      BUILDKITE_COMMIT: SHA,
      BUILDKITE_PULL_REQUEST: "false",
      BUILDKITE_PIPELINE_PROVIDER: "github",
    };
    assert.deepEqual(detectCiResource(env, nowhere), {
      "cicd.pipeline.name": "Widgets",
      "cicd.pipeline.run.id": "b81ed283-58b7-4925-aa4a-d3da0eafcf2b",
      "cicd.pipeline.run.url.full": "https://buildkite.com/acme/widgets/builds/59034",
      "cicd.pipeline.task.name": ":robot: agent",
      "cicd.pipeline.task.run.id": "d593f546-8c9a-45f8-8701-a2b92fbea9a7",
      "cicd.pipeline.task.run.url.full":
        "https://buildkite.com/acme/widgets/builds/59034#d593f546-8c9a-45f8-8701-a2b92fbea9a7",
      "vcs.repository.url.full": "https://github.com/acme/widgets",
      "vcs.ref.head.name": "main",
      "vcs.ref.head.type": "branch",
      "vcs.ref.head.revision": SHA,
      "vcs.provider.name": "github",
    });
    const pr = detectCiResource({ ...env, BUILDKITE_PULL_REQUEST: "99", BUILDKITE_COMMIT: "HEAD" }, nowhere);
    assert.equal(pr["vcs.change.id"], "99");
    assert.equal(pr["vcs.ref.head.revision"], undefined);
  });

  test("Buildkite: its provider ids become the convention's names; an unknown one leaves it to the host", () => {
    const provider = (id: string, repo: string) =>
      detectCiResource(
        { BUILDKITE: "true", BUILDKITE_REPO: repo, BUILDKITE_PIPELINE_PROVIDER: id, BUILDKITE_COMMIT: SHA },
        nowhere,
      )["vcs.provider.name"];
    assert.equal(provider("github_enterprise", "git@ghe.acme.dev:acme/widgets.git"), "github");
    assert.equal(provider("gitlab_ee", "https://git.acme.dev/acme/widgets.git"), "gitlab");
    assert.equal(provider("bitbucket_server", "https://bb.acme.dev/scm/acme/widgets.git"), "bitbucket");
    assert.equal(provider("git", "https://git.acme.dev/acme/widgets.git"), undefined);
    assert.equal(provider("git", "git@gitlab.com:acme/widgets.git"), "gitlab");
    assert.equal(provider("beanstalk", "https://acme.git.beanstalkapp.com/widgets.git"), undefined);
  });

  test("Jenkins, a multibranch pull request build", () => {
    const attrs = detectCiResource(
      {
        JENKINS_URL: "https://ci.acme.dev/",
        BUILD_ID: "57",
        BUILD_NUMBER: "57",
        BUILD_URL: "https://ci.acme.dev/job/widgets/job/PR-42/57/",
        JOB_NAME: "widgets/PR-42",
        STAGE_NAME: "Agent",
        GIT_URL: "https://github.com/acme/widgets.git",
        BRANCH_NAME: "PR-42",
        CHANGE_BRANCH: "feature/x",
        GIT_COMMIT: SHA,
        CHANGE_ID: "42",
      },
      nowhere,
    );
    assert.deepEqual(attrs, {
      "cicd.pipeline.name": "widgets/PR-42",
      "cicd.pipeline.run.id": "57",
      "cicd.pipeline.run.url.full": "https://ci.acme.dev/job/widgets/job/PR-42/57/",
      "cicd.pipeline.task.name": "Agent",
      "vcs.repository.url.full": "https://github.com/acme/widgets",
      "vcs.ref.head.name": "feature/x",
      "vcs.ref.head.type": "branch",
      "vcs.ref.head.revision": SHA,
      "vcs.change.id": "42",
      "vcs.provider.name": "github",
    });
  });

  test("Jenkins without GIT_URL: the repository from the change's URL, whichever host it is on", () => {
    const repository = (changeUrl: string) =>
      detectCiResource(
        { JENKINS_URL: "https://ci.acme.dev/", BUILD_NUMBER: "3", CHANGE_ID: "5", CHANGE_URL: changeUrl },
        nowhere,
      )["vcs.repository.url.full"];
    assert.equal(repository("https://github.com/acme/widgets/pull/5"), "https://github.com/acme/widgets");
    assert.equal(
      repository("https://gitlab.com/acme/tools/widgets/-/merge_requests/5"),
      "https://gitlab.com/acme/tools/widgets",
    );
    assert.equal(
      repository("https://bitbucket.org/acme/widgets/pull-requests/5"),
      "https://bitbucket.org/acme/widgets",
    );
    assert.equal(
      repository("https://bb.acme.dev/projects/AC/repos/widgets/pull-requests/5/"),
      "https://bb.acme.dev/projects/AC/repos/widgets",
    );
    assert.equal(repository("https://gitea.acme.dev/acme/widgets/pulls/5"), "https://gitea.acme.dev/acme/widgets");
    // Not a change's address it knows: no repository rather than a wrong one.
    assert.equal(repository("https://review.acme.dev/c/widgets/+/5"), undefined);
  });

  test("Jenkins, a freestyle build: GIT_BRANCH without its remote's name", () => {
    const attrs = detectCiResource(
      { JENKINS_URL: "https://ci.acme.dev/", BUILD_NUMBER: "3", GIT_BRANCH: "origin/main", GIT_COMMIT: SHA },
      nowhere,
    );
    assert.equal(attrs["vcs.ref.head.name"], "main");
  });

  test("Azure Pipelines, a GitHub pull request", () => {
    const attrs = detectCiResource(
      {
        TF_BUILD: "True",
        BUILD_DEFINITIONNAME: "widgets-ci",
        BUILD_BUILDID: "1234",
        SYSTEM_COLLECTIONURI: "https://dev.azure.com/acme/",
        SYSTEM_TEAMPROJECT: "Widgets Project",
        SYSTEM_JOBDISPLAYNAME: "Agent job",
        SYSTEM_JOBID: "12f1170f-54f2-53f3-20dd-22fc7dff55f9",
        BUILD_REPOSITORY_URI: "https://github.com/acme/widgets",
        BUILD_REPOSITORY_PROVIDER: "GitHub",
        BUILD_SOURCEBRANCH: "refs/pull/42/merge",
        SYSTEM_PULLREQUEST_SOURCEBRANCH: "feature/x",
        BUILD_SOURCEVERSION: SHA,
        SYSTEM_PULLREQUEST_SOURCECOMMITID: HEAD_SHA,
        SYSTEM_PULLREQUEST_PULLREQUESTNUMBER: "42",
        SYSTEM_PULLREQUEST_PULLREQUESTID: "998877",
      },
      nowhere,
    );
    const run = "https://dev.azure.com/acme/Widgets%20Project/_build/results?buildId=1234";
    assert.deepEqual(attrs, {
      "cicd.pipeline.name": "widgets-ci",
      "cicd.pipeline.run.id": "1234",
      "cicd.pipeline.run.url.full": run,
      "cicd.pipeline.task.name": "Agent job",
      "cicd.pipeline.task.run.id": "12f1170f-54f2-53f3-20dd-22fc7dff55f9",
      "cicd.pipeline.task.run.url.full": `${run}&view=logs&j=12f1170f-54f2-53f3-20dd-22fc7dff55f9`,
      "vcs.repository.url.full": "https://github.com/acme/widgets",
      "vcs.ref.head.name": "feature/x",
      "vcs.ref.head.type": "branch",
      "vcs.ref.head.revision": HEAD_SHA,
      "vcs.change.id": "42",
      "vcs.provider.name": "github",
    });
  });

  test("Azure Pipelines, an Azure Repos branch build", () => {
    const attrs = detectCiResource(
      {
        TF_BUILD: "True",
        BUILD_BUILDID: "5",
        BUILD_REPOSITORY_URI: "https://acme@dev.azure.com/acme/Widgets/_git/widgets",
        BUILD_REPOSITORY_PROVIDER: "TfsGit",
        BUILD_SOURCEBRANCH: "refs/heads/main",
        BUILD_SOURCEVERSION: SHA,
      },
      nowhere,
    );
    assert.equal(attrs["vcs.ref.head.name"], "main");
    assert.equal(attrs["vcs.repository.url.full"], "https://dev.azure.com/acme/Widgets/_git/widgets");
    assert.equal(attrs["vcs.provider.name"], undefined);
  });

  test("a tag build is the tag's short name and type tag, on every CI", () => {
    const builds: Record<string, Record<string, string>> = {
      github: { GITHUB_ACTIONS: "true", GITHUB_REF: "refs/tags/v9", GITHUB_REF_NAME: "v9", GITHUB_REF_TYPE: "tag" },
      gitlab: { GITLAB_CI: "true", CI_COMMIT_REF_NAME: "v9", CI_COMMIT_TAG: "v9" },
      circleci: { CIRCLECI: "true", CIRCLE_TAG: "v9" },
      buildkite: { BUILDKITE: "true", BUILDKITE_BRANCH: "v9", BUILDKITE_TAG: "v9" },
      jenkins: { JENKINS_URL: "https://ci.acme.dev/", BUILD_NUMBER: "3", BRANCH_NAME: "v9", TAG_NAME: "v9" },
      azure: { TF_BUILD: "True", BUILD_SOURCEBRANCH: "refs/tags/v9", BUILD_SOURCEBRANCHNAME: "v9" },
    };
    for (const [ci, env] of Object.entries(builds)) {
      const attrs = detectCiResource({ ...env }, nowhere);
      assert.deepEqual([attrs["vcs.ref.head.name"], attrs["vcs.ref.head.type"]], ["v9", "tag"], ci);
    }
  });

  test("a branch build is type branch; a pull request's merge ref is no head at all", () => {
    const branch = (env: Record<string, string>) => {
      const attrs = detectCiResource(env, nowhere);
      return [attrs["vcs.ref.head.name"], attrs["vcs.ref.head.type"]];
    };
    assert.deepEqual(branch({ GITHUB_ACTIONS: "true", GITHUB_REF: "refs/heads/main", GITHUB_REF_NAME: "main" }), [
      "main",
      "branch",
    ]);
    assert.deepEqual(branch({ GITLAB_CI: "true", CI_COMMIT_REF_NAME: "main", CI_COMMIT_BRANCH: "main" }), [
      "main",
      "branch",
    ]);
    assert.deepEqual(branch({ TF_BUILD: "True", BUILD_SOURCEBRANCH: "refs/heads/main" }), ["main", "branch"]);
    assert.deepEqual(branch({ JENKINS_URL: "https://j/", BUILD_ID: "1", GIT_BRANCH: "origin/main" }), [
      "main",
      "branch",
    ]);
    const merge = { GITHUB_ACTIONS: "true", GITHUB_REF: "refs/pull/7/merge", GITHUB_REF_NAME: "7/merge" };
    assert.deepEqual(branch(merge), [undefined, undefined]);
    assert.deepEqual(branch({ TF_BUILD: "True", BUILD_SOURCEBRANCH: "refs/pull/7/merge" }), [undefined, undefined]);
  });

  test("outside CI and outside a checkout: nothing", () => {
    assert.deepEqual(detectCiResource({}, nowhere), {});
  });
});

/** A git dir as git writes it, without git: HEAD, a loose or packed ref, a config with origin. */
function fakeCheckout(name: string, head: string, files: Record<string, string>): string {
  const work = join(base, name);
  for (const [path, text] of Object.entries({ HEAD: head, ...files })) {
    mkdirSync(join(work, ".git", path, ".."), { recursive: true });
    writeFileSync(join(work, ".git", path), text);
  }
  mkdirSync(join(work, "sub", "dir"), { recursive: true });
  return work;
}

describe("the git fallback: branch and commit from .git", () => {
  const config = '[core]\n\tbare = false\n[remote "origin"]\n\turl = https://user:token@github.com/acme/widgets.git\n';

  test("a loose ref, from a subdirectory; origin without its credentials", () => {
    const work = fakeCheckout("loose", "ref: refs/heads/feature/x\n", {
      "refs/heads/feature/x": `${SHA}\n`,
      config,
    });
    assert.deepEqual(detectCiResource({}, join(work, "sub", "dir")), {
      "vcs.repository.url.full": "https://github.com/acme/widgets",
      "vcs.ref.head.name": "feature/x",
      "vcs.ref.head.type": "branch",
      "vcs.ref.head.revision": SHA,
      "vcs.provider.name": "github",
    });
  });

  test("a packed ref", () => {
    const work = fakeCheckout("packed", "ref: refs/heads/main\n", {
      "packed-refs": `# pack-refs with: peeled fully-peeled sorted\n${HEAD_SHA} refs/heads/other\n${SHA} refs/heads/main\n^${HEAD_SHA}\n`,
    });
    assert.deepEqual(readGitCheckout(work), { branch: "main", revision: SHA, remoteUrl: undefined });
  });

  test("a detached HEAD: the commit, no branch", () => {
    const work = fakeCheckout("detached", `${SHA}\n`, {});
    assert.deepEqual(readGitCheckout(work), { revision: SHA, remoteUrl: undefined });
  });

  test("a linked worktree: a .git file, its own HEAD, the shared refs and config", () => {
    const main = fakeCheckout("main-repo", "ref: refs/heads/main\n", {
      "refs/heads/main": `${HEAD_SHA}\n`,
      "refs/heads/wt-branch": `${SHA}\n`,
      config,
      "worktrees/wt/HEAD": "ref: refs/heads/wt-branch\n",
      "worktrees/wt/commondir": "../..\n",
    });
    const wt = join(base, "linked");
    mkdirSync(wt);
    writeFileSync(join(wt, ".git"), `gitdir: ${join(main, ".git", "worktrees", "wt")}\n`);
    assert.deepEqual(readGitCheckout(wt), {
      branch: "wt-branch",
      revision: SHA,
      remoteUrl: "https://user:token@github.com/acme/widgets.git",
    });
  });

  test("the nearest .git is the checkout, even when it cannot be read: never the repository around it", () => {
    const outer = fakeCheckout("outer", "ref: refs/heads/main\n", { "refs/heads/main": `${SHA}\n`, config });
    const inner = join(outer, "inner");
    mkdirSync(join(inner, ".git", "refs", "heads"), { recursive: true });
    writeFileSync(join(inner, ".git", "HEAD"), `ref: refs/heads/main\n${" ".repeat(5000)}`);
    writeFileSync(join(inner, ".git", "refs", "heads", "main"), `${HEAD_SHA}\n`);
    const found = readGitCheckout(inner);
    assert.deepEqual([found.branch, found.revision, found.remoteUrl], [undefined, undefined, undefined]);
    assert.deepEqual(detectCiResource({}, inner), {});
    // A .git file that points nowhere: the same.
    const pointerless = join(outer, "pointerless");
    mkdirSync(pointerless);
    writeFileSync(join(pointerless, ".git"), "not a gitdir line\n");
    assert.deepEqual(readGitCheckout(pointerless), {});
  });

  test("a branch name git allows, with @, + or letters beyond ASCII, has its commit", () => {
    for (const branch of ["renovate/@types-node", "feat/ü+x@1", "release/v1.2_rc-1"]) {
      const work = fakeCheckout(`odd-${branch.length}`, `ref: refs/heads/${branch}\n`, {
        [`refs/heads/${branch}`]: `${SHA}\n`,
      });
      assert.deepEqual(readGitCheckout(work), { branch, revision: SHA, remoteUrl: undefined }, branch);
    }
  });

  test("a reftable repository (HEAD is refs/heads/.invalid): no branch, no commit", () => {
    const work = fakeCheckout("reftable", "ref: refs/heads/.invalid\n", {
      "refs/heads/.invalid": `${SHA}\n`,
      config,
      "reftable/tables.list": "0x000000000001-0x000000000002-0a1b2c3d.ref\n",
    });
    assert.deepEqual(readGitCheckout(work), { remoteUrl: "https://user:token@github.com/acme/widgets.git" });
  });

  test("a HEAD that is a symbolic link to refs/heads/<branch> (very old git) is that branch", () => {
    const work = fakeCheckout("symlink-head", "", { "refs/heads/main": `${SHA}\n` });
    rmSync(join(work, ".git", "HEAD"));
    symlinkSync("refs/heads/main", join(work, ".git", "HEAD"));
    assert.deepEqual(readGitCheckout(work), { branch: "main", revision: SHA, remoteUrl: undefined });
  });

  test("links out of .git are not followed: a HEAD or a branch linked elsewhere reads nothing", () => {
    const outside = join(base, "outside-sha");
    writeFileSync(outside, `${SHA}\n`);
    const head = fakeCheckout("link-out-head", "", {});
    rmSync(join(head, ".git", "HEAD"));
    symlinkSync(outside, join(head, ".git", "HEAD"));
    assert.deepEqual(readGitCheckout(head), { revision: undefined, remoteUrl: undefined });
    const climbing = fakeCheckout("link-climb-head", "", {});
    rmSync(join(climbing, ".git", "HEAD"));
    symlinkSync("refs/heads/../../../outside-sha", join(climbing, ".git", "HEAD"));
    assert.deepEqual(readGitCheckout(climbing), { remoteUrl: undefined });
    const branch = fakeCheckout("link-out-branch", "ref: refs/heads/main\n", {});
    mkdirSync(join(branch, ".git", "refs", "heads"), { recursive: true });
    symlinkSync(outside, join(branch, ".git", "refs", "heads", "main"));
    assert.deepEqual(readGitCheckout(branch), { branch: "main", revision: undefined, remoteUrl: undefined });
  });

  test("origin's URL without the comment after it", () => {
    const work = fakeCheckout("config-comment", `${SHA}\n`, {
      config: '[remote "origin"]\n\turl = https://github.com/acme/widgets.git ; the mirror\n',
    });
    assert.equal(readGitCheckout(work).remoteUrl, "https://github.com/acme/widgets.git");
    assert.equal(detectCiResource({}, work)["vcs.repository.url.full"], "https://github.com/acme/widgets");
  });

  test("this very checkout reads as git itself says", (t) => {
    let expected: { branch: string; revision: string };
    try {
      const git = (args: string[]) => execFileSync("git", args, { encoding: "utf8" }).trim();
      expected = { branch: git(["rev-parse", "--abbrev-ref", "HEAD"]), revision: git(["rev-parse", "HEAD"]) };
    } catch {
      t.skip("no git binary or not a checkout");
      return;
    }
    const found = readGitCheckout(process.cwd());
    assert.equal(found.revision, expected.revision);
    if (expected.branch !== "HEAD") assert.equal(found.branch, expected.branch);
  });

  test("in CI, the checkout fills in what the variables leave out", () => {
    const work = fakeCheckout("ci-gaps", "ref: refs/heads/main\n", { "refs/heads/main": `${SHA}\n` });
    const attrs = detectCiResource({ JENKINS_URL: "https://ci.acme.dev/", BUILD_NUMBER: "3" }, work);
    assert.equal(attrs["vcs.ref.head.name"], "main");
    assert.equal(attrs["vcs.ref.head.revision"], SHA);
  });
});

describe("isValidRefName: git check-ref-format's rules", () => {
  test("names git makes", () => {
    for (const ref of ["refs/heads/main", "refs/heads/renovate/@types-node", "refs/heads/feat/ü+x@1", "refs/tags/v1.0"])
      assert.equal(isValidRefName(ref), true, ref);
  });

  test("names git refuses, and anything that would leave .git", () => {
    const refused = [
      "HEAD",
      "refs/heads/a..b",
      "refs/heads/../../config",
      "refs/heads/.hidden",
      "refs/heads/a/.b",
      "refs/heads/a.lock",
      "refs/heads/a/",
      "refs/heads/a.",
      "refs/heads//a",
      "/refs/heads/a",
      "refs/heads/-n",
      "refs/heads/a b",
      "refs/heads/a~1",
      "refs/heads/a^",
      "refs/heads/a:b",
      "refs/heads/a?",
      "refs/heads/a*",
      "refs/heads/a[b",
      "refs/heads/a\\b",
      "refs/heads/a@{1}",
      "refs/heads/a\tb",
      "refs/heads/a\u007fb",
    ];
    for (const ref of refused) assert.equal(isValidRefName(ref), false, JSON.stringify(ref));
  });
});

describe("originUrl: a git config read as git reads it", () => {
  const origin = (body: string) => originUrl(`[core]\n\tbare = false\n${body}[branch "main"]\n\tremote = origin\n`);

  test("a comment after the value is not part of it; quoted, ; and # are text", () => {
    assert.equal(
      origin('[remote "origin"]\n\turl = https://github.com/acme/c.git ; mirror\n'),
      "https://github.com/acme/c.git",
    );
    assert.equal(
      origin('[remote "origin"]\n\turl = https://github.com/acme/c.git# note\n'),
      "https://github.com/acme/c.git",
    );
    assert.equal(origin('[remote "origin"]\n\turl = "https://h/a;b#c.git" # note\n'), "https://h/a;b#c.git");
    assert.equal(origin('[remote "origin"]\n\turl = "https://h/\\"q\\".git"\n'), 'https://h/"q".git');
  });

  test("section and key names in any case, a comment after the header, the old [remote.origin] form", () => {
    assert.equal(origin('[Remote "origin"] ; the upstream\n\tURL = https://h/a.git\n'), "https://h/a.git");
    assert.equal(origin("[remote.origin]\n\turl = https://h/b.git\n"), "https://h/b.git");
    assert.equal(origin('[remote "Origin"]\n\turl = https://h/a.git\n'), undefined);
    assert.equal(origin('[remote "upstream"]\n\turl = https://h/a.git\n'), undefined);
  });

  test("a line git would refuse gives no URL", () => {
    assert.equal(origin('[remote "origin"]\n\turl = "https://h/a.git\n'), undefined);
    assert.equal(origin('[remote "origin"]\n\turl = https://h/\\q.git\n'), undefined);
  });

  test("configValue: whitespace around dropped, inside kept", () => {
    assert.equal(configValue("  a  b \t"), "a  b");
    assert.equal(configValue('" a "'), " a ");
  });
});

describe("switches", () => {
  const gitlab = { GITLAB_CI: "true", CI_PIPELINE_ID: "1", CI_COMMIT_SHA: SHA, CI_COMMIT_REF_NAME: "main" };

  test("CLAUDIA_DETECT_CI=off turns detection off, in CI and in a checkout", () => {
    const work = fakeCheckout("off", "ref: refs/heads/main\n", { "refs/heads/main": `${SHA}\n` });
    for (const off of ["off", "0", "false", "OFF"]) {
      const env = { ...gitlab, CLAUDIA_DETECT_CI: off };
      assert.deepEqual(resourceAttributesOf(resolveConfig({}, env), env, work), {});
    }
    const on = { ...gitlab, CLAUDIA_DETECT_CI: "on" };
    assert.notDeepEqual(resourceAttributesOf(resolveConfig({}, on), on, work), {});
  });

  test("OTEL_RESOURCE_ATTRIBUTES wins on the run's resource", async () => {
    const work = fakeCheckout("wins", "ref: refs/heads/main\n", { "refs/heads/main": `${SHA}\n` });
    const env = {
      ...gitlab,
      OTEL_SERVICE_NAME: "svc",
      OTEL_RESOURCE_ATTRIBUTES: "cicd.pipeline.run.id=from-otel,deployment.environment.name=ci",
    };
    const config = resolveConfig({}, env);
    const memory = new InMemorySpanExporter();
    const run = await createRunProvider(
      { ...config, resourceAttributes: resourceAttributesOf(config, env, work) },
      undefined,
      [memory],
    );
    run.provider.getTracer("t").startSpan("s").end();
    await run.provider.forceFlush();
    const got = memory.getFinishedSpans()[0]?.resource.attributes ?? {};
    await run.close();
    assert.equal(got["cicd.pipeline.run.id"], "from-otel");
    assert.equal(got["vcs.ref.head.revision"], SHA);
    assert.equal(got["vcs.ref.head.name"], "main");
    assert.equal(got["deployment.environment.name"], "ci");
    assert.equal(got["service.name"], "svc");
  });
});

describe("repositoryUrl", () => {
  test("https, ssh and scp-like remotes; credentials dropped; local paths refused", () => {
    assert.equal(repositoryUrl("https://x:y@gitlab.example.com:8443/a/b.git"), "https://gitlab.example.com:8443/a/b");
    assert.equal(repositoryUrl("ssh://git@github.com:22/a/b.git"), "https://github.com/a/b");
    assert.equal(repositoryUrl("git@bitbucket.org:a/b.git"), "https://bitbucket.org/a/b");
    assert.equal(repositoryUrl("/srv/git/b.git"), undefined);
    assert.equal(repositoryUrl("file:///srv/git/b.git"), undefined);
  });
});
