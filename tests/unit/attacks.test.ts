// Attacks that measure privacy (src/lib/attacks), on the tiny fixture model and synthetic data
// with known answers:
//
//  metrics     token recovery (overall, without stop words), accuracy, majority, privacy by hand
//  config/CLI  defaults, budget errors worded like `rapt tune`'s, flags named in errors
//  inversion   no privatization → recovery 1 (end to end); a deterministic substitution → identity
//              0 and the Bayes guess 1; d_χ with a tiny η → identity ≈ 0 and Bayes ≥ identity
//  learned     on a deterministic substitution the learned inverter recovers what identity cannot
//  mask        with no privatization the attack equals the MLM's own top-1 (float64 reference)
//  attribute   independent of the text → ≈ majority; set by a keyword → well above majority
//
// Statistical checks use fixed seeds; each states its tolerance.
import { beforeAll, describe, expect, it } from 'vitest';
import { resolve } from 'node:path';
import type { GpuContext } from '../../src/lib/gpu/context';
import { loadBertFolder } from '../../src/lib/model/checkpoint/load-folder-node';
import type { BertCheckpoint } from '../../src/lib/model/checkpoint/bert-checkpoint';
import { BertTokenizer } from '../../src/lib/model/tokenizer';
import { BertModel } from '../../src/lib/model/bert';
import { bertForwardF64 } from '../../src/lib/model/reference/bert-f64';
import { makePrivacyTable } from '../../src/lib/boundary/table';
import { createPrivatizer } from '../../src/lib/boundary/factory';
import type { MechanismSpec, PrivatizeResult, Privatizer } from '../../src/lib/privacy/types';
import type { Dataset, Example, SplitDataset } from '../../src/lib/data/types';
import { SeededRandom } from '../../src/lib/util/seeded-random';
import { THREAT_MODEL, ATTACK_KINDS } from '../../src/lib/attacks/threat-model';
import { completeAttackConfig, AttackConfigError } from '../../src/lib/attacks/config';
import { accuracy, isStopToken, majorityRate, privacyOf, tokenRecovery, STOP_WORDS } from '../../src/lib/attacks/metrics';
import { coverage, privatizeMany, smoothedPrior, tokenCounts, topIds } from '../../src/lib/attacks/data';
import { bayesGuess, distanceProfile, estimateTransitions, identityGuess } from '../../src/lib/attacks/inversion-nn';
import { LearnedInverter } from '../../src/lib/attacks/inversion-learned';
import { maskInference, type MaskSite } from '../../src/lib/attacks/mask-inference';
import { runAttackCore } from '../../src/lib/attacks/run';
import { pooledStates } from '../../src/lib/attacks/attribute-inference';
import { createPeft } from '../../src/lib/peft/method';
import { attackConfigFromArgs } from '../../src/cli/commands/attack';
import { getGpu } from './helpers/gpu';

const REPO = resolve(__dirname, '..', '..');

