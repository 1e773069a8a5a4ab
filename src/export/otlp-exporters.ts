/**
 * OTLP span exporters (and the delegate options metric exporters share), built from a resolved
 * `Endpoint` alone. The OpenTelemetry
 * exporter classes merge `OTEL_EXPORTER_OTLP_*` from `process.env` into whatever they are given
 * (headers, endpoint, compression, timeout, certificates), which sent one backend's credentials to
 * another and ignored the library's `options.env`. So the exporters are assembled from the SDK's
 * own export delegates, which read no environment: every value comes from the endpoint.
 */
import { OTLPExporterBase } from "@opentelemetry/otlp-exporter-base";
import { createOtlpHttpExportDelegate, httpAgentFactoryFromOptions } from "@opentelemetry/otlp-exporter-base/node-http";
import type { createOtlpGrpcExportDelegate } from "@opentelemetry/otlp-grpc-exporter-base";
import {
  JsonTraceSerializer,
  ProtobufTraceSerializer,
  TraceExporterMetricsHelper,
} from "@opentelemetry/otlp-transformer";
import type { ReadableSpan, SpanExporter } from "@opentelemetry/sdk-trace";
import type { Endpoint, TlsFiles } from "../config/backends.ts";
import { readRegularFile } from "../config/read-file.ts";
import { trustDeferredExtraCa } from "./extra-ca.ts";
import { retryingExport } from "./grpc-retry.ts";
import { LastStatus, StatusNamingExporter } from "./http-status.ts";

const CONCURRENCY = 30;

type HttpOptions = Parameters<typeof createOtlpHttpExportDelegate>[0];
type GrpcOptions = Parameters<typeof createOtlpGrpcExportDelegate>[0];

/** Larger than this, a certificate or key file is not one. */
const MAX_TLS_FILE = 4 * 1024 * 1024;

/** A certificate or key file an https endpoint is configured with that cannot be read. */
export class TlsFileError extends Error {}

/**
 * The certificate and key files of an endpoint, read; none over plain http, where they are not
 * used (nor is `NODE_EXTRA_CA_CERTS`, which an https endpoint makes trusted: see extra-ca.ts).
 * Throws a `TlsFileError` for one that cannot be read: such a backend gets nothing (see
 * `backendExporter`), since without its CA file the connection would be checked against the public
 * CAs instead of the one the user named, with the user's credentials in its headers.
 */
export function readTls(tls: TlsFiles | undefined, url: string): { ca?: Buffer; cert?: Buffer; key?: Buffer } {
  if (!url.startsWith("https:")) return {};
  trustDeferredExtraCa();
  const read = (path: string | undefined, what: string) => {
    if (!path) return undefined;
    try {
      return readRegularFile(path, MAX_TLS_FILE);
    } catch (error) {
      throw new TlsFileError(
        `could not read the ${what} file ${path} (${(error as Error).message}), so nothing is sent there`,
      );
    }
  };
  return {
    ca: read(tls?.ca, "CA certificate"),
    cert: read(tls?.cert, "client certificate"),
    key: read(tls?.key, "client key"),
  };
}

/**
 * The delegate's configuration for OTLP over HTTP: exactly the endpoint's URL, headers and TLS.
 * `detached`: its connections never keep the process alive. A run's exporters and the background
 * re-send's are: claudia holds the process for its own bounds at the end of the run, and a program
 * using the library must not be held past them by a backend that does not answer, or by a re-send
 * still going through earlier runs. `claudia traces push` holds it.
 */
export function httpOptions(
  endpoint: Endpoint,
  timeoutMillis: number,
  detached = false,
  status?: LastStatus,
): HttpOptions {
  const contentType = endpoint.protocol === "http/json" ? "application/json" : "application/x-protobuf";
  const headers = { ...endpoint.headers, "Content-Type": contentType };
  return {
    url: endpoint.url,
    headers: async () => headers,
    timeoutMillis,
    concurrencyLimit: CONCURRENCY,
    compression: endpoint.compression,
    agentFactory: detachable(
      watched(httpAgentFactoryFromOptions({ keepAlive: true, ...readTls(endpoint.tls, endpoint.url) }), status),
      detached,
    ),
  };
}

