/**
 * A loopback OTLP/HTTP (JSON) logs endpoint for Claude Code's own log events.
 *
 * It listens on 127.0.0.1 on a random port; only `POST /<secret>/v1/logs` is taken (the secret is
 * drawn per run and reaches Claude Code only through its environment), everything else gets 404.
 * Bodies are bounded. A batch is answered as soon as it is read and its events are emitted in the
 * same turn of the event loop, so claudia sees Claude Code's exit (which waits for its last export)
 * only after every event it sent. When the user exports
 * Claude Code's logs themselves, each body is also sent, unchanged, to their endpoint with their headers.
 */
import { randomBytes } from "node:crypto";
import type { IncomingMessage, Server } from "node:http";
import { endpointIdentity } from "../config/urls.ts";
import type { RunEvent } from "../events.ts";
import { trustDeferredExtraCa } from "../export/extra-ca.ts";
import { ClaudeEventsParser, claudeEventsEnv, userLogsTarget } from "./claude-events.ts";
import { boundedServer, closeNow, type LoopbackLimits, listenOnLoopback } from "./loopback.ts";

/** Largest body accepted (a batch of a few hundred records is well under 1 MB). */
export const MAX_EVENTS_BODY = 8 * 1024 * 1024;
const FORWARD_TIMEOUT_MS = 5000;

export interface ClaudeEventsServer {
  /** The logs URL Claude Code is given (`OTEL_EXPORTER_OTLP_LOGS_ENDPOINT`). */
  endpoint: string;
  /** Batches received so far. */
  readonly batches: number;
  /** The session the run's requests came from, once one has. */
  readonly sessionId: string | undefined;
  /** Stop listening; waits (bounded) for bodies still being passed on to the user's endpoint. */
  close(): Promise<void>;
}

export interface ClaudeEventsServerOptions {
  emit: (event: RunEvent) => void;
  /** The user's own logs endpoint, to pass every body on to. */
  forward?: { url: string; headers: Record<string, string> };
  /** A one-line problem report (forwarding failed, a bad body). */
  warn?: (message: string) => void;
  /** Which sessions' events are the run's: the first seen (default), or those the caller names (the terminal UI). */
  sessions?: "first" | ((sessionId: string) => boolean);
  /** Connections, header size and time allowed (see loopback.ts). */
  limits?: Partial<LoopbackLimits>;
}

export function startClaudeEventsServer(options: ClaudeEventsServerOptions): Promise<ClaudeEventsServer> {
  const secret = randomBytes(24).toString("hex");
  const path = `/${secret}/v1/logs`;
  const parser = new ClaudeEventsParser(options.emit, options.sessions);
  const forwarding = new Set<Promise<void>>();
  let batches = 0;
  let warned = false;
  const warnOnce = (message: string) => {
    if (warned) return;
    warned = true;
    options.warn?.(message);
  };

  const server: Server = boundedServer((req, res) => {
    if (req.method !== "POST" || req.url !== path) {
      res.writeHead(404).end();
      req.resume();
      return;
    }
    readBody(req).then(
      (body) => {
        batches++;
        // Answered first: Claude Code waits for the answer to its last batch before it exits.
        res.writeHead(200, { "content-type": "application/json" }).end("{}");
        try {
          parser.batch(JSON.parse(body.toString("utf8")));
        } catch {
          warnOnce("Claude Code sent a log batch that is not OTLP/JSON; skipped");
        }
        if (options.forward) track(forwarding, forward(options.forward, body, warnOnce));
      },
      (error: Error & { status?: number }) => {
        res.writeHead(error.status ?? 400).end();
      },
    );
  }, options.limits);
  return listenOnLoopback(server).then((port) => ({
    endpoint: `http://127.0.0.1:${port}${path}`,
    get batches() {
      return batches;
    },
    get sessionId() {
      return parser.sessionId;
    },
    async close() {
      closeNow(server);
      await Promise.all(forwarding);
    },
  }));
}

function track(pending: Set<Promise<void>>, work: Promise<void>): void {
  pending.add(work);
  void work.finally(() => pending.delete(work));
}

