// Experiment sweeps (src/lib/experiments): config parsing, expansion and errors; run keys;
// resuming after an interruption and after a cut-off last line; per-run failures; the summary's
// mean ± sample std checked against numbers worked out by hand; CSV quoting; the SVG chart; and the
// `rapt sweep` CLI with the fake runner (RAPT_SWEEP_FAKE_RUNNER=1). No GPU, no real training.
import { describe, expect, it, beforeAll, afterAll } from 'vitest';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { TUNE_DEFAULTS, type TuneConfig, type TuneResult } from '../../src/lib/rapt/config';
import {
  expandAttacks,
  budgetChartSpec,
  budgetChartSvg,
  canonicalJson,
  csvField,
  expandSweep,
  formatDuration,
  labelContext,
  lineChartSvg,
  meanStd,
  MemoryStore,
  parseRunsLog,
  parseSweepConfig,
  parseSweepConfigText,
  runKey,
  runSweep,
  RunsLogError,
  sha256Hex,
  summarize,
  summaryCsv,
  summaryMarkdown,
  SweepAbort,
  SweepConfigError,
  variantLabel,
  wantsLogScale,
  RUNS_FILE
} from '../../src/lib/experiments';
import { fakeTuneResult, FAKE_FAIL_TASK } from '../../src/lib/experiments/fake-runner';
import { checkXml, parseCsv, rapt } from './helpers/sweep-files';

const REPO = resolve(__dirname, '..', '..');

// ---------------------------------------------------------------- helpers

/** A small sweep: 3 budgets × rapt off/on × 2 seeds = 12 runs. */
function smallSweep(extra: Record<string, unknown> = {}) {
  return parseSweepConfig({
    name: 'small',
    base: { model: 'builtin', task: 'spam', steps: 20 },
    grid: {
      budgets: [{ mechanism: 'none' }, { mechanism: 'dchi', eta: 20 }, { mechanism: 'dchi', eta: 200 }],
      rapt: [false, true],
      seed: [1, 2]
    },
    ...extra
  });
}

/** A TuneResult with the numbers a test chooses. */
function result(config: TuneConfig, acc: number, extra: { clean?: number; f1?: number; replaced?: number; wall?: number } = {}): TuneResult {
  const m = (accuracy: number, macro_f1: number) => ({ accuracy, macro_f1, n: 100 });
  return {
    kind: 'tune',
    config,
    metrics: { dev_privatized: m(acc, acc), test_privatized: m(acc, extra.f1 ?? acc), test_clean: m(extra.clean ?? 0.9, extra.clean ?? 0.9) },
    replaced_fraction: extra.replaced ?? 0,
    majority_accuracy: 0.6,
    final_task_loss: 0.1,
    final_recon_loss: null,
    trainable_parameters: 10,
    wall_seconds: extra.wall ?? 1,
    tokens_per_s: 1,
    adapter: 'test',
    seeded_not_private: false
  };
}

const cfg = (over: Partial<TuneConfig>): TuneConfig => ({ ...TUNE_DEFAULTS, model: 'builtin', task: 'spam', ...over }) as TuneConfig;

// ---------------------------------------------------------------- config

