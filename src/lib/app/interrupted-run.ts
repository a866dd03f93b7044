// Remembers, in localStorage, that a Train-page run is under way, so that a run cut off by a
// reload, a closed tab or a lost GPU device is reported on the next visit with its setup (the page
// query) to restart, and how far it got (the last step whose losses were read back).
// Browser only; every call tolerates a browser without (or refusing) localStorage.

const KEY = 'rapt-lab:train:running';

export interface InterruptedRun {
  /** the Train page's query string for the run's setup */
  query: string;
  /** ISO 8601 time the run started */
  startedAt: string;
  /** a short description of the run for the notice (task, method, steps) */
  label?: string;
  /** the last step whose losses the page received, and the planned steps */
  step?: number;
  steps?: number;
  /** why it stopped, when the page knew: the GPU device was lost (otherwise a reload or a closed tab) */
  cause?: 'device-lost';
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

const count = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0;

/** The record as stored, or null when it is not one (optional fields that are malformed are dropped). */
export function parseInterrupted(raw: string): InterruptedRun | null {
  let v: Partial<Record<keyof InterruptedRun, unknown>>;
  try {
    v = JSON.parse(raw) as typeof v;
  } catch {
    return null;
  }
  if (typeof v !== 'object' || v === null || typeof v.query !== 'string' || typeof v.startedAt !== 'string') return null;
  const run: InterruptedRun = { query: v.query, startedAt: v.startedAt };
  if (typeof v.label === 'string' && v.label.length <= 200) run.label = v.label;
  if (count(v.step) && count(v.steps) && v.step <= v.steps) {
    run.step = v.step;
    run.steps = v.steps;
  }
  if (v.cause === 'device-lost') run.cause = 'device-lost';
  return run;
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
  const run = parseInterrupted(raw);
  if (!run) clearInterrupted();
  return run;
}
