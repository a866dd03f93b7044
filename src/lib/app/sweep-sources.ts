// Where the Frontier page's sweeps come from: the ones the site ships (static/sweeps/index.json,
// copied from docs/sweeps by scripts/copy-sweeps.mjs) and the runs.jsonl files the user imported
// (kept in IndexedDB by their fingerprint, so importing the same file twice keeps one copy).
// Browser only.

import { importStore } from './idb-store';
import { sweepFingerprint } from '$lib/experiments/frontier-export';

export interface SweepSource {
  /** "shipped:<name>" or "imported:<fingerprint>" (the page's URL keeps it) */
  id: string;
  name: string;
  origin: 'shipped' | 'imported';
  /** shipped: the file's URL; imported: the text itself */
  url?: string;
  text?: string;
  importedAt?: string;
}

export interface StoredSweep {
  name: string;
  text: string;
  importedAt: string;
}

const store = importStore<StoredSweep>('sweeps');

export async function shippedSweeps(indexUrl: string): Promise<SweepSource[]> {
  const res = await fetch(indexUrl);
  if (!res.ok) throw new Error(`could not fetch ${indexUrl}: HTTP ${res.status}`);
  const index = (await res.json()) as { sweeps?: { name: string; path: string }[] };
  const base = new URL('.', new URL(indexUrl, location.href)).href;
  return (index.sweeps ?? []).map((s) => ({ id: `shipped:${s.name}`, name: s.name, origin: 'shipped', url: new URL(s.path, base).href }));
}

export async function importedSweeps(): Promise<SweepSource[]> {
  return (await store.list()).map(({ key, value }) => ({ id: `imported:${key}`, name: value.name, origin: 'imported', text: value.text, importedAt: value.importedAt }));
}

/** Keep an imported file; returns its source entry. */
export async function saveImportedSweep(name: string, text: string): Promise<SweepSource> {
  const key = sweepFingerprint(text);
  const importedAt = new Date().toISOString();
  await store.put(key, { name, text, importedAt });
  return { id: `imported:${key}`, name, origin: 'imported', text, importedAt };
}

export async function deleteImportedSweep(id: string): Promise<void> {
  await store.delete(id.replace(/^imported:/, ''));
}

export async function sweepText(s: SweepSource): Promise<string> {
  if (s.text !== undefined) return s.text;
  if (!s.url) throw new Error(`sweep ${s.name} has neither text nor a URL`);
  const res = await fetch(s.url);
  if (!res.ok) throw new Error(`could not fetch ${s.url}: HTTP ${res.status}`);
  return res.text();
}
