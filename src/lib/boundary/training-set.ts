// The message that carries a whole tuning run's data from the CLIENT (which tokenized and
// privatized the user's examples) to the SERVICE (which trains on them): a PrivatizedTrainingSet.
// Like a PrivatizedBatch (./batch.ts) it is built so that it cannot carry text:
//
//   - its only strings are protocol literals: kind = 'privatized-training-set', the mechanism
//     name (one of five), and the split keys train/dev/test/cleanTest (keys, not values);
//     assertPrivatizedTrainingSet rejects any other string anywhere, any key the schema does not
//     name, accessors, class instances, and any array that is not an Int32Array owning its buffer;
//   - token ids are per example and unpadded (no [CLS]/[SEP]: the service lays them out); labels
//     are class indices; RAPT's plain tokens come as their privatized ids and their original ids
//     (public random draws from the vocabulary, the reconstruction target);
//   - no seed crosses (`seeded` says whether the privatizer had one), and no label NAMES cross
//     (the verbalizer head, when used, arrives as template and label-word ids).
//
// `mechanism: null` marks a clean set (no privatization: the baseline `rapt tune` runs in one
// process on the user's own machine). The validator refuses it unless the receiver says
// `allowClean` — the browser's service worker never does. `cleanTest`, when present, holds the
// UNPRIVATIZED test split: a measurement aid for public benchmark data (the built-in datasets);
// a client holding private data leaves it out, and test_clean is then reported with n = 0.
// Browser-safe.

import type { MechanismSpec } from '../privacy/types';
import {
  arrayItems,
  BoundaryError,
  checkMechanism,
  describe,
  isPlainObject,
  lengthGetter,
  MAX_SEQUENCE_LENGTH,
  ownData,
  ownedTypedArray,
  type BatchMechanism
} from './batch';

export const TRAINING_SET_KIND = 'privatized-training-set';
export const TRAINING_SET_VERSION = 1;
/** Most examples one split may hold. */
export const MAX_SPLIT_EXAMPLES = 200_000;
/** Most classes a task may have. */
export const MAX_CLASSES = 1024;

const SUBJECT = 'PrivatizedTrainingSet';

/** One split as the service receives it. */
export interface TrainingSplit {
  /** per example, the (privatized) token ids of its text, no specials, unpadded */
  ids: Int32Array[];
  /** per example, its class index (0 … numClasses − 1) */
  labels: Int32Array;
}

/** The training split, with RAPT's plain tokens when the set has them. */
export interface TrainingSplitWithPlain extends TrainingSplit {
  /** per example, m privatized plain-token ids (absent when plainTokens is 0) */
  plainPrivatized?: Int32Array[];
  /** per example, the m original plain-token ids: public random vocabulary ids, the reconstruction target */
  plainOriginal?: Int32Array[];
}

export interface PrivatizedTrainingSet {
  kind: 'privatized-training-set';
  version: 1;
  /** mechanism name, budget and resolved parameters, never the seed; null = clean (not privatized) */
  mechanism: BatchMechanism | null;
  /** true when a fixed seed made the noise replayable (NOT PRIVATE) */
  seeded: boolean;
  numClasses: number;
  /** m, plain tokens per training example (0 = no RAPT reconstruction) */
  plainTokens: number;
  train: TrainingSplitWithPlain;
  dev: TrainingSplit;
  test: TrainingSplit;
  /** the test split NOT privatized (public benchmark data only; see the header) */
  cleanTest?: TrainingSplit;
  /** the verbalizer head's template (one [MASK]) and one label-word id per class */
  verbalizer?: { template: Int32Array; labelWords: Int32Array };
  /** Date.now() on the client when the set was built */
  createdAt: number;
}

export interface TrainingSetCheckOptions {
  /** rows of the model's embedding table: ids ≥ this are refused */
  vocabSize?: number;
  /** accept mechanism null (clean, unprivatized ids); only for a run wholly on the user's machine */
  allowClean?: boolean;
}

