// The Train page's URL-state schema (src/lib/app/train-url.ts) in Node: the defaults give an empty
// query; a changed form round-trips through the query; bad, unknown, repeated and conflicting
// parameters are each named, with the default kept in their place; the form maps onto a valid
// TuneConfig and a privatizer spec (a seed only when given).
import { describe, expect, it } from 'vitest';
import { draftOf, formOfDraft, parseTrainQuery, privacySpecOf, trainQuery, tuneConfigOf, TRAIN_DEFAULTS, type TrainForm } from '../../src/lib/app/train-url';
import { completeTuneConfig } from '../../src/lib/rapt/check-config';

const sites = { models: ['rapt-mini', 'tiny-random'], tasks: ['spam', 'sotu-party'] };

describe('train URL state', () => {
  it('omits the defaults and round-trips a changed form', () => {
    expect(trainQuery(TRAIN_DEFAULTS)).toBe('');
    expect(parseTrainQuery('', sites)).toEqual({ form: TRAIN_DEFAULTS, errors: [] });
    const form: TrainForm = { ...TRAIN_DEFAULTS, model: 'tiny-random', task: 'sotu-party', method: 'lora', mechanism: 'laplace', budget: 50, noiseSeed: 7, rapt: false, steps: 12, lr: 0.003, cleanTest: false };
    const q = trainQuery(form);
    expect(q).toContain('epsilon=50');
    expect(q).not.toContain('eta=');
    expect(q).toContain('rapt=0');
    expect(parseTrainQuery(q, sites)).toEqual({ form, errors: [] });
    expect(parseTrainQuery(`?${q}`, sites).form).toEqual(form);
  });

  it('names each bad parameter and keeps the default in its place', () => {
    const { form, errors } = parseTrainQuery('steps=ten&batchSize=0&lr=-1&method=magic&model=gpt9&task=mine&rapt=maybe&lamda=2&steps=4&noiseSeed=1.5', sites);
    expect(form).toEqual(TRAIN_DEFAULTS);
    expect(errors).toEqual(
      expect.arrayContaining([
        'steps: "ten": expected a number; using 30',
        'batchSize: "0": expected a whole number ≥ 1; using 16',
        'lr: "-1": expected a number > 0; using 0.01',
        'method: "magic" is not a PEFT method (prompt, prefix, lora, full); using prompt',
        'model: "gpt9" is not a model of this site (rapt-mini, tiny-random); using rapt-mini',
        'task: "mine" is not a built-in dataset (spam, sotu-party); using spam',
        'rapt: "maybe": expected 1 or 0 (true or false); using true',
        'unknown parameter "lamda" was ignored',
        'steps is given 2 times; the first value is used',
        'noiseSeed: "1.5": expected a whole number ≥ 0; using fresh noise'
      ])
    );
    expect(parseTrainQuery('eta=5&mechanism=santext', sites).errors).toEqual(['eta: santext takes epsilon, not eta; ignored']);
    expect(parseTrainQuery('mechanism=santext&epsilon=2', sites).form).toMatchObject({ mechanism: 'santext', budget: 2 });
    const long = parseTrainQuery(`task=${'x'.repeat(200)}`, sites).errors[0];
    expect(long.length).toBeLessThan(120);
  });

  it('passes values that are each valid (the layout limits are checked when a run is prepared)', () => {
    const { form, errors } = parseTrainQuery('method=prompt&promptLength=200&maxLength=5&plainTokens=1&steps=3', sites);
    expect(errors).toEqual([]);
    expect(form).toMatchObject({ promptLength: 200, maxLength: 5, plainTokens: 1, steps: 3 });
  });

  it('maps onto a TuneConfig and a privatizer spec', () => {
    const c = completeTuneConfig(tuneConfigOf(TRAIN_DEFAULTS));
    expect(c).toMatchObject({ model: 'rapt-mini', task: 'spam', mechanism: 'dchi', eta: 100, rapt: true, plainTokens: 10, steps: 30, trainLimit: 64, evalLimit: 32, maxLength: 32 });
    expect(privacySpecOf(TRAIN_DEFAULTS)).toEqual({ mechanism: 'dchi', eta: 100 });
    expect(privacySpecOf({ ...TRAIN_DEFAULTS, mechanism: 'laplace', budget: 9, noiseSeed: 3 })).toEqual({ mechanism: 'laplace', epsilon: 9, project: true, seed: 3 });
  });
});

describe('train form drafts', () => {
  it('turn into a form, or into one clear error', () => {
    expect(formOfDraft(draftOf(TRAIN_DEFAULTS))).toEqual({ form: TRAIN_DEFAULTS });
    const d = draftOf(TRAIN_DEFAULTS);
    expect(formOfDraft({ ...d, steps: null })).toEqual({ error: 'steps must be a number' });
    expect(formOfDraft({ ...d, budget: 'lots' })).toEqual({ error: 'the budget eta must be a number, got "lots"' });
    expect(formOfDraft({ ...d, noiseSeed: '-1' })).toEqual({ error: 'the noise seed must be a whole number ≥ 0, or empty for fresh noise; got "-1"' });
    expect(formOfDraft({ ...d, noiseSeed: ' 42 ' })).toEqual({ form: { ...TRAIN_DEFAULTS, noiseSeed: 42 } });
    expect(formOfDraft({ ...d, budget: '0' })).toEqual({ error: 'eta (the dchi budget) must be a finite number > 0, got 0' });
    expect(formOfDraft({ ...d, steps: 2.5 })).toEqual({ error: 'steps must be an integer ≥ 1, got 2.5' });
    // rapt-mini has 128 positions: a 100-token prompt and 40 plain tokens leave no room for text
    const crowded = { ...d, promptLength: 100, plainTokens: 40 };
    expect(formOfDraft(crowded)).toHaveProperty('form');
    expect((formOfDraft(crowded, { maxPositions: 128 }) as { error: string }).error).toMatch(/no room for text/);
  });
});
