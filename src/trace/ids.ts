/**
 * Trace identity decided before the OpenTelemetry SDK is loaded.
 *
 * claudia starts Claude Code first and loads the SDK while it runs, yet Claude Code (and every
 * Bash tool it runs) must receive the root span's context in `TRACEPARENT`. So the root's ids
 * are drawn here, handed to the child, and later given to the SDK through `PresetIdGenerator`.
 */
import { randomBytes } from "node:crypto";

export interface RootIds {
  traceId: string;
  spanId: string;
  /** The incoming parent (W3C traceparent), when there is one. */
  parent?: { traceId: string; spanId: string; traceFlags: number; traceState?: string };
}

const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

/** Parse a W3C `traceparent` header value; undefined when it is absent or malformed. */
export function parseTraceparent(value: string | undefined, traceState?: string): RootIds["parent"] {
  const m = TRACEPARENT.exec(value?.trim().toLowerCase() ?? "");
  if (!m || m[1] === "ff" || /^0+$/.test(m[2] ?? "") || /^0+$/.test(m[3] ?? "")) return undefined;
  return {
    traceId: m[2] as string,
    spanId: m[3] as string,
    traceFlags: Number.parseInt(m[4] as string, 16),
    traceState: traceState || undefined,
  };
}

export function newRootIds(env: NodeJS.ProcessEnv = process.env): RootIds {
  const parent = parseTraceparent(env.TRACEPARENT, env.TRACESTATE);
  return { ...randomRootIds(parent?.traceId), parent };
}

/** Fresh root ids, in the given trace when there is one (the caller's active span's). */
export function randomRootIds(traceId?: string): RootIds {
  return { traceId: traceId ?? randomBytes(16).toString("hex"), spanId: randomBytes(8).toString("hex") };
}

/** The `TRACEPARENT` value that makes Claude Code's work a child of the root span. */
export function childTraceparent(ids: RootIds): string {
  const flags = ids.parent ? ids.parent.traceFlags & 1 : 1;
  return `00-${ids.traceId}-${ids.spanId}-0${flags}`;
}

/**
 * An OpenTelemetry `IdGenerator` that hands out the preset root ids once, then random ones.
 */
export class PresetIdGenerator {
  private traceIdUsed = false;
  private spanIdUsed = false;
  constructor(private readonly ids: RootIds) {}
  generateTraceId(): string {
    if (!this.traceIdUsed) {
      this.traceIdUsed = true;
      return this.ids.traceId;
    }
    return randomBytes(16).toString("hex");
  }
  generateSpanId(): string {
    if (!this.spanIdUsed) {
      this.spanIdUsed = true;
      return this.ids.spanId;
    }
    return randomBytes(8).toString("hex");
  }
}
