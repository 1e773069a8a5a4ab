/**
 * `claudia traces`: list, show, export and push the runs in the local journal.
 */
import { parseArgs } from "node:util";
import { type Backend, exportTarget } from "../../config/backends.ts";
import { ConfigError } from "../../config/parse.ts";
import { resolveConfig } from "../../config/resolve.ts";
import { endpointIdentity } from "../../config/urls.ts";
import { type DeliverResult, deliverRuns, undelivered } from "../../export/deliver.ts";
import { journalDir } from "../../export/journal.ts";
import { findRun, listRuns, RunNotFound, readRequests, type StoredRun, spansOf } from "../../export/journal-store.ts";
import { ImportUsageError, importCommand } from "./import.ts";
import { listJson, renderList } from "./list.ts";
import { parseSince, SINCE_FORMS } from "./since.ts";
import { computeStats } from "./stats.ts";
import { statsRuns } from "./stats-journal.ts";
import { renderStats } from "./stats-table.ts";
import { renderTree } from "./tree.ts";

export const TRACES_HELP = `Usage: claudia traces [command]

The runs recorded in the local journal (${"$"}CLAUDIA_HOME, else ${"$"}XDG_DATA_HOME/claudia, else ~/.local/share/claudia).

Commands:
  claudia traces [list] [--limit N] [--json]     recent runs: status, model, turns, tools, tokens, cost, delivery
  claudia traces show <id|prefix|last> [--full] [--json]
                                                 the run's span tree; --full adds captured content
  claudia traces export [ids...] --endpoint URL [--headers k=v,...] [--protocol P]
                                                 send stored runs (default: the last) to any OTLP endpoint
  claudia traces push                            re-send every run a backend did not acknowledge, to
                                                 the endpoint it was recorded for, when configured now
  claudia traces import [PATH...] [--since DATE|7d]
                                                 sessions run without claudia (default: every one under
                                                 ${"$"}CLAUDE_CONFIG_DIR or ~/.claude, projects/) become runs
  claudia traces stats [--since DATE|7d] [--json]
                                                 runs, failures, tokens and cost; by day, model and tool
  claudia traces ui [TRACE_ID] [--port N] [--no-open]
                                                 browse the runs in a local web page (127.0.0.1 only)
`;

const USAGE = 2;

interface Io {
  out: (text: string) => void;
  err: (text: string) => void;
  env: NodeJS.ProcessEnv;
  color: boolean;
}

export async function tracesCommand(argv: string[], io: Io): Promise<number> {
  const [first, ...rest] = argv;
  const command = first === undefined || first.startsWith("-") ? "list" : first;
  const args = command === first ? rest : argv;
  if (args.includes("--help") || args.includes("-h") || command === "help") {
    io.out(TRACES_HELP);
    return 0;
  }
  const context: Context = { io, dir: journalDir(io.env), warn: (m: string) => io.err(`claudia: ${m}\n`) };
  try {
    const run = SUBCOMMANDS.get(command);
    if (!run) throw new UsageError(`unknown command "claudia traces ${command}" (see claudia traces --help)`);
    return await run(args, context);
  } catch (error) {
    if (
      error instanceof UsageError ||
      error instanceof ImportUsageError ||
      error instanceof ConfigError ||
      isParseArgsError(error)
    ) {
      io.err(`claudia: ${(error as Error).message}\n`);
      return USAGE;
    }
    if (error instanceof RunNotFound) {
      io.err(`claudia: ${error.message}\n`);
      return 1;
    }
    throw error;
  }
}

interface Context {
  io: Io;
  /** The journal's folder. */
  dir: string;
  warn: (message: string) => void;
}

function list(args: string[], { io, dir, warn }: Context): number {
  const { values } = parseArgs({ args, options: { json: { type: "boolean" }, limit: { type: "string" } } });
  const limit = values.limit === undefined ? 20 : Number(values.limit);
  if (!Number.isInteger(limit) || limit <= 0) throw new UsageError("--limit takes a positive whole number");
  const runs = listRuns(dir, warn).slice(0, limit);
  io.out(values.json ? listJson(runs) : renderList(runs, io.color));
  return 0;
}

function show(args: string[], { io, dir, warn }: Context): number {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { json: { type: "boolean" }, full: { type: "boolean" } },
  });
  if (positionals.length !== 1)
    throw new UsageError("claudia traces show takes one trace id (or a unique prefix, or last)");
  const run = findRun(listRuns(dir, warn), positionals[0] as string);
  const spans = spansOf(readRequests(run.spansPath, warn));
  if (values.json) io.out(`${JSON.stringify({ run: run.record, spans }, null, 2)}\n`);
  else io.out(renderTree(spans, { full: values.full === true, color: io.color }));
  return 0;
}