describe('sweep config: expansion', () => {
  it('the committed spam-dchi config expands to budgets × rapt × seeds full TuneConfigs, first grid key slowest', () => {
    const sweep = parseSweepConfigText(readFileSync(join(REPO, 'configs/sweeps/spam-dchi.json'), 'utf8'), 'spam-dchi.json');
    const cs = expandSweep(sweep);
    const budgets = sweep.grid.budgets!;
    expect(budgets[0]).toEqual({ mechanism: 'none' });
    expect(budgets.length).toBeGreaterThanOrEqual(3); // clean + at least two d_χ budgets
    expect(cs.length).toBe(budgets.length * 2 * 3);
    expect(cs[0]).toEqual({ ...TUNE_DEFAULTS, ...sweep.base, mechanism: 'none', rapt: false, seed: 1 });
    expect(cs.slice(0, 6).map((c) => [c.rapt, c.seed])).toEqual([[false, 1], [false, 2], [false, 3], [true, 1], [true, 2], [true, 3]]);
    expect(cs[6]).toMatchObject({ mechanism: 'dchi', eta: budgets[1].eta, rapt: false, seed: 1 });
    expect(cs.every((c) => c.model === 'builtin' && c.task === 'spam' && c.method === 'prompt')).toBe(true);
    for (const c of cs) {
      if (c.mechanism === 'none') expect('eta' in c || 'epsilon' in c).toBe(false);
      else expect(c.eta).toBeGreaterThan(0);
    }
    expect(new Set(cs.map(runKey)).size).toBe(cs.length);
    // attacks: the four kinds, each at every budget and seed (not per method or RAPT switch)
    expect(sweep.attacks.map((a) => a.attack)).toEqual(['inversion-nn', 'inversion-learned', 'mask', 'attribute']);
    const attacks = expandAttacks(sweep.attacks, cs);
    expect(attacks).toHaveLength(4 * budgets.length * 3);
    for (const a of attacks) {
      expect(a.model).toBe('builtin');
      expect(a.task).toBe(a.attack === 'attribute' ? 'sotu-party' : 'spam');
      if (a.attack !== 'attribute') expect(a.maxLength).toBe(sweep.base.maxLength); // the text the service saw
    }
    expect(new Set(attacks.map(runKey)).size).toBe(attacks.length);
  });

  it('fills TUNE_DEFAULTS, takes base values, keeps attack entries and drops duplicate configs', () => {
    const attacks = [{ attack: 'mask', positions: 50 }, { attack: 'attribute', task: 'other', attribute: 'era' }];
    const s = parseSweepConfig({ name: 'x', base: { model: 'm', task: 't', lr: 0.001 }, grid: { plainTokens: [10, 10, 40], rapt: [true] }, attacks });
    expect(s.attacks).toEqual(attacks);
    const cs = expandSweep(s);
    expect(cs.map((c) => c.plainTokens)).toEqual([10, 40]);
    expect(cs[0]).toEqual({ ...TUNE_DEFAULTS, model: 'm', task: 't', lr: 0.001, plainTokens: 10, rapt: true });
    // no grid at all: one run
    expect(expandSweep(parseSweepConfig({ name: 'one', base: { model: 'm', task: 't' } }))).toHaveLength(1);
  });

  it('mechanism and a budget may also come from base and grid without budgets', () => {
    const cs = expandSweep(parseSweepConfig({ name: 'x', base: { model: 'm', task: 't', mechanism: 'santext' }, grid: { epsilon: [1, 3] } }));
    expect(cs.map((c) => [c.mechanism, c.epsilon])).toEqual([['santext', 1], ['santext', 3]]);
  });

  const bad: [string, unknown, RegExp][] = [
    ['not an object', [1], /must be a JSON object/],
    ['unknown top-level field', { name: 'x', base: { model: 'm', task: 't' }, gird: {} }, /^gird: unknown field \(did you mean "grid"\?\)/],
    ['missing name', { base: { model: 'm', task: 't' } }, /^name: must be a non-empty string/],
    ['unknown base field', { name: 'x', base: { model: 'm', task: 't', stepz: 3 } }, /^base\.stepz: unknown TuneConfig field \(did you mean "steps"\?\)/],
    ['bad base value', { name: 'x', base: { model: 'm', task: 't', steps: 0 } }, /^base\.steps: must be an integer ≥ 1, got 0/],
    ['bad method', { name: 'x', base: { model: 'm', task: 't' }, grid: { method: ['prompt', 'adapter'] } }, /^grid\.method\[1\]: must be one of "prompt", "prefix", "lora", "full", got "adapter"/],
    ['grid value not a list', { name: 'x', base: { model: 'm', task: 't' }, grid: { seed: 3 } }, /^grid\.seed: must be a non-empty list of values, got 3 \(write \[3\] for one value\)/],
    ['empty grid list', { name: 'x', base: { model: 'm', task: 't' }, grid: { seed: [] } }, /^grid\.seed: must be a non-empty list/],
    ['unknown grid key', { name: 'x', base: { model: 'm', task: 't' }, grid: { seeds: [1] } }, /^grid\.seeds: unknown grid field \(did you mean "seed"\?\)/],
    ['non-integer seed', { name: 'x', base: { model: 'm', task: 't' }, grid: { seed: [1, 2.5] } }, /^grid\.seed\[1\]: must be an integer ≥ 0, got 2\.5/],
    ['string boolean', { name: 'x', base: { model: 'm', task: 't' }, grid: { rapt: ['true'] } }, /^grid\.rapt\[0\]: must be true or false, got "true"/],
    ['both base and grid', { name: 'x', base: { model: 'm', task: 't', seed: 1 }, grid: { seed: [1, 2] } }, /^grid\.seed: seed is also set in base/],
    ['budget with a bad eta', { name: 'x', base: { model: 'm', task: 't' }, grid: { budgets: [{ mechanism: 'none' }, { mechanism: 'dchi', eta: -1 }] } }, /^grid\.budgets\[1\]\.eta: must be a finite number > 0, got -1/],
    ['budget with the wrong budget', { name: 'x', base: { model: 'm', task: 't' }, grid: { budgets: [{ mechanism: 'santext', eta: 3 }] } }, /^grid\.budgets\[0\]\.eta: santext takes epsilon, not eta/],
    ['budget without its budget', { name: 'x', base: { model: 'm', task: 't' }, grid: { budgets: [{ mechanism: 'dchi' }] } }, /^grid\.budgets\[0\]\.eta: dchi needs eta/],
    ['budget "none" with a budget', { name: 'x', base: { model: 'm', task: 't' }, grid: { budgets: [{ mechanism: 'none', eta: 5 }] } }, /^grid\.budgets\[0\]\.eta: mechanism "none" \(clean text\) takes no budget/],
    ['unknown mechanism', { name: 'x', base: { model: 'm', task: 't' }, grid: { budgets: [{ mechanism: 'gauss', epsilon: 1 }] } }, /^grid\.budgets\[0\]\.mechanism: must be one of "none", "dchi"/],
    ['unknown budget field', { name: 'x', base: { model: 'm', task: 't' }, grid: { budgets: [{ mechanism: 'dchi', eta: 1, clip: 2 }] } }, /^grid\.budgets\[0\]\.clip: unknown budget field/],
    ['budgets and mechanism', { name: 'x', base: { model: 'm', task: 't', mechanism: 'dchi' }, grid: { budgets: [{ mechanism: 'none' }] } }, /^base\.mechanism: grid\.budgets already sets mechanism/],
    ['missing model', { name: 'x', base: { task: 't' } }, /^base\.model: is required/],
    ['mechanism none crossed with eta', { name: 'x', base: { model: 'm', task: 't' }, grid: { mechanism: ['none', 'dchi'], eta: [10] } }, /^grid point \{"mechanism":"none","eta":10\}: mechanism "none" takes no budget/],
    ['dchi without eta', { name: 'x', base: { model: 'm', task: 't', mechanism: 'dchi' } }, /^the base config: mechanism dchi needs eta/],
    ['RAPT with no plain tokens (rapt tune’s own check)', { name: 'x', base: { model: 'm', task: 't', plainTokens: 0 }, grid: { rapt: [false, true] } }, /^grid point \{"rapt":true\}: plainTokens must be an integer ≥ 1/],
    ['attacks not a list', { name: 'x', base: { model: 'm', task: 't' }, attacks: {} }, /^attacks: must be a list/],
    ['attack entry not an object', { name: 'x', base: { model: 'm', task: 't' }, attacks: ['mask'] }, /^attacks\[0\]: must be an object like \{"attack": "inversion-nn"\}/],
    ['attack written as kind', { name: 'x', base: { model: 'm', task: 't' }, attacks: [{ kind: 'mask' }] }, /^attacks\[0\]\.attack: is required .*write "attack", not "kind"/],
    ['unknown attack', { name: 'x', base: { model: 'm', task: 't' }, attacks: [{ attack: 'knn' }] }, /^attacks\[0\]: attack must be one of inversion-nn, inversion-learned, mask, attribute, got "knn"/],
    ['attack sets a grid field', { name: 'x', base: { model: 'm', task: 't' }, attacks: [{ attack: 'mask' }, { attack: 'mask', eta: 5 }] }, /^attacks\[1\]\.eta: set by the sweep's grid/],
    ['unknown attack field', { name: 'x', base: { model: 'm', task: 't' }, attacks: [{ attack: 'mask', stepz: 5 }] }, /^attacks\[0\]\.stepz: unknown attack field; known: attack, task, limit/],
    ['bad attack value', { name: 'x', base: { model: 'm', task: 't' }, attacks: [{ attack: 'inversion-learned', steps: 0 }] }, /^attacks\[0\]: steps must be an integer ≥ 1, got 0/],
    ['a saved run in a sweep attack', { name: 'x', base: { model: 'm', task: 't' }, attacks: [{ attack: 'attribute', run: 'runs/a' }] }, /^attacks\[0\]\.run: a sweep attacks the privatized data of its grid/],
    ['attribute on a token attack', { name: 'x', base: { model: 'm', task: 't' }, attacks: [{ attack: 'mask', attribute: 'era' }] }, /^attacks\[0\]: attribute is for the attribute attack, not mask/]
  ];
  for (const [what, raw, re] of bad)
    it(`rejects ${what}, naming the field`, () => {
      let err: unknown;
      try {
        parseSweepConfig(raw);
      } catch (e) {
        err = e;
      }
      expect(err, what).toBeInstanceOf(SweepConfigError);
      expect((err as Error).message).toMatch(re);
    });

  it('a JSON syntax error names the file', () => {
    expect(() => parseSweepConfigText('{"name": "x",', 'my.json')).toThrow(/^my\.json is not valid JSON/);
  });
});

// ---------------------------------------------------------------- keys

describe('run keys', () => {
  it('SHA-256 matches FIPS 180-4 test vectors and node:crypto, across block boundaries and UTF-8', () => {
    expect(sha256Hex('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(sha256Hex('')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(sha256Hex('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq')).toBe('248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1');
    for (const n of [1, 55, 56, 63, 64, 65, 119, 120, 1000]) {
      const s = 'η-ε ✓ 汉字 '.repeat(n).slice(0, n);
      expect(sha256Hex(s), `length ${n}`).toBe(createHash('sha256').update(s, 'utf8').digest('hex'));
    }
  });

  it('canonical JSON sorts keys at every level and drops undefined members', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { z: 1, y: 2 }], c: undefined } })).toBe('{"a":{"d":[1,{"y":2,"z":1}]},"b":1}');
    expect(() => canonicalJson({ x: NaN })).toThrow(/NaN has no JSON form/);
  });

  it('the key is 16 hex digits, independent of key order, different for any change of the config', () => {
    const a = cfg({ mechanism: 'dchi', eta: 50, seed: 2 });
    const reordered = Object.fromEntries(Object.entries(a).reverse());
    expect(runKey(a)).toMatch(/^[0-9a-f]{16}$/);
    expect(runKey(reordered)).toBe(runKey(a));
    expect(runKey({ ...a, epsilon: undefined })).toBe(runKey(a));
    expect(runKey({ ...a, seed: 3 })).not.toBe(runKey(a));
    expect(runKey({ ...a, eta: 50.5 })).not.toBe(runKey(a));
    expect(runKey({ ...a, lr: 0.01 })).toBe(runKey(a)); // same value as the default: same config
    // pinned: a key must not change between versions, or resumed sweeps would redo every run
    expect(runKey({ model: 'builtin', seed: 1 })).toBe(sha256Hex('{"model":"builtin","seed":1}').slice(0, 16));
  });
});

