/** Setting variables in this test process's own environment, and putting them back afterwards. */

/** Set `vars` in `process.env`; the function returned restores what was there (or its absence). */
export function setProcessEnv(vars: Record<string, string>): () => void {
  const saved: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(vars)) {
    saved[k] = process.env[k];
    process.env[k] = v;
  }
  return () => {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  };
}