describe('attack metrics', () => {
  it('token recovery, accuracy, majority and privacy match hand-computed values', () => {
    // ids: 1 = special (not scored), 10 = "the" (stop word), 20, 30 = content words
    const names: Record<number, string> = { 1: '[CLS]', 10: 'the', 20: 'whale', 30: 'ship', 40: ',' };
    const orig = [Int32Array.from([1, 10, 20, 30]), Int32Array.from([10, 20, 40])];
    const guess = [Int32Array.from([1, 10, 99, 30]), Int32Array.from([99, 20, 40])];
    const r = tokenRecovery(orig, guess, (id) => id !== 1, (id) => isStopToken(names[id]));
    // scored: 10 20 30 | 10 20 40 → hits 10, 30 | 20, 40 = 4/6; content (20 30 20): 30, 20 = 2/3
    expect(r).toEqual({ overall: 4 / 6, content: 2 / 3, n: 6, nContent: 3 });
    expect(() => tokenRecovery(orig, [guess[0]], () => true, () => false)).toThrow(/1 guessed sequences for 2/);
    expect(accuracy([0, 1, 1, 2], [0, 1, 0, 0])).toBe(0.5);
    expect(majorityRate([2, 2, 1, 0], [2, 0, 0, 0, 2], 3)).toEqual({ label: 2, rate: 0.4 });
    expect(majorityRate([1, 0], [0], 2).label).toBe(0); // tie → lower id
    expect(privacyOf(0.25)).toBe(0.75);
    expect(() => privacyOf(1.5)).toThrow(/\[0, 1\]/);
    expect(STOP_WORDS.size).toBe(127);
    expect(isStopToken('The')).toBe(true);
    expect(isStopToken('...')).toBe(true);
    expect(isStopToken('whale')).toBe(false);
    expect(isStopToken('##s')).toBe(false);
  });

  it('prior, top ids and coverage of the auxiliary counts', () => {
    const isCand = Uint8Array.from([0, 1, 1, 1, 1]);
    const counts = tokenCounts([Int32Array.from([1, 1, 2, 0, 1]), Int32Array.from([3, 2])], 5);
    expect(Array.from(counts)).toEqual([1, 3, 2, 1, 0]);
    const p = smoothedPrior(counts, isCand);
    // (c + ½) / (6 + ½·4)
    expect(Array.from(p)).toEqual([0, 3.5 / 8, 2.5 / 8, 1.5 / 8, 0.5 / 8]);
    expect(Array.from(topIds(counts, isCand, 2))).toEqual([1, 2]);
    expect(Array.from(topIds(counts, isCand, 10))).toEqual([1, 2, 3]); // unseen id 4 left out
    expect(coverage(counts, isCand, Int32Array.from([1, 2]))).toBeCloseTo(5 / 6, 12);
  });

  it('the threat model is stated', () => {
    expect(THREAT_MODEL).toMatch(/never sees raw user text/);
    expect(ATTACK_KINDS).toEqual(['inversion-nn', 'inversion-learned', 'mask', 'attribute']);
  });
});

describe('attack config and CLI flags', () => {
  it('fills defaults and rejects bad budgets like rapt tune', () => {
    const c = completeAttackConfig({ attack: 'mask', model: 'builtin', task: 'spam' });
    expect(c).toMatchObject({ mechanism: 'none', seed: 1, limit: 100 });
    expect(() => completeAttackConfig({ attack: 'mask', model: 'builtin', task: 'spam', mechanism: 'dchi' })).toThrow(/eta \(the dchi budget\) must be a finite number > 0/);
    expect(() => completeAttackConfig({ attack: 'mask', model: 'builtin', task: 'spam', mechanism: 'dchi', epsilon: 2 })).toThrow(/dchi takes eta, not epsilon/);
    expect(() => completeAttackConfig({ attack: 'mask', model: 'builtin', task: 'spam', mechanism: 'none', eta: 2 })).toThrow(/takes no budget/);
    expect(() => completeAttackConfig({ attack: 'mask', model: 'builtin', task: 'spam', limit: -1 })).toThrow(AttackConfigError);
    expect(() => completeAttackConfig({ attack: 'mask', model: 'builtin', task: 'spam', attribute: 'era' })).toThrow(/attribute is for the attribute attack/);
    expect(() => completeAttackConfig({ attack: 'nope' as never, model: 'builtin', task: 'spam' })).toThrow(/attack must be one of/);
  });

  it('maps flags onto the config and names the flag in errors', () => {
    const c = attackConfigFromArgs({ kind: 'inversion-nn', model: 'builtin', task: 'spam', mechanism: 'dchi', eta: '100', limit: '20', 'aux-limit': '50', seed: '3' });
    expect(c).toMatchObject({ attack: 'inversion-nn', mechanism: 'dchi', eta: 100, limit: 20, auxLimit: 50, seed: 3 });
    expect(() => attackConfigFromArgs({ model: 'builtin', task: 'spam' })).toThrow(/--kind is required/);
    expect(() => attackConfigFromArgs({ kind: 'mask', task: 'spam' })).toThrow(/--model/);
    expect(() => attackConfigFromArgs({ kind: 'mask', model: 'builtin' })).toThrow(/--task/);
    expect(() => attackConfigFromArgs({ kind: 'guess', model: 'builtin', task: 'spam' })).toThrow(/--kind must be one of inversion-nn/);
    expect(() => attackConfigFromArgs({ kind: 'mask', model: 'builtin', task: 'spam', mechanism: 'dchi' })).toThrow(/--eta \(the dchi budget\) must be a finite number > 0/);
    expect(() => attackConfigFromArgs({ kind: 'mask', model: 'builtin', task: 'spam', mechanism: 'santext', epsilon: '-1' })).toThrow(/--epsilon \(the santext budget\) must/);
    expect(() => attackConfigFromArgs({ kind: 'mask', model: 'builtin', task: 'spam', mechanism: 'laplace', eta: '3' })).toThrow(/laplace takes epsilon, not eta/);
    expect(() => attackConfigFromArgs({ kind: 'mask', model: 'builtin', task: 'spam', mechanism: 'rot13' })).toThrow(/--mechanism must be none, dchi/);
    expect(() => attackConfigFromArgs({ kind: 'mask', model: 'builtin', task: 'spam', limit: 'ten' })).toThrow(/--limit must be a number/);
    expect(() => attackConfigFromArgs({ kind: 'mask', model: 'builtin', task: 'spam', 'aux-limit': '2.5' })).toThrow(/--aux-limit must be an integer ≥ 0/);
  });
});

