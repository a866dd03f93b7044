/**
 * Trains the WordPiece vocabulary of the built-in model on the pretraining corpus.
 *
 *   npx tsx scripts/train-vocab.ts --out static/models/<name>/vocab.txt --size 8192
 *       [--limit-alphabet 300] [--min-frequency 2] [--sweep 2048,4096,8192,16384]
 *       [--corpus-manifest FILE]
 *
 * Corpus: src/lib/data/pretrain-corpus-node.ts (train splits of static/data + Moby Dick; never the
 * dev/test splits). Trainer: src/lib/model/tokenizer/wordpiece-trainer.ts (uncased: lowercase and
 * strip accents, as the model's BertTokenizer does).
 *
 * Writes, next to vocab.txt, vocab-report.json: the corpus (sources, sizes, sha256), the trainer
 * settings, and how the vocabulary segments the training corpus and the held-out dev text
 * (fraction of words that are one piece, pieces per word, [UNK] rate), also for the smaller and
 * larger sizes of --sweep (training to the largest size once: the vocabulary of size N is the
 * first N lines of a longer run), to justify the size. --corpus-manifest FILE also writes the
 * corpus summary alone to FILE. vocab.txt is a pure function of the corpus and the options.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  buildHeldOutCorpus,
  buildPretrainCorpus,
  summarizeCorpus,
  type CorpusSource,
  type CorpusSummary
} from '../src/lib/data/pretrain-corpus-node';
import {
  DEFAULT_SPECIAL_TOKENS,
  addWordCounts,
  countWords,
  segmentationStats,
  trainWordPieceFromCounts,
  type SegmentationStats
} from '../src/lib/model/tokenizer/wordpiece-trainer';

export const DEFAULT_VOCAB_SIZE = 8192;
/** Characters kept in the alphabet: the corpus has ~1200 distinct ones, most seen a handful of times (mail in other scripts). */
export const DEFAULT_LIMIT_ALPHABET = 300;
export const DEFAULT_MIN_FREQUENCY = 2;
export const DEFAULT_SWEEP: readonly number[] = [2048, 4096, 8192, 16384];

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

export interface TrainVocabOptions {
  /** Repository root (static/data and node_modules are read from here). */
  root?: string;
  /** Path of vocab.txt to write. */
  out: string;
  size?: number;
  limitAlphabet?: number;
  minFrequency?: number;
  /** Other sizes to report segmentation statistics for. */
  sweep?: readonly number[];
  /** Also write the corpus summary to this file. */
  corpusManifest?: string;
  /** The command line, for the report. */
  command?: string;
  log?: (line: string) => void;
}

export interface VocabReport {
  command: string;
  vocabSize: number;
  requestedSize: number;
  trainer: {
    algorithm: string;
    lowercase: boolean;
    stripAccents: boolean;
    specialTokens: string[];
    limitAlphabet: number;
    minFrequency: number;
    alphabetSize: number;
    droppedChars: number;
    droppedCharOccurrences: number;
    initialSize: number;
    merges: number;
    repeatedMerges: number;
    stop: string;
    trainedWords: number;
    skippedWords: number;
  };
  corpus: (CorpusSummary & { words: number; uniqueWords: number })[];
  heldOut: (CorpusSummary & { words: number; uniqueWords: number })[];
  /** Segmentation of the training corpus (all sources, and each) and of the held-out dev text. */
  segmentation: { train: SegmentationStats; dev: SegmentationStats; perSource: Record<string, SegmentationStats> };
  sweep: { size: number; train: SegmentationStats; dev: SegmentationStats }[];
  timing: { countSeconds: number; trainSeconds: number; machine: string };
}

