/**
 * A local endpoint for what Claude Code sends claudia while it runs (hooks, its log events):
 * listening on 127.0.0.1 only, on a free port, never keeping claudia alive by itself, and bounded:
 * another local user can connect to it too, so headers, slow requests and connections are limited.
 */
import { createServer, type RequestListener, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export interface LoopbackLimits {
  maxConnections: number;
  maxHeaderSize: number;
  /** A request's headers must have arrived this long after it began… */
  headersTimeoutMs: number;
  /** …and the whole request this long after. */
  requestTimeoutMs: number;
}

export const LOOPBACK_LIMITS: LoopbackLimits = {
  maxConnections: 32,
  maxHeaderSize: 16 * 1024,
  headersTimeoutMs: 5000,
  requestTimeoutMs: 30000,
};

/**
 * An HTTP server whose limits hold. Node checks the two timeouts only every
 * `connectionsCheckingInterval` (30 s by default), so a silent connection would stay six times
 * longer than `headersTimeout` says; it is checked here at a fifth of the shorter one.
 */
export function boundedServer(listener: RequestListener, limits: Partial<LoopbackLimits> = {}): Server {
  const { maxConnections, maxHeaderSize, headersTimeoutMs, requestTimeoutMs } = { ...LOOPBACK_LIMITS, ...limits };
  const server = createServer(
    { maxHeaderSize, connectionsCheckingInterval: Math.max(10, Math.min(headersTimeoutMs, requestTimeoutMs) / 5) },
    listener,
  );
  server.maxConnections = maxConnections;
  server.headersTimeout = headersTimeoutMs;
  server.requestTimeout = requestTimeoutMs;
  return server;
}

/** Listen on a free loopback port; resolves to the port. */
export function listenOnLoopback(server: Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      server.unref();
      resolve((server.address() as AddressInfo).port);
    });
  });
}

/** Stop listening and drop every open connection. */
export function closeNow(server: Server): void {
  server.closeAllConnections();
  server.close();
}
