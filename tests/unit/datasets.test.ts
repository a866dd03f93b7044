// The built-in datasets: scripts/prepare-data.ts must regenerate static/data/ byte for byte
// (same seed, same bytes), and the shipped files must be sane (labels as the cards say,
// disjoint splits, no empty texts).
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prepareAll, type PrepareResult } from '../../scripts/prepare-data';
import {
  loadBuiltin,
  parseBuiltinIndex,
  verifyBuiltinFile,
  type BuiltinCard,
  type BuiltinIndex,
  type BuiltinIndexEntry
} from '../../src/lib/data/builtin';
import { SPLIT_NAMES, type SplitDataset, type SplitName } from '../../src/lib/data/types';

const DATA = resolve(__dirname, '../../static/data');
const read = (rel: string): Buffer => readFileSync(join(DATA, rel));
const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

let shipped: BuiltinIndex;
let tmp: string;
let result: PrepareResult;

beforeAll(() => {
  shipped = parseBuiltinIndex(read('index.json').toString('utf8'));
  tmp = mkdtempSync(join(tmpdir(), 'rapt-data-'));
  result = prepareAll({ outDir: tmp, seed: shipped.seed });
}, 60_000);

afterAll(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

describe('data preparation is reproducible', () => {
  it('uses the default seed 13 for the shipped files', () => {
    expect(shipped.seed).toBe(13);
    expect(shipped.command).toBe('npx tsx scripts/prepare-data.ts --seed 13');
  });

  it('regenerates every file listed in static/data/index.json with the same sha256', () => {
    const listed = shipped.datasets.flatMap((d) => d.files);
    expect(listed.length).toBeGreaterThanOrEqual(10);
    const produced = new Map(result.files.map((f) => [f.path, f]));
    for (const f of listed) {
      const p = produced.get(f.path);
      expect(p, `prepareAll did not write ${f.path}`).toBeDefined();
      expect(p!.sha256, `${f.path}: regenerated sha256 differs from static/data/index.json`).toBe(f.sha256);
      expect(p!.bytes, `${f.path}: size`).toBe(f.bytes);
      // And the committed file is the one the index describes.
      const shippedBytes = read(f.path);
      expect(sha(shippedBytes), `static/data/${f.path} does not match its sha256 in index.json`).toBe(f.sha256);
      expect(sha(readFileSync(join(tmp, f.path))), `${f.path} as written to disk`).toBe(f.sha256);
    }
  });

  it('regenerates index.json itself byte for byte, and writes nothing unlisted', () => {
    expect(sha(readFileSync(join(tmp, 'index.json')))).toBe(sha(read('index.json')));
    const listed = new Set(['index.json', ...shipped.datasets.flatMap((d) => d.files.map((f) => f.path))]);
    expect(result.files.map((f) => f.path).sort()).toEqual([...listed].sort());
  });

  it('keeps both datasets within the ~6 MB budget', () => {
    const total = result.files.reduce((a, f) => a + f.bytes, 0);
    expect(total, `total ${total} bytes`).toBeLessThan(6_000_000);
  });
});

describe.each(['spam', 'sotu-party'])('built-in dataset %s', (name) => {
  let entry: BuiltinIndexEntry;
  let card: BuiltinCard;
  let ds: SplitDataset;

  beforeAll(() => {
    entry = shipped.datasets.find((d) => d.name === name)!;
    expect(entry, `${name} in index.json`).toBeDefined();
    card = JSON.parse(read(`${name}/card.json`).toString('utf8')) as BuiltinCard;
    const texts = Object.fromEntries(
      SPLIT_NAMES.map((s) => [s, read(entry.files.find((f) => f.role === s)!.path).toString('utf8')])
    ) as Record<SplitName, string>;
    ds = loadBuiltin(entry, texts);
  });

  it('has a card with source, license, choices and stats', () => {
    expect(card.name).toBe(name);
    expect(card.labels).toEqual(entry.labels);
    expect(card.attributes).toEqual(entry.attributes);
    expect(card.source.license.length).toBeGreaterThan(20);
    expect(card.source.package.name).toMatch(/^@stdlib\/datasets-/);
    expect(card.preparation.choices.length).toBeGreaterThanOrEqual(5);
    for (const p of ['all', ...SPLIT_NAMES] as const) {
      for (const unit of ['chars', 'words'] as const) {
        const s = card.length[p][unit];
        expect(s.min <= s.median && s.median <= s.p95 && s.p95 <= s.max, `${p} ${unit} ${JSON.stringify(s)}`).toBe(true);
      }
    }
    const readme = read(`${name}/README.md`).toString('utf8');
    expect(readme).toContain(card.preparation.command);
    expect(readme).toContain('## Counts');
  });

  it('counts labels and attributes per split exactly as the card says', () => {
    for (const s of SPLIT_NAMES) {
      const ex = ds.splits[s].examples;
      expect(ex.length, `${s} size`).toBe(card.counts[s].examples);
      for (const label of card.labels) {
        expect(ex.filter((e) => e.label === label).length, `${s} ${label}`).toBe(card.counts[s].label[label]);
      }
      for (const a of card.attributes) {
        for (const [value, n] of Object.entries(card.counts[s].attrs[a])) {
          expect(ex.filter((e) => e.attrs[a] === value).length, `${s} ${a}=${value}`).toBe(n);
        }
      }
    }
  });

  it('has the same label balance in every split (stratified)', () => {
    const all = card.counts.all;
    for (const s of SPLIT_NAMES) {
      for (const label of card.labels) {
        const share = card.counts[s].label[label] / card.counts[s].examples;
        const overall = all.label[label] / all.examples;
        expect(Math.abs(share - overall), `${s} ${label}: ${share.toFixed(3)} vs ${overall.toFixed(3)}`).toBeLessThan(0.05);
      }
      const frac = card.counts[s].examples / all.examples;
      const want = s === 'train' ? 0.8 : 0.1;
      expect(Math.abs(frac - want), `${s} holds ${frac.toFixed(3)} of the examples`).toBeLessThan(0.03);
    }
  });

  it('has disjoint splits and no empty texts', () => {
    const seen = new Map<string, SplitName>();
    for (const s of SPLIT_NAMES) {
      for (const e of ds.splits[s].examples) {
        expect(e.text.trim().length, `empty text in ${s}`).toBeGreaterThan(0);
        expect(e.text, 'texts are whitespace-collapsed (apart from the subject line break)').not.toMatch(/ {2}|\t/);
        const prev = seen.get(e.text);
        expect(prev, `text in both ${prev} and ${s}: ${e.text.slice(0, 80)}`).toBeUndefined();
        seen.set(e.text, s);
        for (const a of ds.attributes) expect(e.attrs[a], `${a} missing`).toBeTruthy();
      }
    }
  });

  it('verifies file hashes with WebCrypto (the browser path)', async () => {
    const f = entry.files.find((x) => x.role === 'dev')!;
    await expect(verifyBuiltinFile(f, new Uint8Array(read(f.path)))).resolves.toBeUndefined();
    await expect(verifyBuiltinFile(f, 'tampered')).rejects.toThrow(/sha256 .* does not match/);
  });
});

describe('dataset-specific choices', () => {
  it('spam: only the Subject header survives; addresses are masked; bodies are capped', () => {
    const lines = read('spam/train.jsonl').toString('utf8').trimEnd().split('\n');
    for (const line of lines) {
      const { text } = JSON.parse(line) as { text: string };
      // Exactly two lines: the kept Subject header, then the whitespace-collapsed body.
      const [subject, body, ...more] = text.split('\n');
      expect(subject.startsWith('Subject: '), text.slice(0, 60)).toBe(true);
      expect(body.length, text.slice(0, 60)).toBeGreaterThan(0);
      expect(more).toEqual([]);
      // Routing headers (dropped) would start the body; quoted header blocks are removed too.
      expect(body).not.toMatch(/^(Received|Return-Path|Delivered-To|Message-Id):/i);
      expect(text).not.toMatch(/[\w.+-]+@[a-z0-9-]+\.[a-z]{2,}/i);
      expect([...text].length).toBeLessThanOrEqual(512);
    }
  });

  it('sotu-party: addresses are not shared between splits (split by address)', () => {
    const card = JSON.parse(read('sotu-party/card.json').toString('utf8')) as BuiltinCard;
    const dev = card.preparation.devAddresses as string[];
    const test = card.preparation.testAddresses as string[];
    expect(dev.length).toBeGreaterThan(10);
    expect(test.length).toBeGreaterThan(10);
    expect(dev.filter((a) => test.includes(a))).toEqual([]);
    // Each paragraph fits a 128-token model's budget and is at least the stated minimum.
    expect(card.length.all.chars.max).toBeLessThanOrEqual(512);
    expect(card.length.all.words.min).toBeGreaterThanOrEqual(20);
  });
});
