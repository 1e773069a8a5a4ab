/**
 * An OTLP receiver on 127.0.0.1 for end-to-end tests: OTLP/HTTP (JSON and protobuf) and OTLP/gRPC.
 * It stores every span a real OTLP exporter delivers, flattened to a shape tests can assert on.
 * Protobuf is decoded with code generated from the official opentelemetry-proto definitions.
 */

import { createServer, type RequestListener, type Server } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import { createRequire } from "node:module";
import type { AddressInfo } from "node:net";
import * as grpc from "@grpc/grpc-js";

interface ProtoType {
  decode(buffer: Uint8Array): unknown;
  toObject(message: unknown, options: Record<string, unknown>): Record<string, unknown>;
}
const proto = createRequire(import.meta.url)("otlp-proto-definitions/build/src/generated/root.js") as {
  opentelemetry: {
    proto: {
      collector: {
        trace: { v1: { ExportTraceServiceRequest: ProtoType } };
        metrics: { v1: { ExportMetricsServiceRequest: ProtoType } };
      };
    };
  };
};
const decodeWith = (type: ProtoType) => (bytes: Uint8Array) =>
  type.toObject(type.decode(bytes), { longs: String, bytes: String, enums: Number, defaults: false });
const decodeProtobuf = decodeWith(proto.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest);
const decodeMetrics = decodeWith(proto.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest);

/** One data point of a received metric, flattened: a sum's value, or a histogram's count and sum. */
export interface ReceivedPoint {
  metric: string;
  unit: string;
  attributes: Record<string, AttributeValue>;
  value?: number;
  count?: number;
  sum?: number;
  /** The metric's aggregation temporality: 1 delta, 2 cumulative (OTLP's enum); undefined for a gauge. */
  temporality?: number;
}

export type AttributeValue = string | number | boolean | AttributeValue[] | null;

/** An attribute value with its OTLP type kept (`int` and `double` apart), to compare wire formats. */
export type TypedValue =
  | { string: string }
  | { int: number }
  | { double: number }
  | { bool: boolean }
  | { array: TypedValue[] }
  | null;

export interface ReceivedSpan {
  traceId: string;
  spanId: string;
  parentSpanId: string;
  name: string;
  kind: number;
  startMs: number;
  endMs: number;
  attributes: Record<string, AttributeValue>;
  /** The same attributes with their OTLP types (received spans only). */
  typed?: Record<string, TypedValue>;
  status: { code: number; message?: string };
  events: { name: string; attributes: Record<string, AttributeValue>; typed?: Record<string, TypedValue> }[];
  resource: Record<string, AttributeValue>;
}

/**
 * A fault the receiver can be told to play. Over gRPC a black hole, slow or held answer plays the
 * same; `grpc-status` answers gRPC with that status code; the rest are HTTP only.
 */
export type Fault =
  /** `times`: answered so that many times, then as `after` says (healthy when it says nothing). */
  | { kind: "grpc-status"; code: number; details: string; times?: number; after?: Fault }
  | { kind: "blackhole" }
  | { kind: "slow"; ms: number }
  /** Answers once `until` resolves. */
  | { kind: "hold"; until: Promise<void> }
  /** `reason` and `body`: a reason phrase and a body the answer carries (what a backend may echo). */
  | { kind: "status"; status: number; retryAfter?: string; reason?: string; body?: string }
  | { kind: "too-large"; maxBytes: number };

export interface OtlpReceiver {
  url: string;
  /** Every metric data point received (all requests, in order). */
  points: ReceivedPoint[];
  /** Set to make the HTTP endpoint misbehave; undefined for a healthy backend. */
  fault: Fault | undefined;
  /** The OTLP/gRPC address (http://127.0.0.1:PORT, https:// with `tls`). */
  grpcUrl: string;
  spans: ReceivedSpan[];
  requests: { path: string; headers: Record<string, unknown>; contentType: string }[];
  /** Requests (HTTP or gRPC) whose body has arrived, answered or not (a slow or black-hole fault holds the answer). */
  arrivals: number;
  close(): Promise<void>;
}

type OtlpValue = {
  stringValue?: string;
  intValue?: string | number;
  doubleValue?: number;
  boolValue?: boolean;
  arrayValue?: { values?: OtlpValue[] };
};

