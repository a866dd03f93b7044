// One job: a small key → value store in IndexedDB for what the user imported (sweeps on the
// Frontier page, datasets and checked models on the Models / Data page), so it survives a reload.
// One database ("rapt-lab-imports"), one object store per kind; values are structured-cloned
// plain objects (Blobs included: a model's files are kept as Blobs, not copied into JSON).
// A failed write keeps the browser's error (QuotaExceededError when storage is full) as `cause`.
// Browser only; nothing is touched until a method is called.

export const IMPORTS_DB = 'rapt-lab-imports';
export const IMPORT_STORES = ['sweeps', 'datasets', 'models'] as const;
export type ImportStoreName = (typeof IMPORT_STORES)[number];
/** 2: the "models" store was added (an upgrade creates the stores that are missing) */
const VERSION = 2;

let opening: Promise<IDBDatabase> | null = null;

function open(): Promise<IDBDatabase> {
  if (typeof indexedDB === 'undefined') return Promise.reject(new Error('IndexedDB is not available in this browser: imports last only until the page is closed'));
  opening ??= new Promise<IDBDatabase>((resolve, reject) => {
    const req = indexedDB.open(IMPORTS_DB, VERSION);
    req.onupgradeneeded = () => {
      for (const s of IMPORT_STORES) if (!req.result.objectStoreNames.contains(s)) req.result.createObjectStore(s);
    };
    req.onsuccess = () => {
      // a newer version of the site opened the database in another tab: let its upgrade through
      req.result.onversionchange = () => {
        req.result.close();
        opening = null;
      };
      resolve(req.result);
    };
    req.onerror = () => reject(new Error(`could not open IndexedDB: ${req.error?.message ?? 'unknown error'}`));
    req.onblocked = () => reject(new Error('IndexedDB is blocked by another tab of this site: close it and reload'));
  });
  opening.catch(() => (opening = null));
  return opening;
}

function request<T>(store: ImportStoreName, mode: IDBTransactionMode, run: (s: IDBObjectStore) => IDBRequest<T>): Promise<T> {
  return open().then(
    (db) =>
      new Promise<T>((resolve, reject) => {
        const tx = db.transaction(store, mode);
        const req = run(tx.objectStore(store));
        tx.oncomplete = () => resolve(req.result);
        tx.onerror = () => reject(new Error(`IndexedDB ${store}: ${tx.error?.message ?? req.error?.message ?? 'unknown error'}`, { cause: tx.error ?? req.error ?? undefined }));
        tx.onabort = () => reject(new Error(`IndexedDB ${store}: ${tx.error?.message ?? 'transaction aborted (storage full?)'}`, { cause: tx.error ?? undefined }));
      })
  );
}

export interface ImportStore<T> {
  /** every entry, ordered by key */
  list(): Promise<{ key: string; value: T }[]>;
  get(key: string): Promise<T | undefined>;
  put(key: string, value: T): Promise<void>;
  delete(key: string): Promise<void>;
}

export function importStore<T>(name: ImportStoreName): ImportStore<T> {
  return {
    async list() {
      const db = await open();
      return new Promise((resolve, reject) => {
        const out: { key: string; value: T }[] = [];
        const tx = db.transaction(name, 'readonly');
        const req = tx.objectStore(name).openCursor();
        req.onsuccess = () => {
          const cursor = req.result;
          if (!cursor) return;
          out.push({ key: String(cursor.key), value: cursor.value as T });
          cursor.continue();
        };
        tx.oncomplete = () => resolve(out);
        tx.onerror = () => reject(new Error(`IndexedDB ${name}: ${tx.error?.message ?? 'unknown error'}`));
      });
    },
    get: (key) => request(name, 'readonly', (s) => s.get(key) as IDBRequest<T | undefined>),
    put: async (key, value) => {
      await request(name, 'readwrite', (s) => s.put(value, key));
    },
    delete: async (key) => {
      await request(name, 'readwrite', (s) => s.delete(key));
    }
  };
}
