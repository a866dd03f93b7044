// The Frontier page's in-browser sweep, minus the workers (src/lib/experiments/browser-sweep.ts):
// the form → tuning and attack configs (budgets × variants × seeds, a variant being a PEFT method
// without or with RAPT, one attack per budget and seed; the frontier's curve per variant),
// clear errors for bad input, the time estimate, and the runs.jsonl text the Frontier page reads
// back (parseSweepFile, buildFrontier) with the fake runners' results. No GPU.
import { describe, expect, it } from 'vitest';
import {
  BROWSER_SWEEP_DEFAULTS,
  BROWSER_SWEEP_METHODS,
  BrowserSweepError,
  browserSweepJsonl,
  browserSweepName,
  describePlan,
  MAX_BROWSER_RUNS,
  parseNumberList,
  planBrowserSweep,
  sweepEta,
  type BrowserSweepForm,
  type BrowserSweepMethod
} from '../../src/lib/experiments/browser-sweep';
import { TUNE_DEFAULTS } from '../../src/lib/rapt/config';
import { parseSweepFile } from '../../src/lib/experiments/frontier-file';
import { buildFrontier } from '../../src/lib/experiments/frontier';
import { frontierCsv } from '../../src/lib/experiments/frontier-export';
import { runKey } from '../../src/lib/experiments/run-key';
import { fakeAttackResult, fakeTuneResult } from '../../src/lib/experiments/fake-runner';

const form = (over: Partial<BrowserSweepForm> = {}): BrowserSweepForm => ({ ...BROWSER_SWEEP_DEFAULTS, ...over });
/** The methods record with exactly these methods ticked. */
const only = (...ms: BrowserSweepMethod[]): BrowserSweepForm['methods'] =>
  Object.fromEntries(BROWSER_SWEEP_METHODS.map((m) => [m, ms.includes(m)])) as BrowserSweepForm['methods'];