function value(v: OtlpValue | undefined): AttributeValue {
  if (!v) return null;
  if (v.stringValue !== undefined) return v.stringValue;
  if (v.intValue !== undefined) return Number(v.intValue);
  if (v.doubleValue !== undefined) return v.doubleValue;
  if (v.boolValue !== undefined) return v.boolValue;
  if (v.arrayValue) return (v.arrayValue.values ?? []).map(value);
  return null;
}

function typedValue(v: OtlpValue | undefined): TypedValue {
  if (!v) return null;
  if (v.stringValue !== undefined) return { string: v.stringValue };
  if (v.intValue !== undefined) return { int: Number(v.intValue) };
  if (v.doubleValue !== undefined) return { double: v.doubleValue };
  if (v.boolValue !== undefined) return { bool: v.boolValue };
  if (v.arrayValue) return { array: (v.arrayValue.values ?? []).map(typedValue) };
  return null;
}

function typedAttributes(list: { key: string; value: OtlpValue }[] | undefined): Record<string, TypedValue> {
  return Object.fromEntries((list ?? []).map((a) => [a.key, typedValue(a.value)]));
}

function attributes(list: { key: string; value: OtlpValue }[] | undefined): Record<string, AttributeValue> {
  return Object.fromEntries((list ?? []).map((a) => [a.key, value(a.value)]));
}

const hex = (id: string | undefined) => {
  if (!id) return "";
  return /^[0-9a-f]+$/i.test(id) ? id.toLowerCase() : Buffer.from(id, "base64").toString("hex");
};

/**
 * Start a receiver; `port` and `grpcPort` pin its ports (to bring a "down" backend back up at the
 * same address); `grpcMaxBytes` is the largest gRPC message it takes (gRPC servers' own limit);
 * `tls`: both endpoints speak TLS with this key and certificate, at https:// addresses.
 */
