// One job: keep what crossed the client/service boundary in this browser session, across pages.
// Every page starts its own service worker, whose BoundaryLog (../boundary/log.ts) starts empty and
// dies with the page. A page that receives a log export hands it here with the id of the worker
// it came from; the export replaces that worker's earlier copy (an export is the worker's whole
// log). The /service-log page reads every worker's entries back, exports them as one JSON document
// and clears them. Stored in sessionStorage (this tab, until it closes): ids and mechanism
// settings only — a BoundaryLog never holds raw text.
// DOM-free apart from the default storage (pass any Storage-like object in tests).

import type { BoundaryLogEntry, BoundaryLogExport } from '../boundary/log';

export const SESSION_LOG_KEY = 'rapt-lab.boundary-log.v1';
export const SESSION_LOG_KIND = 'rapt-session-boundary-log';

/** Most worker logs kept; the oldest go first when the storage is full or this is exceeded. */
export const MAX_SOURCES = 64;

export interface LogSource {
  /** one id per service-worker instance */
  id: string;
  /** the page (path) that ran the worker */
  page: string;
  startedAt: number;
}

export interface StoredSource extends LogSource {
  log: BoundaryLogExport;
}

export interface SessionLogDocument {
  kind: typeof SESSION_LOG_KIND;
  version: 1;
  exportedAt?: number;
  sources: StoredSource[];
}

/** An entry with the page and worker it came from. */
export type SessionEntry = BoundaryLogEntry & { source: string; page: string };

export type StorageLike = Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;

function defaultStorage(): StorageLike | null {
  try {
    return typeof sessionStorage === 'undefined' ? null : sessionStorage;
  } catch {
    return null;
  }
}

function empty(): SessionLogDocument {
  return { kind: SESSION_LOG_KIND, version: 1, sources: [] };
}

function isSource(s: unknown): s is StoredSource {
  const o = s as StoredSource;
  return (
    typeof o === 'object' &&
    o !== null &&
    typeof o.id === 'string' &&
    typeof o.page === 'string' &&
    typeof o.startedAt === 'number' &&
    typeof o.log === 'object' &&
    o.log !== null &&
    o.log.kind === 'rapt-boundary-log' &&
    Array.isArray(o.log.entries)
  );
}

/** The stored document; an empty one when nothing (or something unreadable) is stored. */
export function readSessionLog(storage: StorageLike | null = defaultStorage()): SessionLogDocument {
  const raw = storage?.getItem(SESSION_LOG_KEY);
  if (!raw) return empty();
  try {
    const doc = JSON.parse(raw) as SessionLogDocument;
    if (doc?.kind !== SESSION_LOG_KIND || doc.version !== 1 || !Array.isArray(doc.sources)) return empty();
    return { kind: SESSION_LOG_KIND, version: 1, sources: doc.sources.filter(isSource) };
  } catch {
    return empty();
  }
}

/**
 * Store `log` as the whole log of worker `source` (replacing its earlier copy). Returns the
 * document as stored and how many older worker logs had to be dropped to fit.
 */
export function recordLogExport(
  source: LogSource,
  log: BoundaryLogExport,
  storage: StorageLike | null = defaultStorage()
): { document: SessionLogDocument; dropped: number } {
  const doc = readSessionLog(storage);
  const entry: StoredSource = { id: source.id, page: source.page, startedAt: source.startedAt, log };
  const i = doc.sources.findIndex((s) => s.id === source.id);
  if (i >= 0) doc.sources[i] = entry;
  else doc.sources.push(entry);
  doc.sources.sort((a, b) => a.startedAt - b.startedAt);
  let dropped = 0;
  while (doc.sources.length > MAX_SOURCES) {
    doc.sources.splice(doc.sources[0].id === source.id ? 1 : 0, 1);
    dropped++;
  }
  if (!storage) return { document: doc, dropped };
  for (;;) {
    try {
      storage.setItem(SESSION_LOG_KEY, JSON.stringify(doc));
      return { document: doc, dropped };
    } catch (e) {
      // Quota: drop the oldest other worker's log and try again; give up when only this one is left.
      const k = doc.sources.findIndex((s) => s.id !== source.id);
      if (k < 0) throw e;
      doc.sources.splice(k, 1);
      dropped++;
    }
  }
}

export function clearSessionLog(storage: StorageLike | null = defaultStorage()): void {
  storage?.removeItem(SESSION_LOG_KEY);
}

/** Every entry of every worker, oldest first (by arrival time, then worker, then seq). */
export function sessionEntries(doc: SessionLogDocument): SessionEntry[] {
  const out: SessionEntry[] = [];
  for (const s of doc.sources) for (const e of s.log.entries) out.push({ ...e, source: s.id, page: s.page });
  const start = new Map(doc.sources.map((s) => [s.id, s.startedAt]));
  return out.sort((a, b) => a.receivedAt - b.receivedAt || (start.get(a.source) ?? 0) - (start.get(b.source) ?? 0) || a.seq - b.seq);
}

/** Totals: accepted batches and training sets, their real tokens, refusals, and entries the workers dropped. */
export function sessionSummary(doc: SessionLogDocument): { accepted: number; trainingSets: number; tokens: number; refused: number; dropped: number; workers: number } {
  let accepted = 0,
    trainingSets = 0,
    tokens = 0,
    refused = 0,
    dropped = 0;
  for (const s of doc.sources) {
    dropped += s.log.dropped;
    for (const e of s.log.entries) {
      if (!e.accepted) refused++;
      else if (e.kind === 'training-set') {
        trainingSets++;
        for (const split of Object.values(e.splits)) if (split) tokens += split.tokens;
      } else {
        accepted++;
        tokens += e.lengths.reduce((a, x) => a + x, 0);
      }
    }
  }
  return { accepted, trainingSets, tokens, refused, dropped, workers: doc.sources.length };
}

/** The document to download, stamped with the export time. */
export function sessionLogJson(doc: SessionLogDocument, now = Date.now()): string {
  return JSON.stringify({ ...doc, exportedAt: now }, null, 2);
}

/** A fresh worker id (random; it names a worker, not a user). */
export function newSourceId(): string {
  const c = (globalThis as { crypto?: Crypto }).crypto;
  if (c && typeof c.randomUUID === 'function') return c.randomUUID();
  return `w${Date.now().toString(36)}${Math.random().toString(36).slice(2, 10)}`;
}
