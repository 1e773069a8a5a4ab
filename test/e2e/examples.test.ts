/**
 * The examples run, against local endpoints: the scripted model stands in for Anthropic and an
 * OTLP receiver for Honeycomb, Grafana and Logfire, and Spotlight for Sentry.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { pathToFileURL } from "node:url";
import { parse } from "yaml";
import { runGithubJob, runGitlabJob } from "../support/ci-runner.ts";
import { scriptedRuns } from "../support/harness.ts";
import { type OtlpReceiver, startOtlpReceiver } from "../support/otlp-receiver.ts";
import { CLAUDIA, ROOT, run as runIn } from "../support/sandbox.ts";
import { startSpotlight, transactionsOf } from "../support/spotlight.ts";
import { traceIdFrom, waitForSpans } from "../support/trace-checks.ts";

/** tsx's loader by absolute URL: the examples run in the sandbox's workspace, not in this checkout. */
const TSX = pathToFileURL(join(ROOT, "node_modules", "tsx", "dist", "loader.mjs")).href;

const h = scriptedRuns();
const GITHUB_HEAD_SHA = "fedcba9876543210fedcba9876543210fedcba98";
let receiver: OtlpReceiver;
let bin: string;

before(async () => {
  receiver = await startOtlpReceiver();
  bin = mkdtempSync(join(tmpdir(), "claudia-bin-"));
  const wrapper = join(bin, "claudia");
  writeFileSync(wrapper, `#!/bin/sh\nexec "${process.execPath}" "${CLAUDIA}" "$@"\n`);
  chmodSync(wrapper, 0o755);
});
after(async () => {
  await receiver.close();
  rmSync(bin, { recursive: true, force: true });
});

/** Run an example as a user would: `claudia` on the PATH, the model name set, the sandbox's workspace. */
const run = (command: string, args: string[], env: NodeJS.ProcessEnv) =>
  runIn(command, args, {
    cwd: h.sandbox.work,
    env: { ...h.sandbox.env, PATH: `${bin}:${h.sandbox.env.PATH}`, CLAUDE_MODEL: "claude-sonnet-4-5", ...env },
  });

/** A TypeScript example (the library's), exporting to the receiver by the OTEL_* variables. */
const runTypeScript = (file: string, prompt: string) =>
  run(process.execPath, ["--import", TSX, join(ROOT, file), prompt], { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url });

const spansOf = (stderr: string) => {
  const traceId = /trace ([0-9a-f]{32})/.exec(stderr)?.[1];
  return receiver.spans.filter((s) => s.traceId === traceId);
};
const lastTracesRequest = () => receiver.requests.filter((r) => r.path === "/v1/traces").at(-1);

