/** claudia's own messages on stderr: warnings always, diagnostics with --claudia-debug. */
import { inertRunnerCommands, stripControl } from "../trace/text.ts";

export interface Log {
  warn(message: string): void;
  debug(message: string): void;
  progress(line: string): void;
}

/**
 * One line on stderr. Messages quote what claudia was given (a checkout's `.env`, a journal file's
 * name, session text), so no control character or escape sequence reaches the terminal, a
 * message stays one line, and no text in it is a CI runner's log command.
 */
export function stderrLine(text: string): void {
  try {
    process.stderr.write(`${inertRunnerCommands(stripControl(text).replace(/\n/g, " "))}\n`);
  } catch {
    // stderr closed: nothing else to do.
  }
}

export function createLog(options: { debug: boolean; quiet: boolean }): Log {
  return {
    warn: (message) => stderrLine(`claudia: ${message}`),
    debug: options.debug ? (message) => stderrLine(`[claudia] ${message}`) : () => {},
    progress: options.quiet ? () => {} : stderrLine,
  };
}
