// Attacks in sweeps (src/lib/experiments): expanding a config's `attacks` over the grid, running
// them after the tuning runs and resuming them, their summary (mean ± sample std worked out by
// hand), the attack and frontier charts (the join of tuning and attack results by budget), and
// the CLI with the fake runners. No GPU, no real training or attack.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TUNE_DEFAULTS, type TuneConfig, type TuneResult } from '../../src/lib/rapt/config';
import { completeAttackConfig, type AttackConfig, type AttackResult } from '../../src/lib/attacks/config';
import {
  attackChartSpec,
  attackConfigFor,
  attackCsv,
  attackMarkdown,
  expandAttacks,
  expandSweep,
  frontierChartSpec,
  frontierFile,
  lineChartSvg,
  MemoryStore,
  parseRunsLog,
  parseSweepConfig,
  runKey,
  runSweep,
  RunsLogError,
  summarize,
  summarizeAttacks,
  RUNS_FILE,
  ATTACKS_CSV,
  ATTACKS_SVG
} from '../../src/lib/experiments';
import { fakeAttackResult, fakeTuneResult, FAKE_FAIL_TASK } from '../../src/lib/experiments/fake-runner';
import { checkXml, parseCsv, rapt } from './helpers/sweep-files';

const tune = (over: Partial<TuneConfig>): TuneConfig => ({ ...TUNE_DEFAULTS, model: 'builtin', task: 'spam', ...over }) as TuneConfig;

/** 3 budgets × rapt off/on × 2 seeds, with two attacks. */
function sweepWithAttacks(attacks: unknown[] = [{ attack: 'inversion-nn' }, { attack: 'attribute', task: 'sotu-party', attribute: 'era', maxLength: 64 }]) {
  return parseSweepConfig({
    name: 'atk',
    base: { model: 'builtin', task: 'spam', steps: 20, maxLength: 32 },
    grid: { budgets: [{ mechanism: 'none' }, { mechanism: 'dchi', eta: 20 }, { mechanism: 'dchi', eta: 200 }], rapt: [false, true], seed: [1, 2] },
    attacks
  });
}

/** An AttackResult with the numbers a test chooses. */
function attackResult(config: AttackConfig, success: number, baseline: number, content?: number): AttackResult {
  return {
    kind: 'attack',
    attack: config.attack,
    config,
    success,
    baseline: { name: 'identity', value: baseline },
    privacy: 1 - success,
    details: content === undefined ? {} : { bayes: { overall: success, excluding_stop_words: content }, identity: { overall: baseline, excluding_stop_words: content / 2 } },
    wall_seconds: 2,
    adapter: 'test',
    seeded_not_private: true
  };
}

function tuneResult(config: TuneConfig, acc: number): TuneResult {
  const m = { accuracy: acc, macro_f1: acc, n: 100 };
  return {
    kind: 'tune',
    config,
    metrics: { dev_privatized: m, test_privatized: m, test_clean: m },
    replaced_fraction: 0,
    majority_accuracy: 0.6,
    final_task_loss: 0.1,
    final_recon_loss: null,
    trainable_parameters: 1,
    wall_seconds: 1,
    tokens_per_s: 1,
    adapter: 'test',
    seeded_not_private: true
  };
}