// ---------------------------------------------------------------- runner

describe('runSweep', () => {
  it('runs every config, appends one line per run, writes the summary, CSV, Markdown and chart', async () => {
    const configs = expandSweep(smallSweep());
    const store = new MemoryStore();
    const lines: string[] = [];
    let t = 0;
    const out = await runSweep({
      configs,
      store,
      run: async (c) => {
        t += 30_000; // every run takes 30 s on this clock
        return fakeTuneResult(c);
      },
      log: (s) => lines.push(s),
      title: 'small',
      now: () => t
    });
    expect(out).toMatchObject({ total: 12, skipped: 0, ran: 12, failed: 0, aborted: false });
    const log = parseRunsLog((await store.read(RUNS_FILE))!);
    expect(log.tune.map((r) => r.key)).toEqual(configs.map(runKey));
    expect(log.tune[0]).toEqual({ ...fakeTuneResult(configs[0]), key: runKey(configs[0]) });
    for (const f of ['summary.csv', 'summary.md', 'chart.svg']) expect(await store.read(f), f).toBeTruthy();
    expect(lines).toContain(`run 1/12 ${runKey(configs[0])}: prompt, clean, none (clean), seed 1`);
    expect(lines.find((l) => l.startsWith('run 3/12 done'))).toMatch(/^run 3\/12 done in 30s: test accuracy 0\.\d{3} privatized, 0\.\d{3} clean, replaced 0\.\d{3}; ETA 4m 30s for 9 more$/);
    expect(lines.find((l) => l.startsWith('run 12/12 done'))).not.toMatch(/ETA/);
    expect(out.groups).toHaveLength(6);
  });

  it('resumes after an interruption without repeating a finished run', async () => {
    const configs = expandSweep(smallSweep());
    const store = new MemoryStore();
    const calls: string[] = [];
    const k = 5;
    const interrupted = runSweep({
      configs,
      store,
      run: async (c) => {
        if (calls.length === k) throw new SweepAbort('simulated kill');
        calls.push(runKey(c));
        return fakeTuneResult(c);
      }
    });
    await expect(interrupted).rejects.toBeInstanceOf(SweepAbort);
    expect(parseRunsLog((await store.read(RUNS_FILE))!).tune).toHaveLength(k);
    expect(await store.read('summary.csv')).toBeNull(); // killed: nothing after the last finished run

    const lines: string[] = [];
    const resumed = await runSweep({
      configs,
      store,
      run: async (c) => {
        calls.push(runKey(c));
        return fakeTuneResult(c);
      },
      log: (s) => lines.push(s)
    });
    expect(resumed).toMatchObject({ total: 12, skipped: k, ran: 12 - k, failed: 0 });
    expect(lines[0]).toMatch(/12 runs, 5 already finished in runs\.jsonl, 7 to run/);
    expect(lines).toContain(`run 1/7 ${runKey(configs[k])}: prompt, privatized, d_χ η=20, seed 2`);
    expect(calls).toEqual(configs.map(runKey)); // each run exactly once, in order
    const text = (await store.read(RUNS_FILE))!;
    const keys = parseRunsLog(text).tune.map((r) => r.key);
    expect(keys.sort()).toEqual(configs.map(runKey).sort());
    expect(text.split('\n').filter(Boolean)).toHaveLength(12);

    // a third call finds nothing to do
    const again = await runSweep({ configs, store, run: async () => expect.fail('nothing should run') });
    expect(again).toMatchObject({ skipped: 12, ran: 0 });
  });

  it('drops a cut-off last line and runs that config again; keeps a last line that only lost its newline', async () => {
    const configs = expandSweep(smallSweep()).slice(0, 4);
    const rows = configs.map((c) => JSON.stringify({ ...fakeTuneResult(c), key: runKey(c) }));
    const store = new MemoryStore();
    await store.write(RUNS_FILE, `${rows[0]}\n${rows[1]}\n${rows[2].slice(0, 57)}`);
    const ran: string[] = [];
    const lines: string[] = [];
    const out = await runSweep({ configs, store, run: async (c) => (ran.push(runKey(c)), fakeTuneResult(c)), log: (s) => lines.push(s) });
    expect(ran).toEqual([runKey(configs[2]), runKey(configs[3])]);
    expect(out).toMatchObject({ skipped: 2, ran: 2 });
    expect(lines.some((l) => /dropped a cut-off last line \(57 characters\)/.test(l))).toBe(true);
    const text = (await store.read(RUNS_FILE))!;
    expect(text.split('\n').filter(Boolean).map((l) => JSON.parse(l).key)).toEqual(configs.map(runKey));

    const store2 = new MemoryStore();
    await store2.write(RUNS_FILE, `${rows[0]}\n${rows[1]}`); // complete, no trailing newline
    const ran2: string[] = [];
    await runSweep({ configs, store: store2, run: async (c) => (ran2.push(runKey(c)), fakeTuneResult(c)) });
    expect(ran2).toEqual([runKey(configs[2]), runKey(configs[3])]);
    expect((await store2.read(RUNS_FILE))!.split('\n').filter(Boolean).map((l) => JSON.parse(l).key)).toEqual(configs.map(runKey));
  });

  it('a bad line in the middle of runs.jsonl is an error naming the line', async () => {
    const [c] = expandSweep(smallSweep());
    const row = JSON.stringify({ ...fakeTuneResult(c), key: runKey(c) });
    expect(() => parseRunsLog(`${row}\n{oops\n${row}\n`, 'out/runs.jsonl')).toThrow(RunsLogError);
    expect(() => parseRunsLog(`${row}\n{oops\n${row}\n`, 'out/runs.jsonl')).toThrow(/^out\/runs\.jsonl line 2 is not valid JSON/);
    expect(() => parseRunsLog(`[1]\n`)).toThrow(/line 1: expected an object with a "kind"/);
  });

  it('keeps rows of other kinds and tune rows without a key', async () => {
    const configs = expandSweep(smallSweep()).slice(0, 2);
    const { key: _k, ...noKey } = { ...fakeTuneResult(configs[0]), key: '' };
    const attack = { kind: 'note', key: 'abc', text: 'a row some other tool wrote' };
    const store = new MemoryStore();
    await store.write(RUNS_FILE, `${JSON.stringify(attack)}\n${JSON.stringify(noKey)}\n`);
    const ran: TuneConfig[] = [];
    const out = await runSweep({ configs, store, run: async (c) => (ran.push(c), fakeTuneResult(c)) });
    expect(ran).toEqual([configs[1]]);
    expect(out.results).toHaveLength(2);
    const log = parseRunsLog((await store.read(RUNS_FILE))!);
    expect(log.other).toEqual([attack]);
    expect(log.tune.map((r) => r.key)).toEqual(configs.map(runKey));
  });

  it('records a failing run as an error line, goes on, counts it, and retries it on the next call', async () => {
    const sweep = parseSweepConfig({ name: 'f', base: { model: 'builtin', steps: 5 }, grid: { task: ['spam', FAKE_FAIL_TASK], seed: [1, 2] } });
    const configs = expandSweep(sweep);
    const store = new MemoryStore();
    const lines: string[] = [];
    const out = await runSweep({ configs, store, run: async (c) => fakeTuneResult(c), log: (s) => lines.push(s) });
    expect(out).toMatchObject({ total: 4, ran: 2, failed: 2 });
    expect(out.failures.map((f) => f.key)).toEqual([runKey(configs[2]), runKey(configs[3])]);
    const log = parseRunsLog((await store.read(RUNS_FILE))!);
    expect(log.errors).toHaveLength(2);
    expect(log.errors[0]).toEqual({ kind: 'error', key: runKey(configs[2]), config: configs[2], message: `fake runner: task "${FAKE_FAIL_TASK}" always fails (seed 1)` });
    expect(lines.some((l) => /^run 3\/4 FAILED after \d+s: fake runner/.test(l))).toBe(true);
    expect(lines.at(-1)).toMatch(/^2 run\(s\) failed: their "error" lines are in runs\.jsonl/);
    expect(out.groups).toHaveLength(1); // the summary covers the finished runs

    const retried: string[] = [];
    const again = await runSweep({ configs, store, run: async (c) => (retried.push(runKey(c)), fakeTuneResult({ ...c, task: 'spam' })) });
    expect(retried).toEqual([runKey(configs[2]), runKey(configs[3])]);
    expect(again).toMatchObject({ skipped: 2, ran: 2, failed: 0 });
  });

  it('an aborted signal stops between runs and still writes the summaries', async () => {
    const configs = expandSweep(smallSweep());
    const store = new MemoryStore();
    const ac = new AbortController();
    let n = 0;
    const out = await runSweep({ configs, store, signal: ac.signal, run: async (c) => (++n === 3 && ac.abort(), fakeTuneResult(c)) });
    expect(out).toMatchObject({ ran: 3, aborted: true });
    expect(parseRunsLog((await store.read(RUNS_FILE))!).tune).toHaveLength(3);
    expect(await store.read('summary.csv')).toContain('prompt, clean');
  });

  it('formats durations', () => {
    expect([5, 59.4, 60, 312, 3600, 7500].map(formatDuration)).toEqual(['5s', '59s', '1m 00s', '5m 12s', '1h 00m', '2h 05m']);
  });
});

