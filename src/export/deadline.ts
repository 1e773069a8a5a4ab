/**
 * The run's export deadline. When claudia stops waiting for its backends (the bound at exit), every
 * export still unanswered is answered at once as failed, so that the SDK's timers waiting on it are
 * cleared: in a program using the library, nothing of the run's export then keeps the process alive
 * past the bound (a backend that never answers would otherwise hold its exit for a time-out or two).
 */
/** The failure given to an export still unanswered when claudia stopped waiting for its backend. */
export const LATE = new Error("the backend did not answer in time");

export class ExportDeadline {
  private over = false;
  private readonly owed = new Set<() => void>();
  private waiting: (() => void)[] = [];

  get passed(): boolean {
    return this.over;
  }

  /**
   * `done` as an exporter's callback, answered once: by the exporter, or with `late()` when the
   * deadline passes first (or has passed already: then at once).
   */
  once<R>(done: (result: R) => void, late: () => R): (result: R) => void {
    let answered = false;
    const answer = (result: R) => {
      if (answered) return;
      answered = true;
      this.owed.delete(onDeadline);
      done(result);
      if (this.owed.size === 0) for (const resolve of this.waiting.splice(0)) resolve();
    };
    const onDeadline = () => answer(late());
    if (this.over) onDeadline();
    else this.owed.add(onDeadline);
    return answer;
  }

  /** Resolves once no export is owed an answer. */
  idle(): Promise<void> {
    if (this.owed.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  /** The deadline has passed: answer every export still owed. */
  pass(): void {
    this.over = true;
    for (const answer of [...this.owed]) answer();
  }
}
