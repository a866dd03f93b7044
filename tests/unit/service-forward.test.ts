// The service worker's forward path in Node (src/lib/workers/batch-forward.ts behind ServiceInbox),
// on tests/fixtures/tiny-bert: texts are privatized by the client code, the batch crosses by
// structured clone, the inbox validates and logs it, and the encoder runs on exactly the
// privatized ids — the same numbers as the float64 reference on those ids (never on the raw text).
// Also the checks on the service's other calls (service-args.ts) and the home page's settings
// (privacy-settings.ts): none lets a free-form string through.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolve } from 'node:path';
import type { GpuContext } from '../../src/lib/gpu/context';
import { loadBertFolder } from '../../src/lib/model/checkpoint/load-folder-node';
import type { BertCheckpoint } from '../../src/lib/model/checkpoint/bert-checkpoint';
import { BertModel } from '../../src/lib/model/bert';
import { bertForwardF64 } from '../../src/lib/model/reference/bert-f64';
import { BertTokenizer } from '../../src/lib/model/tokenizer';
import { hiddenNorms } from '../../src/lib/app/forward-format';
import { BoundaryError, makePrivacyTable, PrivacyClient } from '../../src/lib/boundary';
import { ServiceInbox } from '../../src/lib/workers/boundary-service';
import { runBatchForward } from '../../src/lib/workers/batch-forward';
import { checkDisplayName, checkProbeOptions, checkUrl, MAX_NAME_LENGTH, ServiceArgumentError } from '../../src/lib/workers/service-args';
import { DEFAULT_BUDGET, describeSpec, PrivacySettingsError, specFromForm } from '../../src/lib/app/privacy-settings';
import { MECHANISMS } from '../../src/lib/boundary/spec';
import { getGpu } from './helpers/gpu';

const MODEL = resolve(__dirname, '..', 'fixtures', 'tiny-bert');
const TEXTS = ['the whale swam past the ship', 'call me [MASK] , said the captain'];

let gpu: GpuContext;
let ckpt: BertCheckpoint;
let tok: BertTokenizer;
let client: PrivacyClient;
let model: BertModel;

beforeAll(async () => {
  gpu = await getGpu();
  ckpt = await loadBertFolder(MODEL);
  tok = BertTokenizer.fromHfFiles({ vocabTxt: ckpt.vocabTxt!, config: ckpt.configText });
  client = new PrivacyClient(gpu, makePrivacyTable(ckpt, tok), tok, { maxLength: ckpt.config.max_position_embeddings });
  model = new BertModel(gpu, ckpt.weights);
});

afterAll(() => {
  client?.dispose();
  model?.dispose();
});

