// IndexedDB persistence of the Attack page's finished runs (database "rapt-lab-attacks", object
// store "runs", keyed by StoredAttackRun.id), so they survive a reload. One job: add, list, clear.
// Records that do not check out (isStoredAttackRun) are skipped on read, never deleted.
// Browser only: call from onMount / event handlers.

import { isStoredAttackRun, sortRuns, type StoredAttackRun } from './attack-runs';

const DB_NAME = 'rapt-lab-attacks';
const DB_VERSION = 1;
const STORE = 'runs';

function request<T>(req: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error ?? new Error('IndexedDB request failed'));
  });
}

function open(): Promise<IDBDatabase> {
  if (typeof indexedDB === 'undefined') return Promise.reject(new Error('this browser has no IndexedDB: runs are kept only until the page is closed'));
  const req = indexedDB.open(DB_NAME, DB_VERSION);
  req.onupgradeneeded = () => {
    if (!req.result.objectStoreNames.contains(STORE)) req.result.createObjectStore(STORE, { keyPath: 'id' });
  };
  return request(req);
}

async function withStore<T>(mode: IDBTransactionMode, job: (store: IDBObjectStore) => IDBRequest<T>): Promise<T> {
  const db = await open();
  try {
    const tx = db.transaction(STORE, mode);
    const result = await request(job(tx.objectStore(STORE)));
    await new Promise<void>((resolve, reject) => {
      tx.oncomplete = () => resolve();
      tx.onerror = () => reject(tx.error ?? new Error('IndexedDB transaction failed'));
      tx.onabort = () => reject(tx.error ?? new Error('IndexedDB transaction aborted'));
    });
    return result;
  } finally {
    db.close();
  }
}

/** Every stored run, newest first. */
export async function listAttackRuns(): Promise<StoredAttackRun[]> {
  const all = await withStore('readonly', (s) => s.getAll() as IDBRequest<unknown[]>);
  return sortRuns(all.filter(isStoredAttackRun));
}

/** Store one run (a plain, structured-cloneable object). */
export async function addAttackRun(run: StoredAttackRun): Promise<void> {
  await withStore('readwrite', (s) => s.put(run));
}

/** Forget every stored run. */
export async function clearAttackRuns(): Promise<void> {
  await withStore('readwrite', (s) => s.clear());
}