async function forward(
  target: { url: string; headers: Record<string, string> },
  body: Buffer,
  warn: (message: string) => void,
): Promise<void> {
  // Named without its credentials (user, password, query) wherever it is shown.
  const shown = endpointIdentity(target.url);
  try {
    const { url, authorization } = withoutUserinfo(target.url);
    const headers: Record<string, string> = { ...target.headers, "content-type": "application/json" };
    if (authorization && !Object.keys(headers).some((name) => name.toLowerCase() === "authorization")) {
      headers.authorization = authorization;
    }
    if (url.startsWith("https:")) trustDeferredExtraCa();
    const response = await fetch(url, {
      method: "POST",
      headers,
      body,
      signal: AbortSignal.timeout(FORWARD_TIMEOUT_MS),
    });
    await response.arrayBuffer();
    if (!response.ok) warn(`Claude Code's log events were not accepted by ${shown} (HTTP ${response.status})`);
  } catch (error) {
    const message = (error as Error).message.split(target.url).join(shown);
    warn(`Claude Code's log events could not be passed on to ${shown}: ${message}`);
  }
}

/**
 * `https://user:password@host/…` as node's http client sends it (Basic authorization), which fetch
 * refuses to do from the URL itself.
 */
function withoutUserinfo(raw: string): { url: string; authorization?: string } {
  const url = new URL(raw);
  if (!url.username && !url.password) return { url: raw };
  const credentials = `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`;
  url.username = "";
  url.password = "";
  return { url: url.toString(), authorization: `Basic ${Buffer.from(credentials).toString("base64")}` };
}

/** The request body, gunzipped if it came compressed; never more than MAX_EVENTS_BODY bytes. */
function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_EVENTS_BODY) tooLarge = true;
      else chunks.push(chunk);
    });
    req.on("error", reject);
    req.on("end", () => {
      if (tooLarge) return reject(Object.assign(new Error("too large"), { status: 413 }));
      const raw = Buffer.concat(chunks);
      if (req.headers["content-encoding"] !== "gzip") return resolve(raw);
      // node:zlib loads only for a compressed body (claudia asks Claude Code for none): not before the spawn.
      import("node:zlib").then(({ gunzip }) =>
        gunzip(raw, { maxOutputLength: MAX_EVENTS_BODY }, (error, out) =>
          error ? reject(Object.assign(error, { status: 400 })) : resolve(out),
        ),
      );
    });
  });
}

/** Claude Code's accounting for one run: the variables to add to its environment, and the endpoint's end. */
export interface ClaudeEvents {
  env: Record<string, string>;
  /** The session Claude Code's requests came from, once one has. */
  sessionId(): string | undefined;
  close(): Promise<void>;
}

/**
 * Start receiving Claude Code's log events for a run whose environment is `userEnv`; undefined
 * when the user's own telemetry settings leave no way to do so without changing where their data
 * goes, or the endpoint could not start (the run is then traced from the transcript alone).
 */
export async function startClaudeEvents(
  userEnv: NodeJS.ProcessEnv,
  emit: (event: RunEvent) => void,
  log: { warn: (message: string) => void; debug: (message: string) => void },
  sessions: "first" | ((sessionId: string) => boolean) = "first",
): Promise<ClaudeEvents | undefined> {
  if (!accountingAllowed(userEnv)) {
    log.debug("Claude Code's telemetry settings are the user's own; per-request accounting off");
    return undefined;
  }
  let server: ClaudeEventsServer;
  try {
    server = await startClaudeEventsServer({ emit, forward: userLogsTarget(userEnv), warn: log.warn, sessions });
  } catch (error) {
    log.debug(`per-request accounting off: ${(error as Error).message}`);
    return undefined;
  }
  return {
    env: claudeEventsEnv(userEnv, server.endpoint),
    sessionId: () => server.sessionId,
    close: async () => {
      log.debug(`Claude Code's accounting: ${server.batches} batch(es) received`);
      await server.close();
    },
  };
}

/**
 * Whether the user's Claude Code telemetry settings leave room for the accounting endpoint: known
 * before it starts, so a run can plan on exact calls (the endpoint failing to listen is then the
 * one case where calls wait, bounded, and fall back to the price table).
 */
export function accountingAllowed(userEnv: NodeJS.ProcessEnv): boolean {
  return claudeEventsEnv(userEnv, "http://127.0.0.1/").CLAUDE_CODE_ENABLE_TELEMETRY !== undefined;
}

/** Wait until `done()` holds, checking every 20 ms, for at most `ms` (the accounting of the last calls). */
export async function settled(done: () => boolean, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (!done() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
}