const SET_KEYS = ['kind', 'version', 'mechanism', 'seeded', 'numClasses', 'plainTokens', 'train', 'dev', 'test', 'cleanTest', 'verbalizer', 'createdAt'] as const;
const REQUIRED = ['kind', 'version', 'mechanism', 'seeded', 'numClasses', 'plainTokens', 'train', 'dev', 'test', 'createdAt'] as const;
const SPLIT_KEYS = ['ids', 'labels'] as const;
const TRAIN_KEYS = ['ids', 'labels', 'plainPrivatized', 'plainOriginal'] as const;
const VERBALIZER_KEYS = ['template', 'labelWords'] as const;

function fail(code: ConstructorParameters<typeof BoundaryError>[0], path: string, detail: string): never {
  throw new BoundaryError(code, path, detail, SUBJECT);
}

function count(v: unknown, path: string, min: number, max: number): number {
  if (typeof v === 'string') fail('string-value', path, `${describe(v)}; expected a whole number`);
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) fail('bad-value', path, `expected a whole number in [${min}, ${max}], got ${describe(v)}`);
  return v;
}

/** Token-id rows: each an owned Int32Array, ids in [0, vocab), lengths within [minLen, maxLen]. */
function idRows(v: unknown, path: string, o: { vocab?: number; minLen: number; maxLen: number; exactLen?: number }): Int32Array[] {
  const items = arrayItems(v, path, SUBJECT);
  if (items.length > MAX_SPLIT_EXAMPLES) fail('too-large', path, `${items.length} rows, at most ${MAX_SPLIT_EXAMPLES}`);
  // types first (a string anywhere is named as such), then shapes and values
  const rows = items.map((x, i) => ownedTypedArray<Int32Array>(x, 'Int32Array', `${path}[${i}]`, 'token ids', SUBJECT));
  rows.forEach((r, i) => checkIds(r, `${path}[${i}]`, o));
  return rows;
}

function checkIds(r: Int32Array, path: string, o: { vocab?: number; minLen: number; maxLen: number; exactLen?: number }): void {
  const n = lengthGetter.call(r) as number;
  if (o.exactLen !== undefined && n !== o.exactLen) fail('shape', path, `${n} ids, expected ${o.exactLen}`);
  if (n < o.minLen) fail('shape', path, n === 0 ? 'no token ids (an empty row)' : `${n} ids, at least ${o.minLen}`);
  if (n > o.maxLen) fail('too-large', path, `${n} ids, at most ${o.maxLen}`);
  for (let i = 0; i < n; i++) {
    if (r[i] < 0) fail('bad-value', `${path}[${i}]`, `token id ${r[i]} is negative`);
    if (o.vocab !== undefined && r[i] >= o.vocab)
      fail('bad-value', `${path}[${i}]`, `token id ${r[i]} is outside the model's vocabulary (${o.vocab} ids, 0..${o.vocab - 1})`);
  }
}

function split(v: unknown, name: string, numClasses: number, vocab: number | undefined, plain: number | null): TrainingSplitWithPlain {
  if (typeof v === 'string') fail('string-value', name, `${describe(v)}; a ${SUBJECT} carries token ids only, never text`);
  if (!isPlainObject(v)) fail('not-object', name, `expected { ids, labels }, got ${describe(v)}`);
  const f = ownData(v, plain === null ? SPLIT_KEYS : TRAIN_KEYS, name, SUBJECT);
  for (const k of SPLIT_KEYS) if (!f.has(k)) fail('missing-key', `${name}.${k}`, 'missing');
  const ids = idRows(f.get('ids'), `${name}.ids`, { vocab, minLen: 1, maxLen: MAX_SEQUENCE_LENGTH });
  if (ids.length === 0) fail('shape', `${name}.ids`, 'no examples');
  const labels = ownedTypedArray<Int32Array>(f.get('labels'), 'Int32Array', `${name}.labels`, 'class indices', SUBJECT);
  const n = lengthGetter.call(labels) as number;
  if (n !== ids.length) fail('shape', `${name}.labels`, `${n} labels for ${ids.length} examples`);
  for (let i = 0; i < n; i++)
    if (labels[i] < 0 || labels[i] >= numClasses) fail('bad-value', `${name}.labels[${i}]`, `class ${labels[i]} is not in 0..${numClasses - 1}`);
  const out: TrainingSplitWithPlain = { ids, labels };
  if (plain !== null) {
    for (const k of ['plainPrivatized', 'plainOriginal'] as const) {
      if (plain === 0) {
        if (f.has(k)) fail('unknown-key', `${name}.${k}`, 'present, but plainTokens is 0');
        continue;
      }
      if (!f.has(k)) fail('missing-key', `${name}.${k}`, `missing (plainTokens is ${plain})`);
      const rows = idRows(f.get(k), `${name}.${k}`, { vocab, minLen: plain, maxLen: plain, exactLen: plain });
      if (rows.length !== ids.length) fail('shape', `${name}.${k}`, `${rows.length} rows for ${ids.length} examples`);
      out[k] = rows;
    }
  }
  return out;
}