async function exportRuns(args: string[], { io, dir, warn }: Context): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { endpoint: { type: "string" }, headers: { type: "string" }, protocol: { type: "string" } },
  });
  if (!values.endpoint) throw new UsageError("claudia traces export needs --endpoint URL");
  // Only what the flags say: the configured OTLP headers are not for this endpoint.
  const target = exportTarget({ endpoint: values.endpoint, headers: values.headers, protocol: values.protocol });
  const config = resolveConfig({}, io.env);
  const all = listRuns(dir, warn);
  const runs = positionals.length === 0 ? [findRun(all, "last")] : positionals.map((id) => findRun(all, id));
  return report(await deliverRuns(runs, target, { timeoutMs: config.exportTimeoutMs, record: false, warn }), io);
}

async function push(_args: string[], { io, dir, warn }: Context): Promise<number> {
  const config = resolveConfig({}, io.env);
  for (const w of config.warnings) warn(w);
  if (config.backends.length === 0)
    throw new UsageError(
      "no backend configured: set OTEL_EXPORTER_OTLP_ENDPOINT (or use `claudia traces export --endpoint URL`)",
    );
  const runs = listRuns(dir, warn);
  const results = [];
  // Each run goes only to the endpoint it was recorded for, when that endpoint is configured now.
  for (const backend of config.backends) {
    results.push(
      ...(await deliverRuns(undelivered(runs, backend), backend, { timeoutMs: config.exportTimeoutMs, warn })),
    );
  }
  const elsewhere = waitingElsewhere(runs, config.backends);
  if (elsewhere.size > 0) {
    io.err(
      `claudia: runs not delivered to endpoints not configured now (kept for them): ${[...elsewhere].join(", ")}\n`,
    );
  }
  if (results.length === 0) {
    io.out("Nothing to push: every run was delivered to the configured backends.\n");
    return 0;
  }
  return report(results, io);
}

function importRuns(args: string[], { io }: Context): Promise<number> {
  const config = resolveConfig({}, io.env);
  return importCommand(args, { ...io, tty: process.stderr.isTTY === true, config });
}

function stats(args: string[], { io, dir, warn }: Context): number {
  const { values } = parseArgs({ args, options: { json: { type: "boolean" }, since: { type: "string" } } });
  const since = values.since === undefined ? null : parseSince(values.since);
  if (since === undefined) throw new UsageError(`--since takes ${SINCE_FORMS}`);
  const computed = computeStats(statsRuns(listRuns(dir, warn), since, warn), since);
  io.out(values.json ? `${JSON.stringify(computed, null, 2)}\n` : renderStats(computed));
  return 0;
}

async function ui(args: string[], { io, dir, warn }: Context): Promise<number> {
  const { uiCommand } = await import("./ui/command.ts");
  return await uiCommand(args, { ...io, dir, warn });
}

/** `claudia traces <command>`: a Map, so no name reaches an object's own properties. */
const SUBCOMMANDS = new Map<string, (args: string[], context: Context) => number | Promise<number>>([
  ["list", list],
  ["show", show],
  ["export", exportRuns],
  ["push", push],
  ["import", importRuns],
  ["stats", stats],
  ["ui", ui],
]);

class UsageError extends Error {}

/** The endpoints (identities) of failed deliveries that no configured backend matches. */
function waitingElsewhere(runs: StoredRun[], backends: Backend[]): Set<string> {
  const configured = new Set(backends.map((b) => b.identity));
  const endpoints = new Set<string>();
  for (const run of runs) {
    for (const delivery of Object.values(run.record.deliveries ?? {})) {
      if (delivery?.delivered !== false || typeof delivery.endpoint !== "string" || delivery.endpoint === "") continue;
      if (!configured.has(endpointIdentity(delivery.endpoint))) endpoints.add(endpointIdentity(delivery.endpoint));
    }
  }
  return endpoints;
}

const isParseArgsError = (e: unknown) =>
  typeof (e as { code?: unknown })?.code === "string" &&
  String((e as { code: string }).code).startsWith("ERR_PARSE_ARGS");

function report(results: DeliverResult[], io: Io): number {
  let failed = 0;
  for (const r of results) {
    const id = r.run.record.traceId;
    if (r.skipped) io.out(`${id}  skipped: ${r.skipped}\n`);
    else if (r.delivery?.delivered) io.out(`${id}  delivered ${r.delivery.spans} spans to ${r.backend}\n`);
    else {
      failed++;
      io.out(`${id}  NOT delivered to ${r.backend}: ${r.delivery?.error ?? "unknown error"}\n`);
    }
  }
  return failed > 0 ? 1 : 0;
}
