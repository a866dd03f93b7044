// Finished Train-page runs, kept in the browser's IndexedDB (database "rapt-lab-train", store
// "runs") so they survive a reload: each row is a TuneResult with an id, the date it was saved,
// its loss curves and the page query that reproduces its setup. Browser only (indexedDB is
// touched when a function is called, never at import).

import type { TuneResult } from '../rapt/config';

export const RUNS_DB = 'rapt-lab-train';
const STORE = 'runs';
const VERSION = 1;

export interface SavedRun {
  /** "run-" + time + random suffix */
  id: string;
  /** ISO 8601 time the run was saved */
  savedAt: string;
  result: TuneResult;
  /** per-step losses (recon empty without RAPT) */
  curves: { task: number[]; recon: number[] };
  /** the Train page's query string for this setup ("" = the defaults) */
  query: string;
  /** the model's display name and the dataset's label names (client-side facts) */
  modelName: string;
  labels: string[];
}

export class RunsDbError extends Error {
  override name = 'RunsDbError';
}

function open(): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    if (typeof indexedDB === 'undefined') return reject(new RunsDbError('this browser has no IndexedDB: finished runs cannot be saved'));
    const req = indexedDB.open(RUNS_DB, VERSION);
    req.onupgradeneeded = () => {
      const db = req.result;
      if (!db.objectStoreNames.contains(STORE)) db.createObjectStore(STORE, { keyPath: 'id' }).createIndex('savedAt', 'savedAt');
    };
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(new RunsDbError(`could not open the runs database: ${req.error?.message ?? 'unknown error'}`));
    req.onblocked = () => reject(new RunsDbError('the runs database is blocked by another tab with an older version: close it and reload'));
  });
}

async function withStore<T>(mode: IDBTransactionMode, fn: (store: IDBObjectStore) => IDBRequest<T>): Promise<T> {
  const db = await open();
  try {
    return await new Promise<T>((resolve, reject) => {
      const tx = db.transaction(STORE, mode);
      const req = fn(tx.objectStore(STORE));
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

/** Save a finished run; returns the stored row. */
export async function saveRun(row: Omit<SavedRun, 'id' | 'savedAt'> & Partial<Pick<SavedRun, 'id' | 'savedAt'>>): Promise<SavedRun> {
  const full: SavedRun = { id: row.id ?? newRunId(), savedAt: row.savedAt ?? new Date().toISOString(), ...row } as SavedRun;
  // $state proxies and class instances cannot be cloned into IndexedDB: store plain JSON data.
  const plain = JSON.parse(JSON.stringify(full)) as SavedRun;
  await withStore('readwrite', (s) => s.put(plain));
  return plain;
}

/** Every saved run, newest first. */
export async function listRuns(): Promise<SavedRun[]> {
  const rows = await withStore<SavedRun[]>('readonly', (s) => s.getAll() as IDBRequest<SavedRun[]>);
  return rows.sort((a, b) => (a.savedAt < b.savedAt ? 1 : a.savedAt > b.savedAt ? -1 : 0));
}

export async function deleteRun(id: string): Promise<void> {
  await withStore('readwrite', (s) => s.delete(id));
}