describe('planBrowserSweep', () => {
  it('expands the defaults: 2 budgets × soft prompt without and with RAPT × 1 seed, one attack per budget', () => {
    expect(BROWSER_SWEEP_DEFAULTS.methods).toEqual(only('prompt'));
    const plan = planBrowserSweep(form());
    expect(plan.tunes.map((t) => [t.eta, t.rapt, t.seed])).toEqual([
      [60, false, 1],
      [60, true, 1],
      [200, false, 1],
      [200, true, 1]
    ]);
    for (const t of plan.tunes) {
      expect(t).toMatchObject({ model: 'builtin', task: 'spam', method: 'prompt', mechanism: 'dchi', steps: 10, trainLimit: 32, evalLimit: 16, maxLength: 24, plainTokens: 8, lambda: 1 });
    }
    expect(plan.attacks.map((a) => [a.attack, a.eta, a.seed])).toEqual([
      ['inversion-nn', 60, 1],
      ['inversion-nn', 200, 1]
    ]);
    // the attacker sees what the service saw: same model, task, mechanism and text length
    expect(plan.attacks[0]).toMatchObject({ model: 'builtin', task: 'spam', mechanism: 'dchi', maxLength: 24, limit: 8, auxLimit: 40, candidates: 100, samples: 4 });
    expect(describePlan(plan)).toBe('4 tuning runs (2 budgets × 1 method × 2 RAPT settings × 1 seed) and 2 inversion-nn attacks');
  });

  it('sends the clean test split only when asked (it carries the unprivatized test texts as ids)', () => {
    expect(planBrowserSweep(form()).includeCleanTest).toBe(false);
    expect(planBrowserSweep(form({ cleanTest: true })).includeCleanTest).toBe(true);
  });

  it('the e2e sweep: 2 budgets, prompt only, one seed', () => {
    const plan = planBrowserSweep(form({ rapt: false, budgets: '60 200' }));
    expect(plan.tunes).toHaveLength(2);
    expect(plan.tunes.every((t) => !t.rapt)).toBe(true);
    expect(plan.attacks).toHaveLength(2);
    expect(describePlan(plan)).toBe('2 tuning runs (2 budgets × 1 method without RAPT × 1 seed) and 2 inversion-nn attacks');
  });

  it('variants are methods × RAPT settings: budgets slowest, then methods, then without / with RAPT, then seeds', () => {
    const plan = planBrowserSweep(form({ methods: only('prompt', 'prefix', 'lora') }));
    expect(plan.tunes.map((t) => [t.eta, t.method, t.rapt])).toEqual(
      [60, 200].flatMap((eta) => ['prompt', 'prefix', 'lora'].flatMap((m) => [[eta, m, false], [eta, m, true]]))
    );
    expect(describePlan(plan)).toBe('12 tuning runs (2 budgets × 3 methods × 2 RAPT settings × 1 seed) and 2 inversion-nn attacks');
    // the attacks depend on budget and seed only, not on the method
    expect(plan.attacks.map((a) => a.eta)).toEqual([60, 200]);
    // method settings are rapt tune's defaults; the sizes and RAPT settings are the form's, on every run
    for (const t of plan.tunes) {
      expect(t).toMatchObject({ promptLength: TUNE_DEFAULTS.promptLength, loraRank: TUNE_DEFAULTS.loraRank, loraAlpha: TUNE_DEFAULTS.loraAlpha, lr: TUNE_DEFAULTS.lr });
      expect(t).toMatchObject({ steps: 10, batchSize: 8, trainLimit: 32, evalLimit: 16, maxLength: 24, plainTokens: 8, lambda: 1, head: 'mean' });
    }
  });

  it('one RAPT setting is named in the plan; full fine-tuning is offered and comes last', () => {
    const withRapt = planBrowserSweep(form({ methods: only('full', 'lora'), plain: false, seeds: '1 2' }));
    expect(withRapt.tunes.map((t) => [t.eta, t.method, t.rapt, t.seed])).toEqual([
      [60, 'lora', true, 1],
      [60, 'lora', true, 2],
      [60, 'full', true, 1],
      [60, 'full', true, 2],
      [200, 'lora', true, 1],
      [200, 'lora', true, 2],
      [200, 'full', true, 1],
      [200, 'full', true, 2]
    ]);
    expect(describePlan(withRapt)).toBe('8 tuning runs (2 budgets × 2 methods with RAPT × 2 seeds) and 4 inversion-nn attacks');
    // without RAPT only: the RAPT fields keep rapt tune's defaults, so run keys match a CLI sweep's
    const plain = planBrowserSweep(form({ methods: only('prefix'), rapt: false, plainTokens: 'x' }));
    expect(plain.tunes.map((t) => [t.method, t.rapt, t.plainTokens, t.lambda])).toEqual([
      ['prefix', false, TUNE_DEFAULTS.plainTokens, TUNE_DEFAULTS.lambda],
      ['prefix', false, TUNE_DEFAULTS.plainTokens, TUNE_DEFAULTS.lambda]
    ]);
  });

  it('the run cap counts every variant, and its message gives the numbers', () => {
    const all = only(...BROWSER_SWEEP_METHODS);
    // 4 methods × 2 RAPT settings × 3 budgets × 2 seeds = 48 runs + 6 attacks = 54: allowed
    expect(planBrowserSweep(form({ methods: all, budgets: '30 60 200', seeds: '1 2' })).tunes).toHaveLength(48);
    // × 4 budgets: 64 + 8 = 72 > MAX_BROWSER_RUNS
    expect(() => planBrowserSweep(form({ methods: all, budgets: '30 60 100 200', seeds: '1 2' }))).toThrow(
      `64 tuning runs and 8 attacks is 72 runs; the browser panel runs at most ${MAX_BROWSER_RUNS} (use rapt sweep for more)`
    );
  });

  it('the curves of a several-method sweep: one per variant, in plan order, labelled by method and RAPT setting', () => {
    const plan = planBrowserSweep(form({ methods: only('prompt', 'lora', 'full') }));
    const text = browserSweepJsonl(plan.tunes.map(fakeTuneResult), plan.attacks.map(fakeAttackResult));
    const file = parseSweepFile(text, 'browser sweep');
    const f = buildFrontier(file.tune, file.attacks, { x: { kind: 'attack', attack: 'inversion-nn' }, y: 'test_privatized_accuracy' });
    expect(f.curves.map((c) => c.label)).toEqual(['prompt', 'prompt + RAPT (m=8, λ=1)', 'lora', 'lora + RAPT (m=8, λ=1)', 'full', 'full + RAPT (m=8, λ=1)']);
    for (const c of f.curves) expect(c.points.map((p) => p.budgetLabel)).toEqual(['d_χ η=60', 'd_χ η=200']);
    expect(f.missing).toEqual([]);
  });

  it('several seeds: one attack per budget and seed; duplicates in the lists are dropped', () => {
    const plan = planBrowserSweep(form({ budgets: '60, 60, 100', seeds: '1, 2;2' }));
    expect(plan.tunes).toHaveLength(2 * 2 * 2);
    expect(plan.attacks.map((a) => [a.eta, a.seed])).toEqual([
      [60, 1],
      [60, 2],
      [100, 1],
      [100, 2]
    ]);
  });

  it('names the bad field', () => {
    const bad = (over: Partial<BrowserSweepForm>) => () => planBrowserSweep(form(over));
    expect(bad({ budgets: '' })).toThrow(/budgets \(d_χ η\): give at least one value/);
    expect(bad({ budgets: '60, abc' })).toThrow(/"abc" is not a number/);
    expect(bad({ budgets: '0' })).toThrow(/clean, unprivatized training is refused by the browser service/);
    expect(bad({ budgets: '-5' })).toThrow(BrowserSweepError);
    expect(bad({ seeds: '1.5' })).toThrow(/seeds: 1.5 is not a whole number/);
    expect(bad({ methods: only() })).toThrow('choose at least one method: soft prompt, prefix tuning, LoRA or full fine-tuning');
    expect(bad({ plain: false, rapt: false })).toThrow('choose without RAPT, with RAPT, or both');
    expect(bad({ steps: '' })).toThrow(/training steps must be a number, got nothing/);
    expect(bad({ steps: '0' })).toThrow(/η=60, seed 1: .*steps/);
    expect(bad({ plainTokens: '0' })).toThrow(/prompt \+ RAPT at η=60.*plainTokens/);
    expect(bad({ plainTokens: '0', methods: only('lora') })).toThrow(/^lora \+ RAPT at η=60, seed 1: plainTokens/);
    expect(bad({ plainTokens: '' })).toThrow(/plain tokens m must be a number, got nothing/);
    expect(bad({ candidates: 'x' })).toThrow(/candidates n must be a number, got "x"/);
    expect(bad({ samples: '0' })).toThrow(/inversion-nn .*samples/);
    expect(bad({ task: '' })).toThrow(/choose a task/);
    expect(bad({ attack: 'attribute' })).toThrow(/inversion-nn, inversion-learned, mask/);
    const many = Array.from({ length: MAX_BROWSER_RUNS }, (_, i) => i + 1).join(',');
    expect(bad({ budgets: many })).toThrow(/at most 60/);
  });

  it('parseNumberList keeps order and reports the first bad value', () => {
    expect(parseNumberList('x', ' 3, 1 2 ', () => null)).toEqual([3, 1, 2]);
    expect(() => parseNumberList('x', '1, 5', (n) => (n > 2 ? 'is too big' : null))).toThrow('x: 5 is too big');
  });
});

