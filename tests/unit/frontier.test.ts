// The Frontier page's pure parts (src/lib/experiments/frontier*.ts): the join of tune and attack
// rows on (model, task, mechanism, budget, seed), mean ± sample std over seeds checked against
// numbers worked out by hand, missing attacks and mismatched budgets, the replaced-fraction fallback,
// the runs.jsonl reader's line-numbered errors, the CSV/JSON exports, and that the sweep the site
// ships (static/sweeps) is an up-to-date copy of docs/sweeps. No GPU.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { TUNE_DEFAULTS, type TuneConfig } from '../../src/lib/rapt/config';
import { runKey } from '../../src/lib/experiments/run-key';
import type { TuneRow } from '../../src/lib/experiments/runs-log';
import { attacksPresent, buildFrontier, type AttackRow } from '../../src/lib/experiments/frontier';
import { parseSweepFile } from '../../src/lib/experiments/frontier-file';
import { frontierCsv, frontierJson, FRONTIER_CSV_COLUMNS } from '../../src/lib/experiments/frontier-export';

function tune(over: Partial<TuneConfig>, acc: number, replaced = 0): TuneRow {
  const config = { ...TUNE_DEFAULTS, model: 'builtin', task: 'spam', ...over } as TuneConfig;
  return {
    kind: 'tune',
    key: runKey(config),
    config,
    metrics: {
      dev_privatized: { accuracy: acc, macro_f1: acc, n: 10 },
      test_privatized: { accuracy: acc, macro_f1: acc - 0.1, n: 10 },
      test_clean: { accuracy: acc + 0.05, macro_f1: acc, n: 10 }
    },
    replaced_fraction: replaced,
    majority_accuracy: 0.6,
    final_task_loss: 0.5,
    final_recon_loss: null,
    trainable_parameters: 10,
    wall_seconds: 1,
    tokens_per_s: 1,
    adapter: 'test',
    seeded_not_private: false
  };
}

function attack(attackName: string, mech: 'none' | 'dchi', eta: number | undefined, seed: number, success: number, baseline = 0.1): AttackRow {
  const config = { attack: attackName, model: 'builtin', task: 'spam', mechanism: mech, ...(eta !== undefined ? { eta } : {}), seed };
  return { kind: 'attack', key: runKey(config), attack: attackName, config, success, baseline: { name: 'identity', value: baseline } };
}

const close = (a: number, b: number) => expect(Math.abs(a - b)).toBeLessThan(1e-12);

// Two variants (prompt, prompt + RAPT) × budgets (η=10, η=100, clean) × seeds 1..3.
const ACC: Record<string, number[]> = {
  'p/10': [0.5, 0.6, 0.7], // mean 0.6, std 0.1
  'p/100': [0.7, 0.8, 0.9], // mean 0.8, std 0.1
  'p/none': [0.9, 0.9, 0.9], // mean 0.9, std 0
  'r/10': [0.6, 0.6, 0.9], // mean 0.7, std sqrt(0.03) = 0.17320508
  'r/100': [0.8, 0.8, 0.8],
  'r/none': [0.85, 0.95, 0.9] // mean 0.9, std 0.05
};
function sweepRows(): TuneRow[] {
  const rows: TuneRow[] = [];
  for (const v of ['p', 'r'])
    for (const b of ['10', '100', 'none'])
      for (let s = 1; s <= 3; s++) {
        const over: Partial<TuneConfig> = { seed: s, rapt: v === 'r', mechanism: b === 'none' ? 'none' : 'dchi' };
        if (b !== 'none') over.eta = Number(b);
        rows.push(tune(over, ACC[`${v}/${b}`][s - 1], b === '10' ? 0.5 + s / 100 : b === '100' ? 0.1 : 0));
      }
  return rows;
}
// inversion-nn success: η=10 → 0.1, 0.2, 0.3 (mean 0.2, std 0.1); η=100 → 0.5, 0.7 (seed 3 missing); clean → 0.9 ×3
function attackRows(): AttackRow[] {
  return [
    attack('inversion-nn', 'dchi', 10, 1, 0.1),
    attack('inversion-nn', 'dchi', 10, 2, 0.2),
    attack('inversion-nn', 'dchi', 10, 3, 0.3),
    attack('inversion-nn', 'dchi', 100, 1, 0.5),
    attack('inversion-nn', 'dchi', 100, 2, 0.7),
    attack('inversion-nn', 'none', undefined, 1, 0.9, 0.9),
    attack('inversion-nn', 'none', undefined, 2, 0.9, 0.9),
    attack('inversion-nn', 'none', undefined, 3, 0.9, 0.9),
    // a budget the tuning runs do not have
    attack('inversion-nn', 'dchi', 50, 1, 0.4),
    // another attack
    attack('mask', 'dchi', 10, 1, 0.05)
  ];
}

