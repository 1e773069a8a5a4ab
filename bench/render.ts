/**
 * bench/results.md from the figures of one `npm run bench`: the machine, the method, each target
 * against what was measured (met or missed, computed, not written by hand), and every figure.
 * Run directly (`node --import tsx bench/render.ts`), it renders bench/results.json again.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { keepSections } from "./sections.ts";

/** Rounds of each first-run row (`BENCH_ONLY=first-run`): the fresh-HOME row moves a lot run to run. */
export const FIRST_RUN_ROUNDS = 15;

type Stat = { median: number; min: number; max: number } | undefined;
interface Row {
  contender: string;
  wallMs: Stat;
  cpuMs: Stat;
  ratio: Stat;
  extraMs: Stat;
  startupMs: Stat;
  rssMb: Stat;
  flushMs: Stat;
  spans: Stat;
  expectedSpans?: number;
  failures: number;
}
interface Quantiles {
  events: number;
  p50: number;
  p99: number;
  max: number;
}
type Results = Record<string, unknown>;

const fmt = (s: Stat, digits = 0, unit = "") =>
  s ? `${s.median.toFixed(digits)}${unit} (${s.min.toFixed(digits)}–${s.max.toFixed(digits)})` : "–";
const verdict = (ok: boolean) => (ok ? "met" : "**missed**");
/** The contenders that show what a node wrapper costs before it does anything of claudia's. */
const FLOORS = ["node parent, idle", "node parent + accounting"];

function rows(r: Results, label: string): Row[] {
  return (r[label] as Row[] | undefined) ?? [];
}
function row(r: Results, label: string, contender: string): Row | undefined {
  return rows(r, label).find((x) => x.contender === contender);
}

function targets(r: Results): string[] {
  const boot = Math.max(r.nodeBootMs as number, r.nodeBootMsEnd as number);
  const bootMin = Math.min(r.nodeBootMs as number, r.nodeBootMsEnd as number);
  const ep = r.eventPath as Quantiles & { first: Quantiles };
  const out = ["| target | measured | |", "| --- | --- | --- |"];
  // What any node wrapper costs, and one that asks Claude Code for what claudia asks of it.
  const floor = (label: string, pick: (x: Row) => Stat | undefined, show: (s: NonNullable<Stat>) => string) => {
    const [idle, accounting] = FLOORS.map((c) => row(r, label, c)).map((x) => (x ? pick(x) : undefined));
    return idle && accounting
      ? `; a node parent that only starts Claude Code: ${show(idle)}, one that also asks for its accounting: ${show(accounting)}`
      : "";
  };
  const one = ["claudia, journal only", "claudia, OTLP"].map((c) => row(r, "1 tool call", c));
  if (one[0]?.extraMs && one[1]?.extraMs) {
    const worst = Math.max(one[0].extraMs.median, one[1].extraMs.median);
    const floors = floor(
      "1 tool call",
      (x) => x.extraMs,
      (x) => `+${x.median.toFixed(0)} ms`,
    );
    out.push(
      `| fixed overhead ≤ 1.5 × \`node -e 0\` | 1 call, claudia − bare (median of per-round differences): +${one[0].extraMs.median.toFixed(0)} ms journal only, +${one[1].extraMs.median.toFixed(0)} ms OTLP; 1.5 × node boot = ${(1.5 * bootMin).toFixed(0)}–${(1.5 * boot).toFixed(0)} ms${floors} | ${verdict(worst <= 1.5 * boot)} |`,
    );
  }
  const ratioTarget = (label: string, limit: number, name: string) => {
    const rs = ["claudia, journal only", "claudia, OTLP"].map((c) => row(r, label, c)?.ratio);
    if (!rs[0] || !rs[1]) return;
    const met = rs.map((x) => (x as NonNullable<Stat>).median <= limit);
    const floors = floor(
      label,
      (x) => x.ratio,
      (x) => x.median.toFixed(3),
    );
    out.push(
      `| ${name} | ${rs[0].median.toFixed(3)} journal only (${verdict(met[0] as boolean)}), ${rs[1].median.toFixed(3)} OTLP (${verdict(met[1] as boolean)})${floors} | ${verdict(met.every(Boolean))} |`,
    );
  };
  ratioTarget("20 tool calls", 1.1, "claudia / bare ≤ 1.10, 20 calls, zero-latency model");
  ratioTarget("20 tool calls, 1 s model latency", 1.01, "claudia / bare ≤ 1.01, 20 calls, 1 s model latency");
  out.push(
    `| event handling ≤ 0.2 ms p99 | steady state ${(ep.p99 * 1000).toFixed(0)} µs p99 (p50 ${(ep.p50 * 1000).toFixed(0)} µs); a fresh process's first 200-call session ${(ep.first.p99 * 1000).toFixed(0)} µs p99 | ${verdict(ep.p99 <= 0.2)} (steady), ${verdict(ep.first.p99 <= 0.2)} (first session) |`,
  );
  const scale = row(r, "scale: 1000 tool calls", "claudia, OTLP");
  if (scale?.rssMb && scale.spans) {
    const all = scale.spans.min === scale.expectedSpans;
    out.push(
      `| RSS ≤ 150 MB on the scale session, 100 % of spans | ${scale.rssMb.max.toFixed(0)} MB, ${scale.spans.min.toFixed(0)} of ${scale.expectedSpans} spans | ${verdict(scale.rssMb.max <= 150 && all)} |`,
    );
  }
  const worse: string[] = [];
  for (const label of ["1 tool call", "20 tool calls", "200 tool calls"]) {
    const oi = row(r, label, "OpenInference (SDK)");
    const us = row(r, label, "claudia, OTLP");
    if (!oi || !us) continue;
    const cmp: [string, Stat, Stat][] = [
      ["wall", us.wallMs, oi.wallMs],
      ["CPU", us.cpuMs, oi.cpuMs],
      ["time to first request", us.startupMs, oi.startupMs],
      ["RSS", us.rssMb, oi.rssMb],
      ["flush at exit", us.flushMs, oi.flushMs],
    ];
    for (const [name, a, b] of cmp)
      if (a && b && a.median > b.median)
        worse.push(`${label}: ${name} ${a.median.toFixed(0)} vs ${b.median.toFixed(0)}`);
  }
  out.push(
    `| no worse than OpenInference on any figure (claudia OTLP vs OpenInference) | ${worse.length ? `worse on: ${worse.join("; ")}` : "better or equal on every figure"} (OpenInference delivers half the spans: no model-call spans) | ${verdict(worse.length === 0)} |`,
  );
  return out;
}

