/**
 * `npm run bench`: scripted sessions with the real Claude Code binary against the scripted model,
 * contenders alternating run by run, several runs each; medians and min–max; every ratio taken
 * against bare Claude Code in the same round. Writes bench/results.md and bench/results.json.
 *
 *   npm run bench                  everything (about 15 minutes on 2 cores)
 *   BENCH_QUICK=1 npm run bench    fewer runs, no 200-tool, latency or scale sessions
 *   BENCH_ONLY=first-run npm run bench
 *                                  only the first-run rows (warm and fresh HOME), added to the last
 *                                  results.json; BENCH_TAG names the rows (e.g. "before");
 *                                  BENCH_BASELINE=path/to/other/dist/bin/main.js runs that build too,
 *                                  in the same rounds; BENCH_BUILD, BENCH_BASELINE_NAME name them
 */
import { execFileSync, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir, totalmem } from "node:os";
import { join } from "node:path";
import { resolveClaudePath } from "../src/sources/claude-binary.ts";
import { packageVersion } from "../src/version.ts";
import { startOtlpReceiver } from "../test/support/otlp-receiver.ts";
import { BASE_ARGS, CLAUDIA, createSandbox, ROOT } from "../test/support/sandbox.ts";
import { startScriptedModel } from "../test/support/scripted-model.ts";
import { FIRST_RUN_ROUNDS, render } from "./render.ts";
import { keepSections } from "./sections.ts";

const QUICK = process.env.BENCH_QUICK === "1";
const ONLY_FIRST_RUN = process.env.BENCH_ONLY === "first-run";
const versionOf = (pkg: string) =>
  (JSON.parse(readFileSync(join(ROOT, "node_modules", pkg, "package.json"), "utf8")) as { version: string }).version;
const CLAUDE = resolveClaudePath({});
/** How the node parents start node: as the `claudia` command does (see deferred-ca.sh). */
const DEFERRED_CA = join(ROOT, "bench/contenders/deferred-ca.sh");

interface Sample {
  wallMs: number;
  cpuMs: number;
  startupMs?: number;
  rssMb?: number;
  flushMs?: number;
  spans?: number;
  expectedSpans?: number;
  ok: boolean;
}

interface Contender {
  name: string;
  command: string;
  args: (prompt: string) => string[];
  env: NodeJS.ProcessEnv;
  /** Spans this contender should deliver for a session with `tools` tool calls (claudia's model). */
  traced: boolean;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0
    ? Number.NaN
    : s.length % 2
      ? (s[s.length >> 1] as number)
      : ((s[s.length / 2 - 1] as number) + (s[s.length / 2] as number)) / 2;
};

/** Run a command under bash so its children's CPU time can be read (`times`). */
function measure(
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  cwd: string,
): Promise<{ wallMs: number; cpuMs: number; stderr: string; code: number | null }> {
  return new Promise((resolve) => {
    const start = performance.now();
    const child = spawn("bash", ["-c", '"$@" >/dev/null 2>&3; code=$?; times; exit $code', "bench", command, ...args], {
      env,
      cwd,
      stdio: ["ignore", "pipe", "pipe", "pipe"],
    });
    let times = "";
    let stderr = "";
    child.stdout?.on("data", (c: Buffer) => {
      times += c.toString();
    });
    (child.stdio[3] as NodeJS.ReadableStream).on("data", (c: Buffer) => {
      stderr += c.toString();
    });
    child.stderr?.on("data", () => {});
    child.once("close", (code) => {
      const wallMs = performance.now() - start;
      const line = times.trim().split("\n")[1] ?? "";
      const secs = [...line.matchAll(/(\d+)m([\d.]+)s/g)].map((m) => Number(m[1]) * 60 + Number(m[2]));
      resolve({ wallMs, cpuMs: ((secs[0] ?? 0) + (secs[1] ?? 0)) * 1000, stderr, code });
    });
  });
}