describe('buildFrontier', () => {
  it('joins tune and attack rows and averages over seeds', () => {
    const f = buildFrontier(sweepRows(), attackRows(), { x: { kind: 'attack', attack: 'inversion-nn' }, y: 'test_privatized_accuracy' });
    expect(f.x.label).toBe('attack success (inversion-nn)');
    expect(f.curves.map((c) => c.label)).toEqual(['prompt', 'prompt + RAPT (m=40, λ=1)']);
    const [p, r] = f.curves;
    // most private first, clean last
    expect(p.points.map((q) => q.budgetLabel)).toEqual(['d_χ η=10', 'd_χ η=100', 'none (clean)']);
    close(p.points[0].x.mean, 0.2);
    close(p.points[0].x.std!, 0.1);
    expect(p.points[0].x.n).toBe(3);
    close(p.points[0].y.mean, 0.6);
    close(p.points[0].y.std!, 0.1);
    // η=100: seed 3 has no attack row, so x over 2 seeds (0.5, 0.7), y over all 3
    close(p.points[1].x.mean, 0.6);
    close(p.points[1].x.std!, Math.sqrt(0.02));
    expect(p.points[1].x.n).toBe(2);
    expect(p.points[1].y.n).toBe(3);
    close(p.points[1].y.mean, 0.8);
    expect(p.points[1].runs.find((q) => q.seed === 3)!.x).toBeNull();
    // clean point: std 0
    close(p.points[2].x.mean, 0.9);
    expect(p.points[2].x.std).toBe(0);
    close(r.points[0].y.mean, 0.7);
    close(r.points[0].y.std!, Math.sqrt(0.03));
    close(r.points[2].y.std!, 0.05);
    // the missing seed is reported for both curves; the η=50 attack matched nothing
    expect(f.missing).toEqual([
      { curve: 'prompt', budgetLabel: 'd_χ η=100', seeds: [3], dropped: false },
      { curve: 'prompt + RAPT (m=40, λ=1)', budgetLabel: 'd_χ η=100', seeds: [3], dropped: false }
    ]);
    expect(f.unmatchedAttacks).toEqual([{ budgetLabel: 'd_χ η=50', seed: 1 }]);
    close(f.majority!, 0.6);
    expect(f.attackBaseline!.name).toBe('identity');
    close(f.attackBaseline!.value, (0.1 * 6 + 0.9 * 3) / 9);
  });

  it('drops points with no attack at that budget and says so', () => {
    const f = buildFrontier(sweepRows(), [attack('mask', 'dchi', 10, 1, 0.05), attack('mask', 'dchi', 10, 2, 0.15)], {
      x: { kind: 'attack', attack: 'mask' },
      y: 'test_clean_accuracy'
    });
    expect(f.curves[0].points.map((q) => q.budgetLabel)).toEqual(['d_χ η=10']);
    close(f.curves[0].points[0].x.mean, 0.1);
    close(f.curves[0].points[0].y.mean, 0.65); // clean accuracy = privatized + 0.05
    const dropped = f.missing.filter((m) => m.dropped).map((m) => `${m.curve}|${m.budgetLabel}|${m.seeds.join(',')}`);
    expect(dropped).toEqual([
      'prompt|d_χ η=100|1,2,3',
      'prompt|none (clean)|1,2,3',
      'prompt + RAPT (m=40, λ=1)|d_χ η=100|1,2,3',
      'prompt + RAPT (m=40, λ=1)|none (clean)|1,2,3'
    ]);
    expect(f.missing.find((m) => !m.dropped)!.seeds).toEqual([3]);
  });

  it('matches on model and task too, not only on the budget', () => {
    const other = { ...attack('inversion-nn', 'dchi', 10, 1, 0.99), config: { ...attack('inversion-nn', 'dchi', 10, 1, 0.99).config, task: 'sotu-party' } };
    const f = buildFrontier(sweepRows(), [other], { x: { kind: 'attack', attack: 'inversion-nn' }, y: 'test_privatized_accuracy' });
    expect(f.curves.every((c) => c.points.length === 0)).toBe(true);
    expect(f.unmatchedAttacks).toEqual([{ budgetLabel: 'd_χ η=10', seed: 1 }]);
  });

  it('falls back to the fraction of tokens replaced', () => {
    const f = buildFrontier(sweepRows(), [], { x: { kind: 'replaced' }, y: 'test_privatized_accuracy' });
    expect(f.x.kind).toBe('replaced');
    expect(f.x.label).toMatch(/fraction of tokens replaced/);
    const p = f.curves[0].points;
    close(p[0].x.mean, 0.52);
    close(p[0].x.std!, 0.01);
    expect(p[2].x.mean).toBe(0);
    expect(f.missing).toEqual([]);
    expect(f.attackBaseline).toBeNull();
  });

  it('gives clean-only variants a curve of their own and counts a duplicated run once', () => {
    const rows = [tune({ seed: 1 }, 0.5), tune({ seed: 1 }, 0.7), tune({ seed: 2 }, 0.9)];
    const f = buildFrontier(rows, [], { x: { kind: 'replaced' }, y: 'test_privatized_accuracy' });
    expect(f.curves).toHaveLength(1);
    expect(f.curves[0].label).toBe('prompt');
    close(f.curves[0].points[0].y.mean, 0.8);
    expect(f.curves[0].points[0].y.n).toBe(2);
  });

  it('lists the attacks present', () => {
    expect(attacksPresent(attackRows())).toEqual([
      { attack: 'inversion-nn', rows: 9 },
      { attack: 'mask', rows: 1 }
    ]);
  });
});