// ---------------------------------------------------------------- summary

describe('summary', () => {
  it('mean and sample std (n − 1) against hand-computed values', () => {
    // 0.8, 0.9, 0.85: mean 0.85; deviations ±0.05, 0 → Σ = 0.005, /2 = 0.0025, √ = 0.05
    const a = meanStd([0.8, 0.9, 0.85]);
    expect(a.mean).toBeCloseTo(0.85, 12);
    expect(a.std!).toBeCloseTo(0.05, 12);
    // 0.5, 0.7: mean 0.6; Σ = 0.02, /1 → std √0.02 = 0.1414213562…
    const b = meanStd([0.5, 0.7]);
    expect(b.mean).toBeCloseTo(0.6, 12);
    expect(b.std!).toBeCloseTo(0.14142135623730953, 12);
    // 2, 4, 4, 4, 5, 5, 7, 9: mean 5, Σ = 32, /7 → √(32/7) = 2.138089935…
    expect(meanStd([2, 4, 4, 4, 5, 5, 7, 9]).std!).toBeCloseTo(2.1380899352993947, 12);
    expect(meanStd([0.7])).toEqual({ mean: 0.7, std: null, n: 1 });
    expect(meanStd([NaN, 1, 3])).toMatchObject({ mean: 2, n: 2 });
    expect(meanStd([]).n).toBe(0);
  });

  const rows = [
    result(cfg({ mechanism: 'none', seed: 1 }), 0.92, { clean: 0.92, wall: 10 }),
    result(cfg({ mechanism: 'none', seed: 2 }), 0.94, { clean: 0.94, wall: 14 }),
    result(cfg({ mechanism: 'dchi', eta: 50, seed: 1 }), 0.8, { f1: 0.7, replaced: 0.5, wall: 20 }),
    result(cfg({ mechanism: 'dchi', eta: 50, seed: 2 }), 0.9, { f1: 0.8, replaced: 0.4, wall: 22 }),
    result(cfg({ mechanism: 'dchi', eta: 50, seed: 3 }), 0.85, { f1: 0.9, replaced: 0.6, wall: 24 }),
    result(cfg({ mechanism: 'dchi', eta: 50, rapt: true, seed: 1 }), 0.5),
    result(cfg({ mechanism: 'dchi', eta: 50, rapt: true, seed: 2 }), 0.7),
    result(cfg({ mechanism: 'dchi', eta: 10, rapt: true, seed: 1 }), 0.6)
  ];

  it('groups by config minus seed, sorted clean first then by budget, with readable labels', () => {
    const g = summarize(rows);
    expect(g.map((x) => [x.budgetLabel, x.variant, x.seeds])).toEqual([
      ['none (clean)', 'prompt, clean', [1, 2]],
      ['d_χ η=10', 'prompt + RAPT (m=40, λ=1)', [1]],
      ['d_χ η=50', 'prompt, privatized', [1, 2, 3]],
      ['d_χ η=50', 'prompt + RAPT (m=40, λ=1)', [1, 2]]
    ]);
    const p = g[2].stats;
    expect(p.test_privatized_accuracy.mean).toBeCloseTo(0.85, 12);
    expect(p.test_privatized_accuracy.std!).toBeCloseTo(0.05, 12);
    expect(p.test_privatized_macro_f1.mean).toBeCloseTo(0.8, 12); // 0.7, 0.8, 0.9
    expect(p.test_privatized_macro_f1.std!).toBeCloseTo(0.1, 12);
    expect(p.replaced_fraction.mean).toBeCloseTo(0.5, 12);
    expect(p.replaced_fraction.std!).toBeCloseTo(0.1, 12);
    expect(p.wall_seconds.mean).toBeCloseTo(22, 12); // 20, 22, 24: std 2
    expect(p.wall_seconds.std!).toBeCloseTo(2, 12);
    expect(p.test_clean_accuracy.std!).toBe(0);
    expect(g[3].stats.test_privatized_accuracy.mean).toBeCloseTo(0.6, 12);
    expect(g[3].stats.test_privatized_accuracy.std!).toBeCloseTo(0.14142135623730953, 12);
    expect(g[0].stats.wall_seconds).toMatchObject({ mean: 12 });
    expect(g[1].stats.test_privatized_accuracy).toMatchObject({ mean: 0.6, std: null, n: 1 });
    // the same run twice (same key) counts once
    expect(summarize([...rows, rows[2]])[2].seeds).toEqual([1, 2, 3]);
  });

  it('a clean test split that was not sent (n = 0) is no value, not an accuracy of 0', () => {
    const sent = result(rows[2].config, 0.8, { clean: 0.7 });
    const notSent = { ...result({ ...rows[2].config, seed: 9 }, 0.8), metrics: { ...sent.metrics, test_clean: { accuracy: 0, macro_f1: 0, n: 0 } } };
    expect(summarize([sent, notSent])[0].stats.test_clean_accuracy).toEqual({ mean: 0.7, std: null, n: 1 });
    expect(summarize([notSent])[0].stats.test_clean_accuracy.n).toBe(0);
  });

  it('labels name what varies: mechanism, c, and other fields in brackets', () => {
    const cs = [cfg({ mechanism: 'santext', epsilon: 1 }), cfg({ mechanism: 'custext', epsilon: 1, rapt: true, reconHidden: 32, lr: 0.001 }), cfg({ rapt: true })];
    const ctx = labelContext(cs);
    expect(cs.map((c) => variantLabel(c, ctx))).toEqual([
      'prompt, privatized (SanText) [lr=0.01]',
      'prompt + RAPT (m=40, λ=1, c=32), CusText [lr=0.001]',
      'prompt + RAPT (m=40, λ=1, c=96), clean [lr=0.01]'
    ]);
  });

  it('CSV: RFC 4180 quoting, CRLF, full precision; reads back to the same fields', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
    expect(csvField('cr\r')).toBe('"cr\r"');
    expect(csvField(0.1 + 0.2)).toBe('0.30000000000000004');
    expect(csvField(null)).toBe('');
    expect(csvField(NaN)).toBe('');
    expect(csvField(true)).toBe('true');

    const groups = summarize(rows);
    const csv = summaryCsv(groups);
    expect(csv.endsWith('\r\n')).toBe(true);
    const table = parseCsv(csv);
    const [head, ...body] = table;
    expect(body).toHaveLength(groups.length);
    for (const r of body) expect(r).toHaveLength(head.length);
    const col = (name: string) => head.indexOf(name);
    expect(body[2][col('variant')]).toBe('prompt, privatized');
    expect(body[3][col('variant')]).toBe('prompt + RAPT (m=40, λ=1)');
    expect(Number(body[2][col('test_privatized_accuracy_mean')])).toBeCloseTo(0.85, 12);
    expect(Number(body[2][col('test_privatized_accuracy_std')])).toBeCloseTo(0.05, 12);
    expect(body[1][col('test_privatized_accuracy_std')]).toBe(''); // one seed: no std
    expect(body[2][col('budget_name')]).toBe('eta');
    expect(body[2][col('budget_value')]).toBe('50');
    expect(body[2][col('seeds')]).toBe('1 2 3');
    expect(JSON.parse(body[2][col('config')])).toEqual(groups[2].config);
    expect(csv).toContain('"prompt + RAPT (m=40, λ=1)"');
  });

  it('Markdown: one row per group with mean ± std, pipes escaped', () => {
    const md = summaryMarkdown(summarize(rows), { title: 'spam | d_χ' });
    expect(md.startsWith('# spam \\| d_χ\n')).toBe(true);
    const table = md.split('\n').filter((l) => l.startsWith('|'));
    expect(table).toHaveLength(2 + 4);
    expect(table[0]).toBe('| budget | variant | seeds | test acc (privatized) | test acc (clean) | macro-F1 (privatized) | replaced | wall (s) |');
    expect(table[4]).toBe('| d_χ η=50 | prompt, privatized | 3 | 0.850 ± 0.050 | 0.900 ± 0.000 | 0.800 ± 0.100 | 0.500 ± 0.100 | 22.0 ± 2.0 |');
    expect(table[3]).toContain('| d_χ η=10 | prompt + RAPT (m=40, λ=1) | 1 | 0.600 |');
    expect(table[2]).toContain('| none (clean) | prompt, clean | 2 | 0.930 ± 0.014 |');
    expect(summaryMarkdown([])).toContain('(no finished runs yet)');
  });
});