/**
 * Throws BoundaryError (subject PrivatizedTrainingSet) unless `x` is a well-formed
 * PrivatizedTrainingSet (see the header); with `vocabSize`, every id must be below it.
 * The service calls it on the set before anything else.
 */
export function assertPrivatizedTrainingSet(x: unknown, opts: TrainingSetCheckOptions = {}): asserts x is PrivatizedTrainingSet {
  if (typeof x === 'string') fail('string-value', 'set', `${describe(x)}; a ${SUBJECT} carries token ids only, never text`);
  if (!isPlainObject(x)) fail('not-object', 'set', `expected a plain object, got ${describe(x)}`);
  const f = ownData(x, SET_KEYS, 'set', SUBJECT);
  for (const k of REQUIRED) if (!f.has(k)) fail('missing-key', `set.${k}`, 'missing');
  const kind = f.get('kind');
  if (kind !== TRAINING_SET_KIND) fail(typeof kind === 'string' ? 'string-value' : 'bad-value', 'kind', `must be the literal "${TRAINING_SET_KIND}", got ${describe(kind)}`);
  if (f.get('version') !== TRAINING_SET_VERSION) fail('bad-value', 'version', `this service reads version ${TRAINING_SET_VERSION}, got ${describe(f.get('version'))}`);
  const mech = f.get('mechanism');
  if (mech === null) {
    if (!opts.allowClean) fail('bad-value', 'mechanism', 'null (clean, unprivatized ids): this service accepts privatized sets only');
  } else checkMechanism(mech, SUBJECT);
  const seeded = f.get('seeded');
  if (typeof seeded !== 'boolean') fail(typeof seeded === 'string' ? 'string-value' : 'wrong-type', 'seeded', `expected true or false, got ${describe(seeded)}`);
  const created = f.get('createdAt');
  if (typeof created !== 'number' || !Number.isFinite(created) || created < 0)
    fail(typeof created === 'string' ? 'string-value' : 'wrong-type', 'createdAt', `expected a time in ms (a finite number ≥ 0), got ${describe(created)}`);
  const numClasses = count(f.get('numClasses'), 'numClasses', 2, MAX_CLASSES);
  const plain = count(f.get('plainTokens'), 'plainTokens', 0, MAX_SEQUENCE_LENGTH);
  const vocab = opts.vocabSize;
  split(f.get('train'), 'train', numClasses, vocab, plain);
  split(f.get('dev'), 'dev', numClasses, vocab, null);
  split(f.get('test'), 'test', numClasses, vocab, null);
  if (f.has('cleanTest')) split(f.get('cleanTest'), 'cleanTest', numClasses, vocab, null);
  if (f.has('verbalizer')) {
    const v = f.get('verbalizer');
    if (!isPlainObject(v)) fail(typeof v === 'string' ? 'string-value' : 'not-object', 'verbalizer', `expected { template, labelWords }, got ${describe(v)}`);
    const g = ownData(v, VERBALIZER_KEYS, 'verbalizer', SUBJECT);
    for (const k of VERBALIZER_KEYS) if (!g.has(k)) fail('missing-key', `verbalizer.${k}`, 'missing');
    const template = ownedTypedArray<Int32Array>(g.get('template'), 'Int32Array', 'verbalizer.template', 'token ids', SUBJECT);
    checkIds(template, 'verbalizer.template', { vocab, minLen: 1, maxLen: MAX_SEQUENCE_LENGTH });
    const words = ownedTypedArray<Int32Array>(g.get('labelWords'), 'Int32Array', 'verbalizer.labelWords', 'token ids', SUBJECT);
    checkIds(words, 'verbalizer.labelWords', { vocab, minLen: numClasses, maxLen: numClasses, exactLen: numClasses });
  }
}

