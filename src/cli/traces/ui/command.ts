/**
 * `claudia traces ui [TRACE_ID] [--port N] [--no-open]`: the local viewer. Prints the page's URL
 * (with its token) on one line of stdout, opens the default browser, serves until Ctrl+C.
 */
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { findRun, RunNotFound } from "../../../export/journal-store.ts";
import { JournalView } from "./journal-view.ts";
import { writeLaunchPage } from "./launch-page.ts";
import { canOpenBrowser, openBrowser } from "./open-browser.ts";
import { startViewer } from "./server.ts";

interface UiIo {
  out: (text: string) => void;
  err: (text: string) => void;
  env: NodeJS.ProcessEnv;
  dir: string;
  warn: (message: string) => void;
}

/** dist/ui, beside dist/bin where the bundled command runs from. */
const ASSETS_DIR = fileURLToPath(new URL("../ui/", import.meta.url));

export async function uiCommand(args: string[], io: UiIo, assetsDir = ASSETS_DIR): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { port: { type: "string" }, "no-open": { type: "boolean" } },
  });
  const port = values.port === undefined ? 0 : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535 || positionals.length > 1) {
    io.err("claudia: usage: claudia traces ui [TRACE_ID] [--port N] [--no-open]\n");
    return 2;
  }
  const view = new JournalView(io.dir, io.warn);
  let fragment = "";
  if (positionals[0] !== undefined) {
    try {
      fragment = `#/runs/${findRun(view.current().runs, positionals[0]).record.traceId}`;
    } catch (error) {
      if (!(error instanceof RunNotFound)) throw error;
      io.err(`claudia: ${error.message}\n`);
      return 1;
    }
  }
  let viewer: Awaited<ReturnType<typeof startViewer>>;
  try {
    viewer = await startViewer({ view, assetsDir, port });
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    io.err(
      `claudia: the viewer could not start: ${code === "EADDRINUSE" ? `port ${port} is in use` : String(code ?? error)}\n`,
    );
    return 1;
  }
  // Not the token: a command line is visible to other local users. A private file leads to it.
  const launch =
    values["no-open"] !== true && canOpenBrowser(io.env) ? writeLaunchPage(`${viewer.url}${fragment}`) : undefined;
  // Ctrl+C is listened for before the URL is printed: whoever reads it may stop the viewer at once.
  const stopped = new Promise<number>((resolve) => {
    const stop = () => {
      launch?.remove();
      void viewer.close().then(() => resolve(0));
    };
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
  });
  io.out(`claudia traces ui: ${viewer.url}${fragment}  (Ctrl+C to stop)\n`);
  if (launch) openBrowser(launch.url, io.env);
  return stopped;
}
