// The PrivatizedTrainingSet boundary message in Node: a set built by the client half of a tuning
// run (prepareTrainingSet, real tokenizer and d_χ on tests/fixtures/tiny-bert) survives structured
// clone, is accepted and logged by the service's ServiceInbox, and carries no string but its
// protocol literals and no piece of any raw word. Forged sets — a text field, strings among the
// ids, plain arrays, out-of-range ids, wrong lengths, views over a larger buffer, a clean set, a
// seed — are refused with errors that say where and why, never echo the text, and are logged by
// their error only. The service's training parameters refuse fields that are not theirs.
import { beforeAll, describe, expect, it } from 'vitest';
import { resolve } from 'node:path';
import type { GpuContext } from '../../src/lib/gpu/context';
import { loadBertFolder } from '../../src/lib/model/checkpoint/load-folder-node';
import type { BertCheckpoint } from '../../src/lib/model/checkpoint/bert-checkpoint';
import { BertTokenizer } from '../../src/lib/model/tokenizer';
import { makePrivacyTable } from '../../src/lib/boundary/table';
import { BoundaryError } from '../../src/lib/boundary/batch';
import { assertPrivatizedTrainingSet, buildPrivatizedTrainingSet, type PrivatizedTrainingSet } from '../../src/lib/boundary/training-set';
import { ServiceInbox } from '../../src/lib/workers/boundary-service';
import { prepareTrainingSet } from '../../src/lib/rapt/client-set';
import { completeTuneConfig } from '../../src/lib/rapt/check-config';
import { checkServiceParams, serviceParamsOf } from '../../src/lib/rapt/service-params';
import type { Example, SplitDataset } from '../../src/lib/data/types';
import { getGpu } from './helpers/gpu';

const SECRET = 'zebrafinch';
const VOCAB = 1000;

/** A small valid set: 3 train examples with m = 2 plain tokens, 2 dev, 2 test, 2 classes. */
function valid(): PrivatizedTrainingSet {
  return buildPrivatizedTrainingSet({
    spec: { mechanism: 'dchi', eta: 10 },
    numClasses: 2,
    plainTokens: 2,
    train: { ids: [[5, 6, 7], [8], [9, 10]], labels: [0, 1, 0], plainPrivatized: [[11, 12], [13, 14], [15, 16]], plainOriginal: [[21, 22], [23, 24], [25, 26]] },
    dev: { ids: [[30, 31], [32]], labels: [1, 0] },
    test: { ids: [[40], [41, 42]], labels: [0, 1] },
    now: 1
  });
}

/** A deep copy we can break (typed arrays copied, so each owns its buffer). */
function forged(): Record<string, any> {
  return structuredClone(valid()) as unknown as Record<string, any>;
}

function stringValues(v: unknown, out: string[] = []): string[] {
  if (typeof v === 'string') out.push(v);
  else if (ArrayBuffer.isView(v)) return out;
  else if (Array.isArray(v)) for (const x of v) stringValues(x, out);
  else if (v && typeof v === 'object') for (const x of Object.values(v)) stringValues(x, out);
  return out;
}

function refused(x: unknown, code: string, path: RegExp | string, opts: Parameters<typeof assertPrivatizedTrainingSet>[1] = { vocabSize: VOCAB }): BoundaryError {
  let err: unknown;
  try {
    assertPrivatizedTrainingSet(x, opts);
  } catch (e) {
    err = e;
  }
  expect(err, 'the set was accepted').toBeInstanceOf(BoundaryError);
  const e = err as BoundaryError;
  expect(e.code).toBe(code);
  if (typeof path === 'string') expect(e.path).toBe(path);
  else expect(e.path).toMatch(path);
  expect(e.message).toMatch(/^PrivatizedTrainingSet rejected at /);
  expect(e.message).not.toContain(SECRET);
  return e;
}

