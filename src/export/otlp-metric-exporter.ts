/**
 * OTLP metric exporters, built from a resolved `Endpoint` alone (see otlp-exporters.ts): loaded with
 * the metrics SDK, only when a backend takes metrics.
 */

import { type ExportResult, ExportResultCode } from "@opentelemetry/core";
import { createOtlpHttpExportDelegate } from "@opentelemetry/otlp-exporter-base/node-http";
import {
  JsonMetricsSerializer,
  MetricsExporterMetricsHelper,
  ProtobufMetricsSerializer,
} from "@opentelemetry/otlp-transformer";
import type { PushMetricExporter, ResourceMetrics } from "@opentelemetry/sdk-metrics";
import type { Endpoint } from "../config/backends.ts";
import type { Temporality } from "../config/resolve.ts";
import { withGrpcRetries } from "./grpc-retry.ts";
import { grpcOptions, httpOptions } from "./otlp-exporters.ts";

/** A metric exporter for this endpoint, reading nothing but the endpoint and the temporality. */
export async function otlpMetricExporter(
  endpoint: Endpoint,
  timeoutMillis: number,
  temporality: Temporality,
): Promise<PushMetricExporter> {
  const { AggregationTemporalityPreference, OTLPMetricExporterBase } = await import(
    "@opentelemetry/exporter-metrics-otlp-http"
  );
  const temporalityPreference = {
    delta: AggregationTemporalityPreference.DELTA,
    cumulative: AggregationTemporalityPreference.CUMULATIVE,
    lowmemory: AggregationTemporalityPreference.LOWMEMORY,
  }[temporality];
  if (endpoint.protocol === "grpc") {
    const { createOtlpGrpcExportDelegate } = await import("@opentelemetry/otlp-grpc-exporter-base");
    const delegate = createOtlpGrpcExportDelegate<ResourceMetrics, unknown>(
      await grpcOptions(endpoint, timeoutMillis),
      ProtobufMetricsSerializer,
      "otlp_grpc_metric_exporter",
      MetricsExporterMetricsHelper,
      undefined,
      "MetricsExportService",
      "/opentelemetry.proto.collector.metrics.v1.MetricsService/Export",
    );
    // Only a run exports metrics: its retries' waits never hold the process (see grpc-retry.ts).
    return retried(new OTLPMetricExporterBase(delegate, { temporalityPreference }), timeoutMillis);
  }
  const serializer = endpoint.protocol === "http/json" ? JsonMetricsSerializer : ProtobufMetricsSerializer;
  const delegate = createOtlpHttpExportDelegate<ResourceMetrics, unknown>(
    // Only a run exports metrics: detached, as its span exporters.
    httpOptions(endpoint, timeoutMillis, true),
    serializer,
    "otlp_http_metric_exporter",
    MetricsExporterMetricsHelper,
    undefined,
  );
  return new OTLPMetricExporterBase(delegate, { temporalityPreference });
}

/** The gRPC metric exporter with its exports retried as its span exporter's are. */
function retried(inner: PushMetricExporter, timeoutMillis: number): PushMetricExporter {
  let stopped = false;
  return {
    export: (metrics, done) => {
      const attempt = () => new Promise<ExportResult>((resolve) => inner.export(metrics, resolve));
      withGrpcRetries(attempt, { timeoutMillis, detached: true, stopped: () => stopped }).then(done, (error) =>
        done({ code: ExportResultCode.FAILED, error }),
      );
    },
    forceFlush: () => inner.forceFlush(),
    shutdown: () => {
      stopped = true;
      return inner.shutdown();
    },
    selectAggregationTemporality: inner.selectAggregationTemporality?.bind(inner),
    selectAggregation: inner.selectAggregation?.bind(inner),
  };
}