/** An owned copy (the array owns its whole buffer, as the validator requires). */
const own = (a: ArrayLike<number>): Int32Array => Int32Array.from(a);

/** The parts a client assembles a set from (any typed-array views; they are copied). */
export interface TrainingSetParts {
  spec: MechanismSpec | null;
  /** resolved mechanism parameters to publish (e.g. Laplace's clip) */
  resolved?: Partial<BatchMechanism>;
  numClasses: number;
  plainTokens: number;
  train: { ids: readonly ArrayLike<number>[]; labels: ArrayLike<number>; plainPrivatized?: readonly ArrayLike<number>[]; plainOriginal?: readonly ArrayLike<number>[] };
  dev: { ids: readonly ArrayLike<number>[]; labels: ArrayLike<number> };
  test: { ids: readonly ArrayLike<number>[]; labels: ArrayLike<number> };
  cleanTest?: { ids: readonly ArrayLike<number>[]; labels: ArrayLike<number> };
  verbalizer?: { template: ArrayLike<number>; labelWords: ArrayLike<number> };
  now?: number;
}

/**
 * Builds a set: copies every row into its own buffer and strips the seed from the spec. The
 * result passes assertPrivatizedTrainingSet (checked here too, so a bad set fails on the client).
 */
export function buildPrivatizedTrainingSet(p: TrainingSetParts, check: TrainingSetCheckOptions = {}): PrivatizedTrainingSet {
  let mechanism: BatchMechanism | null = null;
  if (p.spec) {
    const { seed: _seed, ...pub } = p.spec;
    void _seed;
    mechanism = { ...pub, ...(p.resolved ?? {}) };
    for (const k of Object.keys(mechanism) as (keyof BatchMechanism)[]) if (mechanism[k] === undefined) delete mechanism[k];
  }
  const plainSplit = (s: TrainingSetParts['dev']): TrainingSplit => ({ ids: s.ids.map(own), labels: own(s.labels) });
  const train: TrainingSplitWithPlain = plainSplit(p.train);
  if (p.plainTokens > 0) {
    train.plainPrivatized = (p.train.plainPrivatized ?? []).map(own);
    train.plainOriginal = (p.train.plainOriginal ?? []).map(own);
  }
  const set: PrivatizedTrainingSet = {
    kind: TRAINING_SET_KIND,
    version: TRAINING_SET_VERSION,
    mechanism,
    seeded: p.spec?.seed !== undefined,
    numClasses: p.numClasses,
    plainTokens: p.plainTokens,
    train,
    dev: plainSplit(p.dev),
    test: plainSplit(p.test),
    ...(p.cleanTest ? { cleanTest: plainSplit(p.cleanTest) } : {}),
    ...(p.verbalizer ? { verbalizer: { template: own(p.verbalizer.template), labelWords: own(p.verbalizer.labelWords) } } : {}),
    createdAt: p.now ?? Date.now()
  };
  assertPrivatizedTrainingSet(set, { ...check, allowClean: check.allowClean ?? p.spec === null });
  return set;
}

/** Examples and (real) token ids per split, for logs and summaries. */
export function trainingSetShape(set: PrivatizedTrainingSet): Record<'train' | 'dev' | 'test' | 'cleanTest', { examples: number; tokens: number } | null> {
  const of = (s: TrainingSplit | undefined) => (s ? { examples: s.ids.length, tokens: s.ids.reduce((n, r) => n + r.length, 0) } : null);
  return { train: of(set.train), dev: of(set.dev), test: of(set.test), cleanTest: of(set.cleanTest) };
}