/** A mechanism-like deterministic substitution: each mapped id always becomes its image. */
class MapPrivatizer implements Privatizer {
  readonly spec: MechanismSpec = { mechanism: 'dchi', eta: 1 };
  constructor(private readonly map: Map<number, number>) {}
  async privatize(ids: Int32Array): Promise<PrivatizeResult> {
    const out = Int32Array.from(ids, (id) => this.map.get(id) ?? id);
    return { ids: out, replaced: out.reduce((n, y, i) => n + (y !== ids[i] ? 1 : 0), 0), seeded: true };
  }
  guarantee(): string {
    return 'none (a test substitution)';
  }
  dispose(): void {}
}

describe('attacks on the tiny fixture model', () => {
  let gpu: GpuContext;
  let ckpt: BertCheckpoint;
  let tok: BertTokenizer;
  let words: string[];
  let wordIds: number[];
  beforeAll(async () => {
    gpu = await getGpu();
    ckpt = await loadBertFolder(resolve(REPO, 'tests/fixtures/tiny-bert'));
    tok = BertTokenizer.fromVocabText(ckpt.vocabTxt!, { doLowerCase: true });
    words = ['the', 'and', 'that', 'his', 'but', 'with', 'was', 'for', 'all', 'this', 'whale', 'not', 'from', 'him', 'one', 'you', 'there', 'now', 'had', 'have',
      'were', 'they', 'which', 'like', 'then', 'ship', 'sea', 'old', 'man', 'boat'].filter((w) => tok.tokenToId(w) !== undefined);
    wordIds = words.map((w) => tok.tokenToId(w)!);
  });

  /** Zipf-like word draws (p ∝ 1/(rank + 1)), `len` words per text. */
  function texts(n: number, len: number, seed: number): string[] {
    const r = new SeededRandom(seed);
    const w = words.map((_, k) => 1 / (k + 1));
    const total = w.reduce((a, b) => a + b, 0);
    const draw = () => {
      let u = r.next() * total;
      for (let k = 0; k < w.length; k++) if ((u -= w[k]) < 0) return words[k];
      return words[words.length - 1];
    };
    return Array.from({ length: n }, () => Array.from({ length: len }, draw).join(' '));
  }

  function splitData(train: Example[], test: Example[], attributes: string[]): SplitDataset {
    const ds = (examples: Example[]): Dataset => ({ name: 'synthetic', examples, labels: ['a', 'b'], attributes });
    return { name: 'synthetic', labels: ['a', 'b'], attributes, splits: { train: ds(train), dev: ds(test.slice(0, 2)), test: ds(test) } };
  }

  const inputsFor = (data: SplitDataset) => ({ gpu, checkpoint: ckpt, tokenizer: tok, data, adapter: 'test' });
  const ids = (ts: string[]) => ts.map((t) => Int32Array.from(tok.convertTokensToIds(tok.tokenize(t))));

  it('no privatization: inversion recovers every token (end to end), privacy 0', async () => {
    const ex = (t: string): Example => ({ text: t, label: 'a', attrs: {} });
    const data = splitData(texts(30, 8, 1).map(ex), texts(10, 8, 2).map(ex), []);
    const r = await runAttackCore({ attack: 'inversion-nn', model: 'fixture', task: 'synthetic', mechanism: 'none', limit: 0, auxLimit: 0 }, inputsFor(data));
    expect(r.kind).toBe('attack');
    expect(r.success).toBe(1);
    expect(r.baseline).toEqual({ name: 'identity', value: 1 });
    expect(r.privacy).toBe(0);
    expect(r.details.positions).toBe(80);
    expect(r.seeded_not_private).toBe(false);
  });

  it('a deterministic substitution: identity recovers nothing, the Bayes guess everything', async () => {
    const table = makePrivacyTable(ckpt, tok);
    const isCand = new Uint8Array(table.V);
    for (const id of table.candidates) isCand[id] = 1;
    const map = new Map(wordIds.map((id, k) => [id, wordIds[(k + 1) % wordIds.length]]));
    const p = new MapPrivatizer(map);
    const aux = ids(texts(40, 8, 3));
    const test = ids(texts(10, 8, 4));
    const priv = await privatizeMany(p, test);
    const counts = tokenCounts(aux, table.V);
    const prior = smoothedPrior(counts, isCand);
    const cands = topIds(counts, isCand, 100);
    const est = await estimateTransitions(p, cands, 4);
    const scored = (id: number) => isCand[id] === 1;
    const none = () => false;
    expect(tokenRecovery(test, priv.map(identityGuess), scored, none).overall).toBe(0);
    expect(tokenRecovery(test, priv.map((q) => bayesGuess(q, est, prior, scored)), scored, none).overall).toBe(1);
  });

  it('d_χ with a tiny η: identity recovery ≈ 0 and the Bayes guess does at least as well', async () => {
    const table = makePrivacyTable(ckpt, tok);
    const isCand = new Uint8Array(table.V);
    for (const id of table.candidates) isCand[id] = 1;
    const scored = (id: number) => isCand[id] === 1;
    const aux = ids(texts(40, 8, 5));
    const test = ids(texts(30, 8, 6));
    const user = createPrivatizer(gpu, table, { mechanism: 'dchi', eta: 1e-3, seed: 11 });
    const mc = createPrivatizer(gpu, table, { mechanism: 'dchi', eta: 1e-3, seed: 12 });
    const priv = await privatizeMany(user, test);
    const counts = tokenCounts(aux, table.V);
    const prior = smoothedPrior(counts, isCand);
    const est = await estimateTransitions(mc, topIds(counts, isCand, 30), 16);
    const profile = distanceProfile(est, table);
    const none = () => false;
    const identity = tokenRecovery(test, priv.map(identityGuess), scored, none).overall;
    const raw = tokenRecovery(test, priv.map((q) => bayesGuess(q, est, prior, scored)), scored, none).overall;
    const smooth = tokenRecovery(test, priv.map((q) => bayesGuess(q, est, prior, scored, { table, profile, strength: 64 * 16 })), scored, none).overall;
    // 240 positions, outputs spread over ~1000 tokens: identity hits are chance (tolerance 0.05)
    expect(identity, `identity ${identity}`).toBeLessThan(0.05);
    expect(raw, `raw Bayes ${raw} vs identity ${identity}`).toBeGreaterThanOrEqual(identity);
    // with the outputs uninformative the smoothed guess falls back on the prior's mode ("the", p ≈ 0.25)
    expect(smooth, `smoothed Bayes ${smooth}`).toBeGreaterThan(identity + 0.1);
    user.dispose();
    mc.dispose();
  });

  it('the learned inverter recovers a deterministic substitution that identity cannot', async () => {
    const table = makePrivacyTable(ckpt, tok);
    const isCand = new Uint8Array(table.V);
    for (const id of table.candidates) isCand[id] = 1;
    const scored = (id: number) => isCand[id] === 1;
    // a substitution of the 15 most frequent words; the rest are kept
    const map = new Map(wordIds.slice(0, 15).map((id, k) => [id, wordIds[(k + 1) % 15]]));
    const p = new MapPrivatizer(map);
    const aux = ids(texts(60, 8, 7));
    const test = ids(texts(20, 8, 8));
    const [auxPriv, testPriv] = [await privatizeMany(p, aux), await privatizeMany(p, test)];
    const counts = tokenCounts(aux, table.V);
    const inv = new LearnedInverter(gpu, {
      table,
      outputIds: topIds(counts, isCand, 40),
      prior: smoothedPrior(counts, isCand),
      privatized: scored,
      window: 1,
      hidden: 32,
      steps: 150,
      batchSize: 64,
      lr: 3e-2,
      seed: 1
    });
    await inv.train(auxPriv, aux);
    const none = () => false;
    const learned = tokenRecovery(test, await inv.predict(testPriv), scored, none).overall;
    const identity = tokenRecovery(test, testPriv.map(identityGuess), scored, none).overall;
    inv.dispose();
    // identity recovers only the unmapped words; the mapping is learnable exactly (tolerance: 0.9)
    expect(identity, `identity ${identity}`).toBeLessThan(0.4);
    expect(learned, `learned ${learned} vs identity ${identity}`).toBeGreaterThan(0.9);
  }, 60_000);

  it("mask inference without privatization equals the MLM's own top-1 (float64 reference)", async () => {
    const seqs = ids(texts(4, 6, 9));
    const model = new BertModel(gpu, ckpt.weights);
    const sp = { cls: tok.clsTokenId, sep: tok.sepTokenId, pad: tok.padTokenId, mask: tok.maskTokenId! };
    const sites: MaskSite[] = [];
    seqs.forEach((q, s) => q.forEach((_, i) => sites.push([s, i])));
    const got = await maskInference(gpu, model, sp, seqs, sites, 8);
    model.dispose();
    const inputIds = sites.map(([s, i]) => {
      const r = [sp.cls, ...seqs[s], sp.sep];
      r[i + 1] = sp.mask;
      return r;
    });
    const ref = bertForwardF64(ckpt.weights, { inputIds }, { mlm: true, pooler: false });
    const V = ref.vocab;
    let agree = 0;
    let refHits = 0;
    let hits = 0;
    sites.forEach(([s, i], k) => {
      const row = ref.mlmLogits!.subarray((k * ref.seq + i + 1) * V, (k * ref.seq + i + 2) * V);
      let best = 0;
      for (let v = 1; v < V; v++) if (row[v] > row[best]) best = v;
      if (best === got[k]) agree++;
      if (best === seqs[s][i]) refHits++;
      if (got[k] === seqs[s][i]) hits++;
    });
    // f32 vs f64 may flip a near tie (tolerance: one site in 24)
    expect(agree, `${agree}/${sites.length} sites agree with the float64 MLM`).toBeGreaterThanOrEqual(sites.length - 1);
    expect(Math.abs(hits - refHits)).toBeLessThanOrEqual(1);
  });

  it('mask attack (MLM × mechanism): recovers every token without privatization or when nothing is replaced, and is never far below the MLM alone', async () => {
    const ex = (t: string): Example => ({ text: t, label: 'a', attrs: {} });
    const data = splitData(texts(30, 8, 1).map(ex), texts(8, 8, 2).map(ex), []);
    const common = { attack: 'mask' as const, model: 'fixture', task: 'synthetic', limit: 0, auxLimit: 0, positions: 0, candidates: 30, samples: 16 };
    const clean = await runAttackCore({ ...common, mechanism: 'none' }, inputsFor(data));
    // P(y | x) = [x = y]: the posterior mode is the observed token, which is the original
    expect(clean.success).toBe(1);
    expect(clean.baseline).toEqual({ name: 'identity', value: 1 });
    const mlmOnly = (clean.details.mlm_only as { overall: number }).overall;
    expect(mlmOnly).toBeLessThan(1); // the MLM alone (the random tiny model) does not read the masked token
    // a budget so large that nothing is replaced: the mechanism's likelihood pins every guess to y
    const loose = await runAttackCore({ ...common, mechanism: 'dchi', eta: 1e9 }, inputsFor(data));
    expect(loose.details.replaced_fraction).toBe(0);
    expect(loose.success).toBe(1);
    // outputs unrelated to inputs: the likelihood is nearly flat and the guess follows the MLM
    // (tolerance: 3 of the 64 positions)
    const tight = await runAttackCore({ ...common, mechanism: 'dchi', eta: 1e-3 }, inputsFor(data));
    const tightMlm = (tight.details.mlm_only as { overall: number }).overall;
    expect(tight.success, JSON.stringify(tight.details)).toBeGreaterThanOrEqual(tightMlm - 3 / 64);
    expect(tight.success).toBeLessThan(0.5);
  }, 120_000);

  it('attribute inference: ≈ majority when independent of the text, well above it when a keyword sets it', async () => {
    const r = new SeededRandom(21);
    const train = texts(160, 6, 10);
    const test = texts(80, 6, 11);
    const keyword = 'whale';
    const make = (ts: string[], withKeyword: boolean) =>
      ts.map((t): Example => {
        const w = t.split(' ').filter((x) => x !== keyword);
        const has = r.next() < 0.35;
        if (withKeyword && has) w[r.int(w.length)] = keyword;
        return { text: w.join(' '), label: 'a', attrs: { noise: r.next() < 0.7 ? 'x' : 'y', topic: has ? 'whaling' : 'other' } };
      });
    const common = { attack: 'attribute' as const, model: 'fixture', task: 'synthetic', mechanism: 'none' as const, limit: 0, auxLimit: 0, hidden: 32, steps: 120, lr: 1e-2 };
    const indep = await runAttackCore({ ...common, attribute: 'noise' }, inputsFor(splitData(make(train, false), make(test, false), ['noise', 'topic'])));
    // independent: model selection falls back to (or stays near) the mode; tolerance 0.1
    expect(Math.abs(indep.success - indep.baseline.value), JSON.stringify(indep.details)).toBeLessThanOrEqual(0.1);
    expect(indep.baseline.name).toBe('majority');
    const kw = await runAttackCore({ ...common, attribute: 'topic' }, inputsFor(splitData(make(train, true), make(test, true), ['noise', 'topic'])));
    // keyword: majority ≈ 0.6; the keyword's hidden states are visible in the mean (margin 0.15;
    // measured 0.85 against 0.61)
    expect(kw.success, JSON.stringify(kw.details)).toBeGreaterThan(kw.baseline.value + 0.15);
    expect(kw.privacy).toBeCloseTo(1 - kw.success, 6);
    await expect(runAttackCore({ ...common, attribute: 'speaker' }, inputsFor(splitData(make(train, false), make(test, false), ['noise'])))).rejects.toThrow(
      /no attribute "speaker" \(it has: noise\)/
    );
  }, 60_000);

  it("a tuned run's states: pooled states with a soft prompt equal the float64 reference's mean over the text positions", async () => {
    const model = new BertModel(gpu, ckpt.weights);
    const method = createPeft(gpu, model, { name: 'prompt', promptLength: 3, loraRank: 1, loraAlpha: 1, seed: 4 });
    try {
      const seqs = ids(['the whale and the sea', 'old man']);
      const sp = { cls: tok.clsTokenId, sep: tok.sepTokenId, pad: tok.padTokenId, mask: tok.maskTokenId! };
      const got = await pooledStates(gpu, model, sp, seqs, { tuned: method });
      const frozen = await pooledStates(gpu, model, sp, seqs);
      const prompt = Float64Array.from(await method.prompt!.readF32());
      const C = ckpt.config.hidden_size;
      seqs.forEach((q, b) => {
        const row = [sp.cls, ...q, sp.sep];
        const ref = bertForwardF64(ckpt.weights, { inputIds: [row], prompt });
        const want = new Float64Array(C);
        const S = row.length + 3;
        for (let t = 1; t <= q.length; t++) for (let c = 0; c < C; c++) want[c] += ref.lastHiddenState[(3 + t) * C + c] / q.length;
        expect(ref.lastHiddenState.length).toBe(S * C);
        for (let c = 0; c < C; c++) expect(Math.abs(got[b * C + c] - want[c])).toBeLessThan(1e-4);
      });
      // the prompt changes what the service holds
      expect(Math.max(...got.map((v, i) => Math.abs(v - frozen[i])))).toBeGreaterThan(1e-3);
    } finally {
      method.dispose();
      model.dispose();
    }
  });
});