export async function startOtlpReceiver(
  options: { port?: number; grpcPort?: number; grpcMaxBytes?: number; tls?: { key: Buffer; cert: Buffer } } = {},
): Promise<OtlpReceiver> {
  const spans: ReceivedSpan[] = [];
  const requests: OtlpReceiver["requests"] = [];
  // biome-ignore lint/suspicious/noExplicitAny: OTLP request bodies are checked field by field below.
  const collect = (body: any) => {
    for (const rs of body.resourceSpans ?? []) {
      const resource = attributes(rs.resource?.attributes);
      for (const ss of rs.scopeSpans ?? []) {
        for (const s of ss.spans ?? []) {
          spans.push({
            traceId: hex(s.traceId),
            spanId: hex(s.spanId),
            parentSpanId: hex(s.parentSpanId),
            name: s.name,
            kind: s.kind,
            startMs: Number(BigInt(s.startTimeUnixNano) / 1000000n),
            endMs: Number(BigInt(s.endTimeUnixNano) / 1000000n),
            attributes: attributes(s.attributes),
            typed: typedAttributes(s.attributes),
            status: { code: s.status?.code ?? 0, message: s.status?.message },
            events: (s.events ?? []).map((e: { name: string; attributes: [] }) => ({
              name: e.name,
              attributes: attributes(e.attributes),
              typed: typedAttributes(e.attributes),
            })),
            resource,
          });
        }
      }
    }
  };
  const points: ReceivedPoint[] = [];
  // biome-ignore lint/suspicious/noExplicitAny: OTLP request bodies are checked field by field below.
  const collectMetrics = (body: any) => {
    for (const rm of body.resourceMetrics ?? []) {
      for (const sm of rm.scopeMetrics ?? []) {
        for (const m of sm.metrics ?? []) {
          const data = m.sum ?? m.histogram ?? m.gauge;
          for (const p of data?.dataPoints ?? []) {
            points.push({
              metric: m.name,
              unit: m.unit ?? "",
              attributes: attributes(p.attributes),
              value: p.asDouble ?? (p.asInt !== undefined ? Number(p.asInt) : undefined),
              count: p.count !== undefined ? Number(p.count) : undefined,
              sum: p.sum,
              temporality: data?.aggregationTemporality,
            });
          }
        }
      }
    }
  };
  const handle: RequestListener = (req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      receiver.arrivals++;
      const fault = receiver.fault;
      if (fault?.kind === "blackhole") return;
      if (fault?.kind === "status") {
        const headers = fault.retryAfter ? { "retry-after": fault.retryAfter } : {};
        if (fault.reason === undefined) res.writeHead(fault.status, headers);
        else res.writeHead(fault.status, fault.reason, headers);
        res.end(fault.body ?? "");
        return;
      }
      const size = chunks.reduce((n, c) => n + c.length, 0);
      if (fault?.kind === "too-large" && size > fault.maxBytes) {
        res.writeHead(413);
        res.end();
        return;
      }
      if (fault?.kind === "slow") {
        setTimeout(() => answer(), fault.ms);
        return;
      }
      if (fault?.kind === "hold") {
        void fault.until.then(answer);
        return;
      }
      answer();
    });
    // Acknowledged first, as a collector does once a request is read; decoded for the tests right
    // after, in the same tick, so a test that sees the sender exit sees what it sent. Decoding here
    // takes milliseconds of JavaScript a collector does not spend, which the sender would otherwise
    // wait for.
    const answer = () => {
      const contentType = String(req.headers["content-type"] ?? "");
      requests.push({ path: req.url ?? "", headers: req.headers, contentType });
      const json = contentType.includes("json");
      res.writeHead(200, { "content-type": json ? "application/json" : "application/x-protobuf" });
      res.end(json ? "{}" : "");
      const bytes = Buffer.concat(chunks);
      if (req.url === "/v1/traces") collect(json ? JSON.parse(bytes.toString("utf8")) : decodeProtobuf(bytes));
      else if (req.url === "/v1/metrics")
        collectMetrics(json ? JSON.parse(bytes.toString("utf8")) : decodeMetrics(bytes));
    };
  };
  const server: Server = options.tls ? createHttpsServer(options.tls, handle) : createServer(handle);
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;

  const grpcServer = new grpc.Server(
    options.grpcMaxBytes ? { "grpc.max_receive_message_length": options.grpcMaxBytes } : {},
  );
  /** An OTLP gRPC Export method that hands the raw request to `take`, or plays the receiver's fault. */
  const exportService = (service: string, label: string, take: (bytes: Buffer) => void) =>
    grpcServer.addService(
      {
        Export: {
          path: `/opentelemetry.proto.collector.${service}/Export`,
          requestStream: false,
          responseStream: false,
          requestSerialize: (v: Buffer) => v,
          requestDeserialize: (bytes: Buffer) => bytes,
          responseSerialize: () => Buffer.alloc(0),
          responseDeserialize: (bytes: Buffer) => bytes,
        },
      },
      {
        Export: (call: grpc.ServerUnaryCall<Buffer, Buffer>, callback: grpc.sendUnaryData<Buffer>) => {
          receiver.arrivals++;
          const answer = () => {
            requests.push({ path: label, headers: call.metadata.getMap(), contentType: "application/grpc" });
            callback(null, Buffer.alloc(0));
            take(call.request);
          };
          const fault = receiver.fault;
          if (fault?.kind === "blackhole") return;
          if (fault?.kind === "grpc-status") {
            if (fault.times !== undefined && --fault.times <= 0) receiver.fault = fault.after;
            callback({ code: fault.code, details: fault.details });
          } else if (fault?.kind === "slow") setTimeout(answer, fault.ms);
          else if (fault?.kind === "hold") void fault.until.then(answer);
          else answer();
        },
      },
    );
  exportService("trace.v1.TraceService", "grpc:Export", (bytes) => collect(decodeProtobuf(bytes)));
  exportService("metrics.v1.MetricsService", "grpc:MetricsExport", (bytes) => collectMetrics(decodeMetrics(bytes)));
  const grpcCredentials = options.tls
    ? grpc.ServerCredentials.createSsl(null, [{ private_key: options.tls.key, cert_chain: options.tls.cert }])
    : grpc.ServerCredentials.createInsecure();
  const grpcPort = await new Promise<number>((resolve, reject) =>
    grpcServer.bindAsync(`127.0.0.1:${options.grpcPort ?? 0}`, grpcCredentials, (error, p) =>
      error ? reject(error) : resolve(p),
    ),
  );
  const scheme = options.tls ? "https" : "http";
  const receiver: OtlpReceiver = {
    points,
    arrivals: 0,
    fault: undefined,
    url: `${scheme}://127.0.0.1:${port}`,
    grpcUrl: `${scheme}://127.0.0.1:${grpcPort}`,
    spans,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        grpcServer.forceShutdown();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  return receiver;
}
