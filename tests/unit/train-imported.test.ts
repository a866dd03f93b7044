// Training on a dataset imported on Models / Data, the GPU-free parts: the "imported:<name>"
// reference (../../src/lib/app/dataset-ref.ts) round-trips through the Train page's URL; a link
// naming an imported dataset this browser does not have says so, falls back to the default
// dataset and keeps every other setting; the clean test split is refused for imported data (URL
// and form); and the split an imported file gets (imported-split.ts) is seeded, stratified,
// disjoint, the same as `rapt tune` on the file, and refuses a file too small to fill dev and test.
import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { importedNameOf, importedRef, missingImportedMessage } from '../../src/lib/app/dataset-ref';
import { draftOf, formOfDraft, parseTrainQuery, trainQuery, tuneConfigOf, TRAIN_DEFAULTS, type TrainForm } from '../../src/lib/app/train-url';
import { completeTuneConfig } from '../../src/lib/rapt/check-config';
import { IMPORT_SPLIT_SEED, ImportedSplitError, splitImported } from '../../src/lib/data/imported-split';
import { loadTaskNode } from '../../src/lib/data/task-node';
import { importDataset } from '../../src/lib/data/import';
import type { Dataset, Example } from '../../src/lib/data/types';

const sites = { models: ['rapt-mini'], tasks: ['spam', 'sotu-party'], imported: ['reviews', 'my data, v2'] };

function dataset(n: number, labels = ['neg', 'pos']): Dataset {
  const examples: Example[] = Array.from({ length: n }, (_, i) => ({ text: `example number ${i}`, label: labels[i % labels.length], attrs: {} }));
  return { name: 'toy', examples, labels: [...labels].sort(), attributes: [] };
}

describe('imported dataset references', () => {
  it('tell an imported dataset from a built-in one of the same name', () => {
    expect(importedRef('spam')).toBe('imported:spam');
    expect(importedNameOf('imported:spam')).toBe('spam');
    expect(importedNameOf('spam')).toBeNull();
    expect(importedNameOf(importedRef('a:b c'))).toBe('a:b c');
  });

  it('round-trip through the URL, with odd characters in the name', () => {
    const form: TrainForm = { ...TRAIN_DEFAULTS, task: importedRef('my data, v2'), steps: 3 };
    const q = trainQuery(form);
    expect(new URLSearchParams(q).get('task')).toBe('imported:my data, v2');
    expect(parseTrainQuery(q, sites)).toEqual({ form, errors: [] });
    expect(completeTuneConfig(tuneConfigOf(form)).task).toBe('imported:my data, v2');
  });

  it('name a missing imported dataset, fall back to the default dataset and keep the other settings', () => {
    const { form, errors } = parseTrainQuery('task=imported:gone&steps=3&method=lora&evalLimit=4', sites);
    expect(errors).toEqual([`task: ${missingImportedMessage('gone')}; using spam`]);
    expect(errors[0]).toBe('task: dataset "gone" was imported in another browser or deleted; import it on Models / Data; using spam');
    expect(form).toEqual({ ...TRAIN_DEFAULTS, steps: 3, method: 'lora', evalLimit: 4 });
    // an empty name is its own error; without the list (storage not read) the reference is kept
    expect(parseTrainQuery('task=imported:', sites).errors).toEqual(['task: "imported:" names no dataset; using spam']);
    expect(parseTrainQuery('task=imported:gone', { tasks: sites.tasks }).form.task).toBe('imported:gone');
    // a built-in name is still checked against the built-in list
    expect(parseTrainQuery('task=reviews', sites).errors[0]).toMatch(/^task: "reviews" is not a built-in dataset/);
    expect(missingImportedMessage('x'.repeat(100)).length).toBeLessThan(140);
  });

  it('never send an imported dataset\'s clean test split: refused in the URL, dropped from the form', () => {
    const { form, errors } = parseTrainQuery('task=imported:reviews&cleanTest=1&steps=4', sites);
    expect(form).toEqual({ ...TRAIN_DEFAULTS, task: 'imported:reviews', steps: 4, cleanTest: false });
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/^cleanTest: the clean test split is for public built-in data only.*unprivatized; off$/);
    // the draft keeps the box (for when a built-in dataset is picked again); the form drops it
    const draft = { ...draftOf({ ...TRAIN_DEFAULTS, cleanTest: true }), task: importedRef('reviews') };
    expect(formOfDraft(draft)).toEqual({ form: { ...TRAIN_DEFAULTS, task: 'imported:reviews', cleanTest: false } });
    expect(formOfDraft({ ...draft, task: 'spam' })).toEqual({ form: { ...TRAIN_DEFAULTS, cleanTest: true } });
    expect(parseTrainQuery('task=sotu-party&cleanTest=1', sites)).toEqual({ form: { ...TRAIN_DEFAULTS, task: 'sotu-party', cleanTest: true }, errors: [] });
  });
});

describe('the split of an imported file', () => {
  it('is seeded, stratified by label, disjoint and complete (80/10/10)', () => {
    const ds = dataset(60, ['a', 'b', 'c']);
    const s = splitImported(ds);
    expect(splitImported(ds)).toEqual(s);
    const sizes = [s.splits.train, s.splits.dev, s.splits.test].map((d) => d.examples.length);
    expect(sizes).toEqual([48, 6, 6]);
    const texts = [...s.splits.train.examples, ...s.splits.dev.examples, ...s.splits.test.examples].map((e) => e.text);
    expect(new Set(texts).size).toBe(60);
    for (const part of [s.splits.dev, s.splits.test]) expect(new Set(part.examples.map((e) => e.label)).size).toBe(3);
    expect(s.labels).toEqual(['a', 'b', 'c']);
    // another seed, another split
    expect(splitImported(ds, IMPORT_SPLIT_SEED + 1).splits.dev.examples.map((e) => e.text)).not.toEqual(s.splits.dev.examples.map((e) => e.text));
  });

  it('is the split `rapt tune` gives the same file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rapt-split-'));
    const file = join(dir, 'toy.tsv');
    const tsv = ['sentence\tlabel', ...dataset(30).examples.map((e) => `${e.text}\t${e.label}`)].join('\n');
    writeFileSync(file, tsv);
    const viaCli = await loadTaskNode(process.cwd(), file);
    const viaBrowser = splitImported(importDataset(tsv, { format: 'tsv', textColumn: 'sentence', labelColumn: 'label', fileName: 'toy.tsv' }));
    expect(viaBrowser.splits).toEqual(viaCli.splits);
  });

  it('refuses a file too small to fill dev and test, naming the counts', () => {
    expect(() => splitImported({ ...dataset(6), name: 'reviews' })).toThrow(ImportedSplitError);
    expect(() => splitImported({ ...dataset(6), name: 'reviews' })).toThrow(/^dataset "reviews" has 6 examples: too few for an 80\/10\/10 split \(\d+ train \/ \d+ dev \/ \d+ test; .*would be empty\)/);
    for (const n of [20, 21, 25, 40]) expect(() => splitImported(dataset(n)), `${n} examples`).not.toThrow();
  });
});
