// Training with a model checked and kept on Models / Data, the GPU-free parts: the
// "imported:<name>" model reference (../../src/lib/app/model-ref.ts) round-trips through the Train
// page's URL beside an imported dataset; a link naming a kept model this browser does not have
// says so, falls back to the built-in model and keeps every other setting; and what the Models /
// Data page keeps of a checked folder (../../src/lib/app/model-summary.ts): only the files the
// loaders read, a summary of the model, a name no kept model has, and a specific message when the
// browser's storage is full.
import { describe, expect, it } from 'vitest';
import { importedModelNameOf, importedModelRef, missingImportedModelMessage, modelDisplayName } from '../../src/lib/app/model-ref';
import { describeSummary, isQuotaError, keepFailureMessage, MAX_MODEL_NAME, modelFilesToKeep, summaryOfModel, uniqueModelName } from '../../src/lib/app/model-summary';
import { parseTrainQuery, trainQuery, tuneConfigOf, TRAIN_DEFAULTS, type TrainForm } from '../../src/lib/app/train-url';
import { completeTuneConfig } from '../../src/lib/rapt/check-config';
import type { ModelInfo } from '../../src/lib/app/service-types';

const sites = { models: ['rapt-mini', 'tiny-random'], tasks: ['spam'], imported: ['reviews'], importedModels: ['tiny-bert', 'rapt-mini', 'my model, v2'] };

describe('imported model references', () => {
  it('tell a kept model from a built-in one of the same name', () => {
    expect(importedModelRef('rapt-mini')).toBe('imported:rapt-mini');
    expect(importedModelNameOf('imported:rapt-mini')).toBe('rapt-mini');
    expect(importedModelNameOf('rapt-mini')).toBeNull();
    expect(modelDisplayName('rapt-mini')).toBe('rapt-mini');
    expect(modelDisplayName('imported:rapt-mini')).toBe('rapt-mini (imported)');
  });

  it('round-trip through the URL with an imported dataset and odd characters', () => {
    const form: TrainForm = { ...TRAIN_DEFAULTS, model: importedModelRef('my model, v2'), task: 'imported:reviews', steps: 3 };
    const q = trainQuery(form);
    expect(new URLSearchParams(q).get('model')).toBe('imported:my model, v2');
    expect(parseTrainQuery(q, sites)).toEqual({ form, errors: [] });
    expect(completeTuneConfig(tuneConfigOf(form)).model).toBe('imported:my model, v2');
    // the imported "rapt-mini" is not the built-in one
    expect(parseTrainQuery('model=imported:rapt-mini', sites).form.model).toBe('imported:rapt-mini');
    expect(parseTrainQuery('model=rapt-mini', sites).form.model).toBe('rapt-mini');
  });

  it('name a missing kept model, fall back to the built-in model and keep the other settings', () => {
    const { form, errors } = parseTrainQuery('model=imported:gone&task=imported:reviews&steps=3&method=lora&evalLimit=4', sites);
    expect(errors).toEqual([`model: ${missingImportedModelMessage('gone')}; using rapt-mini`]);
    expect(errors[0]).toBe('model: model "gone" was imported in another browser or deleted; check its folder again on Models / Data; using rapt-mini');
    expect(form).toEqual({ ...TRAIN_DEFAULTS, task: 'imported:reviews', steps: 3, method: 'lora', evalLimit: 4 });
    expect(parseTrainQuery('model=imported:', sites).errors).toEqual(['model: "imported:" names no model; using rapt-mini']);
    // the storage could not be read (no list): the reference is kept, and loading it will say what went wrong
    expect(parseTrainQuery('model=imported:gone', { models: sites.models }).form.model).toBe('imported:gone');
    // a built-in name is still checked against the built-in list
    expect(parseTrainQuery('model=tiny-bert', sites).errors[0]).toMatch(/^model: "tiny-bert" is not a model of this site/);
    expect(missingImportedModelMessage('x'.repeat(100)).length).toBeLessThan(140);
  });
});

