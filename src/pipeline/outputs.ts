/**
 * Where a run's spans go: claudia's own exporters (every configured backend, plus the local
 * journal, with a delivery report per backend), or the caller's tracer provider.
 */
import type { TracerProvider } from "@opentelemetry/api";
import type { Config } from "../config/resolve.ts";
import { createRunProvider, type ExportReport } from "../export/provider.ts";
import { RunJournal } from "../export/run-journal.ts";
import { detectCiResource } from "../sources/ci-resource.ts";
import { PresetIdGenerator } from "../trace/ids.ts";
import type { RunDescription } from "./description.ts";

export interface RunOutputs {
  provider: TracerProvider;
  journal?: RunJournal;
  reports: ExportReport[];
  /** Deliver what is left, within the configured bound. */
  close(): Promise<void>;
}

/** The caller's provider: flushed at the end, never shut down (it is not the run's). */
export function callerOutputs(provider: TracerProvider): RunOutputs {
  const flushable = provider as { forceFlush?: () => Promise<void> };
  return {
    provider,
    reports: [],
    close: async () => {
      await flushable.forceFlush?.().catch(() => {});
    },
  };
}

/**
 * The run's resource attributes: the CI pipeline and the checkout's commit (unless
 * `CLAUDIA_DETECT_CI=off`), with `OTEL_RESOURCE_ATTRIBUTES` over them.
 */
export function resourceAttributesOf(config: Config, env: NodeJS.ProcessEnv, cwd: string): Record<string, string> {
  return { ...(config.detectCi ? detectCiResource(env, cwd) : {}), ...config.resourceAttributes };
}

/** claudia's own exporters and journal for a run, from the resolved configuration. */
export async function ownOutputs(description: RunDescription): Promise<RunOutputs> {
  const { env, startTime, ids, log, config } = description;
  const journal = RunJournal.open(config.journal, startTime, ids.traceId, log.warn);
  const resourceAttributes = resourceAttributesOf(config, env, description.cwd ?? process.cwd());
  const run = await createRunProvider(
    { ...config, resourceAttributes },
    new PresetIdGenerator(ids),
    journal ? [journal.exporter] : [],
  );
  return { provider: run.provider, journal, reports: run.reports, close: run.close };
}
