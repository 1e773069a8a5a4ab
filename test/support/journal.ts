/** The runs claudia recorded in a sandbox's journal, read as a user would: `claudia traces --json`. */
import type { RunRecord } from "../../src/export/journal.ts";
import { claudia, type Sandbox } from "./sandbox.ts";

export async function storedRecords(sandbox: Sandbox): Promise<RunRecord[]> {
  return JSON.parse((await claudia(sandbox, ["traces", "--json", "--limit", "1000"])).stdout) as RunRecord[];
}

export async function storedRecord(sandbox: Sandbox, traceId: string): Promise<RunRecord> {
  const record = (await storedRecords(sandbox)).find((r) => r.traceId === traceId);
  if (!record) throw new Error(`run ${traceId} is not in the journal`);
  return record;
}