describe('sweep attacks: expansion', () => {
  it('runs each attack once per (model, task, budget, seed) of the grid, not per method or RAPT switch', () => {
    const s = sweepWithAttacks();
    const tunes = expandSweep(s);
    expect(tunes).toHaveLength(12);
    const attacks = expandAttacks(s.attacks, tunes);
    expect(attacks).toHaveLength(2 * 3 * 2); // attacks × budgets × seeds
    // entry-major, then grid order; grid fields from the tuning config, the rest defaulted
    expect(attacks[0]).toEqual(completeAttackConfig({ attack: 'inversion-nn', model: 'builtin', task: 'spam', mechanism: 'none', seed: 1, maxLength: 32 }));
    expect(attacks.slice(0, 6).map((a) => [a.mechanism, a.eta, a.seed])).toEqual([
      ['none', undefined, 1],
      ['none', undefined, 2],
      ['dchi', 20, 1],
      ['dchi', 20, 2],
      ['dchi', 200, 1],
      ['dchi', 200, 2]
    ]);
    // an entry's own task and maxLength win over the tuning run's
    expect(attacks[6]).toMatchObject({ attack: 'attribute', task: 'sotu-party', attribute: 'era', maxLength: 64, mechanism: 'none', seed: 1 });
    expect(new Set(attacks.map(runKey)).size).toBe(12);
  });

  it('attackConfigFor takes the epsilon of ε-mechanisms and no budget for clean text', () => {
    expect(attackConfigFor({ attack: 'mask' }, tune({ mechanism: 'santext', epsilon: 3 }))).toMatchObject({ mechanism: 'santext', epsilon: 3 });
    const clean = attackConfigFor({ attack: 'mask' }, tune({ mechanism: 'none' }));
    expect('eta' in clean || 'epsilon' in clean).toBe(false);
  });

  it('a config without attacks expands to none', () => {
    expect(expandAttacks(parseSweepConfig({ name: 'x', base: { model: 'm', task: 't' } }).attacks, [tune({})])).toEqual([]);
  });
});

describe('sweep attacks: runner', () => {
  it('runs attacks after the tuning runs, writes attack rows and the attack files, and resumes without repeating them', async () => {
    const s = sweepWithAttacks();
    const configs = expandSweep(s);
    const attacks = expandAttacks(s.attacks, configs);
    const store = new MemoryStore();
    const order: string[] = [];
    const out = await runSweep({
      configs,
      attacks,
      store,
      title: 'atk',
      run: async (c) => (order.push('tune'), fakeTuneResult(c)),
      runAttack: async (c) => (order.push('attack'), fakeAttackResult(c))
    });
    expect(order).toEqual([...new Array(12).fill('tune'), ...new Array(12).fill('attack')]);
    expect(out).toMatchObject({ total: 24, ran: 24, failed: 0, skipped: 0 });
    expect(out.attackResults.map((r) => r.key)).toEqual(attacks.map(runKey));
    const log = parseRunsLog((await store.read(RUNS_FILE))!);
    expect(log.tune).toHaveLength(12);
    expect(log.attack).toHaveLength(12);
    expect(log.attack[0]).toEqual({ ...fakeAttackResult(attacks[0]), key: runKey(attacks[0]) });
    // files: attacks.csv (header + 2 attacks × 3 budgets), attacks.svg, one frontier per attack on the tuning task
    expect(parseCsv((await store.read(ATTACKS_CSV))!)).toHaveLength(1 + 6);
    checkXml((await store.read(ATTACKS_SVG))!);
    expect(frontierFile('inversion-nn on spam')).toBe('frontier-inversion-nn-on-spam.svg');
    const frontier = await store.read('frontier-inversion-nn-on-spam.svg');
    expect(frontier).not.toBeNull();
    checkXml(frontier!);
    expect(await store.read('frontier-attribute-era-on-sotu-party.svg')).toBeNull(); // another task: no frontier
    expect((await store.read('summary.md'))!).toContain('## Attacks');

    // resume: nothing runs again
    const again: string[] = [];
    const second = await runSweep({ configs, attacks, store, run: async (c) => (again.push('tune'), fakeTuneResult(c)), runAttack: async (c) => (again.push('attack'), fakeAttackResult(c)) });
    expect(again).toEqual([]);
    expect(second).toMatchObject({ total: 24, skipped: 24, ran: 0 });
    expect(second.attackGroups).toHaveLength(6);
  });

  it('a failed attack is an error line with its attack config, the sweep goes on, and a rerun retries only it', async () => {
    const configs = expandSweep(parseSweepConfig({ name: 'f', base: { model: 'builtin', task: 'spam', steps: 5 }, grid: { seed: [1, 2] } }));
    const attacks = [...expandAttacks([{ attack: 'mask' }], configs), completeAttackConfig({ attack: 'mask', model: 'builtin', task: FAKE_FAIL_TASK, seed: 1 })];
    const store = new MemoryStore();
    const out = await runSweep({ configs, attacks, store, run: async (c) => fakeTuneResult(c), runAttack: async (c) => fakeAttackResult(c) });
    expect(out).toMatchObject({ total: 5, ran: 4, failed: 1 });
    const log = parseRunsLog((await store.read(RUNS_FILE))!);
    expect(log.errors).toEqual([{ kind: 'error', key: runKey(attacks[2]), config: attacks[2], message: `fake runner: task "${FAKE_FAIL_TASK}" always fails (seed 1)` }]);
    const retried: AttackConfig[] = [];
    const again = await runSweep({ configs, attacks, store, run: async (c) => fakeTuneResult(c), runAttack: async (c) => (retried.push(c), fakeAttackResult({ ...c, task: 'spam' })) });
    expect(retried).toEqual([attacks[2]]);
    expect(again).toMatchObject({ skipped: 4, ran: 1, failed: 0 });
  });

  it('refuses attacks without an attack runner, and a runner that returns something else is a failed run', async () => {
    const configs = [tune({})];
    const attacks = expandAttacks([{ attack: 'mask' }], configs);
    await expect(runSweep({ configs, attacks, store: new MemoryStore(), run: async (c) => fakeTuneResult(c) })).rejects.toThrow(/attacks given without runAttack/);
    const out = await runSweep({ configs, attacks, store: new MemoryStore(), run: async (c) => fakeTuneResult(c), runAttack: async () => ({}) as AttackResult });
    expect(out.failures[0].message).toMatch(/not an AttackResult/);
  });

  it('runs.jsonl: an attack row needs a config and a numeric success', () => {
    expect(() => parseRunsLog('{"kind":"attack","success":"high","config":{}}\n', 'r.jsonl')).toThrow(RunsLogError);
    expect(() => parseRunsLog('{"kind":"attack","success":0.5}\n', 'r.jsonl')).toThrow(/^r\.jsonl line 1: an "attack" row needs a config object and a numeric success/);
    const c = completeAttackConfig({ attack: 'mask', model: 'builtin', task: 'spam' });
    const log = parseRunsLog(JSON.stringify(attackResult(c, 0.5, 0.4)) + '\n');
    expect(log.attack[0].key).toBe(runKey(c)); // a row without a key gets its config's
  });
});

