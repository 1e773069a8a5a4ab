/** claudia's own version, from its package.json (found from the tsc build and from the bundle). */
import { readFileSync } from "node:fs";

export function packageVersion(): string {
  for (const path of ["../package.json", "../../package.json"]) {
    try {
      const pkg = JSON.parse(readFileSync(new URL(path, import.meta.url), "utf8")) as {
        name?: string;
        version?: string;
      };
      if (pkg.name === "claude-telemetry") return pkg.version ?? "unknown";
    } catch {
      // Not here: try one level up.
    }
  }
  return "unknown";
}