const f = (name: string, size = 10) => ({ name, size });

describe('what is kept of a checked model folder', () => {
  it('keeps the files the loaders read, and nothing else of the folder', () => {
    const folder = [f('README.md'), f('model.safetensors', 1000), f('vocab.txt', 50), f('pytorch_model.bin', 900), f('config.json', 5), f('optimizer.safetensors', 700)];
    expect(modelFilesToKeep(folder).map((x) => x.name)).toEqual(['config.json', 'vocab.txt', 'model.safetensors']);
    // a single file wins over an index, as in the loader
    expect(modelFilesToKeep([...folder, f('model.safetensors.index.json')], ['a.safetensors']).map((x) => x.name)).toEqual([
      'config.json',
      'vocab.txt',
      'model.safetensors'
    ]);
    // sharded: the index and the shards it names, not the other safetensors files
    const sharded = [f('tokenizer.json'), f('config.json'), f('model-00002.safetensors'), f('model.safetensors.index.json'), f('model-00001.safetensors'), f('other.safetensors')];
    expect(modelFilesToKeep(sharded, ['model-00002.safetensors', 'model-00001.safetensors']).map((x) => x.name)).toEqual([
      'config.json',
      'tokenizer.json',
      'model.safetensors.index.json',
      'model-00001.safetensors',
      'model-00002.safetensors'
    ]);
  });

  it('sums the kept bytes into a summary of the model', () => {
    const info = { layers: 2, hidden: 32, heads: 4, vocabSize: 1000, maxPositions: 64, parameterCount: 55_000 } as ModelInfo;
    const s = summaryOfModel(info, [f('config.json', 498), f('model.safetensors', 222_536), f('vocab.txt', 5480)]);
    expect(s).toEqual({ layers: 2, hidden: 32, heads: 4, vocabSize: 1000, maxPositions: 64, parameters: 55_000, bytes: 228_514 });
    expect(describeSummary(s)).toBe('2 layers, hidden 32, 4 heads, vocabulary 1,000, 55,000 parameters, 223.2 KiB');
    expect(describeSummary({ ...s, layers: 1, heads: 1 })).toMatch(/^1 layer, hidden 32, 1 head,/);
  });

  it('gives each kept model its own name', () => {
    expect(uniqueModelName('tiny-bert', [])).toBe('tiny-bert');
    expect(uniqueModelName('tiny-bert', ['tiny-bert'])).toBe('tiny-bert (2)');
    expect(uniqueModelName(' tiny-bert ', ['tiny-bert', 'tiny-bert (2)', 'other'])).toBe('tiny-bert (3)');
    expect(uniqueModelName('', [])).toBe('imported model');
    expect(uniqueModelName('', ['imported model'])).toBe('imported model (2)');
    expect(uniqueModelName('x'.repeat(300), []).length).toBe(MAX_MODEL_NAME);
  });

  it('says specifically when the storage is full, and that the model stays usable in this tab', () => {
    const quota = new DOMException('The current transaction exceeded its quota limitations.', 'QuotaExceededError');
    expect(isQuotaError(quota)).toBe(true);
    // as idb-store wraps it: the browser's error as the cause
    expect(isQuotaError(new Error('IndexedDB models: transaction aborted', { cause: quota }))).toBe(true);
    expect(isQuotaError(new Error('IndexedDB models: the connection was closed'))).toBe(false);
    expect(isQuotaError(null)).toBe(false);
    const full = keepFailureMessage('tiny-bert', 228_514, quota);
    expect(full).toBe(
      'Could not keep "tiny-bert" in this browser: this browser\'s storage for the site is full (223.2 KiB did not fit): delete kept models or ' +
        'datasets you no longer need, or free disk space, and check the folder again. It can still be picked on the Train page until this tab is closed or reloaded.'
    );
    const other = keepFailureMessage('tiny-bert', 1, new Error('IndexedDB is not available in this browser'));
    expect(other).toContain("the browser's storage refused it (IndexedDB is not available in this browser)");
    expect(other).not.toContain('full');
  });
});
