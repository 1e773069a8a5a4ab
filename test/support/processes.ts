/** The processes of a run, seen from outside, and waiting for a condition without a fixed sleep. */
import { execFileSync } from "node:child_process";

/** Ids of the processes whose command line holds `marker`. */
export function processesWith(marker: string): string[] {
  try {
    return execFileSync("pgrep", ["-f", marker], { encoding: "utf8" }).trim().split("\n").filter(Boolean);
  } catch {
    return [];
  }
}

/** Whether `check` held within `ms`, looking every 100 ms. */
export async function until(check: () => boolean, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (check()) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return check();
}