describe('PrivatizedTrainingSet validation', () => {
  it('accepts a well-formed set, also after structured clone, and its only strings are protocol literals', () => {
    const set = valid();
    expect(() => assertPrivatizedTrainingSet(set, { vocabSize: VOCAB })).not.toThrow();
    expect(() => assertPrivatizedTrainingSet(structuredClone(set), { vocabSize: VOCAB })).not.toThrow();
    expect(stringValues(set).sort()).toEqual(['dchi', 'privatized-training-set']);
    expect(set.seeded).toBe(false);
  });

  it('refuses a text field, anywhere', () => {
    refused({ ...forged(), text: SECRET }, 'unknown-key', 'set');
    const s = forged();
    s.train.text = [SECRET];
    refused(s, 'unknown-key', 'train');
    const d = forged();
    d.dev.texts = SECRET;
    refused(d, 'unknown-key', 'dev');
    refused(SECRET, 'string-value', 'set');
    const m = forged();
    m.mechanism.note = SECRET;
    refused(m, 'unknown-key', 'mechanism');
    const k = forged();
    k.kind = SECRET;
    refused(k, 'string-value', 'kind');
    const l = forged();
    l.labels = ['ham', 'spam'];
    refused(l, 'unknown-key', 'set');
  });

  it('refuses strings among the ids, and ids that are not an owned Int32Array', () => {
    const a = forged();
    a.train.ids[1] = SECRET;
    refused(a, 'string-value', 'train.ids[1]');
    const b = forged();
    b.test.ids = [['the', 'zebra'], [41]];
    refused(b, 'not-integer-array', 'test.ids[0]');
    const c = forged();
    c.dev.ids[0] = [30, 31];
    refused(c, 'not-integer-array', 'dev.ids[0]');
    const d = forged();
    d.train.labels = ['ham', 'spam', 'ham'];
    refused(d, 'not-integer-array', 'train.labels');
    const e = forged();
    e.train.plainOriginal[0] = new Float32Array([21, 22]);
    refused(e, 'not-integer-array', 'train.plainOriginal[0]');
    // a 3-id view over a buffer holding the text's bytes would carry the whole buffer across
    const bytes = new TextEncoder().encode(`${SECRET} ${SECRET} ${SECRET} ${SECRET}`);
    const buffer = new ArrayBuffer(Math.ceil(bytes.length / 4) * 4 + 12);
    new Uint8Array(buffer, 12).set(bytes);
    const f = forged();
    f.train.ids[0] = new Int32Array(buffer, 0, 3);
    refused(f, 'shared-buffer', 'train.ids[0]');
  });

  it('refuses ids outside the vocabulary, negative ids and labels outside the classes', () => {
    const a = forged();
    a.train.ids[2][1] = VOCAB;
    const e = refused(a, 'bad-value', 'train.ids[2][1]');
    expect(e.message).toContain(`outside the model's vocabulary (${VOCAB} ids`);
    const b = forged();
    b.train.plainPrivatized[1][0] = 5000;
    refused(b, 'bad-value', 'train.plainPrivatized[1][0]');
    const c = forged();
    c.dev.ids[1][0] = -3;
    refused(c, 'bad-value', 'dev.ids[1][0]');
    const d = forged();
    d.test.labels[1] = 2;
    refused(d, 'bad-value', 'test.labels[1]');
    const v = forged();
    v.verbalizer = { template: new Int32Array([4, 9999]), labelWords: new Int32Array([7, 8]) };
    refused(v, 'bad-value', 'verbalizer.template[1]');
  });

  it('refuses wrong lengths: labels, empty rows, plain rows, missing plain tokens, empty splits', () => {
    const a = forged();
    a.train.labels = new Int32Array([0, 1]);
    refused(a, 'shape', 'train.labels');
    const b = forged();
    b.dev.ids[0] = new Int32Array(0);
    refused(b, 'shape', 'dev.ids[0]');
    const c = forged();
    c.train.plainOriginal[2] = new Int32Array([1, 2, 3]);
    refused(c, 'shape', 'train.plainOriginal[2]');
    const d = forged();
    d.train.plainPrivatized = d.train.plainPrivatized.slice(0, 2);
    refused(d, 'shape', 'train.plainPrivatized');
    const e = forged();
    delete e.train.plainOriginal;
    refused(e, 'missing-key', 'train.plainOriginal');
    const f = forged();
    f.test = { ids: [], labels: new Int32Array(0) };
    refused(f, 'shape', 'test.ids');
    const g = forged();
    g.numClasses = 1;
    refused(g, 'bad-value', 'numClasses');
    const h = forged();
    h.verbalizer = { template: new Int32Array([4]), labelWords: new Int32Array([7]) };
    refused(h, 'shape', 'verbalizer.labelWords');
  });

  it('refuses a seed and (unless allowed) a clean set; the inbox logs refusals by their error only', () => {
    const a = forged();
    a.mechanism.seed = 7;
    refused(a, 'unknown-key', 'mechanism');
    const b = forged();
    b.mechanism = null;
    refused(b, 'bad-value', 'mechanism');
    expect(() => assertPrivatizedTrainingSet(b, { vocabSize: VOCAB, allowClean: true })).not.toThrow();

    const inbox = new ServiceInbox({ vocabSize: VOCAB });
    expect(() => inbox.receiveTrainingSet({ ...forged(), text: SECRET })).toThrow(BoundaryError);
    expect(() => inbox.receiveTrainingSet(b)).toThrow(/clean, unprivatized ids/);
    const { entry } = inbox.receiveTrainingSet(valid());
    expect(entry.kind).toBe('training-set');
    expect(entry.splits.train.ids).toEqual([[5, 6, 7], [8], [9, 10]]);
    expect(entry.splits.train.plainOriginal).toEqual([[21, 22], [23, 24], [25, 26]]);
    expect(entry.budget).toEqual({ name: 'eta', value: 10 });
    expect(inbox.log.summary()).toEqual({ batches: 0, sequences: 0, tokens: 0, trainingSets: 1, rejected: 2 });
    expect(JSON.stringify(inbox.log.toJSON())).not.toContain(SECRET);
  });
});

