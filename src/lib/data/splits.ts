/**
 * Seeded train/dev/test splits.
 *
 * One allocation rule serves both the built-in datasets (scripts/prepare-data.ts) and the
 * user's imported data: items (examples, or groups of examples that must stay together)
 * are ordered by stratum (e.g. label), shuffled within their stratum with a seeded PRNG,
 * and then dealt out *systematically* along that order so that every stratum is spread over
 * the splits in proportion to the fractions (a stratified split without rounding each
 * stratum separately, which would starve small strata of dev/test items).
 *
 * Browser-safe (no Node imports). Never mutates its inputs.
 */
import { SeededRandom } from '../util/seeded-random';
import type { Dataset, Example, SplitDataset, SplitName } from './types';
import { SPLIT_NAMES, sortedUnique } from './types';

export type SplitFractions = readonly [train: number, dev: number, test: number];
export const DEFAULT_FRACTIONS: SplitFractions = [0.8, 0.1, 0.1];

function checkFractions(fr: SplitFractions): void {
  if (fr.length !== 3 || fr.some((f) => !Number.isFinite(f) || f < 0)) {
    throw new RangeError(`split fractions must be three non-negative numbers, got [${fr.join(', ')}]`);
  }
  const sum = fr[0] + fr[1] + fr[2];
  if (Math.abs(sum - 1) > 1e-9) {
    throw new RangeError(`split fractions must sum to 1, got [${fr.join(', ')}] (sum ${sum})`);
  }
}

/**
 * Deals `n` ordered slots to train/dev/test: slot k goes to dev when the running dev quota
 * floor((k+1)·f_dev + o_dev) grows, else to test when the test quota grows (a test slot
 * that collides with a dev slot is taken at the next slot), else to train. The offsets
 * o_dev, o_test are drawn from `rng`. Counts end within one of n·f for each split.
 */
export function systematicAssign(n: number, fractions: SplitFractions, rng: SeededRandom): SplitName[] {
  checkFractions(fractions);
  const [, fDev, fTest] = fractions;
  const oDev = rng.next();
  const oTest = rng.next();
  const out: SplitName[] = new Array(n);
  let nDev = 0;
  let nTest = 0;
  for (let k = 0; k < n; k++) {
    const wantDev = Math.floor((k + 1) * fDev + oDev) - Math.floor(oDev);
    const wantTest = Math.floor((k + 1) * fTest + oTest) - Math.floor(oTest);
    if (wantDev > nDev) {
      out[k] = 'dev';
      nDev++;
    } else if (wantTest > nTest) {
      out[k] = 'test';
      nTest++;
    } else {
      out[k] = 'train';
    }
  }
  return out;
}

/**
 * Stratified seeded assignment of items to splits. `stratumOf` gives each item's stratum
 * key; strata are visited in sorted key order, items shuffled within each stratum.
 * Returns the split of each item, aligned with `items`.
 */
export function stratifiedAssign<T>(
  items: readonly T[],
  stratumOf: (item: T, index: number) => string,
  fractions: SplitFractions,
  rng: SeededRandom
): SplitName[] {
  checkFractions(fractions);
  const byStratum = new Map<string, number[]>();
  items.forEach((item, i) => {
    const key = stratumOf(item, i);
    let list = byStratum.get(key);
    if (!list) byStratum.set(key, (list = []));
    list.push(i);
  });
  const order: number[] = [];
  for (const key of sortedUnique(byStratum.keys())) {
    order.push(...rng.shuffle(byStratum.get(key)!.slice()));
  }
  const slots = systematicAssign(order.length, fractions, rng);
  const out: SplitName[] = new Array(items.length);
  order.forEach((itemIndex, k) => {
    out[itemIndex] = slots[k];
  });
  return out;
}

export interface SplitOptions {
  seed: number;
  /** train/dev/test fractions, default 0.8/0.1/0.1. */
  fractions?: SplitFractions;
  /** Stratify by the label (default), by an attribute, or not at all. */
  stratify?: 'label' | { attribute: string } | 'none';
  /**
   * Keep all examples sharing this attribute's value in one split (e.g. a document id, so
   * that paragraphs of one document never straddle train and test). Groups are stratified
   * by their first example's label/attribute.
   */
  groupBy?: string;
}

function subset(ds: Dataset, examples: Example[], suffix: SplitName): Dataset {
  return { name: `${ds.name}/${suffix}`, examples, labels: ds.labels.slice(), attributes: ds.attributes.slice() };
}

