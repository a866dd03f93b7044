// The validation report of an imported dataset, shown before it is kept: rows, labels with their
// counts, attributes with their most frequent values, text lengths, and the problems worth knowing
// before training on it (one label, rare labels, empty pair texts, duplicate texts, very long
// texts). The importers already refuse what cannot be used (naming the line); these are warnings.
// Pure and browser-safe.

import type { Dataset } from './types';

export interface LengthSummary {
  mean: number;
  median: number;
  max: number;
}

export interface ImportReport {
  rows: number;
  labels: { label: string; count: number }[];
  attributes: { name: string; distinct: number; top: { value: string; count: number }[] }[];
  chars: LengthSummary;
  words: LengthSummary;
  pair: boolean;
  /** warnings, each one sentence */
  problems: string[];
}

function summary(xs: number[]): LengthSummary {
  if (xs.length === 0) return { mean: 0, median: 0, max: 0 };
  const s = [...xs].sort((a, b) => a - b);
  return { mean: xs.reduce((a, b) => a + b, 0) / xs.length, median: s[Math.floor((s.length - 1) / 2)], max: s[s.length - 1] };
}

function counts(values: Iterable<string>): Map<string, number> {
  const m = new Map<string, number>();
  for (const v of values) m.set(v, (m.get(v) ?? 0) + 1);
  return m;
}

/** Texts longer than this many words are cut by any of the built-in models (128 positions). */
export const LONG_WORDS = 128;

export function importReport(ds: Dataset): ImportReport {
  const ex = ds.examples;
  const labelCounts = counts(ex.map((e) => e.label));
  const labels = ds.labels.map((label) => ({ label, count: labelCounts.get(label) ?? 0 }));
  const attributes = ds.attributes.map((name) => {
    const c = counts(ex.map((e) => e.attrs[name] ?? ''));
    const top = [...c].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, 5).map(([value, count]) => ({ value, count }));
    return { name, distinct: c.size, top };
  });
  const words = ex.map((e) => (e.text.match(/\S+/g) ?? []).length);
  const pair = ex.some((e) => e.textPair !== undefined);
  const problems: string[] = [];
  if (labels.length < 2) problems.push(`only one label (${labels[0]?.label ?? 'none'}): a classifier has nothing to learn`);
  for (const l of labels) if (l.count < 3 && labels.length >= 2) problems.push(`label "${l.label}" has only ${l.count} example${l.count === 1 ? '' : 's'}`);
  if (labels.length > 50) problems.push(`${labels.length} distinct labels: is the label column right?`);
  const dup = ex.length - new Set(ex.map((e) => e.text + '\u0000' + (e.textPair ?? ''))).size;
  if (dup > 0) problems.push(`${dup} duplicate text${dup === 1 ? '' : 's'} (they may land in both train and test)`);
  const conflicting = (() => {
    const byText = new Map<string, Set<string>>();
    for (const e of ex) {
      const k = e.text + '\u0000' + (e.textPair ?? '');
      (byText.get(k) ?? byText.set(k, new Set()).get(k)!).add(e.label);
    }
    return [...byText.values()].filter((s) => s.size > 1).length;
  })();
  if (conflicting > 0) problems.push(`${conflicting} text${conflicting === 1 ? ' appears' : 's appear'} with different labels`);
  if (pair) {
    const emptyPairs = ex.filter((e) => !e.textPair).length;
    if (emptyPairs > 0) problems.push(`${emptyPairs} example${emptyPairs === 1 ? ' has' : 's have'} no second text`);
  }
  const long = words.filter((w) => w > LONG_WORDS).length;
  if (long > 0) problems.push(`${long} text${long === 1 ? ' is' : 's are'} longer than ${LONG_WORDS} words and will be cut`);
  if (ex.length < 20) problems.push(`only ${ex.length} rows: too few for train, dev and test splits to mean much`);
  return { rows: ex.length, labels, attributes, chars: summary(ex.map((e) => e.text.length)), words: summary(words), pair, problems };
}
