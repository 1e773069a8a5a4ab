/**
 * A TCP port on 127.0.0.1 that nothing listens on (for a backend that refuses, or comes back later).
 *
 * Taken outside the kernel's ephemeral range: a port from `listen(0)` would be free again once
 * closed, and another test file running at the same time could be given it by its own `listen(0)`
 * (or use it as a connection's local port), so a "refusing" backend would answer after all. No
 * port outside that range is ever handed out without being asked for by number.
 */
import { readFileSync } from "node:fs";
import { createServer } from "node:net";

const given = new Set<number>();

/** The ports the kernel picks from for `listen(0)` and outgoing connections. */
function ephemeralRange(): [number, number] {
  try {
    const [low, high] = readFileSync("/proc/sys/net/ipv4/ip_local_port_range", "utf8").trim().split(/\s+/).map(Number);
    if (Number.isInteger(low) && Number.isInteger(high)) return [low as number, high as number];
  } catch {
    // Not Linux: the IANA range.
  }
  return [49152, 65535];
}

/** Candidate ports outside the ephemeral range (above the registered services' usual ones), if any. */
function candidates(): [number, number] | undefined {
  const [low, high] = ephemeralRange();
  if (low - 10000 >= 1024) return [low - 10000, low - 1];
  if (high + 1000 <= 65535) return [high + 1, 65535];
  return undefined;
}

/** Whether a server could listen on `port` now (it is closed again at once). */
function isFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once("error", () => resolve(false));
    server.listen(port, "127.0.0.1", () => server.close(() => resolve(true)));
  });
}

/** A port the kernel picks (the only way when its ephemeral range leaves no room outside). */
async function anyPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

export async function freePort(): Promise<number> {
  const range = candidates();
  if (!range) return anyPort();
  const [from, to] = range;
  for (let tries = 0; tries < 200; tries++) {
    const port = from + Math.floor(Math.random() * (to - from + 1));
    if (given.has(port) || !(await isFree(port))) continue;
    given.add(port);
    return port;
  }
  throw new Error(`no free port between ${from} and ${to}`);
}
