// Test support: stand-ins for the real tuning and attack runs, so sweeps can be tested (and the `rapt sweep`
// CLI run with RAPT_SWEEP_FAKE_RUNNER=1) without a GPU or minutes per run. Deterministic: the
// numbers are a fixed function of the config. They mimic the expected shape — accuracy rises as
// the budget loosens, RAPT helps on privatized text, attacks succeed more as the budget loosens —
// and mean nothing. Task "fake-fail" throws.
// Browser-safe.

import type { ClassificationMetrics, TuneConfig, TuneResult } from '../rapt/config';
import type { AttackConfig, AttackResult } from '../attacks/config';
import { canonicalJson, sha256Hex } from './run-key';

export const FAKE_FAIL_TASK = 'fake-fail';

/** A number in [-1, 1) fixed by the config and a salt. */
function jitter(config: TuneConfig | AttackConfig, salt: string): number {
  return parseInt(sha256Hex(salt + canonicalJson(config)).slice(0, 8), 16) / 2 ** 31 - 1;
}

export function fakeTuneResult(config: TuneConfig): TuneResult {
  if (config.task === FAKE_FAIL_TASK) throw new Error(`fake runner: task "${FAKE_FAIL_TASK}" always fails (seed ${config.seed})`);
  const budget = config.mechanism === 'none' ? Infinity : (config.eta ?? config.epsilon ?? 1);
  const replaced = config.mechanism === 'none' ? 0 : Math.exp(-budget / 60);
  const clean = 0.92 + 0.01 * jitter(config, 'clean');
  const privatized = Math.min(0.99, 0.5 + (clean - 0.5) * (1 - replaced) + (config.rapt ? 0.08 * replaced : 0) + 0.015 * jitter(config, 'priv'));
  const m = (accuracy: number, n: number): ClassificationMetrics => ({ accuracy, macro_f1: accuracy - 0.02, n });
  return {
    kind: 'tune',
    config,
    metrics: { dev_privatized: m(privatized + 0.005, 100), test_privatized: m(privatized, 200), test_clean: m(clean, 200) },
    replaced_fraction: replaced,
    majority_accuracy: 0.6,
    final_task_loss: 0.3 + 0.2 * replaced,
    final_recon_loss: config.rapt ? 2 + replaced : null,
    trainable_parameters: 1234,
    wall_seconds: 10 + config.steps / 100,
    tokens_per_s: 1000,
    adapter: 'fake',
    seeded_not_private: false
  };
}

/** The runner signature the sweep expects, backed by fakeTuneResult. */
export async function fakeRunTune(config: TuneConfig, opts: { log?: (s: string) => void } = {}): Promise<TuneResult> {
  opts.log?.(`fake run of ${config.task} seed ${config.seed}`);
  return fakeTuneResult(config);
}

/** A fake attack: token attacks recover 1 − replaced (identity) plus a little; attributes sit near a 0.6 majority. */
export function fakeAttackResult(config: AttackConfig): AttackResult {
  if (config.task === FAKE_FAIL_TASK) throw new Error(`fake runner: task "${FAKE_FAIL_TASK}" always fails (seed ${config.seed})`);
  const budget = config.mechanism === 'none' ? Infinity : (config.eta ?? config.epsilon ?? 1);
  const replaced = config.mechanism === 'none' ? 0 : Math.exp(-budget / 60);
  const attribute = config.attack === 'attribute';
  const base = attribute ? 0.6 : 1 - replaced;
  const success = attribute ? 0.6 + 0.3 * (1 - replaced) + 0.01 * jitter(config, 'a') : Math.min(1, base + (config.attack === 'mask' ? -0.1 : 0.03) * replaced + 0.01 * replaced * jitter(config, 't'));
  const key = config.attack === 'inversion-nn' ? 'bayes' : config.attack === 'inversion-learned' ? 'learned' : config.attack;
  return {
    kind: 'attack',
    attack: config.attack,
    config,
    success,
    baseline: { name: attribute ? 'majority' : 'identity', value: base },
    privacy: 1 - success,
    details: attribute ? {} : { [key]: { overall: success, excluding_stop_words: success * 0.8 }, identity: { overall: base, excluding_stop_words: base * 0.8 } },
    wall_seconds: 5,
    adapter: 'fake',
    seeded_not_private: true
  };
}

/** The attack runner signature the sweep expects, backed by fakeAttackResult. */
export async function fakeRunAttack(config: AttackConfig, opts: { log?: (s: string) => void } = {}): Promise<AttackResult> {
  opts.log?.(`fake ${config.attack} on ${config.task} seed ${config.seed}`);
  return fakeAttackResult(config);
}