type AgentFactory = ReturnType<typeof httpAgentFactoryFromOptions>;

const watched = (factory: AgentFactory, status: LastStatus | undefined) => (status ? status.watch(factory) : factory);

/**
 * The factory's agents, their sockets unreferenced when `detached`: when made, and each time a
 * kept-alive socket is used again (node's agent references a socket it reuses, so a second request
 * on one connection held the process until it was answered).
 */
function detachable(factory: AgentFactory, detached: boolean): AgentFactory {
  if (!detached) return factory;
  return async (protocol) => {
    const agent = await factory(protocol);
    const create = agent.createConnection.bind(agent) as (...args: unknown[]) => { unref?: () => void };
    (agent as { createConnection: unknown }).createConnection = (...args: unknown[]) => {
      const socket = create(...args);
      socket?.unref?.();
      return socket;
    };
    const reuse = agent.reuseSocket.bind(agent);
    agent.reuseSocket = (socket, request) => {
      reuse(socket, request);
      (socket as { unref?: () => void }).unref?.();
    };
    return agent;
  };
}

/** The delegate's configuration for OTLP/gRPC: the endpoint's address, metadata and credentials. */
export async function grpcOptions(endpoint: Endpoint, timeoutMillis: number): Promise<GrpcOptions> {
  const { createEmptyMetadata, createInsecureCredentials, createSslCredentials } = await import(
    "@opentelemetry/otlp-grpc-exporter-base"
  );
  const url = new URL(endpoint.url);
  const tls = readTls(endpoint.tls, endpoint.url);
  return {
    url: url.host,
    metadata: () => {
      const metadata = createEmptyMetadata();
      for (const [k, v] of Object.entries(endpoint.headers)) metadata.set(k, v);
      return metadata;
    },
    credentials: () =>
      url.protocol === "http:" ? createInsecureCredentials() : createSslCredentials(tls.ca, tls.key, tls.cert),
    timeoutMillis,
    concurrencyLimit: CONCURRENCY,
    compression: endpoint.compression,
  };
}

/**
 * A span exporter for this endpoint, reading nothing but the endpoint. Over gRPC its exports are
 * retried as the SDK's HTTP ones are (grpc-retry.ts).
 */
export async function otlpTraceExporter(
  endpoint: Endpoint,
  timeoutMillis: number,
  detached = false,
): Promise<SpanExporter> {
  if (endpoint.protocol === "grpc") {
    const { createOtlpGrpcExportDelegate } = await import("@opentelemetry/otlp-grpc-exporter-base");
    const options = await grpcOptions(endpoint, timeoutMillis);
    const make = async (ms: number) =>
      new OTLPExporterBase<ReadableSpan[]>(
        createOtlpGrpcExportDelegate(
          { ...options, timeoutMillis: ms },
          ProtobufTraceSerializer,
          "otlp_grpc_span_exporter",
          TraceExporterMetricsHelper,
          undefined,
          "TraceExportService",
          "/opentelemetry.proto.collector.trace.v1.TraceService/Export",
        ),
      );
    const exporter = await make(timeoutMillis);
    return {
      export: retryingExport(exporter, make, { timeoutMillis, detached }),
      shutdown: () => exporter.shutdown(),
      forceFlush: () => exporter.forceFlush(),
    };
  }
  const serializer = endpoint.protocol === "http/json" ? JsonTraceSerializer : ProtobufTraceSerializer;
  const status = new LastStatus();
  const exporter = new OTLPExporterBase<ReadableSpan[]>(
    createOtlpHttpExportDelegate(
      httpOptions(endpoint, timeoutMillis, detached, status),
      serializer,
      "otlp_http_span_exporter",
      TraceExporterMetricsHelper,
      undefined,
    ),
  );
  return new StatusNamingExporter(exporter, status);
}
