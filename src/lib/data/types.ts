/**
 * The common in-memory shape of a text-classification dataset, shared by the built-in
 * datasets (`builtin.ts`) and the importers for the user's own files (`import.ts`).
 */

/** One labelled example. `textPair` is set for sentence-pair tasks (QQP, MRPC-style). */
export interface Example {
  text: string;
  textPair?: string;
  label: string;
  /** Attribute name → value (e.g. `president`, `era`); every name in `Dataset.attributes` is present. */
  attrs: Record<string, string>;
}

export interface Dataset {
  name: string;
  examples: Example[];
  /** Distinct labels, sorted (plain code-unit order), so label ids are stable. */
  labels: string[];
  /** Attribute names, in the order they were requested / declared. */
  attributes: string[];
}

export type SplitName = 'train' | 'dev' | 'test';
export const SPLIT_NAMES: readonly SplitName[] = ['train', 'dev', 'test'];

/** A dataset with fixed train/dev/test parts (each a `Dataset` with the same labels and attributes). */
export interface SplitDataset {
  name: string;
  labels: string[];
  attributes: string[];
  splits: Record<SplitName, Dataset>;
}

/** Sorted distinct values, in plain code-unit order (deterministic, locale-independent). */
export function sortedUnique(values: Iterable<string>): string[] {
  return [...new Set(values)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}
