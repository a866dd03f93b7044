// The Attack page's pure logic in Node (no IndexedDB, no GPU): the form's configs and their errors,
// its URL query round trip, stored-run checks, the runs.jsonl export (read back by the sweep's own
// parser, runs-log.ts) and the JSON export, and the chart's bars from a result's details.

import { describe, expect, it } from 'vitest';
import { configsFromForm, DEFAULT_FORM, DEMO_SIZES, formFromQuery, formToQuery, type AttackForm } from '../../src/lib/app/attack-form';
import { ATTACK_RUNS_FORMAT, budgetLabel, isStoredAttackRun, sortRuns, storedRun, toExportJson, toRunsJsonl } from '../../src/lib/app/attack-runs';
import { barGroups, excludingStopWords } from '../../src/lib/app/attack-view';
import { completeAttackConfig, type AttackResult } from '../../src/lib/attacks/config';
import { parseRunsLog } from '../../src/lib/experiments/runs-log';
import { runKey } from '../../src/lib/experiments/run-key';

const form = (over: Partial<AttackForm> = {}): AttackForm => ({ ...DEFAULT_FORM, kinds: [...DEFAULT_FORM.kinds], ...over });

function result(over: Partial<AttackResult> = {}, attack: AttackResult['attack'] = 'inversion-nn'): AttackResult {
  return {
    kind: 'attack',
    attack,
    config: completeAttackConfig({ attack, model: 'builtin', task: 'spam', mechanism: 'dchi', eta: 100, limit: 20 }),
    success: 0.7,
    baseline: { name: 'identity', value: 0.69 },
    privacy: 0.3,
    details: {
      positions: 1210,
      positions_excluding_stop_words: 685,
      bayes: { overall: 0.7, excluding_stop_words: 0.51 },
      identity: { overall: 0.69, excluding_stop_words: 0.5 }
    },
    wall_seconds: 26.5,
    adapter: 'SwiftShader',
    seeded_not_private: true,
    ...over
  };
}

describe('attack form', () => {
  it('turns the defaults into one complete inversion-nn config at the demo sizes', () => {
    const [c, ...rest] = configsFromForm(form());
    expect(rest).toHaveLength(0);
    expect(c).toMatchObject({ attack: 'inversion-nn', model: 'builtin', task: 'spam', mechanism: 'dchi', eta: 100, seed: 1, ...DEMO_SIZES });
    expect(c.epsilon).toBeUndefined();
  });

  it('makes one config per chosen kind, in a fixed order, the attribute only on the attribute attack', () => {
    const cs = configsFromForm(form({ kinds: ['attribute', 'mask'], task: 'sotu-party', attribute: 'era' }));
    expect(cs.map((c) => c.attack)).toEqual(['mask', 'attribute']);
    expect(cs[0].attribute).toBeUndefined();
    expect(cs[1].attribute).toBe('era');
  });

  it('uses ε for mechanisms that take it, and no budget without privatization', () => {
    expect(configsFromForm(form({ mechanism: 'laplace', budget: '200' }))[0]).toMatchObject({ mechanism: 'laplace', epsilon: 200 });
    const none = configsFromForm(form({ privatize: false, budget: 'whatever' }))[0];
    expect(none.mechanism).toBe('none');
    expect(none.eta).toBeUndefined();
  });

  it('draws a seed when the field is empty', () => {
    expect(configsFromForm(form({ seed: ' ' }), () => 4242)[0].seed).toBe(4242);
  });

  it('names the bad field', () => {
    expect(() => configsFromForm(form({ budget: 'abc' }))).toThrow(/η \(eta, the dchi budget\) must be a number, got "abc"/);
    expect(() => configsFromForm(form({ budget: '' }))).toThrow(/must be a number, got nothing/);
    expect(() => configsFromForm(form({ budget: '-1' }))).toThrow(/eta \(the dchi budget\) must be a finite number > 0, got -1/);
    expect(() => configsFromForm(form({ limit: '2.5' }))).toThrow(/limit must be an integer ≥ 0, got 2.5/);
    expect(() => configsFromForm(form({ steps: '0' }))).toThrow(/steps must be an integer ≥ 1, got 0/);
    expect(() => configsFromForm(form({ seed: 'x' }))).toThrow(/seed must be a number/);
    expect(() => configsFromForm(form({ kinds: [] }))).toThrow(/at least one attack/);
  });

  it('round-trips through the URL query, omitting defaults', () => {
    expect(formToQuery(form()).toString()).toBe('');
    const f = form({ kinds: ['inversion-nn', 'attribute'], task: 'sotu-party', attribute: 'president', mechanism: 'laplace', budget: '50', seed: '7', limit: '5' });
    const q = formToQuery(f);
    expect(q.get('mechanism')).toBe('laplace');
    expect(q.has('auxLimit')).toBe(false);
    expect(formFromQuery(q)).toEqual(f);
    expect(formFromQuery(formToQuery(form({ privatize: false })))).toEqual(form({ privatize: false }));
    expect(formFromQuery(new URLSearchParams('attack=bogus&mechanism=nope'))).toEqual(form());
  });
});