async function main() {
  const model = await startScriptedModel();
  const slowModel = await startScriptedModel({ latencyMs: 1000 });
  const receiver = await startOtlpReceiver();
  const sandbox = createSandbox(model.url);
  const slowSandbox = createSandbox(slowModel.url);
  const results: Record<string, unknown> = { rounds: {} };

  const contenders = (env: NodeJS.ProcessEnv): Contender[] => {
    const otlp = { ...env, OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_EXPORTER_OTLP_PROTOCOL: "http/protobuf" };
    return [
      { name: "claude -p (bare)", command: CLAUDE, args: (p) => ["-p", ...BASE_ARGS, p], env, traced: false },
      {
        name: "SDK query() (bare)",
        command: process.execPath,
        args: (p) => [join(ROOT, "bench/contenders/sdk-query.mjs"), p],
        env,
        traced: false,
      },
      {
        name: "claudia, journal only",
        command: CLAUDIA,
        args: (p) => ["--claudia-debug", ...BASE_ARGS, p],
        env,
        traced: true,
      },
      {
        name: "claudia, OTLP",
        command: CLAUDIA,
        args: (p) => ["--claudia-debug", ...BASE_ARGS, p],
        env: otlp,
        traced: true,
      },
      {
        name: "node parent, idle",
        command: DEFERRED_CA,
        args: (p) => [join(ROOT, "bench/contenders/node-parent.cjs"), CLAUDE, "-p", ...BASE_ARGS, p],
        env,
        traced: false,
      },
      {
        name: "node parent + accounting",
        command: DEFERRED_CA,
        args: (p) => [join(ROOT, "bench/contenders/node-parent.cjs"), CLAUDE, "-p", ...BASE_ARGS, p],
        env: { ...env, BENCH_ACCOUNTING: "1" },
        traced: false,
      },
      {
        name: "OpenInference (SDK)",
        command: process.execPath,
        args: (p) => [join(ROOT, "bench/contenders/openinference.mjs"), p],
        env: otlp,
        traced: true,
      },
      {
        name: "Claude Code OTel beta",
        command: CLAUDE,
        args: (p) => ["-p", ...BASE_ARGS, p],
        env: {
          ...otlp,
          CLAUDE_CODE_ENABLE_TELEMETRY: "1",
          CLAUDE_CODE_ENHANCED_TELEMETRY_BETA: "1",
          OTEL_TRACES_EXPORTER: "otlp",
        },
        traced: true,
      },
    ];
  };

  async function nodeBoot(): Promise<number> {
    const samples: number[] = [];
    for (let i = 0; i < 7; i++) samples.push((await measure(process.execPath, ["-e", "0"], process.env, ROOT)).wallMs);
    return median(samples);
  }

  async function session(
    label: string,
    tools: number,
    runs: number,
    which: Contender[],
    modelUsed = model,
    cwd = sandbox.work,
    freshHome = false,
  ) {
    const prompt = `[[scenario:many]] [[tools:${tools}]] bench`;
    const samples = new Map<string, Sample[]>(which.map((c) => [c.name, []]));
    const ratios = new Map<string, number[]>(which.map((c) => [c.name, []]));
    const extra = new Map<string, number[]>(which.map((c) => [c.name, []]));
    for (let round = 0; round < runs; round++) {
      const wallThisRound = new Map<string, number>();
      // The order rotates every round, so no contender always runs right after the same other one.
      for (const c of which.map((_, i) => which[(i + round) % which.length] as Contender)) {
        const spansBefore = receiver.spans.length;
        const spawnedAt = Date.now();
        const arrivalsBefore = modelUsed.arrivals.length;
        // A fresh HOME per run, as a CI container starts: no cache, no Claude Code state.
        const home = freshHome ? mkdtempSync(join(tmpdir(), "claudia-bench-home-")) : undefined;
        const env = home ? { ...c.env, HOME: home, XDG_CACHE_HOME: join(home, ".cache") } : c.env;
        const ran = await measure(c.command, c.args(prompt), env, cwd);
        if (home) rmSync(home, { recursive: true, force: true });
        const firstArrival = modelUsed.arrivals[arrivalsBefore];
        const rss = /peak RSS (\d+) MB/.exec(ran.stderr)?.[1];
        const exited = /exited \(code \d+, signal \w+\) at \+(\d+) ms/.exec(ran.stderr)?.[1];
        const finished = /trace finished at \+(\d+) ms/.exec(ran.stderr)?.[1];
        const oiFlush = /\[bench\] flush (\d+) ms/.exec(ran.stderr)?.[1];
        await new Promise((r) => setTimeout(r, 300));
        const sample: Sample = {
          wallMs: ran.wallMs,
          cpuMs: ran.cpuMs,
          startupMs: firstArrival === undefined ? undefined : firstArrival - spawnedAt,
          rssMb: rss ? Number(rss) : undefined,
          flushMs: exited && finished ? Number(finished) - Number(exited) : oiFlush ? Number(oiFlush) : undefined,
          spans: c.traced && c.env.OTEL_EXPORTER_OTLP_ENDPOINT ? receiver.spans.length - spansBefore : undefined,
          expectedSpans: c.name.startsWith("claudia") ? 2 * tools + 2 : undefined,
          ok: ran.code === 0,
        };
        samples.get(c.name)?.push(sample);
        wallThisRound.set(c.name, ran.wallMs);
      }
      const bare = wallThisRound.get("claude -p (bare)");
      if (bare)
        for (const [name, wall] of wallThisRound) {
          ratios.get(name)?.push(wall / bare);
          extra.get(name)?.push(wall - bare);
        }
      process.stderr.write(`${label}: round ${round + 1}/${runs} done\n`);
    }
    const rows = which.map((c) => {
      const s = samples.get(c.name) as Sample[];
      const pick = (f: (x: Sample) => number | undefined) => s.map(f).filter((v): v is number => v !== undefined);
      const stat = (xs: number[]) =>
        xs.length ? { median: median(xs), min: Math.min(...xs), max: Math.max(...xs) } : undefined;
      return {
        contender: c.name,
        wallMs: stat(pick((x) => x.wallMs)),
        cpuMs: stat(pick((x) => x.cpuMs)),
        ratio: stat(ratios.get(c.name) ?? []),
        extraMs: stat(extra.get(c.name) ?? []),
        startupMs: stat(pick((x) => x.startupMs)),
        rssMb: stat(pick((x) => x.rssMb)),
        flushMs: stat(pick((x) => x.flushMs)),
        spans: stat(pick((x) => x.spans)),
        expectedSpans: s[0]?.expectedSpans,
        failures: s.filter((x) => !x.ok).length,
      };
    });
    results[label] = rows;
    (results.rounds as Record<string, number>)[label] = runs;
    return rows;
  }

  if (ONLY_FIRST_RUN) {
    await firstRunRows(nodeBoot, session, contenders(sandbox.env));
    await model.close();
    await slowModel.close();
    await receiver.close();
    sandbox.remove();
    slowSandbox.remove();
    return;
  }
  const boot = await nodeBoot();
  results.nodeBootMs = boot;
  const all = contenders(sandbox.env);
  // Short sessions vary by ±30 % run to run on this machine: more rounds for them (the 20-call
  // row is the one the 1.10 target is read from).
  await session("1 tool call", 1, QUICK ? 3 : 15, all);
  await session("20 tool calls", 20, QUICK ? 2 : 21, all);
  if (!QUICK) {
    await session(
      "200 tool calls",
      200,
      3,
      all.filter((c) => !c.name.startsWith("node parent")),
    );
    const slow = contenders(slowSandbox.env).filter(
      (c) => c.name === "claude -p (bare)" || c.name.startsWith("claudia"),
    );
    await session("20 tool calls, 1 s model latency", 20, 5, slow, slowModel, slowSandbox.work);
    const scale = contenders(sandbox.env).filter((c) => c.name === "claude -p (bare)" || c.name === "claudia, OTLP");
    await session("scale: 1000 tool calls", 1000, 1, scale);
  }
  results.nodeBootMsEnd = await nodeBoot();
  // In a process of its own: the first round is then a fresh process's, as a run's is, and nothing
  // the bench's process holds (its receiver keeps every span it was sent) slows its collections.
  results.eventPath = JSON.parse(
    execFileSync(process.execPath, ["--import", "tsx", join(ROOT, "bench/event-path.ts")], {
      cwd: ROOT,
      env: { ...process.env, EVENT_PATH_JSON: "1", ROUNDS: "8" },
      encoding: "utf8",
    }),
  );
  results.machine = {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    claudeCode: execFileSync(CLAUDE, ["--version"], { encoding: "utf8" }).trim(),
    claudia: packageVersion(),
    openinference: versionOf("@arizeai/openinference-instrumentation-claude-agent-sdk"),
    agentSdk: versionOf("@anthropic-ai/claude-agent-sdk"),
    date: new Date().toISOString().slice(0, 10),
    quick: QUICK,
    extraCaCerts: Boolean(process.env.NODE_EXTRA_CA_CERTS),
  };
  writeFileSync(join(ROOT, "bench/results.json"), `${JSON.stringify(results, null, 2)}\n`);
  const md = join(ROOT, "bench/results.md");
  writeFileSync(md, keepSections(render(results), md));
  await model.close();
  await slowModel.close();
  await receiver.close();
  sandbox.remove();
  slowSandbox.remove();
  process.stdout.write(render(results));
}

