// biome-ignore-all lint/performance/useDomNodeTextContent: Playwright's Locator.innerText() is the text as shown, not the DOM property.
/**
 * `claudia traces ui` in a real headless Chromium, over real runs of the real Claude Code against
 * the scripted model: the runs list, a subagent run's waterfall and span details, the token
 * rejection, live refresh, a damaged file skipped, journal text rendered as text. The screenshots
 * in docs/ come from here: `CLAUDIA_SCREENSHOT_DIR=docs` writes them there (by default they go to the
 * sandbox, so a test run leaves the checkout as it was).
 */
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { request } from "node:http";
import { join, resolve as resolvePath } from "node:path";
import { after, before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import type { Page } from "playwright-core";
import { type Browser, CHROMIUM_MISSING, launchBrowser } from "../support/browser.ts";
import { scriptedRuns } from "../support/harness.ts";
import { storedRecords } from "../support/journal.ts";
import { BASE_ARGS, CLAUDIA, claudia, MODEL, ROOT } from "../support/sandbox.ts";
import { traceIdFrom } from "../support/trace-checks.ts";

const h = scriptedRuns();

/** Where a screenshot goes: `CLAUDIA_SCREENSHOT_DIR` (relative to the checkout), else the sandbox. */
function screenshot(name: string): string {
  const dir = process.env.CLAUDIA_SCREENSHOT_DIR
    ? resolvePath(ROOT, process.env.CLAUDIA_SCREENSHOT_DIR)
    : join(h.sandbox.home, "screenshots");
  mkdirSync(dir, { recursive: true });
  return join(dir, name);
}

interface Ui {
  child: ChildProcess;
  url: string;
  stdout: string;
}

/** `claudia traces ui --no-open`, started as a user would; resolves once it printed its URL. */
function startUi(): Promise<Ui> {
  const child = spawn(process.execPath, [CLAUDIA, "traces", "ui", "--no-open"], {
    env: h.sandbox.env,
    cwd: h.sandbox.work,
    stdio: ["ignore", "pipe", "pipe"],
  });
  return new Promise((resolve, reject) => {
    let stdout = "";
    child.stdout?.on("data", (c: Buffer) => {
      stdout += c.toString();
      const url = /(http:\/\/127\.0\.0\.1:\d+\/[A-Za-z0-9_-]+\/)/.exec(stdout)?.[1];
      if (url) resolve({ child, url, stdout });
    });
    child.once("error", reject);
    child.once("close", (code) => reject(new Error(`claudia traces ui exited with ${code}`)));
  });
}

function get(url: string, method = "GET"): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method }, (res) => {
      let body = "";
      res.on("data", (c: Buffer) => {
        body += c.toString();
      });
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on("error", reject);
    req.end();
  });
}

const formatCost = (usd: number) => `$${usd.toFixed(usd < 0.01 ? 6 : 4)}`;

async function run(prompt: string): Promise<string> {
  const ran = await claudia(h.sandbox, [...BASE_ARGS, prompt]);
  return traceIdFrom(ran.stderr);
}

