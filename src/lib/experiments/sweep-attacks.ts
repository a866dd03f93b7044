// The `attacks` list of a sweep config: which attacks to run at every budget and seed of the
// sweep. Parsed and checked here (errors name the entry: `attacks[1].steps: …`), then expanded into
// full AttackConfigs. Browser-safe.
//
//   "attacks": [ { "attack": "inversion-nn" },
//                { "attack": "inversion-learned", "auxLimit": 500 },
//                { "attack": "attribute", "task": "sotu-party", "attribute": "era" } ]
//
// An entry holds AttackConfig fields (src/lib/attacks/config.ts) except the ones the sweep's grid
// sets: model, mechanism, eta/epsilon and seed come from each tuning config, so an attack runs once
// per distinct (model, task, budget, seed) of the sweep — not once per method or RAPT switch,
// because what the attacker sees (the privatized text) does not depend on them. `task` defaults to
// the tuning task and `maxLength` to the tuning run's (the attacker sees the text the service saw);
// every other field defaults as in `rapt attack`.

import { completeAttackConfig, AttackConfigError, ATTACK_CONFIG_FIELDS, type AttackConfig } from '../attacks/config';
import { ATTACK_KINDS } from '../attacks/threat-model';
import type { TuneConfig } from '../rapt/config';
import { runKey } from './run-key';

/** One entry of a sweep config's `attacks`. */
export type SweepAttackSpec = Partial<Omit<AttackConfig, 'model' | 'mechanism' | 'eta' | 'epsilon' | 'seed'>> & Pick<AttackConfig, 'attack'>;

/** Fields an entry may not set: each tuning config of the grid sets them. */
export const GRID_SET_ATTACK_FIELDS = ['model', 'mechanism', 'eta', 'epsilon', 'seed'] as const;

export class SweepAttackError extends Error {
  override name = 'SweepAttackError';
}

function show(v: unknown): string {
  const s = JSON.stringify(v);
  return s === undefined ? String(v) : s.length > 60 ? s.slice(0, 57) + '…' : s;
}

/** Check one entry (a parsed JSON value); `path` names it in errors ("attacks[2]"). */
export function checkAttackSpec(raw: unknown, path: string): SweepAttackSpec {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    throw new SweepAttackError(`${path}: must be an object like {"attack": "inversion-nn"}, got ${show(raw)}`);
  const r = raw as Record<string, unknown>;
  if (r.attack === undefined)
    throw new SweepAttackError(`${path}.attack: is required (${ATTACK_KINDS.join(', ')})${'kind' in r ? '; write "attack", not "kind"' : ''}`);
  for (const k of Object.keys(r)) {
    if (k === 'run') throw new SweepAttackError(`${path}.run: a sweep attacks the privatized data of its grid; attack one saved run's states with rapt attack --run DIR`);
    if ((GRID_SET_ATTACK_FIELDS as readonly string[]).includes(k))
      throw new SweepAttackError(`${path}.${k}: set by the sweep's grid (each attack runs at every model, budget and seed of the sweep); remove it`);
    if (!(ATTACK_CONFIG_FIELDS as readonly string[]).includes(k))
      throw new SweepAttackError(`${path}.${k}: unknown attack field; known: ${ATTACK_CONFIG_FIELDS.filter((f) => !(GRID_SET_ATTACK_FIELDS as readonly string[]).includes(f)).join(', ')}`);
  }
  // every other check is `rapt attack`'s own, on a stand-in grid point
  try {
    completeAttackConfig({ model: 'builtin', task: 'spam', ...(r as Partial<AttackConfig>) });
  } catch (e) {
    if (e instanceof AttackConfigError) throw new SweepAttackError(`${path}: ${e.message}`);
    throw e;
  }
  return { ...(r as SweepAttackSpec) };
}

/** The attack config of one entry at one tuning config's grid point. */
export function attackConfigFor(spec: SweepAttackSpec, tune: TuneConfig): AttackConfig {
  const budget = tune.mechanism === 'none' ? {} : tune.eta !== undefined ? { eta: tune.eta } : tune.epsilon !== undefined ? { epsilon: tune.epsilon } : {};
  return completeAttackConfig({
    maxLength: tune.maxLength,
    task: tune.task,
    ...spec,
    model: tune.model,
    mechanism: tune.mechanism,
    ...budget,
    seed: tune.seed
  });
}

/**
 * Every attack run of the sweep: for each entry, one per distinct attack config over the tuning
 * configs (in their order), duplicates dropped. Errors name the entry and the budget.
 */
export function expandAttacks(specs: readonly SweepAttackSpec[], tunes: readonly TuneConfig[]): AttackConfig[] {
  const out: AttackConfig[] = [];
  const seen = new Set<string>();
  specs.forEach((spec, i) => {
    for (const t of tunes) {
      let c: AttackConfig;
      try {
        c = attackConfigFor(spec, t);
      } catch (e) {
        if (e instanceof AttackConfigError) throw new SweepAttackError(`attacks[${i}] at ${t.mechanism === 'none' ? 'clean text' : `${t.mechanism} ${t.eta ?? t.epsilon}`}: ${e.message}`);
        throw e;
      }
      const k = runKey(c);
      if (seen.has(k)) continue;
      seen.add(k);
      out.push(c);
    }
  });
  return out;
}
