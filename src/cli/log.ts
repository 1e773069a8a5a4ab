/** claudia's own messages on stderr: warnings always, diagnostics with --claudia-debug. */
export interface Log {
  warn(message: string): void;
  debug(message: string): void;
  progress(line: string): void;
}

export function createLog(options: { debug: boolean; quiet: boolean }): Log {
  const write = (text: string) => {
    try {
      process.stderr.write(`${text}\n`);
    } catch {
      // stderr closed: nothing else to do.
    }
  };
  return {
    warn: (message) => write(`claudia: ${message}`),
    debug: options.debug ? (message) => write(`[claudia] ${message}`) : () => {},
    progress: options.quiet ? () => {} : write,
  };
}