// ---------------------------------------------------------------- chart

describe('SVG chart', () => {
  it('budget chart: well-formed SVG with axes, tick labels, units, legend, a series per variant, error bars and a dashed clean line', () => {
    const groups = summarize([
      ...[1, 2].flatMap((seed) => [
        result(cfg({ seed }), 0.9 + seed / 100),
        result(cfg({ seed, mechanism: 'dchi', eta: 20 }), 0.6 + seed / 50),
        result(cfg({ seed, mechanism: 'dchi', eta: 100 }), 0.8),
        result(cfg({ seed, mechanism: 'dchi', eta: 20, rapt: true }), 0.7),
        result(cfg({ seed, mechanism: 'dchi', eta: 100, rapt: true }), 0.85 + seed / 100)
      ])
    ]);
    const svg = budgetChartSvg(groups, { title: 'spam <d_χ> & friends' });
    const { tags } = checkXml(svg);
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg).toContain('spam &lt;d_χ&gt; &amp; friends');
    expect(svg).toContain('class="axis x-axis"');
    expect(svg).toContain('class="axis y-axis"');
    expect(svg).toContain('privacy budget η (d_χ, larger = less private)');
    expect(svg).toContain('test accuracy, privatized inputs (%)');
    expect(svg).not.toContain('log scale'); // 20..100 spans 5×: linear
    for (const t of ['>20<', '>100<']) expect(svg).toContain(t); // x ticks at the budgets
    expect(svg).toMatch(/>80<\/text>/); // a y tick label in percent
    expect(svg.match(/<g class="series"/g)).toHaveLength(2);
    expect(svg).toContain('data-label="prompt, privatized"');
    expect(svg).toContain('data-label="prompt + RAPT (m=40, λ=1)"');
    expect(svg.match(/class="error-bar"/g)).toHaveLength(2); // only the two points whose seeds differ
    expect(svg).toMatch(/<g class="baseline" data-label="prompt, clean \(mean ± std\)">[\s\S]*?stroke-dasharray="6 4"/);
    expect(svg).toContain('data-label="majority class"');
    const legend = svg.slice(svg.indexOf('<g class="legend">'));
    for (const l of ['prompt, privatized', 'prompt + RAPT (m=40, λ=1)', 'prompt, clean (mean ± std)', 'majority class']) expect(legend).toContain(`>${l}</text>`);
    expect(tags.get('circle')).toBeGreaterThanOrEqual(4);

    const spec = budgetChartSpec(groups);
    expect(spec.series.map((s) => s.points.map((p) => [p.x, Math.round(p.y * 1e6) / 1e6]))).toEqual([
      [[20, 63], [100, 80]],
      [[20, 70], [100, 86.5]]
    ]);
    expect(spec.series[0].points[0].err!).toBeCloseTo(Math.SQRT2, 10); // 62 and 64: std √2
    expect(spec.baselines![0]).toMatchObject({ label: 'prompt, clean (mean ± std)', y: 91.5 });
  });

  it('log x when the values span more than 10×; generic x/y with explicit domain, units and escaping', () => {
    expect(wantsLogScale([20, 200])).toBe(false);
    expect(wantsLogScale([20, 201])).toBe(true);
    expect(wantsLogScale([0, 50])).toBe(false);
    const svg = lineChartSvg({
      xLabel: 'attack success (%)',
      yLabel: 'accuracy (%)',
      series: [
        { label: 'a "quoted" & <odd> label', points: [{ x: 1, y: 50, err: 2 }, { x: 1000, y: 80, err: null }, { x: 30, y: NaN }] },
        { label: 'b', points: [] }
      ],
      baselines: [{ label: 'floor', y: 45, style: 'dotted' }],
      yDomain: [0, 100]
    });
    checkXml(svg);
    expect(svg).toContain('attack success (%), log scale');
    expect(svg).toContain('a &quot;quoted&quot; &amp; &lt;odd&gt; label');
    for (const t of ['>1<', '>10<', '>100<', '>1000<']) expect(svg).toContain(t);
    expect(svg).toContain('stroke-dasharray="2 3"');
    expect(svg.match(/<g class="series"/g)).toHaveLength(2);
    // an empty chart is still a valid SVG
    const empty = lineChartSvg({ xLabel: 'x', yLabel: 'y', series: [] });
    checkXml(empty);
    expect(empty).toContain('no data yet');
  });
});

