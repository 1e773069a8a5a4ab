/**
 * `npm run bench:ui`: time to first render of the viewer's runs list with 10,000 runs in the
 * journal. A synthetic journal (records and one-span files, as claudia writes them) in a temporary
 * folder; each round starts `claudia traces ui` afresh (so the journal is listed cold), opens the
 * page in Debian's headless Chromium and waits for the first row. Also measured: the same page
 * reloaded in a running viewer (journal unchanged, listing reused). Writes its section of
 * bench/results.md.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir, totalmem } from "node:os";
import { join } from "node:path";
import { runFiles, writeRecord } from "../src/export/journal.ts";
import { CHROMIUM_MISSING, launchBrowser } from "../test/support/browser.ts";
import { CLAUDIA, ROOT } from "../test/support/sandbox.ts";
import { withSection } from "./sections.ts";

const VIEWER_HEADING = "## Viewer: first render of the runs list";

const RUNS = Number(process.env.BENCH_UI_RUNS ?? 10000);
const ROUNDS = Number(process.env.BENCH_UI_ROUNDS ?? 7);
const MODELS = ["claude-sonnet-4-6", "claude-opus-4-8", "claude-haiku-4-5"];

function writeJournal(home: string): void {
  const dir = join(home, "journal");
  const now = Date.now();
  for (let i = 0; i < RUNS; i++) {
    const startTime = now - i * 247_000; // ~28 days of runs
    const traceId = (i + 1).toString(16).padStart(32, "0");
    const files = runFiles(dir, startTime, traceId);
    mkdirSync(join(files.spans, ".."), { recursive: true });
    const span = {
      traceId,
      spanId: traceId.slice(16),
      name: "invoke_agent claude-code",
      kind: 1,
      startTimeUnixNano: `${startTime}000000`,
      endTimeUnixNano: `${startTime + 30000}000000`,
      attributes: [{ key: "gen_ai.operation.name", value: { stringValue: "invoke_agent" } }],
      status: {},
    };
    writeFileSync(files.spans, `${JSON.stringify({ resourceSpans: [{ scopeSpans: [{ spans: [span] }] }] })}\n`);
    writeRecord(files.record, {
      traceId,
      startTime,
      endTime: startTime + 30000,
      durationMs: 30000,
      status: i % 17 === 0 ? "error" : "ok",
      errorType: i % 17 === 0 ? "max_turns" : undefined,
      prompt: `Synthetic run ${i}: fix the failing test in package ${i % 50} and explain the change`,
      model: MODELS[i % MODELS.length],
      numTurns: 1 + (i % 9),
      toolCalls: i % 13,
      inputTokens: 20000 + i,
      outputTokens: 800 + (i % 400),
      costUsd: 0.01 + (i % 100) / 1000,
      sessionId: `session-${i}`,
      exitCode: i % 17 === 0 ? 1 : 0,
      spans: 1,
      deliveries: { otlp: { endpoint: "http://127.0.0.1:4318/v1/traces", delivered: i % 5 !== 0, spans: 1, at: "" } },
    });
  }
}

function startViewer(home: string): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [CLAUDIA, "traces", "ui", "--no-open"], {
    env: { ...process.env, CLAUDIA_HOME: home },
    stdio: ["ignore", "pipe", "inherit"],
  });
  return new Promise((resolve, reject) => {
    let out = "";
    child.stdout?.on("data", (c: Buffer) => {
      out += c.toString();
      const url = /(http:\/\/127\.0\.0\.1:\d+\/\S+\/)/.exec(out)?.[1];
      if (url) resolve({ child, url });
    });
    child.once("close", (code) => reject(new Error(`the viewer exited with ${code}`)));
  });
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
const range = (xs: number[]) => `${Math.round(Math.min(...xs))}–${Math.round(Math.max(...xs))}`;

async function main(): Promise<void> {
  if (CHROMIUM_MISSING) throw new Error(CHROMIUM_MISSING);
  const home = mkdtempSync(join(tmpdir(), "claudia-bench-ui-"));
  const browser = await launchBrowser();
  try {
    const made = performance.now();
    writeJournal(home);
    process.stderr.write(`wrote ${RUNS} runs in ${Math.round(performance.now() - made)} ms\n`);
    const load = [loadavg()[0] as number];
    const cold: number[] = [];
    const warm: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const viewer = await startViewer(home);
      const page = await browser.context.newPage();
      try {
        let t0 = performance.now();
        await page.goto(`${viewer.url}#/`);
        await page.locator("tr.run").first().waitFor();
        cold.push(performance.now() - t0);
        t0 = performance.now();
        await page.reload();
        await page.locator("tr.run").first().waitFor();
        warm.push(performance.now() - t0);
        const rows = await page.locator("tr.run").count();
        if (rows !== 100) throw new Error(`expected the first page of 100 runs, saw ${rows}`);
      } finally {
        await page.close();
        viewer.child.kill("SIGINT");
      }
      process.stderr.write(
        `round ${round + 1}: cold ${Math.round(cold.at(-1) ?? 0)} ms, warm ${Math.round(warm.at(-1) ?? 0)} ms\n`,
      );
    }
    load.push(loadavg()[0] as number);
    writeSection(cold, warm, load);
  } finally {
    await browser.close();
    rmSync(home, { recursive: true, force: true });
  }
}

function writeSection(cold: number[], warm: number[], load: number[]): void {
  const chromium = "Debian's chromium, headless";
  const section = `${VIEWER_HEADING}

\`npm run bench:ui\` (${new Date().toISOString().slice(0, 10)}; ${cpus().length} cores, ${Math.round(totalmem() / 2 ** 30)} GiB,
Node ${process.version}, ${chromium}): a synthetic journal of ${RUNS.toLocaleString("en-US")} runs; from asking the
browser for the page to the first row of the list drawn (the page, its script, the first 100 runs from
\`api/runs\`), ${ROUNDS} rounds, median and min–max. The machine is shared: its load average was
${load.map((l) => l.toFixed(1)).join(" at the start, ")} at the end.

| runs in the journal | first render, viewer just started (journal listed cold) | reload, same viewer (listing reused) |
| --- | --- | --- |
| ${RUNS.toLocaleString("en-US")} | ${Math.round(median(cold))} ms (${range(cold)}) | ${Math.round(median(warm))} ms (${range(warm)}) |

The cold figure is mostly reading the ${RUNS.toLocaleString("en-US")} run records (\`listRuns\`, as \`claudia traces\` does);
span files are not read for the list. The viewer lists the journal again only when a day folder
changes (a run recorded or removed), so the list's live refresh costs a few \`stat\` calls per poll.
`;
  const path = join(ROOT, "bench", "results.md");
  writeFileSync(path, withSection(readFileSync(path, "utf8"), "viewer", section));
  process.stdout.write(section);
}

await main();
