// Checking a MechanismSpec before anything runs: the mechanism is one we know, its budget is given
// and is a finite number > 0 (validate.ts's requirePositive), the parameters it does not take are
// absent, and the ones it takes are in range. The same checks serve the client worker, the
// service-side batch validator (batch.ts) and the CLI, so every door says the same thing.
// Browser-safe.

import type { MechanismName, MechanismSpec } from '../privacy/types';
import { requirePositive } from '../privacy/validate';

export const MECHANISMS: readonly MechanismName[] = ['dchi', 'laplace', 'santext', 'santext+', 'custext'];

/** Which budget each mechanism takes: d_χ's η, everyone else's ε. */
export const BUDGET_OF: Record<MechanismName, 'eta' | 'epsilon'> = {
  dchi: 'eta',
  laplace: 'epsilon',
  santext: 'epsilon',
  'santext+': 'epsilon',
  custext: 'epsilon'
};

/** The parameters (besides the budget and seed) each mechanism reads. */
export const PARAMETERS_OF: Record<MechanismName, readonly ('clip' | 'project' | 'p' | 'w' | 'k')[]> = {
  dchi: [],
  laplace: ['clip', 'project'],
  santext: [],
  'santext+': ['p', 'w'],
  custext: ['k']
};

export class MechanismSpecError extends Error {
  override name = 'MechanismSpecError';
}

export function isMechanismName(x: unknown): x is MechanismName {
  return typeof x === 'string' && (MECHANISMS as readonly string[]).includes(x);
}

/** The budget of a spec, as { name, value }. Assumes checkMechanismSpec passed. */
export function budgetOf(spec: Pick<MechanismSpec, 'mechanism' | 'eta' | 'epsilon'>): { name: 'eta' | 'epsilon'; value: number } {
  const name = BUDGET_OF[spec.mechanism];
  return { name, value: spec[name] as number };
}

/**
 * Throws MechanismSpecError naming the mechanism and the parameter when the spec cannot run.
 * `allowSeed` false: a seed is itself an error (the batch that crosses the boundary never carries one).
 */
export function checkMechanismSpec(spec: unknown, opts: { allowSeed?: boolean } = {}): asserts spec is MechanismSpec {
  if (typeof spec !== 'object' || spec === null || Array.isArray(spec))
    throw new MechanismSpecError('mechanism spec must be an object like { mechanism: "dchi", eta: 10 }');
  const s = spec as Record<string, unknown>;
  const m = s.mechanism;
  if (!isMechanismName(m))
    throw new MechanismSpecError(
      `unknown mechanism ${typeof m === 'string' ? JSON.stringify(m.slice(0, 24)) : String(m)}: expected one of ${MECHANISMS.join(', ')}`
    );
  const budget = BUDGET_OF[m];
  const other = budget === 'eta' ? 'epsilon' : 'eta';
  if (s[other] !== undefined)
    throw new MechanismSpecError(`${m} takes ${budget === 'eta' ? 'η (eta)' : 'ε (epsilon)'}, not ${other}`);
  try {
    requirePositive(s[budget] as number | undefined, budget, m);
  } catch (e) {
    throw new MechanismSpecError((e as Error).message);
  }
  const takes = PARAMETERS_OF[m];
  for (const p of ['clip', 'project', 'p', 'w', 'k'] as const) {
    if (s[p] === undefined) continue;
    if (!takes.includes(p)) throw new MechanismSpecError(`${m} has no parameter ${p} (it takes ${[budget, ...takes].join(', ')})`);
  }
  if (s.clip !== undefined) {
    try {
      requirePositive(s.clip as number, 'clip', m);
    } catch (e) {
      throw new MechanismSpecError((e as Error).message);
    }
  }
  if (s.project !== undefined && typeof s.project !== 'boolean') throw new MechanismSpecError(`${m}: project must be true or false`);
  for (const p of ['p', 'w'] as const) {
    const v = s[p];
    if (v === undefined) continue;
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || v > 1)
      throw new MechanismSpecError(`${m}: ${p} must be a number in [0, 1], got ${String(v)}`);
  }
  if (s.k !== undefined) {
    const k = s.k;
    if (typeof k !== 'number' || !Number.isInteger(k) || k < 1) throw new MechanismSpecError(`${m}: k must be an integer ≥ 1, got ${String(k)}`);
  }
  if (s.seed !== undefined) {
    if (opts.allowSeed === false) throw new MechanismSpecError(`${m}: a seed must not cross the boundary`);
    const seed = s.seed;
    if (typeof seed !== 'number' || !Number.isSafeInteger(seed) || seed < 0)
      throw new MechanismSpecError(`${m}: seed must be an integer in [0, 2^53), got ${String(seed)}`);
  }
  for (const key of Object.keys(s)) {
    if (!['mechanism', 'eta', 'epsilon', 'clip', 'project', 'p', 'w', 'k', 'seed'].includes(key))
      throw new MechanismSpecError(`${m}: unknown parameter ${/^[A-Za-z_$][\w$-]{0,31}$/.test(key) ? JSON.stringify(key) : `(a key of ${key.length} characters)`}`);
  }
}