/**
 * The overhead of claudia's first run, in a warm HOME and in a fresh one (as in a CI container),
 * added to the last full results under BENCH_TAG's name.
 */
async function firstRunRows(
  nodeBoot: () => Promise<number>,
  session: (
    label: string,
    tools: number,
    runs: number,
    which: Contender[],
    modelUsed?: Awaited<ReturnType<typeof startScriptedModel>>,
    cwd?: string,
    freshHome?: boolean,
  ) => Promise<unknown>,
  all: Contender[],
) {
  const file = join(ROOT, "bench/results.json");
  const previous = existsSync(file) ? (JSON.parse(readFileSync(file, "utf8")) as Record<string, unknown>) : {};
  const tag = process.env.BENCH_TAG ? ` (${process.env.BENCH_TAG})` : "";
  const which = all.filter(
    (c) => c.name === "claude -p (bare)" || c.name === "claudia, journal only" || c.name.startsWith("node parent"),
  );
  // Another build of claudia (e.g. the previous commit's dist/bin/main.js), run in the same rounds.
  const baseline = process.env.BENCH_BASELINE;
  const mine = which.find((c) => c.name === "claudia, journal only") as Contender;
  if (baseline)
    which.push({
      ...mine,
      name: "claudia, journal only (baseline)",
      command: baseline,
    });
  const bootBefore = await nodeBoot();
  const warm = await session(`first run, warm HOME${tag}`, 1, FIRST_RUN_ROUNDS, which);
  const fresh = await session(`first run, fresh HOME${tag}`, 1, FIRST_RUN_ROUNDS, which, undefined, undefined, true);
  const bootAfter = await nodeBoot();
  const firstRun = { ...((previous.firstRun as Record<string, unknown>) ?? {}) };
  firstRun[process.env.BENCH_TAG || "latest"] = {
    nodeBootMs: Math.min(bootBefore, bootAfter),
    loadAverage: loadavg()[0],
    build: process.env.BENCH_BUILD,
    baselineBuild: process.env.BENCH_BASELINE_NAME ?? process.env.BENCH_BASELINE,
    warm,
    fresh,
  };
  const merged = { ...previous, firstRun, rounds: previous.rounds ?? {} };
  writeFileSync(file, `${JSON.stringify(merged, null, 2)}\n`);
  writeFileSync(join(ROOT, "bench/results.md"), render(merged));
}

await main();
