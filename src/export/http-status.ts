/**
 * The HTTP status an OTLP/HTTP backend answered, kept for the error that says why a send failed.
 * The OpenTelemetry exporter drops it for the statuses it retries (429, 502, 503, 504), leaving
 * "Export failed with retryable status": a spent quota and an outage then read the same. The
 * status is named with its standard phrase, never the backend's own phrase or body, which may
 * echo the request's credentials.
 */
import { STATUS_CODES } from "node:http";
import { type ExportResult, ExportResultCode } from "@opentelemetry/core";
import type { httpAgentFactoryFromOptions } from "@opentelemetry/otlp-exporter-base/node-http";
import type { ReadableSpan, SpanExporter } from "@opentelemetry/sdk-trace";

type AgentFactory = ReturnType<typeof httpAgentFactoryFromOptions>;

/** An HTTP status a backend answered with: `code` as the OpenTelemetry exporter's own errors carry it. */
export class HttpStatusError extends Error {
  constructor(readonly code: number) {
    super(httpStatusText(code));
  }
}

/** `HTTP 503 Service Unavailable`: the status and its standard phrase. */
export function httpStatusText(code: number): string {
  const phrase = STATUS_CODES[code];
  return phrase ? `HTTP ${code} ${phrase}` : `HTTP ${code}`;
}

/** A status code an HTTP error carries (the exporter's `OTLPExporterError`, a `HttpStatusError`). */
export function httpStatusOf(error: unknown): number | undefined {
  const code = (error as { code?: unknown } | undefined)?.code;
  return typeof code === "number" && Number.isInteger(code) && code >= 100 && code <= 599 ? code : undefined;
}

/** The status of the last answer that came through an exporter's connections. */
export class LastStatus {
  code: number | undefined;

  /** The factory's agents, noting the status of every answer. */
  watch(factory: AgentFactory): AgentFactory {
    return async (protocol) => {
      const agent = await factory(protocol);
      const add = (agent as unknown as { addRequest: AddRequest }).addRequest.bind(agent);
      (agent as unknown as { addRequest: AddRequest }).addRequest = (request, options) => {
        request.once("response", (response: { statusCode?: number }) => {
          this.code = response.statusCode;
        });
        return add(request, options);
      };
      return agent;
    };
  }
}

type AddRequest = (
  request: { once(event: "response", listener: (r: { statusCode?: number }) => void): void },
  options: unknown,
) => void;

/** An exporter whose failures without a status (the retried ones) name the status last answered. */
export class StatusNamingExporter implements SpanExporter {
  constructor(
    private readonly inner: SpanExporter,
    private readonly last: LastStatus,
  ) {}

  export(spans: ReadableSpan[], done: (result: ExportResult) => void): void {
    this.inner.export(spans, (result) => {
      const code = this.last.code;
      const unnamed =
        result.code === ExportResultCode.FAILED && result.error?.message === RETRIED && !httpStatusOf(result.error);
      done(unnamed && code !== undefined && code >= 300 ? { ...result, error: new HttpStatusError(code) } : result);
    });
  }

  shutdown(): Promise<void> {
    return this.inner.shutdown();
  }

  forceFlush(): Promise<void> {
    return this.inner.forceFlush?.() ?? Promise.resolve();
  }
}

/** The exporter's error when the last try was a status it retries. */
const RETRIED = "Export failed with retryable status";