/** Build the corpus, train, write vocab.txt and vocab-report.json. */
export function trainAndWriteVocab(opts: TrainVocabOptions): { vocab: string[]; report: VocabReport } {
  const root = opts.root ?? REPO_ROOT;
  const size = opts.size ?? DEFAULT_VOCAB_SIZE;
  const limitAlphabet = opts.limitAlphabet ?? DEFAULT_LIMIT_ALPHABET;
  const minFrequency = opts.minFrequency ?? DEFAULT_MIN_FREQUENCY;
  const sweep = [...new Set([...(opts.sweep ?? DEFAULT_SWEEP), size])].sort((a, b) => a - b);
  const log = opts.log ?? (() => {});
  const out = resolve(opts.out);

  const t0 = performance.now();
  const corpus = buildPretrainCorpus(root);
  const heldOut = buildHeldOutCorpus(root, 'dev');
  const countsOf = (sources: CorpusSource[]) => sources.map((s) => countWords(s.texts));
  const perSource = countsOf(corpus);
  const perHeldOut = countsOf(heldOut);
  const all = new Map<string, number>();
  for (const s of corpus) addWordCounts(all, s.texts);
  const dev = new Map<string, number>();
  for (const s of heldOut) addWordCounts(dev, s.texts);
  const countSeconds = (performance.now() - t0) / 1000;
  const summary = summarizeCorpus(corpus);
  const withWords = (sums: CorpusSummary[], counts: Map<string, number>[]) =>
    sums.map((s, i) => ({ ...s, words: sumValues(counts[i]), uniqueWords: counts[i].size }));
  for (const s of withWords(summary, perSource)) {
    log(`corpus ${s.name}: ${s.texts} texts, ${(s.chars / 1e6).toFixed(2)} M chars, ${s.words} words (${s.uniqueWords} distinct)`);
  }
  log(`counted ${sumValues(all)} words (${all.size} distinct) in ${countSeconds.toFixed(1)} s`);

  const trainTo = Math.max(size, sweep[sweep.length - 1]);
  const t1 = performance.now();
  let sizeSeconds = 0;
  const result = trainWordPieceFromCounts(all, {
    vocabSize: trainTo,
    minFrequency,
    lowercase: true,
    limitAlphabet,
    onProgress: (p) => {
      if (p.vocabSize >= size && sizeSeconds === 0) sizeSeconds = (performance.now() - t1) / 1000;
      if (p.merges % 2000 === 0 || p.done) log(`  ${p.merges} merges, vocab ${p.vocabSize}, last pair count ${p.lastCount}`);
    },
    progressEvery: 1
  });
  const trainSeconds = sizeSeconds || (performance.now() - t1) / 1000;
  log(`trained to ${size} in ${trainSeconds.toFixed(1)} s (to ${result.vocab.length} in ${((performance.now() - t1) / 1000).toFixed(1)} s)`);
  const vocab = result.vocab.slice(0, size);

  const report: VocabReport = {
    command: opts.command ?? `npx tsx scripts/train-vocab.ts --out ${relative(root, out)} --size ${size}`,
    vocabSize: vocab.length,
    requestedSize: size,
    trainer: {
      algorithm: 'WordPiece via BPE merges with "##" continuation (src/lib/model/tokenizer/wordpiece-trainer.ts)',
      lowercase: true,
      stripAccents: true,
      specialTokens: [...DEFAULT_SPECIAL_TOKENS],
      limitAlphabet,
      minFrequency,
      alphabetSize: result.alphabet.length,
      droppedChars: result.droppedChars,
      droppedCharOccurrences: result.droppedCharOccurrences,
      initialSize: result.initialSize,
      merges: countMerges(vocab.length, result.initialSize),
      repeatedMerges: result.repeatedMerges,
      stop: vocab.length < size ? result.stop : 'size',
      trainedWords: result.trainedWords,
      skippedWords: result.skippedWords
    },
    corpus: withWords(summary, perSource),
    heldOut: withWords(summarizeCorpus(heldOut), perHeldOut),
    segmentation: {
      train: round(segmentationStats(vocab, all)),
      dev: round(segmentationStats(vocab, dev)),
      perSource: Object.fromEntries(corpus.map((s, i) => [s.name, round(segmentationStats(vocab, perSource[i]))]))
    },
    sweep: sweep
      .filter((n) => n <= result.vocab.length)
      .map((n) => {
        const v = result.vocab.slice(0, n);
        return { size: n, train: round(segmentationStats(v, all)), dev: round(segmentationStats(v, dev)) };
      }),
    timing: {
      countSeconds: Number(countSeconds.toFixed(2)),
      trainSeconds: Number(trainSeconds.toFixed(2)),
      machine: `${cpus()[0]?.model ?? 'unknown CPU'}, one core, Node ${process.version}`
    }
  };

  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, vocab.map((t) => t + '\n').join(''));
  writeFileSync(resolve(dirname(out), 'vocab-report.json'), JSON.stringify(report, null, 2) + '\n');
  if (opts.corpusManifest !== undefined) {
    mkdirSync(dirname(resolve(opts.corpusManifest)), { recursive: true });
    writeFileSync(resolve(opts.corpusManifest), JSON.stringify({ train: report.corpus, heldOutDev: report.heldOut }, null, 2) + '\n');
  }
  return { vocab, report };
}