describe("examples", () => {
  test("otlp-honeycomb.sh: the team header, the service name", async () => {
    const ran = await run(join(ROOT, "examples/otlp-honeycomb.sh"), ["[[scenario:text]] honeycomb"], {
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
      HONEYCOMB_API_KEY: "hc-test-key",
    });
    assert.equal(ran.code, 0, ran.stderr);
    assert.equal(ran.stdout, "Hello from the scripted model.\n");
    assert.equal(spansOf(ran.stderr)[0]?.resource["service.name"], "nightly-agent");
    assert.equal(lastTracesRequest()?.headers["x-honeycomb-team"], "hc-test-key");
  });

  test("otlp-grafana.sh: basic auth from the instance id and token", async () => {
    const ran = await run(join(ROOT, "examples/otlp-grafana.sh"), ["[[scenario:text]] grafana"], {
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
      GRAFANA_INSTANCE_ID: "123456",
      GRAFANA_TOKEN: "glc_test",
    });
    assert.equal(ran.code, 0, ran.stderr);
    assert.equal(spansOf(ran.stderr).length, 2);
    assert.equal(
      lastTracesRequest()?.headers.authorization,
      `Basic ${Buffer.from("123456:glc_test").toString("base64")}`,
    );
  });

  test("logfire.sh: the token goes to Logfire's intake", async () => {
    const ran = await run(join(ROOT, "examples/logfire.sh"), ["[[scenario:text]] logfire"], {
      LOGFIRE_TOKEN: "pylf_v1_us_exampletoken",
      LOGFIRE_BASE_URL: receiver.url,
    });
    assert.equal(ran.code, 0, ran.stderr);
    assert.equal(spansOf(ran.stderr).length, 2);
    assert.equal(lastTracesRequest()?.headers.authorization, "pylf_v1_us_exampletoken");
  });

  test("sentry.sh: the run reaches a Sentry intake (Spotlight) in the example's environment", async () => {
    const spotlight = await startSpotlight();
    try {
      const ran = await run(join(ROOT, "examples/sentry.sh"), ["[[scenario:bash]] sentry"], {
        SENTRY_DSN: spotlight.dsn,
      });
      assert.equal(ran.code, 0, ran.stderr);
      const traceId = /trace ([0-9a-f]{32})/.exec(ran.stderr)?.[1];
      const transactions = transactionsOf(await spotlight.envelopes()).map(
        (i) => i.payload as { environment: string; contexts: { trace: { trace_id: string } }; spans: unknown[] },
      );
      assert.equal(transactions.length, 1);
      assert.equal(transactions[0]?.contexts.trace.trace_id, traceId);
      assert.equal(transactions[0]?.environment, "ci");
      assert.equal(transactions[0]?.spans.length, 3);
    } finally {
      await spotlight.close();
    }
  });

  test("run-agent.ts: the library's one-shot run, exported by the OTEL_* variables", async () => {
    const before = receiver.spans.length;
    const ran = await runTypeScript("examples/run-agent.ts", "[[scenario:text]] library");
    assert.equal(ran.code, 0, ran.stderr);
    assert.equal(ran.stdout, "Hello from the scripted model.\n");
    assert.match(ran.stderr, /trace [0-9a-f]{32}: 0 tool calls, \$\d/);
    assert.equal(spansOf(ran.stderr).length, 2);
    assert.ok(receiver.spans.length > before);
  });

  test("traced-query.ts: query() traced inside the caller's own span", async () => {
    const before = receiver.spans.length;
    const ran = await runTypeScript("examples/traced-query.ts", "[[scenario:text]] traced");
    assert.equal(ran.code, 0, ran.stderr);
    const spans = receiver.spans.slice(before);
    const job = spans.find((s) => s.name === "nightly review");
    const agent = spans.find((s) => s.name === "invoke_agent claude-code");
    assert.ok(job && agent);
    assert.equal(agent.parentSpanId, job.spanId);
  });

  /** The variables of a GitHub runner's job on pull request 42. */
  const githubEnv = (): NodeJS.ProcessEnv => {
    const event = join(bin, "event.json");
    writeFileSync(
      event,
      JSON.stringify({ action: "synchronize", pull_request: { number: 42, head: { sha: GITHUB_HEAD_SHA } } }),
    );
    const env: NodeJS.ProcessEnv = {
      ...h.sandbox.env,
      PATH: `${bin}:${h.sandbox.env.PATH}`,
      GITHUB_ACTIONS: "true",
      GITHUB_WORKFLOW: "agent",
      GITHUB_RUN_ID: "9753949763",
      GITHUB_RUN_ATTEMPT: "1",
      GITHUB_JOB: "agent",
      GITHUB_SERVER_URL: "https://github.com",
      GITHUB_REPOSITORY: "acme/widgets",
      GITHUB_EVENT_NAME: "pull_request",
      GITHUB_EVENT_PATH: event,
      GITHUB_REF: "refs/pull/42/merge",
      GITHUB_REF_NAME: "42/merge",
      GITHUB_HEAD_REF: "feature/triage",
      GITHUB_SHA: "0123456789abcdef0123456789abcdef01234567",
    };
    // The journal at claudia's default place, the one the workflow caches.
    delete env.CLAUDIA_HOME;
    return env;
  };
  const runGithub = (workflow: string) =>
    runGithubJob(workflow, "agent", {
      env: githubEnv(),
      cwd: h.sandbox.work,
      secrets: { ANTHROPIC_API_KEY: "sk-ant-test-key", HONEYCOMB_API_KEY: "hc-test-key" },
      github: { run_id: "9753949763", run_attempt: "1" },
      rewrite: [["https://api.honeycomb.io", receiver.url]],
    });

  test("github-actions.yml: the job as the runner runs it, on a pull request", async () => {
    const workflow = readFileSync(join(ROOT, "examples/github-actions.yml"), "utf8");
    assert.ok(!workflow.includes("OTEL_RESOURCE_ATTRIBUTES"), "the pipeline is detected, not set by hand");
    const headSha = GITHUB_HEAD_SHA;
    const job = await runGithub(workflow);
    const [agent, report] = job.steps;
    assert.ok(agent && report);
    assert.equal(agent.code, 0, agent.stderr);
    assert.equal(agent.stdout, "Hello from the scripted model.\n");
    const traceId = agent.outputs.trace_id as string;
    assert.match(traceId, /^[0-9a-f]{32}$/);
    const link = `https://ui.honeycomb.io/acme/environments/prod/trace?trace_id=${traceId}`;
    assert.ok(agent.stderr.includes(`trace ${traceId} · ${link}`), agent.stderr);

    // The job's page: the summary; later steps: the outputs.
    assert.match(agent.summary, /^### 🤖 Triage the open issues labelled bug and summarise them\n/);
    assert.ok(agent.summary.includes(`| Trace | [\`${traceId}\`](<${link}>) |`), agent.summary);
    assert.match(agent.summary, /\| Status \| ✅ completed \|/);
    assert.match(agent.summary, /<summary>Span tree<\/summary>[\s\S]*invoke_agent claude-code/);
    assert.equal(agent.outputs.status, "ok");
    assert.equal(agent.outputs.exit_code, "0");
    assert.equal(report.code, 0, report.stderr);
    assert.equal(report.stdout, `The agent cost $${agent.outputs.cost_usd} (ok, trace ${traceId})\n`);

    // The backend: the run, with its pipeline, pull request and commit.
    const spans = await waitForSpans(receiver.spans, traceId, 2);
    assert.equal(lastTracesRequest()?.headers["x-honeycomb-team"], "hc-test-key");
    assert.deepEqual(
      Object.fromEntries(Object.entries(spans[0]?.resource ?? {}).filter(([k]) => /^(cicd|vcs)\./.test(k))),
      {
        "cicd.pipeline.name": "agent",
        "cicd.pipeline.run.id": "9753949763",
        "cicd.pipeline.run.url.full": "https://github.com/acme/widgets/actions/runs/9753949763/attempts/1",
        "cicd.pipeline.task.name": "agent",
        "vcs.repository.url.full": "https://github.com/acme/widgets",
        "vcs.ref.head.name": "feature/triage",
        "vcs.ref.head.type": "branch",
        "vcs.ref.head.revision": headSha,
        "vcs.change.id": "42",
        "vcs.provider.name": "github",
      },
    );
    assert.equal(spans[0]?.resource["service.name"], "nightly-agent");

    // The journal is where the cache steps look.
    assert.deepEqual(job.restored, [join(h.sandbox.home, ".local/share/claudia")]);
    assert.deepEqual(job.cached, [join(h.sandbox.home, ".local/share/claudia")]);
    const journal = readdirSync(join(h.sandbox.home, ".local/share/claudia/journal"), { recursive: true });
    assert.ok(journal.some((f) => String(f).endsWith(`${traceId}.run.json`)));
  });

  test("github-actions.yml: a failed agent run's journal is still saved for the next job", async () => {
    const workflow = readFileSync(join(ROOT, "examples/github-actions.yml"), "utf8");
    const failing = workflow.replace('"Triage the open', '"[[scenario:api-400]] Triage the open');
    assert.notEqual(failing, workflow);
    const job = await runGithub(failing);
    const [agent, ...after] = job.steps;
    assert.ok(agent);
    assert.notEqual(agent.code, 0, "the agent step fails");
    assert.deepEqual(after, [], "the steps after it are skipped");
    const journal = join(h.sandbox.home, ".local/share/claudia");
    assert.deepEqual(job.cached, [journal], "the save step runs all the same");
    const runs = readdirSync(join(journal, "journal"), { recursive: true });
    assert.ok(runs.some((f) => String(f).endsWith(`${agent.outputs.trace_id}.run.json`)));
    // The save writes what the restore reads.
    const steps = (
      parse(workflow) as { jobs: { agent: { steps: { uses?: string; with?: Record<string, string> }[] } } }
    ).jobs.agent.steps;
    const restore = steps.find((s) => s.uses?.startsWith("actions/cache/restore@"));
    const save = steps.find((s) => s.uses?.startsWith("actions/cache/save@"));
    assert.equal(save?.with?.path, restore?.with?.path);
    assert.equal(save?.with?.key, restore?.with?.key);
  });

  /** A GitLab project checkout (a git repository, as the runner clones it) and the job run in it. */
  const gitlabProject = () => {
    const project = mkdtempSync(join(tmpdir(), "claudia-gitlab-project-"));
    projects.push(project);
    execFileSync("git", ["init", "-q", project]);
    return project;
  };
  const projects: string[] = [];
  after(() => {
    for (const project of projects) rmSync(project, { recursive: true, force: true });
  });
  const runGitlab = (file: string, project: string) => {
    const env: NodeJS.ProcessEnv = {
      ...h.sandbox.env,
      PATH: `${bin}:${h.sandbox.env.PATH}`,
      ANTHROPIC_API_KEY: "sk-ant-test-key",
      HONEYCOMB_API_KEY: "hc-test-key",
      GITLAB_CI: "true",
      CI_PROJECT_DIR: project,
      CI_PROJECT_PATH: "acme/widgets",
      CI_PROJECT_URL: "https://gitlab.com/acme/widgets",
      CI_PIPELINE_ID: "120912",
      CI_PIPELINE_URL: "https://gitlab.com/acme/widgets/-/pipelines/120912",
      CI_PIPELINE_SOURCE: "merge_request_event",
      CI_JOB_NAME: "agent",
      CI_JOB_ID: "12097",
      CI_JOB_URL: "https://gitlab.com/acme/widgets/-/jobs/12097",
      CI_COMMIT_REF_NAME: "feature/review",
      CI_MERGE_REQUEST_SOURCE_BRANCH_NAME: "feature/review",
      CI_MERGE_REQUEST_IID: "17",
      CI_COMMIT_SHA: "0123456789abcdef0123456789abcdef01234567",
    };
    delete env.CLAUDIA_HOME;
    return runGitlabJob(file, "agent", { env, cwd: project, rewrite: [["https://api.honeycomb.io", receiver.url]] });
  };
  const gitlabFile = () => readFileSync(join(ROOT, "examples/gitlab-ci.yml"), "utf8");

  test("gitlab-ci.yml: the job as the runner runs it, in a merge request pipeline", async () => {
    const project = gitlabProject();
    const job = await runGitlab(gitlabFile(), project);
    assert.equal(job.code, 0, job.stderr);
    const traceId = traceIdFrom(job.stderr);
    // The job log: the answer, the summary line with the link, the span tree.
    assert.ok(job.stdout.startsWith("Hello from the scripted model.\n"), job.stdout);
    assert.ok(job.stderr.includes(`· https://ui.honeycomb.io/acme/environments/prod/trace?trace_id=${traceId}`));
    assert.match(job.stdout, /\ninvoke_agent claude-code .*\n└─ chat claude-/);
    const spans = await waitForSpans(receiver.spans, traceId, 2);
    const resource = spans[0]?.resource ?? {};
    assert.equal(resource["cicd.pipeline.run.id"], "120912");
    assert.equal(resource["cicd.pipeline.task.run.url.full"], "https://gitlab.com/acme/widgets/-/jobs/12097");
    assert.equal(resource["vcs.change.id"], "17");
    assert.equal(resource["vcs.ref.head.name"], "feature/review");
    assert.equal(resource["vcs.provider.name"], "gitlab");
    assert.equal(lastTracesRequest()?.headers["x-honeycomb-team"], "hc-test-key");
    // The journal is in the project folder, where GitLab's cache can keep it.
    assert.deepEqual(job.cached, [join(project, ".claudia/")]);
    const journal = readdirSync(join(project, ".claudia/journal"), { recursive: true });
    assert.ok(journal.some((f) => String(f).endsWith(`${traceId}.run.json`)));
  });

  test("gitlab-ci.yml: a failed agent run's journal is still saved for the next job", async () => {
    const project = gitlabProject();
    const failing = gitlabFile().replace('"Review the merge', '"[[scenario:api-400]] Review the merge');
    const job = await runGitlab(failing, project);
    assert.notEqual(job.code, 0, "the agent fails the job");
    assert.deepEqual(job.cached, [join(project, ".claudia/")], "cache:when always saves it all the same");
    const traceId = traceIdFrom(job.stderr);
    const journal = readdirSync(join(project, ".claudia/journal"), { recursive: true });
    assert.ok(journal.some((f) => String(f).endsWith(`${traceId}.run.json`)));
  });

  test("gitlab-ci.yml: refuses to run when the repository tracks files in the journal's folder", async () => {
    const project = gitlabProject();
    mkdirSync(join(project, ".claudia", "journal"), { recursive: true });
    writeFileSync(join(project, ".claudia", "journal", "planted.run.json"), "{}");
    execFileSync("git", ["-C", project, "add", ".claudia"]);
    const before = receiver.spans.length;
    const job = await runGitlab(gitlabFile(), project);
    assert.notEqual(job.code, 0);
    assert.equal(
      job.stderr.trim(),
      "claudia: refusing to run: the repository tracks files in .claudia/, where the journal is kept",
    );
    assert.equal(job.stdout, "", "claudia did not run");
    assert.equal(receiver.spans.length, before);
  });
});