describe('sweepEta', () => {
  it('is unknown before a run finished, then mean time per kind × runs left', () => {
    expect(sweepEta({ tune: [], attack: [] }, { tune: 2, attack: 2 })).toBeNull();
    expect(sweepEta({ tune: [10, 20], attack: [] }, { tune: 1, attack: 2 })).toBe(15 + 2 * 15);
    expect(sweepEta({ tune: [10, 20], attack: [4] }, { tune: 0, attack: 2 })).toBe(8);
    expect(sweepEta({ tune: [10], attack: [4] }, { tune: 0, attack: 0 })).toBe(0);
  });
});

describe('browserSweepJsonl', () => {
  it('writes rows the Frontier page reads: 2 points with the attack on x, and a 2-row CSV', () => {
    const plan = planBrowserSweep(form({ rapt: false }));
    const tunes = plan.tunes.map(fakeTuneResult);
    const attacks = plan.attacks.map(fakeAttackResult);
    const text = browserSweepJsonl(tunes, attacks, [{ config: plan.tunes[0], message: 'device lost' }]);
    expect(text.endsWith('\n')).toBe(true);
    const lines = text.trim().split('\n').map((l) => JSON.parse(l) as { kind: string; key: string; config: unknown });
    expect(lines.map((l) => l.kind)).toEqual(['tune', 'tune', 'attack', 'attack', 'error']);
    for (const l of lines) expect(l.key).toBe(runKey(l.config));

    const file = parseSweepFile(text, 'browser sweep');
    expect(file.tune).toHaveLength(2);
    expect(file.attacks).toHaveLength(2);
    expect(file.otherRows).toBe(1);
    const f = buildFrontier(file.tune, file.attacks, { x: { kind: 'attack', attack: 'inversion-nn' }, y: 'test_privatized_accuracy' });
    expect(f.curves).toHaveLength(1);
    expect(f.curves[0].points).toHaveLength(2);
    expect(f.missing).toEqual([]);
    expect(f.unmatchedAttacks).toEqual([]);
    const csv = frontierCsv(f).trim().split('\n');
    expect(csv).toHaveLength(3);
    expect(csv[1]).toContain('inversion-nn');
  });

  it('the sweep name carries the date and time', () => {
    expect(browserSweepName(new Date(2026, 11, 2, 7, 5))).toBe('browser sweep 2026-12-02 07:05');
  });
});
