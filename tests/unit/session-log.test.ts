// The session boundary-log store (src/lib/app/session-log.ts) on an in-memory Storage: exports of
// one worker replace each other, several workers' entries merge in arrival order, unreadable
// storage reads as empty, a full storage drops the oldest other worker's log, and clear empties it.
import { describe, expect, it } from 'vitest';
import { BoundaryLog } from '../../src/lib/boundary/log';
import { buildPrivatizedBatch } from '../../src/lib/boundary/batch';
import {
  clearSessionLog,
  readSessionLog,
  recordLogExport,
  SESSION_LOG_KEY,
  sessionEntries,
  sessionLogJson,
  sessionSummary,
  type StorageLike
} from '../../src/lib/app/session-log';

class MemoryStorage implements StorageLike {
  items = new Map<string, string>();
  constructor(private readonly quota = Infinity) {}
  getItem(k: string): string | null {
    return this.items.get(k) ?? null;
  }
  setItem(k: string, v: string): void {
    if (v.length > this.quota) throw new DOMException('full', 'QuotaExceededError');
    this.items.set(k, v);
  }
  removeItem(k: string): void {
    this.items.delete(k);
  }
}

function logWith(n: number, t0: number): BoundaryLog {
  const log = new BoundaryLog();
  for (let i = 0; i < n; i++) {
    const batch = buildPrivatizedBatch([Int32Array.from([2, 10 + i, 11, 3])], { mechanism: 'dchi', eta: 100 }, { padId: 0 });
    log.recordAccepted(batch, t0 + i);
  }
  return log;
}

describe('session log store', () => {
  it('counts a training set (the Train page) with the token ids of all its splits', () => {
    const s = new MemoryStorage();
    const split = (ids: number[][]) => ({ examples: ids.length, tokens: ids.flat().length, ids, labels: ids.map(() => 0) });
    const exported = logWith(1, 1000).toJSON();
    exported.entries.push({
      seq: 1,
      accepted: true,
      kind: 'training-set',
      receivedAt: 1001,
      createdAt: 1000,
      mechanism: { mechanism: 'dchi', eta: 100 },
      budget: { name: 'eta', value: 100 },
      seeded: false,
      numClasses: 2,
      plainTokens: 0,
      splits: { train: split([[5, 6, 7], [8]]), dev: split([[9, 10]]), test: split([[11]]) }
    });
    recordLogExport({ id: 't', page: '/train', startedAt: 1 }, exported, s);
    expect(sessionSummary(readSessionLog(s))).toEqual({ accepted: 1, trainingSets: 1, tokens: 4 + 7, refused: 0, dropped: 0, workers: 1 });
  });

  it('replaces a worker’s earlier export and merges workers in arrival order', () => {
    const s = new MemoryStorage();
    const a = { id: 'a', page: '/', startedAt: 100 };
    const b = { id: 'b', page: '/train', startedAt: 200 };
    recordLogExport(a, logWith(1, 1000).toJSON(), s);
    recordLogExport(a, logWith(2, 1000).toJSON(), s);
    const logB = logWith(1, 1500);
    logB.recordRejected({ code: 'string-value', path: 'texts', message: 'carries text' }, 1600);
    recordLogExport(b, logB.toJSON(), s);
    const doc = readSessionLog(s);
    expect(doc.sources.map((x) => x.id)).toEqual(['a', 'b']);
    const entries = sessionEntries(doc);
    expect(entries.map((e) => [e.page, e.seq])).toEqual([
      ['/', 0],
      ['/', 1],
      ['/train', 0],
      ['/train', 1]
    ]);
    expect(sessionSummary(doc)).toEqual({ accepted: 3, trainingSets: 0, tokens: 12, refused: 1, dropped: 0, workers: 2 });
    const json = JSON.parse(sessionLogJson(doc, 42));
    expect(json).toMatchObject({ kind: 'rapt-session-boundary-log', version: 1, exportedAt: 42 });
    expect(json.sources[0].log.entries[0].sequences).toEqual([[2, 10, 11, 3]]);
  });

  it('reads unreadable or foreign storage as empty, and clears', () => {
    const s = new MemoryStorage();
    s.setItem(SESSION_LOG_KEY, '{not json');
    expect(readSessionLog(s).sources).toEqual([]);
    s.setItem(SESSION_LOG_KEY, JSON.stringify({ kind: 'other', version: 1, sources: [] }));
    expect(readSessionLog(s).sources).toEqual([]);
    s.setItem(SESSION_LOG_KEY, JSON.stringify({ kind: 'rapt-session-boundary-log', version: 1, sources: [{ id: 1 }] }));
    expect(readSessionLog(s).sources).toEqual([]);
    recordLogExport({ id: 'a', page: '/', startedAt: 1 }, logWith(1, 5).toJSON(), s);
    expect(readSessionLog(s).sources).toHaveLength(1);
    clearSessionLog(s);
    expect(readSessionLog(s).sources).toEqual([]);
    expect(readSessionLog(null).sources).toEqual([]);
  });

  it('drops the oldest other worker when the storage is full', () => {
    const one = JSON.stringify(readSessionLog(null)).length + JSON.stringify({ id: 'x', page: '/', startedAt: 1, log: logWith(3, 1).toJSON() }).length;
    const s = new MemoryStorage(Math.floor(one * 2.5));
    recordLogExport({ id: 'a', page: '/', startedAt: 1 }, logWith(3, 1).toJSON(), s);
    recordLogExport({ id: 'b', page: '/', startedAt: 2 }, logWith(3, 1).toJSON(), s);
    const r = recordLogExport({ id: 'c', page: '/', startedAt: 3 }, logWith(3, 1).toJSON(), s);
    expect(r.dropped).toBe(1);
    expect(readSessionLog(s).sources.map((x) => x.id)).toEqual(['b', 'c']);
  });
});
