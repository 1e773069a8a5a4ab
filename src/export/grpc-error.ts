/**
 * Errors of OTLP/gRPC exports, told apart from HTTP's: grpc-js's ServiceError carries a gRPC
 * status code (3, 8, 14…) where an HTTP export error carries an HTTP status (400, 413, 503…).
 */

/** INVALID_ARGUMENT: the backend will not take the data (HTTP's 400). */
export const GRPC_INVALID_ARGUMENT = 3;
/** RESOURCE_EXHAUSTED: a quota, or a message over the size the server takes. */
const GRPC_RESOURCE_EXHAUSTED = 8;

/** A gRPC client error (`@grpc/grpc-js`'s ServiceError): a status code, its details, the server's metadata. */
export function grpcError(error: unknown): { code: number; details: string; message: string } | undefined {
  const e = error as { code?: unknown; details?: unknown; metadata?: unknown; message?: unknown } | undefined;
  if (typeof e?.code !== "number" || typeof e.details !== "string" || typeof e.metadata !== "object") return undefined;
  return {
    code: e.code,
    details: e.details,
    message: typeof e.message === "string" ? e.message : `${e.code}: ${e.details}`,
  };
}

/**
 * A message over the server's size limit (HTTP's 413): RESOURCE_EXHAUSTED saying so, as grpc-js
 * ("Received message larger than max") and grpc-go, the Collector's ("grpc: received message larger
 * than max"), word it. A quota's RESOURCE_EXHAUSTED is not one.
 */
export function isGrpcTooLarge(error: unknown): boolean {
  const grpc = grpcError(error);
  return grpc?.code === GRPC_RESOURCE_EXHAUSTED && /larger than max/i.test(grpc.details);
}