describe('sweep attacks: summary and charts', () => {
  const nn = (over: Partial<AttackConfig>) => completeAttackConfig({ attack: 'inversion-nn', model: 'builtin', task: 'spam', ...over });

  it('groups by attack config minus seed with mean ± sample std over seeds (by hand), budgets in order', () => {
    const rows = [
      attackResult(nn({ mechanism: 'dchi', eta: 80, seed: 1 }), 0.5, 0.4, 0.3),
      attackResult(nn({ mechanism: 'dchi', eta: 80, seed: 2 }), 0.7, 0.6, 0.5),
      attackResult(nn({ mechanism: 'dchi', eta: 80, seed: 3 }), 0.6, 0.5, 0.4),
      attackResult(nn({ mechanism: 'none', seed: 1 }), 1, 1, 1),
      attackResult(nn({ mechanism: 'dchi', eta: 20, seed: 1 }), 0.1, 0.1)
    ];
    const groups = summarizeAttacks(rows);
    expect(groups.map((g) => g.budgetLabel)).toEqual(['none (clean)', 'd_χ η=20', 'd_χ η=80']);
    const g = groups[2];
    expect(g.seeds).toEqual([1, 2, 3]);
    expect(g.stats.success.mean).toBeCloseTo(0.6, 12);
    expect(g.stats.success.std).toBeCloseTo(0.1, 12); // deviations ±0.1, 0: sqrt(0.02 / 2)
    expect(g.stats.privacy.mean).toBeCloseTo(0.4, 12);
    expect(g.stats.baseline.mean).toBeCloseTo(0.5, 12);
    expect(g.stats.success_excluding_stop_words.mean).toBeCloseTo(0.4, 12);
    expect(g.stats.baseline_excluding_stop_words.mean).toBeCloseTo(0.2, 12);
    expect(groups[1].stats.success.std).toBeNull(); // one seed
    expect(groups[1].stats.success_excluding_stop_words.n).toBe(0); // no details: not made up
    expect(g.label).toBe('inversion-nn');

    const csv = parseCsv(attackCsv(groups));
    expect(csv[0].slice(0, 3)).toEqual(['attack', 'task', 'budget']);
    const row = Object.fromEntries(csv[0].map((h, i) => [h, csv[3][i]]));
    expect(Number(row.success_mean)).toBeCloseTo(0.6, 12);
    expect(Number(row.success_std)).toBeCloseTo(0.1, 12);
    expect(row.n_seeds).toBe('3');
    const md = attackMarkdown(groups);
    expect(md).toContain('| inversion-nn | d_χ η=80 | 3 | 60.0 ± 10.0 | 50.0 ± 10.0 (identity) | 40.0 ± 10.0 | 20.0 ± 5.0 |');
    expect(attackMarkdown([])).toBe('');
  });

  it('the attack chart has one line per attack plus its baseline, clean success as a reference line', () => {
    const rows = [0, 1].flatMap((s) => [
      attackResult(nn({ mechanism: 'none', seed: s }), 1, 1),
      attackResult(nn({ mechanism: 'dchi', eta: 50, seed: s }), 0.3 + 0.1 * s, 0.3),
      attackResult(nn({ mechanism: 'dchi', eta: 100, seed: s }), 0.6, 0.55)
    ]);
    const spec = attackChartSpec(summarizeAttacks(rows));
    expect(spec.series.map((s) => s.label)).toEqual(['inversion-nn', 'baseline: identity guess (spam)']);
    expect(spec.series[1]).toMatchObject({ color: '#555555', dash: '6 4' });
    expect(spec.series[0].points.map((p) => [p.x, p.y])).toEqual([
      [50, 35],
      [100, 60]
    ]);
    expect(spec.series[0].points[0].err).toBeCloseTo(100 * Math.sqrt(0.005), 9);
    expect(spec.baselines).toEqual([{ label: 'inversion-nn, clean text', y: 100, err: 0 }]);
    expect(spec.xLabel).toBe('privacy budget η (d_χ, larger = less private)');
    checkXml(lineChartSvg(spec));
  });

  it('the frontier joins tuning and attack results at the same budget, one curve per method through clean and privatized budgets', () => {
    const budgets = [{ mechanism: 'none' as const }, { mechanism: 'dchi' as const, eta: 80 }, { mechanism: 'dchi' as const, eta: 160 }];
    const tunes: TuneResult[] = [];
    const attacks: AttackResult[] = [];
    const acc = { none: 0.8, 80: 0.7, 160: 0.75 } as Record<string, number>;
    const succ = { none: 1, 80: 0.5, 160: 0.9 } as Record<string, number>;
    for (const b of budgets)
      for (const seed of [1, 2]) {
        const k = String(b.mechanism === 'none' ? 'none' : b.eta);
        for (const rapt of [false, true]) tunes.push(tuneResult(tune({ ...b, rapt, plainTokens: 16, seed }), acc[k] - (rapt ? 0.05 : 0) + (seed - 1.5) * 0.02));
        attacks.push(attackResult(nn({ ...b, seed }), succ[k] + (seed - 1.5) * 0.04, succ[k]));
      }
    // an attack at a budget nobody tuned at, and one on another task: left out
    attacks.push(attackResult(nn({ mechanism: 'dchi', eta: 40, seed: 1 }), 0.2, 0.2));
    attacks.push(attackResult(completeAttackConfig({ attack: 'inversion-nn', model: 'builtin', task: 'other', mechanism: 'dchi', eta: 80, seed: 1 }), 0.4, 0.4));
    const tg = summarize(tunes);
    const ag = summarizeAttacks(attacks);
    const label = ag.find((g) => g.task === 'spam')!.label;
    expect(label).toBe('inversion-nn on spam');
    const tuneRows = tunes.map((r) => ({ ...r, key: runKey(r.config) }));
    const attackRows = attacks.map((r) => ({ ...r, key: runKey(r.config) }));
    const spec = frontierChartSpec(tuneRows, attackRows, label);
    expect(spec.series.map((c) => c.label)).toEqual(['prompt', 'prompt + RAPT (m=16, λ=1)']);
    // most private budget first, clean text last (as on the Frontier page)
    for (const c of spec.series) expect(c.points.map((p) => p.note)).toEqual(['η=80', 'η=160', 'clean']);
    const p80 = spec.series[0].points.find((p) => p.note === 'η=80')!;
    expect(p80.x).toBeCloseTo(50, 9);
    expect(p80.xErr).toBeCloseTo(100 * Math.sqrt(0.0008), 9); // ±0.02 around 0.5
    expect(p80.y).toBeCloseTo(70, 9);
    expect(p80.err).toBeCloseTo(100 * Math.sqrt(0.0002), 9);
    expect(spec.series[1].points.find((p) => p.note === 'clean')!.y).toBeCloseTo(75, 9);
    expect(spec.baselines).toHaveLength(1);
    expect(spec.baselines![0]).toMatchObject({ label: 'majority class (task accuracy)', color: '#888888', style: 'dotted' });
    expect(spec.baselines![0].y).toBeCloseTo(60, 9);
    const svg = lineChartSvg(spec);
    checkXml(svg);
    expect(svg.match(/class="error-bar x-error-bar"/g)).toHaveLength(6);
    expect(svg).toContain('>η=80</text>');
    expect(svg).toContain('inversion-nn on spam attack success (%; lower = more private)');
  });
});