interface FirstRun {
  nodeBootMs: number;
  loadAverage?: number;
  build?: string;
  baselineBuild?: string;
  warm: Row[];
  fresh: Row[];
}

/** claudia − bare on a first run, warm and fresh HOME, as ms and as a multiple of `node -e 0`. */
function firstRun(r: Results): string[] {
  const runs = Object.entries((r.firstRun ?? {}) as Record<string, FirstRun>);
  if (runs.length === 0) return [];
  const cell = (rs: Row[], contender: string, boot: number) => {
    const x = rs.find((row) => row.contender === contender)?.extraMs;
    return x
      ? `+${x.median.toFixed(0)} ms (${x.min.toFixed(0)}–${x.max.toFixed(0)}) = ${(x.median / boot).toFixed(2)} ×`
      : "–";
  };
  const out = [
    "",
    "### First run: claudia − bare `claude -p`, 1 tool call, as a multiple of `node -e 0`",
    "",
    "`BENCH_ONLY=first-run npm run bench`. Fresh HOME: every run (bare and claudia) in a new empty HOME",
    `and cache, as in a CI container. Medians of the per-round differences (min–max), ${FIRST_RUN_ROUNDS} rounds. A`,
    "baseline is another build (`BENCH_BASELINE`) run in the same rounds.",
    "",
    "| rows | claudia | node -e 0 ms | load average | warm HOME | fresh HOME | fresh HOME ≤ 1.5 × node |",
    "| --- | --- | --- | --- | --- | --- | --- |",
  ];
  for (const [tag, x] of runs) {
    const load = x.loadAverage === undefined ? "–" : x.loadAverage.toFixed(1);
    const names = [...new Set(x.fresh.map((row) => row.contender))].filter(
      (n) => n.startsWith("claudia") || FLOORS.includes(n),
    );
    for (const name of names) {
      const fresh = x.fresh.find((row) => row.contender === name)?.extraMs;
      const floor = FLOORS.includes(name);
      const met = fresh && !floor ? verdict(fresh.median <= 1.5 * x.nodeBootMs) : "–";
      const which = floor
        ? name
        : name.endsWith("(baseline)")
          ? (x.baselineBuild ?? "baseline")
          : (x.build ?? "this build");
      out.push(
        `| ${tag} | ${which} | ${x.nodeBootMs.toFixed(0)} | ${load} | ${cell(x.warm, name, x.nodeBootMs)} | ${cell(x.fresh, name, x.nodeBootMs)} | ${met} |`,
      );
    }
  }
  return out;
}