describe("traces ui", { skip: CHROMIUM_MISSING }, () => {
  let ui: Ui;
  let browser: Browser;
  let page: Page;
  const ids = { subagent: "", failing: "", hostile: "" };
  /** Wait until the list shows exactly n runs (the page's CSP forbids waitForFunction's eval). */
  const rowsBecome = async (n: number) => {
    const deadline = Date.now() + 15000;
    while ((await page.locator("tr.run").count()) !== n) {
      if (Date.now() > deadline) throw new Error(`the list never showed ${n} runs`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  const pageErrors: string[] = [];

  before(async () => {
    ids.subagent = await run("[[scenario:subagent]] delegate the check");
    ids.failing = await run("[[scenario:bash-fail]] list a missing folder");
    ids.hostile = await run('[[scenario:text]] <b id="bold">bold</b><img src=x onerror="window.__pwned=1">');
    // A damaged record, as a crash or a full disk could leave: skipped in the page as in the CLI.
    const day = join(
      h.sandbox.claudiaHome,
      "journal",
      readdirSync(join(h.sandbox.claudiaHome, "journal"))[0] as string,
    );
    mkdirSync(day, { recursive: true });
    writeFileSync(join(day, "20260101T000000Z-0123456789abcdef0123456789abcdef.run.json"), '{"traceId": 12, "trunc');
    ui = await startUi();
    browser = await launchBrowser();
    page = await browser.context.newPage();
    page.on("pageerror", (e) => pageErrors.push(e.message));
  });

  after(async () => {
    await browser?.close();
    ui?.child.kill("SIGINT");
  });

  test("prints one line with the URL; without the token, or with a wrong one, every request is refused", async () => {
    assert.equal(ui.stdout.trim().split("\n").length, 1, ui.stdout);
    const origin = new URL(ui.url).origin;
    const token = new URL(ui.url).pathname.split("/")[1] as string;
    assert.equal((await get(`${origin}/`)).status, 403);
    assert.equal((await get(`${origin}/api/runs`)).status, 403);
    const wrong = `${token.slice(0, -1)}${token.endsWith("A") ? "B" : "A"}`;
    assert.equal((await get(`${origin}/${wrong}/`)).status, 403);
    assert.equal((await get(`${origin}/${wrong}/api/runs`)).status, 403);
    assert.equal((await get(`${origin}/${wrong}/api/runs/${ids.subagent}`)).status, 403);
    const ok = await get(`${ui.url}api/runs`);
    assert.equal(ok.status, 200);
    assert.equal(ok.headers["access-control-allow-origin"], undefined, "no CORS");
    assert.match(String(ok.headers["content-security-policy"]), /default-src 'none'; script-src 'self'/);
    assert.equal((await get(`${ui.url}api/runs`, "POST")).status, 405, "read-only");
    assert.equal((await get(`${ui.url}api/runs`, "DELETE")).status, 405, "read-only");
  });

  test("the runs list: newest first, prompt, trace id, model, cost, delivery; the damaged file skipped", async () => {
    const records = await storedRecords(h.sandbox);
    await page.goto(ui.url);
    await page.locator(`tr[data-trace="${ids.subagent}"]`).waitFor();
    const rows = await page.locator("tr.run").evaluateAll((trs) => trs.map((tr) => tr.getAttribute("data-trace")));
    assert.deepEqual(
      rows,
      records.map((r) => r.traceId),
      "every recorded run, newest first",
    );
    const row = page.locator(`tr[data-trace="${ids.subagent}"]`);
    const text = await row.innerText();
    const record = records.find((r) => r.traceId === ids.subagent);
    assert.ok(record?.costUsd);
    for (const expected of [
      "[[scenario:subagent]] delegate the check",
      ids.subagent,
      MODEL,
      formatCost(record.costUsd),
    ])
      assert.ok(text.includes(expected), `${expected} in ${text}`);
    assert.match(text, /otlp ✓/);
    assert.match(await page.locator(".warn-box").innerText(), /1 damaged journal file skipped/);
  });

  test("session text is shown as text, never as HTML", async () => {
    const prompt = await page.locator(`tr[data-trace="${ids.hostile}"] td.prompt a`).innerText();
    assert.ok(prompt.includes('<b id="bold">bold</b><img src=x'), prompt);
    assert.equal(await page.locator("#bold").count(), 0);
    assert.equal(await page.evaluate("window.__pwned"), undefined);
  });

  test("filters by status, model and text", async () => {
    await page.selectOption('select[aria-label="status"]', "ok");
    await page.fill('input[aria-label="search"]', "delegate");
    await rowsBecome(1);
    assert.equal(await page.locator("tr.run").getAttribute("data-trace"), ids.subagent);
    await page.fill('input[aria-label="search"]', "no run has this text");
    await rowsBecome(0);
    await page.fill('input[aria-label="search"]', "");
    await page.selectOption('select[aria-label="model"]', MODEL);
    await page.selectOption('select[aria-label="status"]', "");
    await rowsBecome(Object.keys(ids).length);
  });

  test("a click opens the subagent run: its waterfall, tokens and cost per call, content as messages", async () => {
    await page.click(`tr[data-trace="${ids.subagent}"]`);
    await page.locator(".wf-row").first().waitFor();
    assert.equal(new URL(page.url()).hash, `#/runs/${ids.subagent}`);
    assert.ok((await page.locator(".trace-id").innerText()).includes(ids.subagent));
    const names = await page.locator(".wf-row .span-name").allInnerTexts();
    assert.deepEqual(names.filter((n) => n === "invoke_agent claude-code").length, 1);
    assert.ok(names.includes(`chat ${MODEL}`), names.join(", "));
    assert.ok(names.includes("execute_tool Agent"), names.join(", "));
    assert.ok(names.includes("invoke_agent general-purpose"), names.join(", "));
    assert.ok(names.includes("execute_tool Bash"), names.join(", "));
    const depth = async (name: string) =>
      Number(await page.locator(`.wf-row[data-span="${name}"]`).getAttribute("data-depth"));
    assert.equal(await depth("invoke_agent claude-code"), 0);
    assert.equal(await depth("execute_tool Agent"), 1);
    assert.equal(await depth("invoke_agent general-purpose"), 2, "the subagent is nested under its Agent call");
    assert.equal(await depth("execute_tool Bash"), 3, "the subagent's tool is nested under it");
    const chat = await page.locator(`.wf-row.chat`).first().innerText();
    assert.match(chat, /in [\d,]+ · out [\d,]+ · \$\d+\.\d+/);
    assert.match(await page.locator(".details .message.user").innerText(), /delegate the check/);
    await page.locator(`.wf-row.chat`).first().click();
    assert.match(await page.locator(".details .message.tool").first().innerText(), /calls Agent/i);
    await page.click('.wf-row[data-span="execute_tool Bash"]');
    const details = await page.locator(".details").innerText();
    assert.match(details, /echo from-subagent/);
    assert.match(details, /gen_ai\.tool\.name\s+Bash/);
    await page.screenshot({ path: screenshot("viewer-run.png"), fullPage: true });
  });

  test("a failed tool call is marked", async () => {
    await page.goto(`${ui.url}#/runs/${ids.failing}`);
    const failed = page.locator('.wf-row.failed[data-span="execute_tool Bash"]');
    await failed.waitFor();
    await failed.click();
    assert.match(await page.locator(".details .error-box").innerText(), /tool_error/);
  });

  test("a run shows up while it is written, its spans as they end, then its record when it ends", async () => {
    await page.goto(ui.url);
    await page.locator("tr.run").first().waitFor();
    const child = spawn(process.execPath, [CLAUDIA, ...BASE_ARGS, "[[scenario:sleep]] [[tag:viewer]] go"], {
      env: h.sandbox.env,
      cwd: h.sandbox.work,
      stdio: ["ignore", "ignore", "pipe"],
    });
    let stderr = "";
    child.stderr?.on("data", (c: Buffer) => {
      stderr += c.toString();
    });
    const exited = new Promise<number | null>((resolve) => child.once("close", resolve));
    try {
      // The first model call's span is journaled at once; the run's record only comes at its end.
      const row = page.locator("tr.run.open");
      await row.waitFor({ timeout: 20000 });
      assert.match(await row.innerText(), /running/);
      const traceId = (await row.getAttribute("data-trace")) as string;
      await row.click();
      await page.locator(`.wf-row[data-span="chat ${MODEL}"]`).waitFor();
      assert.match(await page.locator(".run-head").innerText(), /Run being written/);
      child.kill("SIGINT");
      // As bare `claude -p`: the interrupted run ends with exit 0.
      assert.equal(await exited, 0);
      assert.equal(traceIdFrom(stderr), traceId);
      // Without a reload, the page turns into the recorded run: interrupted.
      await page.locator(".run-head .status.bad").waitFor({ timeout: 15000 });
      assert.match(await page.locator(".run-head").innerText(), /interrupted/);
      assert.match(await page.locator(".run-head .prompt-title").innerText(), /\[\[scenario:sleep\]\]/);
    } finally {
      child.kill("SIGKILL");
    }
  });

  test("a run recorded while the page is open shows up without a reload", async () => {
    await page.goto(ui.url);
    await page.locator("tr.run").first().waitFor();
    const late = await run("[[scenario:text]] recorded while watching");
    await page.locator(`tr[data-trace="${late}"]`).waitFor({ timeout: 15000 });
    assert.equal(await page.locator("tr.run").first().getAttribute("data-trace"), late);
    await page.screenshot({ path: screenshot("viewer-runs.png") });
  });

  test("over time: the same totals as claudia traces stats", async () => {
    const stats = JSON.parse((await claudia(h.sandbox, ["traces", "stats", "--json"])).stdout);
    await page.goto(`${ui.url}#/stats`);
    await page.locator('[data-total="runs"]').waitFor();
    assert.equal(await page.locator('[data-total="runs"]').innerText(), String(stats.total.runs));
    assert.equal(await page.locator('[data-total="cost"]').innerText(), formatCost(stats.total.costUsd));
    const tools = await page.locator("table.by-tool tbody tr td:first-child").allInnerTexts();
    assert.deepEqual(
      tools,
      stats.byTool.map((t: { tool: string }) => t.tool),
    );
    assert.deepEqual(pageErrors, []);
  });

  test("with a trace id prefix it prints the run's own URL; an unknown id is an error", async () => {
    const one = spawn(process.execPath, [CLAUDIA, "traces", "ui", ids.subagent.slice(0, 10), "--no-open"], {
      env: h.sandbox.env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    const line = await new Promise<string>((resolve) => {
      let out = "";
      one.stdout?.on("data", (c: Buffer) => {
        out += c.toString();
        if (out.includes("\n")) resolve(out);
      });
    });
    const closed = new Promise<number | null>((resolve) => one.once("close", resolve));
    one.kill("SIGINT");
    assert.equal(await closed, 0);
    assert.match(line, new RegExp(`^claudia traces ui: http://127\\.0\\.0\\.1:\\d+/[\\w-]+/#/runs/${ids.subagent}  `));
    const missing = await claudia(h.sandbox, ["traces", "ui", "ffffffffff", "--no-open"]);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /no run with a trace id starting "ffffffffff"/);
  });

  test("the browser is given a private page, not the token, and lands on the run; the page goes with the viewer", async () => {
    // A stand-in for xdg-open that notes what it was given, as another local user could read it.
    const bin = join(h.sandbox.work, "opener-bin");
    const noted = join(h.sandbox.work, "opener-args");
    mkdirSync(bin, { recursive: true });
    // Written aside, then renamed: the note is there only once it is whole.
    const script = `#!/bin/sh\nprintf '%s' "$*" > '${noted}.part' && mv '${noted}.part' '${noted}'\n`;
    writeFileSync(join(bin, "xdg-open"), script, { mode: 0o755 });
    const env = { ...h.sandbox.env, DISPLAY: ":99", PATH: `${bin}:${h.sandbox.env.PATH}` };
    const opened = spawn(process.execPath, [CLAUDIA, "traces", "ui", ids.failing.slice(0, 12)], {
      env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    const closed = new Promise<number | null>((resolve) => opened.once("close", resolve));
    let out = "";
    opened.stdout?.on("data", (c: Buffer) => {
      out += c.toString();
    });
    let file = "";
    try {
      const deadline = Date.now() + 15000;
      while (!existsSync(noted) || !out.includes("\n")) {
        assert.ok(Date.now() < deadline, "the opener was started");
        await new Promise((r) => setTimeout(r, 50));
      }
      const given = readFileSync(noted, "utf8");
      const url = /(http:\/\/\S+)/.exec(out)?.[1] as string;
      const token = new URL(url).pathname.split("/")[1] as string;
      assert.match(given, /^file:\/\/\/.+\/open\.html$/);
      assert.ok(!given.includes(token), "no token on the opener's command line");
      file = fileURLToPath(given);
      assert.equal(statSync(file).mode & 0o777, 0o600);
      const tab = await browser.context.newPage();
      await tab.goto(given);
      await tab.waitForURL(url, { timeout: 15000 });
      assert.ok((await tab.locator(".trace-id").innerText({ timeout: 15000 })).includes(ids.failing));
      await tab.close();
    } finally {
      opened.kill("SIGINT");
    }
    assert.equal(await closed, 0);
    assert.equal(existsSync(file), false, "the page is removed when the viewer stops");
  });

  test("Ctrl+C stops it", async () => {
    const closed = new Promise<number | null>((resolve) => ui.child.once("close", resolve));
    ui.child.kill("SIGINT");
    assert.equal(await closed, 0);
  });
});

describe("traces stats", () => {
  test("totals equal the sums of traces --json; by day, model and tool add up; --since", async () => {
    await run("[[scenario:two-tools]] stats");
    await run("[[scenario:bash-fail]] stats");
    const records = await storedRecords(h.sandbox);
    const ran = await claudia(h.sandbox, ["traces", "stats", "--json"]);
    assert.equal(ran.code, 0, ran.stderr);
    const stats = JSON.parse(ran.stdout);
    const sum = (key: "inputTokens" | "outputTokens" | "toolCalls" | "costUsd") =>
      records.reduce((n, r) => n + (r[key] ?? 0), 0);
    assert.equal(stats.total.runs, records.length);
    assert.equal(stats.total.failures, records.filter((r) => r.status !== "ok").length);
    assert.equal(stats.total.inputTokens, sum("inputTokens"));
    assert.equal(stats.total.outputTokens, sum("outputTokens"));
    assert.equal(stats.total.toolCalls, sum("toolCalls"));
    assert.ok(Math.abs(stats.total.costUsd - sum("costUsd")) < 1e-9, `${stats.total.costUsd} vs ${sum("costUsd")}`);
    const byTool = stats.byTool as { tool: string; calls: number; failures: number; p50Ms: number; p95Ms: number }[];
    assert.equal(
      byTool.reduce((n, t) => n + t.calls, 0),
      sum("toolCalls"),
    );
    const bash = byTool.find((t) => t.tool === "Bash");
    assert.ok(bash && bash.failures >= 1 && bash.p50Ms <= bash.p95Ms, JSON.stringify(bash));
    assert.equal(stats.byTool[0].tool, "Bash", "the tool that fails most comes first");
    assert.equal(
      stats.byDay.reduce((n: number, d: { runs: number }) => n + d.runs, 0),
      records.length,
    );
    assert.equal(stats.byModel[0].model, MODEL);

    const table = await claudia(h.sandbox, ["traces", "stats"]);
    assert.match(table.stdout, new RegExp(`^${records.length} runs, `));
    assert.match(table.stdout, /^TOOL +CALLS +FAILED +P50 +P95$/m);
    const future = JSON.parse(
      (await claudia(h.sandbox, ["traces", "stats", "--json", "--since", "2999-01-01"])).stdout,
    );
    assert.equal(future.total.runs, 0);
    const bad = await claudia(h.sandbox, ["traces", "stats", "--since", "last tuesday"]);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--since takes a date/);
  });
});