describe('rapt sweep with attacks (CLI, fake runners)', () => {
  let tmp: string;
  beforeAll(() => {
    tmp = mkdtempSync(join(tmpdir(), 'rapt-sweep-attacks-'));
  });
  afterAll(() => {
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  it('dry-run lists the attack runs; a run writes attack rows, attacks.csv/svg and the frontier; a bad entry is a usage error', async () => {
    const file = join(tmp, 'sweep.json');
    writeFileSync(
      file,
      JSON.stringify({
        name: 'cli attacks',
        base: { model: 'builtin', task: 'spam', steps: 5 },
        grid: { budgets: [{ mechanism: 'none' }, { mechanism: 'dchi', eta: 30 }], seed: [1, 2] },
        attacks: [{ attack: 'inversion-learned' }]
      })
    );
    const env = { RAPT_SWEEP_FAKE_RUNNER: '1' };
    const dry = await rapt(['sweep', '--config', file, '--dry-run'], env);
    expect(dry.code, dry.stderr).toBe(0);
    const plan = JSON.parse(dry.stdout) as { total: number; tune_runs: number; attack_runs: number; attacks: { key: string; config: AttackConfig }[] };
    expect(plan).toMatchObject({ total: 8, tune_runs: 4, attack_runs: 4 });
    expect(plan.attacks.map((a) => a.key)).toEqual(plan.attacks.map((a) => runKey(a.config)));

    const out = join(tmp, 'out');
    const res = await rapt(['sweep', '--config', file, '--out', out], env);
    expect(res.code, res.stderr).toBe(0);
    expect(JSON.parse(res.stdout)).toMatchObject({
      total: 8,
      ran: 8,
      finished: 8,
      files: { attacks_csv: 'attacks.csv', attacks_svg: 'attacks.svg', frontiers: ['frontier-inversion-learned.svg'] }
    });
    expect(res.stderr).toMatch(/4 tuning \+ 4 attack runs/);
    expect(parseRunsLog(readFileSync(join(out, 'runs.jsonl'), 'utf8')).attack).toHaveLength(4);
    checkXml(readFileSync(join(out, 'frontier-inversion-learned.svg'), 'utf8'));
    expect(existsSync(join(out, 'attacks.csv'))).toBe(true);

    writeFileSync(file, JSON.stringify({ name: 'bad', base: { model: 'builtin', task: 'spam' }, attacks: [{ attack: 'mask', seed: 3 }] }));
    const bad = await rapt(['sweep', '--config', file, '--out', join(tmp, 'bad')], env);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("attacks[0].seed: set by the sweep's grid");
  });
});
