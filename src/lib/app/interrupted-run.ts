// Remembers, in localStorage, that a Train-page run is under way, so that a run cut off by a
// reload or a closed tab is reported on the next visit with its setup (the page query) to restore.
// Browser only; every call tolerates a browser without (or refusing) localStorage.

const KEY = 'rapt-lab:train:running';

export interface InterruptedRun {
  /** the Train page's query string for the run's setup */
  query: string;
  /** ISO 8601 time the run started */
  startedAt: string;
}

export function markInterrupted(run: InterruptedRun): void {
  try {
    localStorage.setItem(KEY, JSON.stringify(run));
  } catch {
    // private mode or storage full: the run still goes ahead, it just cannot be reported if cut off
  }
}

export function clearInterrupted(): void {
  try {
    localStorage.removeItem(KEY);
  } catch {
    // nothing to clear
  }
}

/** The run that was under way when the page last went away, if any (a malformed record is dropped). */
export function readInterrupted(): InterruptedRun | null {
  let raw: string | null = null;
  try {
    raw = localStorage.getItem(KEY);
  } catch {
    return null;
  }
  if (raw === null) return null;
  try {
    const v = JSON.parse(raw) as Partial<InterruptedRun>;
    if (typeof v.query === 'string' && typeof v.startedAt === 'string') return { query: v.query, startedAt: v.startedAt };
  } catch {
    // fall through
  }
  clearInterrupted();
  return null;
}
