// Finished Train-page runs, kept in the browser's IndexedDB (database "rapt-lab-train") so they
// survive a reload. Store "runs": each row is a TuneResult with an id, the date it was saved, its
// loss curves, its dev accuracy curve (optional: rows saved before it was kept have none) and the
// page query that reproduces its setup (small, listed whole). Store "states"
// (since version 2): the run's trained PEFT tensors as safetensors bytes (peft/state.ts), keyed by
// the same id, read only when the Attack page attacks that run. A row records whether it has a
// state (`trained`); rows saved before version 2 have none and cannot be attacked.
// Browser only (indexedDB is touched when a function is called, never at import).

import type { TuneResult } from '../rapt/config';

export const RUNS_DB = 'rapt-lab-train';
const RUNS = 'runs';
const STATES = 'states';
/** 1: runs; 2: + states (the trained tensors) */
export const RUNS_DB_VERSION = 2;

/** The privatized dev split scored after `step` (accuracy and macro F1 as fractions, over n examples). */
export interface DevScore {
  step: number;
  accuracy: number;
  macro_f1: number;
  n: number;
}

export interface SavedRun {
  /** "run-" + time + random suffix */
  id: string;
  /** ISO 8601 time the run was saved */
  savedAt: string;
  result: TuneResult;
  /** per-step losses (recon empty without RAPT); dev: the dev split's scores during training (absent in rows saved before it was kept) */
  curves: { task: number[]; recon: number[]; dev?: DevScore[] };
  /** the Train page's query string for this setup ("" = the defaults) */
  query: string;
  /** the model's display name and the dataset's label names (client-side facts) */
  modelName: string;
  labels: string[];
  /** the trained tensors kept in the "states" store: their method and size (absent: none kept, e.g. a run saved before version 2) */
  trained?: { method: string; bytes: number };
}

/** One row of the "states" store. */
interface StateRow {
  id: string;
  /** safetensors bytes (peft/state.ts savePeftState) */
  state: Uint8Array;
}

export class RunsDbError extends Error {
  override name = 'RunsDbError';
}

/** Create the stores an older database lacks (version 1 had "runs" only); rows already there are kept as they are. */
function upgrade(db: IDBDatabase): void {
  if (!db.objectStoreNames.contains(RUNS)) db.createObjectStore(RUNS, { keyPath: 'id' }).createIndex('savedAt', 'savedAt');
  if (!db.objectStoreNames.contains(STATES)) db.createObjectStore(STATES, { keyPath: 'id' });
}

function open(): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    if (typeof indexedDB === 'undefined') return reject(new RunsDbError('this browser has no IndexedDB: finished runs cannot be saved'));
    const req = indexedDB.open(RUNS_DB, RUNS_DB_VERSION);
    req.onupgradeneeded = () => upgrade(req.result);
    req.onsuccess = () => {
      // a newer tab upgrading the database: let it (this connection closes after each call anyway)
      req.result.onversionchange = () => req.result.close();
      resolve(req.result);
    };
    req.onerror = () =>
      reject(
        new RunsDbError(
          req.error?.name === 'VersionError'
            ? 'the runs database was written by a newer version of this site: reload the page to get it'
            : `could not open the runs database: ${req.error?.message ?? 'unknown error'}`
        )
      );
    req.onblocked = () => reject(new RunsDbError('the runs database is blocked by another tab with an older version: close it and reload'));
  });
}

/** Run `fn` in one transaction over `stores`; resolves with the value of the request it returns once the transaction commits. */
async function inTransaction<T>(stores: string[], mode: IDBTransactionMode, fn: (tx: IDBTransaction) => IDBRequest<T>): Promise<T> {
  const db = await open();
  try {
    return await new Promise<T>((resolve, reject) => {
      const tx = db.transaction(stores, mode);
      const req = fn(tx);
      let value: T;
      req.onsuccess = () => (value = req.result);
      tx.oncomplete = () => resolve(value);
      tx.onerror = () => reject(new RunsDbError(`runs database: ${tx.error?.message ?? req.error?.message ?? 'transaction failed'}`));
      tx.onabort = () => reject(new RunsDbError(`runs database: ${tx.error?.message ?? 'transaction aborted'} (is the disk full?)`));
    });
  } finally {
    db.close();
  }
}

export function newRunId(now = Date.now()): string {
  const r = new Uint32Array(1);
  crypto.getRandomValues(r);
  return `run-${now}-${r[0].toString(36)}`;
}

type NewRun = Omit<SavedRun, 'id' | 'savedAt' | 'trained'> & Partial<Pick<SavedRun, 'id' | 'savedAt'>>;

/**
 * Save a finished run, and with `state` (safetensors bytes of its trained tensors) that state too,
 * in one transaction; returns the stored row.
 */
export async function saveRun(row: NewRun, state?: Uint8Array): Promise<SavedRun> {
  const full: SavedRun = {
    ...row,
    id: row.id ?? newRunId(),
    savedAt: row.savedAt ?? new Date().toISOString(),
    ...(state ? { trained: { method: row.result.config.method, bytes: state.byteLength } } : {})
  } as SavedRun;
  // $state proxies and class instances cannot be cloned into IndexedDB: store plain JSON data.
  const plain = JSON.parse(JSON.stringify(full)) as SavedRun;
  await inTransaction(state ? [RUNS, STATES] : [RUNS], 'readwrite', (tx) => {
    if (state) tx.objectStore(STATES).put({ id: plain.id, state: new Uint8Array(state) } satisfies StateRow);
    return tx.objectStore(RUNS).put(plain);
  });
  return plain;
}

/** Every saved run, newest first (without their states). */
export async function listRuns(): Promise<SavedRun[]> {
  const rows = await inTransaction<SavedRun[]>([RUNS], 'readonly', (tx) => tx.objectStore(RUNS).getAll() as IDBRequest<SavedRun[]>);
  return rows.sort((a, b) => (a.savedAt < b.savedAt ? 1 : a.savedAt > b.savedAt ? -1 : 0));
}

/** The trained tensors of run `id` (safetensors bytes), or null when none were kept. */
export async function getRunState(id: string): Promise<Uint8Array | null> {
  const row = await inTransaction<StateRow | undefined>([STATES], 'readonly', (tx) => tx.objectStore(STATES).get(id) as IDBRequest<StateRow | undefined>);
  return row?.state instanceof Uint8Array ? row.state : null;
}

/** Delete a run and its state. */
export async function deleteRun(id: string): Promise<void> {
  await inTransaction([RUNS, STATES], 'readwrite', (tx) => {
    tx.objectStore(STATES).delete(id);
    return tx.objectStore(RUNS).delete(id);
  });
}
