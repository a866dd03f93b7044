// The train/dev/test split of a dataset the user imported (one file, no split of its own): the
// seeded 80/10/10 split stratified by label of ./splits.ts, with one fixed seed so the same file
// always gives the same dev and test examples. `rapt tune` on a file (task-node.ts) and the
// browser's client worker (the Train page's imported datasets) both call it, so a file splits the
// same way on both. A split that would leave train, dev or test empty is refused with a message
// that names the counts. Browser-safe.

import { DEFAULT_FRACTIONS, splitDataset } from './splits';
import { SPLIT_NAMES, type Dataset, type SplitDataset } from './types';

/** The seed of an imported file's split (task-node.ts's default splitSeed). */
export const IMPORT_SPLIT_SEED = 13;
/** train / dev / test fractions of an imported file's split */
export const IMPORT_SPLIT_FRACTIONS = DEFAULT_FRACTIONS;

export class ImportedSplitError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ImportedSplitError';
  }
}

/** `ds` split into train/dev/test (80/10/10, stratified by label, seeded); throws ImportedSplitError when a part would be empty. */
export function splitImported(ds: Dataset, seed: number = IMPORT_SPLIT_SEED): SplitDataset {
  const split = splitDataset(ds, { seed, fractions: IMPORT_SPLIT_FRACTIONS });
  const empty = SPLIT_NAMES.filter((s) => split.splits[s].examples.length === 0);
  if (empty.length > 0) {
    const counts = SPLIT_NAMES.map((s) => `${split.splits[s].examples.length} ${s}`).join(' / ');
    throw new ImportedSplitError(
      `dataset "${ds.name}" has ${ds.examples.length} example${ds.examples.length === 1 ? '' : 's'}: too few for an 80/10/10 split ` +
        `(${counts}; ${empty.join(' and ')} would be empty); import a file with at least 20 examples`
    );
  }
  return split;
}
