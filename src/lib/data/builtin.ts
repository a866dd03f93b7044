/**
 * The built-in datasets under static/data/ (written by scripts/prepare-data.ts): their types,
 * and a loader that turns already-fetched text into `Dataset`s. No fetching here — the caller
 * (a worker, a page, the CLI) reads `index.json` and the split files however it likes and
 * passes the text in. Browser-safe.
 *
 * Layout:
 *   static/data/index.json               BuiltinIndex: every dataset, its files with sha256
 *   static/data/<name>/{train,dev,test}.jsonl   one example per line:
 *                                        {"text": ..., "label": ..., "attrs": {<attribute>: ...}}
 *   static/data/<name>/card.json         BuiltinCard (source, license, choices, counts, lengths)
 *   static/data/<name>/README.md         the card, for people
 */
import type { Dataset, Example, SplitDataset, SplitName } from './types';
import { SPLIT_NAMES } from './types';

export interface LengthStats {
  mean: number;
  median: number;
  p95: number;
  min: number;
  max: number;
}

export interface SplitCounts {
  examples: number;
  /** label → count, in the dataset's label order. */
  label: Record<string, number>;
  /** attribute → value → count. */
  attrs: Record<string, Record<string, number>>;
}

export type FileRole = SplitName | 'card' | 'readme';

export interface BuiltinFileRef {
  /** Relative to the data root (the folder holding index.json), with '/' separators. */
  path: string;
  bytes: number;
  sha256: string;
  role?: FileRole;
  /** Number of examples (split files only). */
  examples?: number;
}

export interface BuiltinIndexEntry {
  name: string;
  title: string;
  task: 'single-label-classification';
  labels: string[];
  attributes: string[];
  files: BuiltinFileRef[];
}

export interface BuiltinIndex {
  version: 1;
  seed: number;
  command: string;
  datasets: BuiltinIndexEntry[];
}

export interface BuiltinCard {
  name: string;
  title: string;
  task: 'single-label-classification';
  labels: string[];
  attributes: string[];
  attributeDescriptions: Record<string, string>;
  source: { corpus: string; package: { name: string; version: string }; license: string };
  preparation: {
    command: string;
    seed: number;
    params: Record<string, unknown>;
    choices: string[];
    dropped: Record<string, unknown>;
    [extra: string]: unknown;
  };
  counts: Record<SplitName | 'all', SplitCounts>;
  length: Record<SplitName | 'all', { chars: LengthStats; words: LengthStats }>;
}

/** A malformed built-in file (corrupt download, wrong version): names the file and the line. */
export class BuiltinDataError extends Error {
  constructor(
    readonly file: string,
    readonly line: number | null,
    problem: string
  ) {
    super(`${file}${line === null ? '' : `: line ${line}`}: ${problem}`);
    this.name = 'BuiltinDataError';
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Parses and checks `index.json`. */
export function parseBuiltinIndex(text: string, file = 'index.json'): BuiltinIndex {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    throw new BuiltinDataError(file, null, `invalid JSON (${(e as Error).message})`);
  }
  if (!isObject(v) || v.version !== 1 || !Array.isArray(v.datasets)) {
    throw new BuiltinDataError(file, null, 'not a version 1 dataset index (expected {"version": 1, "datasets": [...]})');
  }
  for (const d of v.datasets as unknown[]) {
    if (
      !isObject(d) ||
      typeof d.name !== 'string' ||
      !Array.isArray(d.labels) ||
      !Array.isArray(d.attributes) ||
      !Array.isArray(d.files)
    ) {
      throw new BuiltinDataError(file, null, 'a dataset entry lacks name, labels, attributes or files');
    }
    for (const s of SPLIT_NAMES) {
      if (!(d.files as BuiltinFileRef[]).some((f) => f.role === s)) {
        throw new BuiltinDataError(file, null, `dataset "${d.name}" has no ${s} file`);
      }
    }
  }
  return v as unknown as BuiltinIndex;
}

/** The index entry for `name`, or an error listing the available datasets. */
export function findBuiltin(index: BuiltinIndex, name: string): BuiltinIndexEntry {
  const e = index.datasets.find((d) => d.name === name);
  if (!e) {
    throw new Error(`no built-in dataset "${name}"; available: ${index.datasets.map((d) => d.name).join(', ')}`);
  }
  return e;
}

/** The file reference of one split (path relative to the data root). */
export function splitFile(entry: BuiltinIndexEntry, split: SplitName): BuiltinFileRef {
  const f = entry.files.find((x) => x.role === split);
  if (!f) throw new Error(`built-in dataset "${entry.name}" has no ${split} file`);
  return f;
}

/** Parses one split file's text into a Dataset, checking every line against the index entry. */
export function parseBuiltinSplit(entry: BuiltinIndexEntry, split: SplitName, text: string): Dataset {
  const file = splitFile(entry, split).path;
  const labels = new Set(entry.labels);
  const examples: Example[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (line.trim() === '') continue;
    const n = i + 1;
    let v: unknown;
    try {
      v = JSON.parse(line);
    } catch (e) {
      throw new BuiltinDataError(file, n, `invalid JSON (${(e as Error).message})`);
    }
    if (!isObject(v) || typeof v.text !== 'string' || typeof v.label !== 'string' || !isObject(v.attrs)) {
      throw new BuiltinDataError(file, n, 'expected {"text": string, "label": string, "attrs": {...}}');
    }
    if (v.text.trim() === '') throw new BuiltinDataError(file, n, 'empty text');
    if (!labels.has(v.label)) {
      throw new BuiltinDataError(file, n, `label "${v.label}" is not one of ${entry.labels.join(', ')}`);
    }
    const attrs: Record<string, string> = {};
    for (const a of entry.attributes) {
      const value = v.attrs[a];
      if (typeof value !== 'string') throw new BuiltinDataError(file, n, `attribute "${a}" missing or not a string`);
      attrs[a] = value;
    }
    examples.push({ text: v.text, label: v.label, attrs });
  }
  const declared = splitFile(entry, split).examples;
  if (declared !== undefined && declared !== examples.length) {
    throw new BuiltinDataError(file, null, `has ${examples.length} examples, the index says ${declared}`);
  }
  return { name: `${entry.name}/${split}`, examples, labels: entry.labels.slice(), attributes: entry.attributes.slice() };
}

/** Builds the split dataset from the fetched text of its three split files. */
export function loadBuiltin(entry: BuiltinIndexEntry, texts: Record<SplitName, string>): SplitDataset {
  return {
    name: entry.name,
    labels: entry.labels.slice(),
    attributes: entry.attributes.slice(),
    splits: {
      train: parseBuiltinSplit(entry, 'train', texts.train),
      dev: parseBuiltinSplit(entry, 'dev', texts.dev),
      test: parseBuiltinSplit(entry, 'test', texts.test)
    }
  };
}

/** Lower-case hex sha256 (WebCrypto: browsers in secure contexts, workers, Node >= 19). */
export async function sha256Hex(data: Uint8Array | string): Promise<string> {
  const bytes = typeof data === 'string' ? new TextEncoder().encode(data) : data;
  const digest = await globalThis.crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>);
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/** Throws when fetched bytes do not match the index (stale cache, truncated download). */
export async function verifyBuiltinFile(ref: BuiltinFileRef, data: Uint8Array | string): Promise<void> {
  const got = await sha256Hex(data);
  if (got !== ref.sha256) {
    throw new BuiltinDataError(ref.path, null, `sha256 ${got} does not match the index (${ref.sha256})`);
  }
}