describe('service training parameters', () => {
  const params = serviceParamsOf(completeTuneConfig({ model: 'builtin', task: 'spam', rapt: true, plainTokens: 2 }));
  it('accepts the service half of a config and refuses fields that are not the service’s', () => {
    expect(checkServiceParams({ ...params }, 2)).toEqual(params);
    expect(() => checkServiceParams({ ...params, task: SECRET }, 2)).toThrow(/unknown training parameter "task"/);
    expect(() => checkServiceParams({ ...params, [SECRET + ' is here']: 1 }, 2)).toThrow(/a key of 18 characters/);
    expect(() => checkServiceParams({ ...params, lr: 'fast' }, 2)).toThrow(/lr must be a finite number/);
    expect(checkServiceParams({ ...params, plainSequence: 'separate' }, 2).plainSequence).toBe('separate');
    expect(() => checkServiceParams({ ...params, plainSequence: 'after' }, 2)).toThrow(/plainSequence must be joint or separate/);
    expect(() => checkServiceParams({ ...params, rapt: false }, 2)).toThrow(/carries 2 plain tokens/);
    const { steps: _s, ...rest } = params;
    void _s;
    expect(() => checkServiceParams(rest, 2)).toThrow(/steps is missing/);
  });
});

describe('prepareTrainingSet (the client half of a tuning run)', () => {
  let gpu: GpuContext;
  let ckpt: BertCheckpoint;
  let tok: BertTokenizer;
  beforeAll(async () => {
    gpu = await getGpu();
    ckpt = await loadBertFolder(resolve(__dirname, '..', 'fixtures', 'tiny-bert'));
    tok = BertTokenizer.fromHfFiles({ vocabTxt: ckpt.vocabTxt!, config: ckpt.configText });
  });

  it('turns raw examples into a set of ids that the service accepts, with no piece of the text in it', async () => {
    const words = ['whale', 'ship', 'captain', 'sea', 'the', 'of'];
    const ex = (i: number): Example => ({ text: `the ${SECRET} ${words[i % words.length]} ${words[(i + 2) % words.length]} of the sea`, label: i % 2 ? 'spam' : 'ham', attrs: {} });
    const split = (n: number, o: number) => ({ name: 's', examples: Array.from({ length: n }, (_, i) => ex(i + o)), labels: ['ham', 'spam'], attributes: [] });
    const data: SplitDataset = { name: 'toy', labels: ['ham', 'spam'], attributes: [], splits: { train: split(6, 0), dev: split(4, 10), test: split(4, 20) } };
    const config = completeTuneConfig({ model: 'builtin', task: 'toy', mechanism: 'dchi', eta: 50, rapt: true, plainTokens: 3, maxLength: 8, promptLength: 4 });
    const table = makePrivacyTable(ckpt, tok);
    const { set, summary } = await prepareTrainingSet(config, {
      gpu,
      tokenizer: tok,
      table,
      maxPositions: ckpt.config.max_position_embeddings,
      data,
      spec: { mechanism: 'dchi', eta: 50 },
      includeCleanTest: false
    });
    const received = structuredClone(set);
    const inbox = new ServiceInbox({ vocabSize: ckpt.config.vocab_size });
    expect(() => inbox.receiveTrainingSet(received)).not.toThrow();
    expect(set.seeded).toBe(false);
    expect(set.cleanTest).toBeUndefined();
    expect(set.train.ids.length).toBe(6);
    expect(set.train.plainOriginal!.every((r) => r.length === 3)).toBe(true);
    expect(Array.from(set.train.labels).sort()).toEqual([0, 0, 0, 1, 1, 1]);
    expect(Math.max(...set.train.ids.map((r) => r.length))).toBeLessThanOrEqual(summary.textBudget);
    expect(summary.labels).toEqual(['ham', 'spam']);
    expect(stringValues(received).sort()).toEqual(['dchi', 'privatized-training-set']);
    const json = JSON.stringify(received, (_k, v: unknown) => (ArrayBuffer.isView(v) ? Array.from(v as Int32Array) : v));
    expect(json).not.toContain(SECRET.slice(0, 4));
    expect(json).not.toContain('ham');
    // a mechanism that does not match the config is refused on the client
    await expect(
      prepareTrainingSet(config, { gpu, tokenizer: tok, table, maxPositions: 64, data, spec: { mechanism: 'laplace', epsilon: 5 }, includeCleanTest: false })
    ).rejects.toThrow(/does not match the config's mechanism/);
  });
});