// ---------------------------------------------------------------- CLI


describe('rapt sweep (CLI, fake runner)', () => {
  let tmp: string;
  beforeAll(() => {
    tmp = mkdtempSync(join(tmpdir(), 'rapt-sweep-test-'));
  });
  afterAll(() => {
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  it('usage errors exit 2 and name the flag or the field', async () => {
    const noConfig = await rapt(['sweep', '--out', join(tmp, 'x')]);
    expect(noConfig.code).toBe(2);
    expect(noConfig.stderr).toMatch(/--config FILE\.json is required/);
    const bad = join(tmp, 'bad.json');
    writeFileSync(bad, JSON.stringify({ name: 'b', base: { model: 'builtin', task: 'spam' }, grid: { budgets: [{ mechanism: 'dchi', eta: 0 }] } }));
    const badField = await rapt(['sweep', '--config', bad, '--out', join(tmp, 'x')]);
    expect(badField.code).toBe(2);
    expect(badField.stderr).toContain(`rapt: UsageError: --config ${bad}: grid.budgets[0].eta: must be a finite number > 0, got 0`);
    expect(existsSync(join(tmp, 'x'))).toBe(false);
  });

  it('runs a sweep into DIR, exits 1 when a run failed, and a rerun retries only that', async () => {
    const file = join(tmp, 'sweep.json');
    writeFileSync(
      file,
      JSON.stringify({
        name: 'cli test',
        base: { model: 'builtin', steps: 10 },
        grid: { task: ['spam', FAKE_FAIL_TASK], budgets: [{ mechanism: 'none' }, { mechanism: 'dchi', eta: 30 }], seed: [1, 2] }
      })
    );
    const out = join(tmp, 'out');
    const env = { RAPT_SWEEP_FAKE_RUNNER: '1' };
    const dry = await rapt(['sweep', '--config', file, '--dry-run'], env);
    expect(dry.code, dry.stderr).toBe(0);
    const plan = JSON.parse(dry.stdout) as { total: number; runs: { key: string; config: TuneConfig }[] };
    expect(plan.total).toBe(8);
    expect(plan.runs.map((r) => r.key)).toEqual(plan.runs.map((r) => runKey(r.config)));

    const first = await rapt(['sweep', '--config', file, '--out', out], env);
    expect(first.code, first.stderr).toBe(1);
    const report = JSON.parse(first.stdout);
    expect(report).toMatchObject({ name: 'cli test', total: 8, skipped: 0, ran: 4, failed: 4, finished: 4, files: { runs: 'runs.jsonl' } });
    expect(first.stderr).toMatch(/rapt: 4 of 8 runs failed/);
    expect(first.stderr).toMatch(/run 8\/8 FAILED/);
    const log = parseRunsLog(readFileSync(join(out, 'runs.jsonl'), 'utf8'));
    expect(log.tune.map((r) => r.key)).toEqual(plan.runs.slice(0, 4).map((r) => r.key));
    expect(log.errors).toHaveLength(4);
    checkXml(readFileSync(join(out, 'chart.svg'), 'utf8'));
    expect(readFileSync(join(out, 'summary.md'), 'utf8')).toContain('| d_χ η=30 | prompt, privatized | 2 |');
    expect(parseCsv(readFileSync(join(out, 'summary.csv'), 'utf8'))).toHaveLength(3);

    const second = await rapt(['sweep', '--config', file, '--out', out], env);
    expect(second.code).toBe(1);
    expect(JSON.parse(second.stdout)).toMatchObject({ skipped: 4, ran: 0, failed: 4 });
    expect(second.stderr).toMatch(/8 runs, 4 already finished/);
  });
});