export function render(r: Results): string {
  const m = r.machine as Record<string, string | number | boolean>;
  const ep = r.eventPath as Quantiles & { first: Quantiles };
  const lines: string[] = [
    "# Benchmark results",
    "",
    `Machine: ${m.cpus} cores (${m.cpuModel}), ${m.memoryGiB} GiB, Node ${m.node}. Claude Code ${m.claudeCode} (the Agent`,
    `SDK ${m.agentSdk}'s bundled binary), claudia ${m.claudia}, @arizeai/openinference-instrumentation-claude-agent-sdk`,
    `${m.openinference}. Measured ${m.date} with \`npm run bench\`${m.quick ? " (BENCH_QUICK=1: fewer runs)" : ""}; reproduce with the same`,
    "command (`BENCH_QUICK=1 npm run bench` for a short run). This file is written by the bench itself.",
    "",
    "Each session is the scripted model's `many` scenario (N sequential Bash calls, then an answer) played by",
    "the real Claude Code. Each round runs every contender once, the order rotating from round to round;",
    "figures are medians with min–max over the rounds. \"wall / bare\" is each run's wall time over bare `claude -p`'s in the same round. CPU is",
    'user + system time of the contender and all its children (Claude Code included). "time to first model',
    'request" is from spawning the contender to the scripted model receiving the first request. Peak RSS',
    "is claudia's own process (from `--claudia-debug`) or OpenInference's node process. \"spans delivered\"",
    "counts what reached the OTLP receiver; for claudia, of the spans its trace model has for the session.",
    "The machine is shared and noisy: read medians, not single runs.",
    ...(m.extraCaCerts
      ? [
          "`NODE_EXTRA_CA_CERTS` is set in this environment: a node process started plainly, `node -e 0` included,",
          "reads that CA file as it boots (~45 ms here; see PROFILE.md). Bare `claude` is not node and does not.",
          "The `claudia` command, and the node parents here, start node without it (claudia reads it when it connects).",
        ]
      : []),
    "",
    "## Against the targets",
    "",
    ...targets(r),
    "",
    "Where the fixed overhead goes, and what was changed because of it: [PROFILE.md](PROFILE.md).",
    "",
    "## Figures",
    "",
    `node -e 0: ${(r.nodeBootMs as number).toFixed(0)} ms at the start, ${(r.nodeBootMsEnd as number).toFixed(0)} ms at the end (medians of 7).`,
    "",
    `Event path (transcript line → parser → trace builder → batch span processor, in process, a 200-call`,
    `session's ${ep.first.events} lines per round): steady state (rounds 2–8, ${ep.events} lines) p50`,
    `${(ep.p50 * 1000).toFixed(1)} µs, p99 ${(ep.p99 * 1000).toFixed(1)} µs, max ${ep.max.toFixed(2)} ms; first round in a fresh process p50`,
    `${(ep.first.p50 * 1000).toFixed(1)} µs, p99 ${(ep.first.p99 * 1000).toFixed(1)} µs, max ${ep.first.max.toFixed(2)} ms.`,
  ];
  lines.push(...firstRun(r));
  const sections = Object.entries(r).filter(([, v]) => Array.isArray(v)) as [string, Row[]][];
  const rounds = (r.rounds ?? {}) as Record<string, number>;
  for (const [label, rs] of sections) {
    lines.push(
      "",
      `### ${label}${rounds[label] ? ` (${rounds[label]} rounds)` : ""}`,
      "",
      "| contender | wall ms | CPU ms | wall / bare | wall − bare ms | time to first model request ms | claudia/OI peak RSS MB | flush at exit ms | spans delivered |",
      "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    );
    for (const x of rs) {
      const spans = x.spans ? `${fmt(x.spans)}${x.expectedSpans ? ` of ${x.expectedSpans}` : ""}` : "–";
      lines.push(
        `| ${x.contender} | ${fmt(x.wallMs)} | ${fmt(x.cpuMs)} | ${fmt(x.ratio, 3)} | ${fmt(x.extraMs)} | ${fmt(x.startupMs)} | ${fmt(x.rssMb)} | ${fmt(x.flushMs)} | ${spans}${x.failures ? ` (${x.failures} failed runs)` : ""} |`,
      );
    }
  }
  return `${lines.join("\n")}\n`;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const dir = new URL(".", import.meta.url);
  const results = JSON.parse(readFileSync(new URL("results.json", dir), "utf8")) as Results;
  const md = new URL("results.md", dir);
  writeFileSync(md, keepSections(render(results), md));
}
