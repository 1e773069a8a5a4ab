/**
 * The configuration as `--config` prints it: header values (tokens included) masked, URLs without
 * `user:password@` or query values. Pure.
 */
import type { Backend, Endpoint } from "./backends.ts";
import { redactUrl } from "./parse.ts";
import type { Config } from "./resolve.ts";

const masked = (headers: Record<string, string>) => Object.fromEntries(Object.keys(headers).map((k) => [k, "***"]));

function shownEndpoint(e: Endpoint | undefined): Record<string, unknown> | "off" {
  return e ? { url: redactUrl(e.url), protocol: e.protocol, headers: masked(e.headers) } : "off";
}

function shown(b: Backend | undefined): Record<string, unknown> | "not configured" {
  if (!b) return "not configured";
  return {
    url: redactUrl(b.url),
    protocol: b.protocol,
    headers: masked(b.headers),
    ...(b.compression !== "none" ? { compression: b.compression } : {}),
    metrics: shownEndpoint(b.metrics),
  };
}

export function describeConfig(config: Config): Record<string, unknown> {
  const sentry = config.sentry?.sentry;
  return {
    serviceName: config.serviceName,
    resourceAttributes: config.resourceAttributes,
    ...(config.exportsDisabled ? { exports: "off (OTEL_SDK_DISABLED): no backend gets anything" } : {}),
    otlp: shown(config.otlp),
    logfire: shown(config.logfire),
    sentry:
      config.sentry && sentry
        ? {
            url: config.sentry.url,
            environment: sentry.environment ?? "production",
            release: sentry.release ?? "not set",
            tracesSampleRate: sentry.tracesSampleRate,
          }
        : "not configured",
    metricsTemporality: config.metricsTemporality,
    exportTimeoutMs: config.exportTimeoutMs,
    scheduleDelayMs: config.scheduleDelayMs,
    content: config.content,
    redaction: { enabled: config.redaction.enabled, patterns: config.redaction.patterns.length },
    journal: config.journal.enabled
      ? { dir: config.journal.dir, maxAgeDays: config.journal.maxAgeDays, maxBytes: config.journal.maxBytes }
      : "off",
    debug: config.debug,
  };
}