describe('parseSweepFile', () => {
  const text = [...sweepRows().slice(0, 2), ...attackRows().slice(0, 1)].map((r) => JSON.stringify(r)).join('\n') + '\n';
  it('reads tune and attack rows', () => {
    const s = parseSweepFile(text, 'x.jsonl');
    expect(s.tune).toHaveLength(2);
    expect(s.attacks).toHaveLength(1);
    expect(s.warnings).toEqual([]);
  });
  it('names the line of a malformed row', () => {
    const lines = text.split('\n');
    lines.splice(1, 0, '{"kind": "tune", oops');
    expect(() => parseSweepFile(lines.join('\n'), 'x.jsonl')).toThrow(/x\.jsonl line 2 is not valid JSON/);
    const bad = text + JSON.stringify({ kind: 'attack', config: { attack: 'mask', model: 'builtin', task: 'spam', mechanism: 'none', seed: 1 }, success: 'high' }) + '\n';
    expect(() => parseSweepFile(bad, 'x.jsonl')).toThrow(/x\.jsonl line 4: an "attack" row needs a config object and a numeric success/);
    const noSeed = text + JSON.stringify({ kind: 'attack', config: { attack: 'mask', model: 'builtin', task: 'spam', mechanism: 'none' }, success: 0.1 }) + '\n';
    expect(() => parseSweepFile(noSeed, 'x.jsonl')).toThrow(/line 4: an "attack" row needs config\.seed/);
  });
  it('refuses a file without tune rows and warns about a cut-off last line', () => {
    expect(() => parseSweepFile(JSON.stringify(attackRows()[0]) + '\n', 'a.jsonl')).toThrow(/holds no "tune" rows/);
    const s = parseSweepFile(text + '{"kind":"tu', 'x.jsonl');
    expect(s.tune).toHaveLength(2);
    expect(s.warnings[0]).toMatch(/cut off/);
  });
});

describe('exports', () => {
  const f = buildFrontier(sweepRows(), attackRows(), { x: { kind: 'attack', attack: 'inversion-nn' }, y: 'test_privatized_accuracy' });
  it('CSV: one row per drawn point, numbers in full', () => {
    const csv = frontierCsv(f).trim().split(/\r?\n/);
    expect(csv[0]).toBe(FRONTIER_CSV_COLUMNS.join(','));
    expect(csv).toHaveLength(1 + 6);
    const cols = csv[1].split(',');
    const at = (c: string) => cols[FRONTIER_CSV_COLUMNS.indexOf(c)];
    expect(at('curve')).toBe('prompt');
    expect(at('budget')).toBe('d_χ η=10');
    expect(at('x_metric')).toBe('inversion-nn');
    expect(Number(at('x_mean'))).toBeCloseTo(0.2, 12);
    expect(Number(at('y_std'))).toBeCloseTo(0.1, 12);
    expect(at('seeds')).toBe('1 2 3');
  });
  it('JSON: schema, version and the source fingerprint', () => {
    const j = JSON.parse(frontierJson(f, { name: 'test', fingerprint: 'abc' }));
    expect(j.schema).toBe('rapt-lab/frontier');
    expect(j.version).toBe(1);
    expect(j.source).toEqual({ name: 'test', fingerprint: 'abc' });
    expect(j.curves[0].points[0].x.mean).toBeCloseTo(0.2, 12);
  });
});

describe('the shipped sweep', () => {
  it('static/sweeps is an up-to-date copy of docs/sweeps', () => {
    execFileSync('node', ['scripts/copy-sweeps.mjs', '--check']);
    const s = parseSweepFile(readFileSync('static/sweeps/spam-dchi/runs.jsonl', 'utf8'), 'spam-dchi');
    expect(s.tune).toHaveLength(18);
    const f = buildFrontier(s.tune, s.attacks, { x: { kind: 'replaced' }, y: 'test_privatized_accuracy' });
    expect(f.curves.map((c) => c.points.length)).toEqual([3, 3]);
  });
});
