/**
 * An endpoint on 127.0.0.1 that receives Claude Code's `http` hooks.
 *
 * Only requests that carry the run's secret (in the path and a header, compared in constant time)
 * are taken; anything else gets 403 and is forgotten. Of those, only hooks of this run's session
 * reach claudia (see `firstSession`). Connections, header and body sizes and request times are
 * bounded. Every hook is answered at once with `{}` (no decision), so Claude Code carries on
 * exactly as it would without claudia.
 */
import { randomBytes, timingSafeEqual } from "node:crypto";
import type { Server } from "node:http";
import { boundedServer, closeNow, type LoopbackLimits, listenOnLoopback } from "./loopback.ts";

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

/** Whether a hook (carrying the secret) belongs to this run; called once per hook, in order. */
export type SessionFilter = (input: HookInput) => boolean;

/** Hooks of one known session only. */
export const onlySession =
  (sessionId: string): SessionFilter =>
  (input) =>
    input.session_id === sessionId;

/**
 * The session of the first `UserPromptSubmit`; once that session has ended (`SessionEnd`, as on
 * `/clear` and on `/resume` in the UI), the session of the next `UserPromptSubmit`. Hooks of any
 * other session are dropped.
 */
export function firstSession(): SessionFilter {
  let current: string | undefined;
  let ended = true;
  return (input) => {
    const id = input.session_id;
    if (typeof id !== "string") return false;
    if (id === current) {
      if (input.hook_event_name === "SessionEnd") ended = true;
      return true;
    }
    if (!ended || input.hook_event_name !== "UserPromptSubmit") return false;
    current = id;
    ended = false;
    return true;
  };
}

export interface HookServerOptions {
  sessionFilter?: SessionFilter;
  /** Connections, header size and time allowed (see loopback.ts). */
  limits?: Partial<LoopbackLimits>;
}

const MAX_BODY = 1024 * 1024;
export const SECRET_HEADER = "x-claudia-secret";

/** Equal strings, compared in time that does not depend on where they differ. */
export function sameSecret(given: unknown, expected: string): boolean {
  if (typeof given !== "string") return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

export function startHookServer(
  onHook: (input: HookInput) => void,
  options: HookServerOptions = {},
): Promise<HookServer> {
  const secret = randomBytes(24).toString("hex");
  const path = `/hooks/${secret}`;
  const belongs = options.sessionFilter ?? firstSession();
  const server: Server = boundedServer(
    (req, res) => {
      if (req.method !== "POST" || !sameSecret(req.url, path) || !sameSecret(req.headers[SECRET_HEADER], secret)) {
        res.writeHead(403, { connection: "close" }).end();
        req.resume();
        return;
      }
      const chunks: Buffer[] = [];
      let size = 0;
      req.on("data", (chunk: Buffer) => {
        size += chunk.length;
        if (size <= MAX_BODY) chunks.push(chunk);
        else if (!res.headersSent) res.writeHead(413, { connection: "close" }).end(() => req.destroy());
      });
      req.on("end", () => {
        if (size > MAX_BODY) return;
        res.writeHead(200, { "content-type": "application/json" }).end("{}");
        let input: unknown;
        try {
          input = JSON.parse(Buffer.concat(chunks).toString("utf8"));
        } catch {
          return; // Not JSON: ignore it, as Claude Code ignores our empty answer.
        }
        if (input && typeof input === "object" && !Array.isArray(input) && belongs(input as HookInput))
          onHook(input as HookInput);
      });
    },
    { requestTimeoutMs: 10000, ...options.limits },
  );
  return listenOnLoopback(server).then((port) => ({
    url: `http://127.0.0.1:${port}${path}`,
    header: [SECRET_HEADER, secret],
    close: () => closeNow(server),
  }));
}