function checkAttribute(ds: Dataset, attribute: string, role: string): void {
  if (!ds.attributes.includes(attribute)) {
    const available = ds.attributes.length ? ds.attributes.join(', ') : '(none)';
    throw new Error(`${role}: dataset "${ds.name}" has no attribute "${attribute}"; available attributes: ${available}`);
  }
}

/** A seeded (optionally stratified and grouped) train/dev/test split of a dataset with no split column. */
export function splitDataset(ds: Dataset, options: SplitOptions): SplitDataset {
  const fractions = options.fractions ?? DEFAULT_FRACTIONS;
  const stratify = options.stratify ?? 'label';
  if (typeof stratify === 'object') checkAttribute(ds, stratify.attribute, 'stratify');
  if (options.groupBy !== undefined) checkAttribute(ds, options.groupBy, 'groupBy');
  const rng = new SeededRandom(options.seed);
  const stratumOfExample = (ex: Example): string =>
    stratify === 'label' ? ex.label : stratify === 'none' ? '' : ex.attrs[stratify.attribute] ?? '';

  let splitOf: SplitName[];
  if (options.groupBy === undefined) {
    splitOf = stratifiedAssign(ds.examples, stratumOfExample, fractions, rng);
  } else {
    const key = options.groupBy;
    const groupIndex = new Map<string, number>();
    const groupFirst: Example[] = [];
    const exampleGroup = ds.examples.map((ex) => {
      const g = ex.attrs[key] ?? '';
      let gi = groupIndex.get(g);
      if (gi === undefined) {
        gi = groupFirst.length;
        groupIndex.set(g, gi);
        groupFirst.push(ex);
      }
      return gi;
    });
    const groupSplit = stratifiedAssign(groupFirst, stratumOfExample, fractions, rng);
    splitOf = exampleGroup.map((gi) => groupSplit[gi]);
  }
  const parts: Record<SplitName, Example[]> = { train: [], dev: [], test: [] };
  ds.examples.forEach((ex, i) => parts[splitOf[i]].push(ex));
  return {
    name: ds.name,
    labels: ds.labels.slice(),
    attributes: ds.attributes.slice(),
    splits: {
      train: subset(ds, parts.train, 'train'),
      dev: subset(ds, parts.dev, 'dev'),
      test: subset(ds, parts.test, 'test')
    }
  };
}

/** Names accepted in a split column for each split (compared case-insensitively). */
export const SPLIT_VALUE_NAMES: Record<SplitName, readonly string[]> = {
  train: ['train', 'training'],
  dev: ['dev', 'validation', 'valid', 'val', 'development'],
  test: ['test', 'testing']
};

/**
 * Splits a dataset by the values of one of its attributes (a split column). The column is
 * removed from the attributes of the result. Unknown values are an error naming them.
 */
export function splitByColumn(ds: Dataset, attribute: string): SplitDataset {
  checkAttribute(ds, attribute, 'split column');
  const lookup = new Map<string, SplitName>();
  for (const s of SPLIT_NAMES) for (const v of SPLIT_VALUE_NAMES[s]) lookup.set(v, s);
  const attributes = ds.attributes.filter((a) => a !== attribute);
  const parts: Record<SplitName, Example[]> = { train: [], dev: [], test: [] };
  const unknown = new Set<string>();
  for (const ex of ds.examples) {
    const raw = ex.attrs[attribute] ?? '';
    const s = lookup.get(raw.trim().toLowerCase());
    if (!s) {
      unknown.add(raw);
      continue;
    }
    const attrs: Record<string, string> = {};
    for (const a of attributes) attrs[a] = ex.attrs[a];
    const copy: Example = { text: ex.text, label: ex.label, attrs };
    if (ex.textPair !== undefined) copy.textPair = ex.textPair;
    parts[s].push(copy);
  }
  if (unknown.size > 0) {
    const shown = [...unknown].slice(0, 5).map((v) => JSON.stringify(v)).join(', ');
    throw new Error(
      `split column "${attribute}": unrecognised value(s) ${shown}; expected one of ` +
        SPLIT_NAMES.map((s) => SPLIT_VALUE_NAMES[s].join('/')).join(', ')
    );
  }
  const sub = (examples: Example[], s: SplitName): Dataset => ({
    name: `${ds.name}/${s}`,
    examples,
    labels: ds.labels.slice(),
    attributes: attributes.slice()
  });
  return {
    name: ds.name,
    labels: ds.labels.slice(),
    attributes,
    splits: { train: sub(parts.train, 'train'), dev: sub(parts.dev, 'dev'), test: sub(parts.test, 'test') }
  };
}
