/**
 * Where a run's spans go: claudia's own exporters (every configured backend, plus the local
 * journal, with a delivery report per backend), or the caller's tracer provider.
 */
import type { TracerProvider } from "@opentelemetry/api";
import { createRunProvider, type ExportReport } from "../export/provider.ts";
import { RunJournal } from "../export/run-journal.ts";
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

/** claudia's own exporters and journal for a run, from the resolved configuration. */
export async function ownOutputs(description: RunDescription): Promise<RunOutputs> {
  const { env, startTime, ids, log, config } = description;
  const journal = RunJournal.open(env, startTime, ids.traceId, log.warn);
  const run = await createRunProvider(config, new PresetIdGenerator(ids), journal ? [journal.exporter] : []);
  return { provider: run.provider, journal, reports: run.reports, close: run.close };
}
