/**
 * The two loopback endpoints (hooks, Claude Code's log events) are reachable by every local user:
 * a connection that sends its headers or its body too slowly is dropped when the limits say, not
 * at node's 30 s check, and connections beyond the limit are refused.
 */
import assert from "node:assert/strict";
import { connect, type Socket } from "node:net";
import { describe, test } from "node:test";
import { startClaudeEventsServer } from "../../src/sources/claude-events-server.ts";
import { startHookServer } from "../../src/sources/hook-server.ts";
import type { LoopbackLimits } from "../../src/sources/loopback.ts";

const LIMITS: Partial<LoopbackLimits> = { headersTimeoutMs: 300, requestTimeoutMs: 600, maxConnections: 3 };
/** Far below node's own 30 s check, far above the limits: the outcome does not depend on timing. */
const DEADLINE_MS = 8000;

interface Endpoint {
  url: string;
  /** Header lines a request needs to be taken (the hooks' secret). */
  headers?: string;
  close(): unknown;
}

const endpoints: Record<string, () => Promise<Endpoint>> = {
  hooks: async () => {
    const server = await startHookServer(() => {}, { limits: LIMITS });
    return { url: server.url, headers: `${server.header.join(": ")}\r\n`, close: () => server.close() };
  },
  "log events": async () => {
    const server = await startClaudeEventsServer({ emit: () => {}, limits: LIMITS });
    return { url: server.endpoint, close: () => server.close() };
  },
};

function open(url: string): Promise<Socket> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => resolve(socket));
    socket.on("error", reject);
  });
}

/** Resolves to what the server sent before it closed the connection, or rejects at the deadline. */
function closedBy(socket: Socket): Promise<string> {
  return new Promise((resolve, reject) => {
    let received = "";
    const timer = setTimeout(() => reject(new Error("the connection is still open")), DEADLINE_MS);
    socket.on("data", (chunk) => (received += String(chunk)));
    socket.on("error", () => {});
    socket.on("close", () => {
      clearTimeout(timer);
      resolve(received);
    });
  });
}

for (const [name, start] of Object.entries(endpoints)) {
  describe(`the ${name} endpoint`, () => {
    test("drops a connection whose headers never end", async () => {
      const endpoint = await start();
      try {
        const socket = await open(endpoint.url);
        socket.write(`POST ${new URL(endpoint.url).pathname} HTTP/1.1\r\nHost: 127.0.0.1\r\n`);
        assert.match(await closedBy(socket), /^HTTP\/1\.1 408/);
      } finally {
        endpoint.close();
      }
    });

    test("drops a request whose body never ends", async () => {
      const endpoint = await start();
      try {
        const socket = await open(endpoint.url);
        socket.write(
          `POST ${new URL(endpoint.url).pathname} HTTP/1.1\r\nHost: 127.0.0.1\r\n${endpoint.headers ?? ""}Content-Length: 100\r\n\r\n{`,
        );
        const drip = setInterval(() => socket.writable && socket.write(" "), 100);
        try {
          assert.match(await closedBy(socket), /^HTTP\/1\.1 408/);
        } finally {
          clearInterval(drip);
        }
      } finally {
        endpoint.close();
      }
    });

    test("refuses connections beyond its limit", async () => {
      const endpoint = await start();
      const sockets: Socket[] = [];
      try {
        for (let i = 0; i < 3; i++) sockets.push(await open(endpoint.url));
        const extra = await open(endpoint.url);
        sockets.push(extra);
        assert.equal(await closedBy(extra), "", "closed without an answer");
        for (const socket of sockets.slice(0, 3)) assert.equal(socket.destroyed, false, "the first three stay");
      } finally {
        for (const socket of sockets) socket.destroy();
        endpoint.close();
      }
    });
  });
}
