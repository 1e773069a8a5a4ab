/**
 * The viewer's HTTP server: 127.0.0.1 only, every path behind a random per-start token
 * (`/<token>/…`; anything else is 403), GET and HEAD only, no CORS headers, and a strict
 * Content-Security-Policy: the page shows session text from the journal, which is untrusted.
 * The browser is not given the token on its command line (see launch-page.ts).
 */
import { randomBytes, timingSafeEqual } from "node:crypto";
import { readFileSync } from "node:fs";
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { boundedServer, type LoopbackLimits } from "../../../sources/loopback.ts";
import { type Answer, runDetail, runsPage, statsAnswer } from "./api.ts";
import type { JournalView } from "./journal-view.ts";

const SECURITY_HEADERS = {
  "content-security-policy":
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
  "x-frame-options": "DENY",
  "cross-origin-opener-policy": "same-origin",
  "cross-origin-resource-policy": "same-origin",
  "cache-control": "no-store",
};

/** The page's files, as built into dist/ui. */
const ASSETS: Record<string, string> = {
  "": "index.html",
  "app.js": "app.js",
  "app.css": "app.css",
};
const TYPES: Record<string, string> = {
  html: "text/html; charset=utf-8",
  js: "text/javascript; charset=utf-8",
  css: "text/css; charset=utf-8",
};

export interface Viewer {
  server: Server;
  port: number;
  token: string;
  /** The runs list's address, token included. */
  url: string;
  close(): Promise<void>;
}

export interface ViewerOptions {
  view: JournalView;
  assetsDir: string;
  port?: number;
  /** Connections, header size and time allowed (see sources/loopback.ts). */
  limits?: Partial<LoopbackLimits>;
}

export async function startViewer(options: ViewerOptions): Promise<Viewer> {
  const token = randomBytes(24).toString("base64url");
  const assets = new Map<string, Buffer>();
  for (const [path, file] of Object.entries(ASSETS)) assets.set(path, readFileSync(join(options.assetsDir, file)));
  let port = 0;
  // Every local user can connect: connections and slow requests are bounded as on claudia's other endpoints.
  const server = boundedServer(
    (req, res) => {
      try {
        respond(req, res, { ...options, token, assets, port });
      } catch {
        send(res, 500, "application/json", JSON.stringify({ error: "the viewer could not read the journal" }));
      }
    },
    { maxConnections: 64, ...options.limits },
  );
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, "127.0.0.1", () => resolve());
  });
  port = (server.address() as AddressInfo).port;
  return {
    server,
    port,
    token,
    url: `http://127.0.0.1:${port}/${token}/`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

interface Context extends ViewerOptions {
  token: string;
  assets: Map<string, Buffer>;
  port: number;
}

function send(res: ServerResponse, status: number, type: string, body: string | Buffer, head = false): void {
  res.writeHead(status, { ...SECURITY_HEADERS, "content-type": type, "content-length": Buffer.byteLength(body) });
  res.end(head ? undefined : body);
}

const sameToken = (given: string, token: string) =>
  given.length === token.length && timingSafeEqual(Buffer.from(given), Buffer.from(token));

const PLAIN = "text/plain; charset=utf-8";

function respond(req: IncomingMessage, res: ServerResponse, c: Context): void {
  const url = new URL(req.url ?? "/", "http://127.0.0.1");
  const [, given = "", ...rest] = url.pathname.split("/");
  const host = req.headers.host ?? "";
  // The token first: nothing else is said to a request without it, not even "wrong method".
  // And a page on another site cannot reach this one by a name that resolves to 127.0.0.1 (DNS rebinding).
  if (!sameToken(given, c.token) || (host !== `127.0.0.1:${c.port}` && host !== `localhost:${c.port}`)) {
    send(res, 403, PLAIN, "forbidden\n");
  } else if (req.method !== "GET" && req.method !== "HEAD") {
    res.setHeader("allow", "GET, HEAD");
    send(res, 405, PLAIN, "read-only\n");
  } else {
    const head = req.method === "HEAD";
    const path = rest.join("/");
    const asset = c.assets.get(path);
    if (asset) send(res, 200, TYPES[(ASSETS[path] ?? "").split(".").pop() ?? ""] ?? "", asset, head);
    else {
      const answer = route(path, url.searchParams, c.view);
      send(res, answer.status, "application/json; charset=utf-8", JSON.stringify(answer.body), head);
    }
  }
}

function route(path: string, params: URLSearchParams, view: JournalView): Answer {
  if (path === "api/version") return { status: 200, body: { version: view.current().version } };
  if (path === "api/runs") return runsPage(view, params);
  if (path === "api/stats") return statsAnswer(view, params);
  const run = /^api\/runs\/([0-9a-fA-F]{1,32}|last)$/.exec(path);
  if (run) return runDetail(view, run[1] as string);
  return { status: 404, body: { error: "not found" } };
}