/** Merges behind the first `size` ids (a repeated merge adds no id, so this counts ids). */
function countMerges(size: number, initialSize: number): number {
  return Math.max(0, size - initialSize);
}

function sumValues(m: ReadonlyMap<string, number>): number {
  let s = 0;
  for (const v of m.values()) s += v;
  return s;
}

function round(s: SegmentationStats): SegmentationStats {
  const r = (x: number) => Number(x.toFixed(5));
  return {
    ...s,
    singleTokenFraction: r(s.singleTokenFraction),
    piecesPerWord: r(s.piecesPerWord),
    unkRate: r(s.unkRate),
    unkPieceRate: r(s.unkPieceRate)
  };
}

const USAGE =
  'usage: npx tsx scripts/train-vocab.ts --out static/models/<name>/vocab.txt --size 8192 ' +
  '[--limit-alphabet 300] [--min-frequency 2] [--sweep 2048,4096,8192,16384] [--corpus-manifest FILE]';

function positiveInt(flag: string, v: string | undefined): number {
  const n = Number(v);
  if (v === undefined || !Number.isInteger(n) || n < 1) throw new Error(`${flag} needs a positive integer, got ${v}; ${USAGE}`);
  return n;
}

function main(argv: string[]): void {
  const opts: TrainVocabOptions = { out: '', log: (l) => console.log(l) };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const v = argv[i + 1];
    if (a === '--out' && v !== undefined) opts.out = argv[++i];
    else if (a === '--size') (opts.size = positiveInt(a, v)), i++;
    else if (a === '--limit-alphabet') (opts.limitAlphabet = positiveInt(a, v)), i++;
    else if (a === '--min-frequency') (opts.minFrequency = positiveInt(a, v)), i++;
    else if (a === '--sweep' && v !== undefined) {
      opts.sweep = v.split(',').map((x) => positiveInt(a, x));
      i++;
    } else if (a === '--corpus-manifest' && v !== undefined) opts.corpusManifest = argv[++i];
    else throw new Error(`unknown or incomplete argument ${a}; ${USAGE}`);
  }
  if (opts.out === '') throw new Error(`--out is required; ${USAGE}`);
  opts.command = ['npx tsx scripts/train-vocab.ts', ...argv].join(' ');
  const { vocab, report } = trainAndWriteVocab(opts);
  const s = report.segmentation;
  console.log(
    `wrote ${vocab.length} tokens to ${opts.out}; train: ${(100 * s.train.singleTokenFraction).toFixed(1)}% words one piece, ` +
      `${s.train.piecesPerWord.toFixed(3)} pieces/word, [UNK] ${(100 * s.train.unkRate).toFixed(3)}%; ` +
      `dev: ${(100 * s.dev.singleTokenFraction).toFixed(1)}%, ${s.dev.piecesPerWord.toFixed(3)}, ${(100 * s.dev.unkRate).toFixed(3)}%`
  );
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2));
}
