// The validation report of an imported dataset (src/lib/data/import-report.ts): counts, lengths and
// the warnings, on a hand-made dataset whose numbers are known.
import { describe, expect, it } from 'vitest';
import { importReport } from '../../src/lib/data/import-report';
import type { Dataset } from '../../src/lib/data/types';

const ds: Dataset = {
  name: 't',
  labels: ['neg', 'pos', 'rare'],
  attributes: ['era'],
  examples: [
    { text: 'good film', label: 'pos', attrs: { era: 'a' } },
    { text: 'good film', label: 'neg', attrs: { era: 'a' } },
    { text: 'bad one here', label: 'neg', attrs: { era: 'b' } },
    { text: 'fine', label: 'pos', attrs: { era: 'a' } },
    { text: 'x', label: 'rare', attrs: { era: 'c' } }
  ]
};

describe('importReport', () => {
  it('counts rows, labels, attributes and lengths', () => {
    const r = importReport(ds);
    expect(r.rows).toBe(5);
    expect(r.labels).toEqual([
      { label: 'neg', count: 2 },
      { label: 'pos', count: 2 },
      { label: 'rare', count: 1 }
    ]);
    expect(r.attributes[0]).toEqual({ name: 'era', distinct: 3, top: [{ value: 'a', count: 3 }, { value: 'b', count: 1 }, { value: 'c', count: 1 }] });
    expect(r.words).toEqual({ mean: 9 / 5, median: 2, max: 3 });
    expect(r.chars.max).toBe(12);
  });
  it('warns about rare labels, duplicates, conflicting labels and tiny files', () => {
    const p = importReport(ds).problems.join('\n');
    expect(p).toMatch(/label "neg" has only 2 examples/);
    expect(p).toMatch(/label "rare" has only 1 example\b/);
    expect(p).toMatch(/1 duplicate text/);
    expect(p).toMatch(/1 text appears with different labels/);
    expect(p).toMatch(/only 5 rows/);
  });
  it('says when there is only one label', () => {
    const one = importReport({ ...ds, labels: ['pos'], examples: ds.examples.map((e) => ({ ...e, label: 'pos' })) });
    expect(one.problems[0]).toMatch(/only one label/);
  });
});
