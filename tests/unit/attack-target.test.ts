// The Attack page's run target, in Node (no IndexedDB, no GPU): the picker's entries (runs without
// kept tensors listed but disabled), a target in the link resolved or refused with a reason, the
// form's configs for a run target (model, task, mechanism, budget and text length the run's,
// exactly as `rapt attack --run DIR` derives them from run.json; the token attacks on the run's
// setting, the attribute attack on its tensors),
// the URL round trip of the target, and the result row / exports naming the run. Also the shared
// saved-run checks (rapt/saved-run.ts) that the CLI's folder reader and the attack worker both use.

import { describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { configsFromForm, DEFAULT_FORM, formFromQuery, formToQuery, type AttackForm } from '../../src/lib/app/attack-form';
import {
  browserRunOf,
  configRunOf,
  NO_STATE_REASON,
  resolveTarget,
  runLabel,
  runPartAttacked,
  targetOptions,
  TOKEN_ATTACK_RUN_NOTE
} from '../../src/lib/app/attack-target';
import { isStoredAttackRun, storedRun, toExportJson, toRunsJsonl } from '../../src/lib/app/attack-runs';
import type { SavedRun } from '../../src/lib/app/runs-db';
import { completeAttackConfig, TOKEN_ATTACKS_ON_RUN, type AttackResult } from '../../src/lib/attacks/config';
import { completeTuneConfig } from '../../src/lib/rapt/check-config';
import type { TuneResult } from '../../src/lib/rapt/config';
import { attackFieldsOfRun, savedRunConfig, settingConflicts, settingOfRun } from '../../src/lib/rapt/saved-run';
import { attackConfigFromArgs } from '../../src/cli/commands/attack';
import { parseRunsLog } from '../../src/lib/experiments/runs-log';
import { runKey } from '../../src/lib/experiments/run-key';

const form = (over: Partial<AttackForm> = {}): AttackForm => ({ ...DEFAULT_FORM, kinds: [...DEFAULT_FORM.kinds], ...over });

function tuneResult(over: Record<string, unknown> = {}): TuneResult {
  const config = completeTuneConfig({ model: 'rapt-mini', task: 'spam', method: 'lora', mechanism: 'laplace', epsilon: 150, rapt: true, plainTokens: 4, seed: 7, steps: 3, ...over });
  const m = (accuracy: number) => ({ accuracy, macro_f1: accuracy, n: 8 });
  return {
    kind: 'tune',
    config,
    metrics: { dev_privatized: m(0.5), test_privatized: m(0.625), test_clean: m(0) },
    replaced_fraction: 0.4,
    majority_accuracy: 0.6,
    final_task_loss: 0.7,
    final_recon_loss: 3.1,
    trainable_parameters: 4096,
    wall_seconds: 30,
    tokens_per_s: 100,
    adapter: 'test',
    seeded_not_private: false
  };
}

function savedRun(id: string, trained = true, over: Record<string, unknown> = {}): SavedRun {
  return {
    id,
    savedAt: '2025-04-05T06:07:08.000Z',
    result: tuneResult(over),
    curves: { task: [1, 0.9, 0.7], recon: [4, 3.5, 3.1] },
    query: 'steps=3',
    modelName: 'rapt-mini',
    labels: ['ham', 'spam'],
    ...(trained ? { trained: { method: 'lora', bytes: 16400 } } : {})
  };
}

const iso = (s: string) => s;

describe('target picker', () => {
  it('lists the frozen model first, then every run with its method, budget, seed, accuracy and date; runs without tensors are disabled', () => {
    const runs = [savedRun('run-2'), savedRun('run-1', false)];
    const opts = targetOptions(runs, 'built-in model (rapt-mini)', iso);
    expect(opts.map((o) => o.value)).toEqual(['', 'run-2', 'run-1']);
    expect(opts[0]).toEqual({ value: '', label: 'The frozen built-in model (rapt-mini) (no training)', disabled: null });
    expect(opts[1].label).toBe('Train run: lora + RAPT · spam · laplace ε = 150 · seed 7 · test acc. 62.5% · 2025-04-05T06:07:08.000Z');
    expect(opts[1].disabled).toBeNull();
    expect(opts[2].disabled).toBe(NO_STATE_REASON);
    expect(runLabel(savedRun('x', true, { method: 'prompt', rapt: false, mechanism: 'dchi', epsilon: undefined, eta: 80 }), iso)).toMatch(/^prompt · spam · dχ η = 80 · seed 7 · /);
  });

  it('resolves a target in the link, or says why it falls back to the frozen model', () => {
    const runs = [savedRun('run-2'), savedRun('run-1', false)];
    expect(resolveTarget('', runs)).toBeNull();
    expect(resolveTarget('run-2', runs)).toEqual({ run: runs[0] });
    const missing = resolveTarget('run-9', runs);
    expect(missing && 'error' in missing && missing.error).toMatch(/^The saved Train run run-9 is not in this browser .*attacking the frozen built-in model instead\.$/);
    const old = resolveTarget('run-1', runs);
    expect(old && 'error' in old && old.error).toContain(`run-1 was ${NO_STATE_REASON}`);
  });

  it('says what each attack reads of a run, in the CLI\'s words', () => {
    expect(TOKEN_ATTACK_RUN_NOTE).toContain(TOKEN_ATTACKS_ON_RUN);
    expect(TOKEN_ATTACKS_ON_RUN).toMatch(/privatized text.*not on its trained tensors/);
    expect(runPartAttacked('attribute')).toBe('its hidden states');
    for (const k of ['inversion-nn', 'inversion-learned', 'mask'] as const) expect(runPartAttacked(k)).toBe('its privatized text, not its tensors');
  });

  it('names a browser run in the config as browser:<id>, apart from a CLI folder', () => {
    expect(configRunOf('run-2')).toBe('browser:run-2');
    expect(browserRunOf('browser:run-2')).toBe('run-2');
    expect(browserRunOf('/tmp/run1')).toBeNull();
    expect(browserRunOf(undefined)).toBeNull();
  });
});

describe('attack form with a run target', () => {
  const run = savedRun('run-2');
  const target = { id: run.id, config: run.result.config };

  it("takes model, task, mechanism and budget from the run, not the form's", () => {
    const f = form({ target: 'run-2', kinds: ['attribute'], task: 'sotu-party', mechanism: 'dchi', budget: '5', privatize: false, attribute: 'subset', seed: '3', limit: '6' });
    const [c, ...rest] = configsFromForm(f, () => 1, target);
    expect(rest).toHaveLength(0);
    expect(c).toMatchObject({ attack: 'attribute', run: 'browser:run-2', model: 'rapt-mini', task: 'spam', mechanism: 'laplace', epsilon: 150, attribute: 'subset', seed: 3, limit: 6 });
    expect(c.eta).toBeUndefined();
  });

  it('derives exactly what `rapt attack --run DIR` derives from the same run.json (only `run` differs)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rapt-attack-target-'));
    try {
      writeFileSync(join(dir, 'run.json'), JSON.stringify(run.result));
      const cli = attackConfigFromArgs({ kind: 'attribute', run: dir, limit: '6', 'aux-limit': '40', steps: '20', seed: '3' });
      const [page] = configsFromForm(form({ target: 'run-2', kinds: ['attribute'], limit: '6', auxLimit: '40', steps: '20', seed: '3' }), () => 1, target);
      const { run: a, ...restCli } = cli;
      const { run: b, ...restPage } = page;
      expect(a).toBe(dir);
      expect(b).toBe('browser:run-2');
      // the page's other sizes are its demo defaults: compare the fields a run fixes, and those set alike
      expect({ ...restPage, candidates: 0, samples: 0, positions: 0 }).toEqual({ ...restCli, candidates: 0, samples: 0, positions: 0 });
      // the text length is the run's in both (an explicit --max-length still overrides it in the CLI)
      expect(cli.maxLength).toBe(run.result.config.maxLength);
      expect(attackConfigFromArgs({ kind: 'attribute', run: dir, 'max-length': '48' }).maxLength).toBe(48);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("gives every attack kind the run's setting (model, task, mechanism, budget, text length), whatever the form says", () => {
    const f = form({ target: 'run-2', kinds: ['inversion-nn', 'inversion-learned', 'mask', 'attribute'], task: 'sotu-party', mechanism: 'dchi', budget: '5', maxLength: '99', limit: '6', samples: '2' });
    const configs = configsFromForm(f, () => 1, target);
    expect(configs.map((c) => c.attack)).toEqual(['inversion-nn', 'inversion-learned', 'mask', 'attribute']);
    const setting = settingOfRun(run.result.config);
    expect(setting).toEqual({ model: 'rapt-mini', task: 'spam', mechanism: 'laplace', epsilon: 150, maxLength: 64 });
    for (const c of configs) {
      expect(c).toMatchObject({ ...setting, run: 'browser:run-2', limit: 6, samples: 2 });
      expect(c.eta).toBeUndefined();
      // what the attack core checks a token attack against
      expect(settingConflicts(c, run.result.config)).toEqual([]);
    }
    const short = savedRun('run-3', true, { maxLength: 16 });
    const [c16] = configsFromForm(form({ target: 'run-3', kinds: ['mask'] }), () => 1, { id: 'run-3', config: short.result.config });
    expect(c16.maxLength).toBe(16);
  });

  it('gives a token attack the same setting as `rapt attack --kind inversion-nn --run DIR`', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rapt-attack-target-'));
    try {
      writeFileSync(join(dir, 'run.json'), JSON.stringify(run.result));
      const cli = attackConfigFromArgs({ kind: 'inversion-nn', run: dir, limit: '6', seed: '3' });
      const [page] = configsFromForm(form({ target: 'run-2', kinds: ['inversion-nn'], limit: '6', seed: '3' }), () => 1, target);
      expect(cli).toMatchObject({ ...settingOfRun(run.result.config), run: dir });
      const pick = (c: typeof cli) => ({ attack: c.attack, model: c.model, task: c.task, mechanism: c.mechanism, eta: c.eta, epsilon: c.epsilon, maxLength: c.maxLength, seed: c.seed, limit: c.limit });
      expect(pick(page)).toEqual(pick(cli));
      // an explicit flag the run contradicts is refused with both values; one that agrees is fine
      expect(() => attackConfigFromArgs({ kind: 'mask', run: dir, epsilon: '3' })).toThrow(`--epsilon 3 conflicts with the run's epsilon 150 (${join(dir, 'run.json')})`);
      expect(() => attackConfigFromArgs({ kind: 'mask', run: dir, task: 'sotu-party', 'max-length': '32' })).toThrow(
        /--task "sotu-party" conflicts with the run's task "spam" .*; --max-length 32 conflicts with the run's maxLength 64 .*: with --run, the token attacks act on the run's privatized text/
      );
      expect(attackConfigFromArgs({ kind: 'mask', run: dir, epsilon: '150', mechanism: 'laplace' }).epsilon).toBe(150);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses a run that is not loaded', () => {
    expect(() => configsFromForm(form({ target: 'run-2', kinds: ['attribute'] }))).toThrow('the saved Train run run-2 is not loaded: pick a target again');
    expect(() => configsFromForm(form({ target: 'run-2', kinds: ['attribute'] }), () => 1, { ...target, id: 'run-1' })).toThrow(/run-2 is not loaded/);
  });

  it('keeps the target in the URL as target=run:<id>, and ignores a malformed one', () => {
    const f = form({ target: 'run-2', kinds: ['attribute'] });
    const q = formToQuery(f);
    expect(q.get('target')).toBe('run:run-2');
    expect(formFromQuery(q)).toEqual(f);
    expect(formToQuery(form()).has('target')).toBe(false);
    expect(formFromQuery(new URLSearchParams('target=builtin')).target).toBe('');
    expect(formFromQuery(new URLSearchParams('target=run:')).target).toBe('');
  });
});

describe('a result on a run target', () => {
  function attributeResult(): AttackResult {
    return {
      kind: 'attack',
      attack: 'attribute',
      config: completeAttackConfig({ attack: 'attribute', model: 'rapt-mini', task: 'spam', mechanism: 'laplace', epsilon: 150, run: 'browser:run-2', limit: 6 }),
      success: 0.5,
      baseline: { name: 'majority', value: 0.5 },
      privacy: 0.5,
      details: { attribute: 'subset', run_method: 'lora', run_mechanism: 'laplace', run_budget: 150 },
      wall_seconds: 12,
      adapter: 'SwiftShader',
      seeded_not_private: true
    };
  }

  it('records the run it attacked, and the exports carry it', () => {
    const rec = { ...storedRun(attributeResult(), new Date('2025-05-01T00:00:00Z'), 'a'), target: 'lora + RAPT · spam' };
    expect(isStoredAttackRun(JSON.parse(JSON.stringify(rec)))).toBe(true);
    expect(isStoredAttackRun({ ...rec, target: 3 })).toBe(false);
    // a different run is a different key
    expect(rec.key).not.toBe(runKey({ ...rec.result.config, run: 'browser:run-1' }));
    const row = parseRunsLog(toRunsJsonl([rec])).attack[0];
    expect(row.config.run).toBe('browser:run-2');
    expect(row.details).toMatchObject({ run_method: 'lora', run_budget: 150 });
    const doc = JSON.parse(JSON.stringify(toExportJson([rec])));
    expect(doc.runs[0]).toMatchObject({ target: 'lora + RAPT · spam', config: { run: 'browser:run-2' } });
    const frozen = JSON.parse(JSON.stringify(toExportJson([storedRun(attributeResult(), new Date(), 'b')])));
    expect('target' in frozen.runs[0]).toBe(false);
  });
});

describe('saved-run checks shared by the CLI and the attack worker', () => {
  it("checks a run's TuneResult and names it in errors", () => {
    const r = tuneResult();
    expect(savedRunConfig(JSON.parse(JSON.stringify(r)), 'saved run x')).toEqual(r.config);
    expect(() => savedRunConfig({ kind: 'attack', config: {} }, 'saved run x')).toThrow('saved run x is not a rapt tune result (kind "tune" with a config)');
    expect(() => savedRunConfig(null, 'y')).toThrow(/^y is not a rapt tune result/);
    expect(() => savedRunConfig({ kind: 'tune', config: { ...r.config, steps: 0 } }, 'saved run x')).toThrow('saved run x: steps must be an integer ≥ 1, got 0');
  });

  it('takes model, task, mechanism and the one budget the mechanism uses', () => {
    expect(attackFieldsOfRun(tuneResult().config)).toEqual({ model: 'rapt-mini', task: 'spam', mechanism: 'laplace', epsilon: 150 });
    expect(attackFieldsOfRun(completeTuneConfig({ model: 'builtin', task: 'spam' }))).toEqual({ model: 'builtin', task: 'spam', mechanism: 'none' });
  });
});