describe('service forward on a PrivatizedBatch', () => {
  it('runs the encoder on exactly the privatized ids and logs them', async () => {
    const { batch, details } = await client.privatize(TEXTS, { mechanism: 'dchi', eta: 50, seed: 3 });
    const inbox = new ServiceInbox({ vocabSize: ckpt.config.vocab_size });
    const input = inbox.receive(structuredClone(batch));
    const out = await runBatchForward(gpu, model, tok, input);

    const sent = details.texts.map((row) => row.map((d) => d.privatized_id));
    expect(out.input_ids).toEqual(sent);
    expect(out.tokens).toEqual(sent.map((r) => r.map((id) => tok.idToToken(id))));
    expect(out.shape).toEqual(input.shape);
    expect(details.replaced_fraction, 'η = 50 on hidden 32 replaces tokens').toBeGreaterThan(0);

    // The float64 reference on the padded privatized batch: the GPU numbers match it.
    const [B, T] = input.shape;
    const ids = Array.from({ length: B }, (_, b) => Array.from(input.inputIds.subarray(b * T, (b + 1) * T)));
    const ref = bertForwardF64(ckpt.weights, { inputIds: ids, tokenTypeIds: ids.map((r) => r.map(() => 0)), attentionMask: input.attentionMask });
    const want = hiddenNorms(ref.lastHiddenState, B, T, ckpt.config.hidden_size, sent.map((r) => r.length));
    let worst = 0;
    out.hidden_norms.forEach((row, b) => row.forEach((n, t) => (worst = Math.max(worst, Math.abs(n - want[b][t]) / want[b][t]))));
    expect(worst, `max relative difference of the hidden-state norms: ${worst}`).toBeLessThan(1e-3);
    expect(out.mlm_top5?.[1]?.[sent[1].indexOf(tok.maskTokenId!)]).toHaveLength(5);

    const [entry] = inbox.log.entries;
    expect(entry.accepted && entry.seeded).toBe(true);
    expect(inbox.log.summary()).toEqual({ batches: 1, sequences: 2, tokens: sent[0].length + sent[1].length, trainingSets: 0, rejected: 0 });
  });

  it('refuses ids outside the loaded model\'s vocabulary, and logs the refusal', async () => {
    const { batch } = await client.privatize(['the whale'], { mechanism: 'dchi', eta: 50 });
    const inbox = new ServiceInbox({ vocabSize: 10 });
    expect(() => inbox.receive(batch)).toThrow(BoundaryError);
    expect(() => inbox.receive(batch)).toThrow(/outside the model's vocabulary \(10 ids, 0\.\.9\)/);
    expect(inbox.log.summary().rejected).toBe(2);
  });
});

describe('the service\'s other calls carry no free-form strings (service-args.ts)', () => {
  const origin = 'http://127.0.0.1:4173';

  it('accepts what the page sends', () => {
    expect(checkProbeOptions({ steps: 3, batchSize: 8, seqLen: 64, dataUrl: `${origin}/data/` }, origin)).toEqual({
      steps: 3,
      batchSize: 8,
      seqLen: 64,
      dataUrl: `${origin}/data/`
    });
    expect(checkProbeOptions({ steps: 1, batchSize: 1, seqLen: 8, dataset: 'sotu-party' }, origin).dataset).toBe('sotu-party');
    expect(checkUrl('/models/rapt-mini/', 'url', `${origin}/`).href).toBe(`${origin}/models/rapt-mini/`);
    expect(checkDisplayName('tiny-bert')).toBe('tiny-bert');
    expect(checkDisplayName(undefined)).toBeUndefined();
  });

  it('refuses extra keys, other origins, non-identifiers, and long names, with specific errors', () => {
    const secret = 'call me ishmael zebrafinch';
    const cases: [() => unknown, RegExp][] = [
      [() => checkProbeOptions({ steps: 3, batchSize: 8, seqLen: 64, text: secret }, origin), /unexpected key "text" \(allowed: steps, batchSize/],
      [() => checkProbeOptions({ steps: 3, batchSize: 8, seqLen: 64, [secret]: 1 }, origin), /unexpected key of 26 characters/],
      [() => checkProbeOptions({ steps: '3', batchSize: 8, seqLen: 64 }, origin), /steps must be a number, got a string of 1 characters/],
      [() => checkProbeOptions({ steps: 3, batchSize: 8, seqLen: 64, dataset: secret }, origin), /dataset must be a built-in dataset's name .* got a string of 26 characters/],
      [() => checkProbeOptions({ steps: 3, batchSize: 8, seqLen: 64, dataUrl: 'https://example.org/data/' }, origin), /dataUrl must be on this site \(http:\/\/127\.0\.0\.1:4173\), got one on https:\/\/example\.org/],
      [() => checkProbeOptions(secret, origin), /must be an object .* got a string of 26 characters/],
      [() => checkUrl('data:text/plain,' + secret, 'loadModel: url'), /loadModel: url must be an http or https URL, got a data: URL/],
      [() => checkUrl(secret, 'loadModel: url'), /loadModel: url is not a valid URL/],
      [() => checkUrl(42, 'loadModel: url'), /must be a URL string, got a number/],
      [() => checkDisplayName('x'.repeat(MAX_NAME_LENGTH + 1), 'loadModel: name'), new RegExp(`loadModel: name is ${MAX_NAME_LENGTH + 1} characters long; at most ${MAX_NAME_LENGTH}`)]
    ];
    for (const [fn, message] of cases) {
      let err: unknown;
      try {
        fn();
      } catch (e) {
        err = e;
      }
      expect(err, String(message)).toBeInstanceOf(ServiceArgumentError);
      expect((err as Error).message).toMatch(message);
      expect((err as Error).message, 'the error echoes the text').not.toContain('ishmael');
    }
  });
});

describe('home page privatization settings (privacy-settings.ts)', () => {
  it('always makes a spec: default budgets are valid, a seed is optional', () => {
    for (const m of MECHANISMS) {
      const spec = specFromForm(m, String(DEFAULT_BUDGET[m]), '');
      expect(spec.seed).toBeUndefined();
      expect(spec.eta ?? spec.epsilon).toBe(DEFAULT_BUDGET[m]);
    }
    expect(specFromForm('dchi', ' 100 ', '7')).toEqual({ mechanism: 'dchi', eta: 100, seed: 7 });
    expect(specFromForm('laplace', '200', '')).toEqual({ mechanism: 'laplace', epsilon: 200, project: true });
    expect(describeSpec({ mechanism: 'dchi', eta: 100 })).toBe('dχ, η = 100');
    expect(describeSpec({ mechanism: 'custext', epsilon: 3 })).toBe('custext, ε = 3');
  });

  it('says which field is wrong', () => {
    expect(() => specFromForm('dchi', 'abc', '')).toThrow(PrivacySettingsError);
    expect(() => specFromForm('dchi', 'abc', '')).toThrow('η (eta) must be a number, got "abc"');
    expect(() => specFromForm('santext', '', '')).toThrow('ε (epsilon) must be a number, got nothing');
    expect(() => specFromForm('dchi', '10', '-1')).toThrow('the seed must be a whole number ≥ 0');
    expect(() => specFromForm('dchi', '10', '1.5')).toThrow('the seed must be a whole number ≥ 0');
  });
});
