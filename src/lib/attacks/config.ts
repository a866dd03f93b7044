// The configuration of one attack run and the JSON object it produces (`rapt attack`, README):
// a public contract, fields are only ever added. completeAttackConfig fills defaults and checks
// every field; the mechanism and its budget go through completeTuneConfig's own checks, so
// `rapt tune` and `rapt attack` reject a bad budget with the same words. Browser-safe.
//
// Sizes: `limit` test examples are attacked; the attacker's public auxiliary data is the task's
// train split (at most `auxLimit` examples), disjoint from the test split by construction.

import { completeTuneConfig, TuneConfigError } from '../rapt/check-config';
import type { TuneMechanism } from '../rapt/config';
import { ATTACK_KINDS, type AttackKind } from './threat-model';

export interface AttackConfig {
  attack: AttackKind;
  /** 'builtin' or a Hugging Face BERT folder */
  model: string;
  /** a built-in dataset name or an imported file */
  task: string;
  /** 'none' = no privatization (the attacks' ceiling) */
  mechanism: TuneMechanism;
  eta?: number;
  epsilon?: number;
  /** seeds the subsets, the privatizers (user, auxiliary, Monte Carlo: three different streams) and training */
  seed: number;
  /** test examples attacked (0 = all) */
  limit: number;
  /** auxiliary (train split) examples the attacker uses (0 = all) */
  auxLimit: number;
  /** tokens kept per text (longer texts are cut) */
  maxLength: number;
  /** N: the most frequent auxiliary tokens the Bayes guess and the learned model choose among */
  candidates: number;
  /** K: Monte Carlo draws of the mechanism per candidate (inversion-nn) */
  samples: number;
  /** w: privatized tokens on each side of the position (inversion-learned) */
  window: number;
  /** hidden units of the attack MLPs */
  hidden: number;
  /** training steps of the attack MLPs */
  steps: number;
  batchSize: number;
  lr: number;
  /** attribute attack: the attribute column (default: the dataset's first) */
  attribute?: string;
  /** mask attack: most masked positions evaluated (0 = all positions of the `limit` examples) */
  positions: number;
  /**
   * a tuned run — its folder (`rapt tune --save DIR`), or `browser:<id>` for a Train-page run saved
   * in the browser (the Attack page). The attribute attack reads its hidden states (its soft prompt,
   * prefixes or LoRA updates in place) instead of the frozen model's; a token attack attacks its
   * setting — the privatized text it was trained on (its model, task, mechanism, budget and text
   * length), not its tensors (TOKEN_ATTACKS_ON_RUN)
   */
  run?: string;
}

export const ATTACK_DEFAULTS: Omit<AttackConfig, 'attack' | 'model' | 'task'> = {
  mechanism: 'none',
  seed: 1,
  limit: 100,
  auxLimit: 1000,
  maxLength: 64,
  candidates: 500,
  samples: 32,
  window: 2,
  hidden: 128,
  steps: 300,
  batchSize: 128,
  lr: 1e-2,
  positions: 500
};

export interface AttackResult {
  kind: 'attack';
  attack: AttackKind;
  config: AttackConfig;
  /** the attack's success rate (token recovery or attribute accuracy) */
  success: number;
  /** the trivial adversary on the same examples */
  baseline: { name: string; value: number };
  /** 1 − success */
  privacy: number;
  details: Record<string, unknown>;
  wall_seconds: number;
  adapter: string;
  /** the privatizers ran with seeds derived from config.seed (a reproducible simulation) */
  seeded_not_private: boolean;
}

/** What a token attack on a tuned run attacks (`rapt attack --run`, the Attack page and the result's details say it). */
export const TOKEN_ATTACKS_ON_RUN =
  "the token attacks act on the run's privatized text (its model, task, mechanism, budget and text length: what the service trained on), not on its trained tensors";

export class AttackConfigError extends Error {
  override name = 'AttackConfigError';
}

export const ATTACK_CONFIG_FIELDS: readonly (keyof AttackConfig)[] = [
  'attack', 'model', 'task', 'mechanism', 'eta', 'epsilon', 'seed', 'limit', 'auxLimit', 'maxLength', 'candidates', 'samples',
  'window', 'hidden', 'steps', 'batchSize', 'lr', 'attribute', 'positions', 'run'
];

function int(c: Record<string, unknown>, k: string, min: number): void {
  const v = c[k];
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min) throw new AttackConfigError(`${k} must be an integer ≥ ${min}, got ${JSON.stringify(v)}`);
}

/** Defaults + checks. `partial` must name attack, model and task. Errors name the field. */
export function completeAttackConfig(partial: Partial<AttackConfig>): AttackConfig {
  for (const k of Object.keys(partial))
    if (!(ATTACK_CONFIG_FIELDS as readonly string[]).includes(k)) throw new AttackConfigError(`unknown field "${k}" (fields: ${ATTACK_CONFIG_FIELDS.join(', ')})`);
  const c = { ...ATTACK_DEFAULTS, ...partial } as AttackConfig;
  const r = c as unknown as Record<string, unknown>;
  for (const k of Object.keys(r)) if (r[k] === undefined) delete r[k];
  if (!(ATTACK_KINDS as readonly string[]).includes(c.attack))
    throw new AttackConfigError(`attack must be one of ${ATTACK_KINDS.join(', ')}, got ${JSON.stringify(c.attack)}`);
  // model, task, mechanism and budget: the tuning run's own checks
  try {
    completeTuneConfig({ model: c.model, task: c.task, mechanism: c.mechanism, ...(c.eta !== undefined ? { eta: c.eta } : {}), ...(c.epsilon !== undefined ? { epsilon: c.epsilon } : {}) });
  } catch (e) {
    if (e instanceof TuneConfigError) throw new AttackConfigError(e.message);
    throw e;
  }
  int(r, 'seed', 0);
  int(r, 'limit', 0);
  int(r, 'auxLimit', 0);
  int(r, 'maxLength', 1);
  int(r, 'candidates', 1);
  int(r, 'samples', 1);
  int(r, 'window', 0);
  int(r, 'hidden', 1);
  int(r, 'steps', 1);
  int(r, 'batchSize', 1);
  int(r, 'positions', 0);
  if (typeof c.lr !== 'number' || !Number.isFinite(c.lr) || c.lr <= 0) throw new AttackConfigError(`lr must be a finite number > 0, got ${JSON.stringify(c.lr)}`);
  if (c.run !== undefined) {
    if (typeof c.run !== 'string' || !c.run) throw new AttackConfigError(`run must be a tuned run's folder, got ${JSON.stringify(c.run)}`);
  }
  if (c.attribute !== undefined) {
    if (typeof c.attribute !== 'string' || !c.attribute) throw new AttackConfigError(`attribute must be a column name, got ${JSON.stringify(c.attribute)}`);
    if (c.attack !== 'attribute') throw new AttackConfigError(`attribute is for the attribute attack, not ${c.attack}`);
  }
  return c;
}
