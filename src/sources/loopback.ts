/**
 * A local endpoint for what Claude Code sends claudia while it runs (hooks, its log events):
 * listening on 127.0.0.1 only, on a free port, never keeping claudia alive by itself.
 */
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";

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