describe('stored attack runs', () => {
  it('keys a run by its config, as the sweep does', () => {
    const r = result();
    const s = storedRun(r, new Date('2025-01-02T03:04:05Z'), 'a');
    expect(s).toEqual({ id: 'a', savedAt: '2025-01-02T03:04:05.000Z', key: runKey(r.config), result: r });
    expect(isStoredAttackRun(JSON.parse(JSON.stringify(s)))).toBe(true);
    expect(isStoredAttackRun({ ...s, result: { ...r, success: Number.NaN } })).toBe(false);
    expect(isStoredAttackRun({ ...s, result: { ...r, attack: 'other' } })).toBe(false);
    expect(isStoredAttackRun({ id: 1 })).toBe(false);
  });

  it('exports runs.jsonl that the sweep tools parse back, oldest first', () => {
    const older = storedRun(result(), new Date('2025-01-01T00:00:00Z'), 'x');
    const newer = storedRun(result({ success: 0.5, privacy: 0.5 }, 'mask'), new Date('2025-02-01T00:00:00Z'), 'y');
    expect(sortRuns([older, newer]).map((r) => r.id)).toEqual(['y', 'x']);
    const text = toRunsJsonl([newer, older]);
    expect(text.endsWith('\n')).toBe(true);
    const log = parseRunsLog(text);
    expect(log.attack).toHaveLength(2);
    expect(log.truncated).toBeNull();
    expect(log.attack[0]).toEqual({ ...older.result, kind: 'attack', key: older.key });
    expect(log.attack[1].key).toBe(runKey(newer.result.config));
  });

  it('exports JSON with a format, a version and every run', () => {
    const runs = [storedRun(result(), new Date('2025-01-01T00:00:00Z'), 'x')];
    const doc = JSON.parse(JSON.stringify(toExportJson(runs, new Date('2025-03-01T00:00:00Z'))));
    expect(doc).toMatchObject({ format: ATTACK_RUNS_FORMAT, version: 1, exported_at: '2025-03-01T00:00:00.000Z' });
    expect(doc.runs[0]).toMatchObject({ kind: 'attack', key: runs[0].key, saved_at: '2025-01-01T00:00:00.000Z', success: 0.7 });
  });

  it('labels budgets', () => {
    expect(budgetLabel(result().config)).toBe('dχ η = 100');
    expect(budgetLabel(completeAttackConfig({ attack: 'mask', model: 'builtin', task: 'spam' }))).toBe('no privatization');
  });
});

describe('attack chart', () => {
  it('draws the attack beside its baseline, all positions and excluding stop words', () => {
    const g = barGroups(result());
    expect(g.map((x) => x.label)).toEqual(['all positions', 'excluding stop words']);
    expect(g[0].bars).toEqual([
      { role: 'attack', name: 'attack', value: 0.7 },
      { role: 'baseline', name: 'identity guess', value: 0.69 }
    ]);
    expect(g[1].bars.map((b) => b.value)).toEqual([0.51, 0.5]);
    expect(excludingStopWords(result())).toEqual({ attack: 0.51, baseline: 0.5, positions: 685 });
  });

  it('has one group for the attribute attack, against the majority class', () => {
    const r = result({ baseline: { name: 'majority', value: 0.55 }, details: { attribute: 'era' } }, 'attribute');
    const g = barGroups(r);
    expect(g).toHaveLength(1);
    expect(g[0].label).toBe('era accuracy');
    expect(g[0].bars[1].name).toBe('majority class');
    expect(excludingStopWords(r)).toBeNull();
  });
});
