/**
 * An endpoint on 127.0.0.1 that receives Claude Code's `http` hooks.
 *
 * Only requests that carry the run's secret (in the path and a header) are taken; anything else
 * gets 403 and is forgotten. Every hook is answered at once with `{}` (no decision), so Claude
 * Code carries on exactly as it would without claudia.
 */
import { randomBytes } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export interface HookInput {
  hook_event_name?: string;
  session_id?: string;
  transcript_path?: string;
  cwd?: string;
  prompt?: string;
  [key: string]: unknown;
}

export interface HookServer {
  /** The hook URL with its secret. */
  url: string;
  /** The header Claude Code must send (name and value). */
  header: [string, string];
  close(): void;
}

const MAX_BODY = 1024 * 1024;
export const SECRET_HEADER = "x-claudia-secret";

export function startHookServer(onHook: (input: HookInput) => void): Promise<HookServer> {
  const secret = randomBytes(24).toString("hex");
  const path = `/hooks/${secret}`;
  const server: Server = createServer((req, res) => {
    if (req.method !== "POST" || req.url !== path || req.headers[SECRET_HEADER] !== secret) {
      res.writeHead(403).end();
      req.resume();
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY) chunks.push(chunk);
    });
    req.on("end", () => {
      res.writeHead(200, { "content-type": "application/json" }).end("{}");
      if (size > MAX_BODY) return;
      try {
        onHook(JSON.parse(Buffer.concat(chunks).toString("utf8")) as HookInput);
      } catch {
        // Not JSON: ignore it, as Claude Code ignores our empty answer.
      }
    });
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      server.unref();
      const { port } = server.address() as AddressInfo;
      resolve({
        url: `http://127.0.0.1:${port}${path}`,
        header: [SECRET_HEADER, secret],
        close: () => {
          server.closeAllConnections();
          server.close();
        },
      });
    });
  });
}
