// The privatization settings the home page offers: which mechanism, its budget, and an optional
// seed, turned into a MechanismSpec for the client worker. There is no "no privatization" choice:
// the service accepts only a PrivatizedBatch, so every run privatizes, starting from a default
// budget per mechanism. The defaults were picked on the built-in model (rapt-mini, hidden 128) so
// that a sentence comes back recognisable but visibly changed (dχ η = 100 replaces about half of
// the tokens there; E‖z‖ = d/η, so wider models need a larger η for the same effect).
// GPU-free and DOM-free.

import { BUDGET_OF, PARAMETERS_OF } from '../boundary/spec';
import type { MechanismName, MechanismSpec } from '../privacy/types';

/** The budget each mechanism starts from on the home page. */
export const DEFAULT_BUDGET: Record<MechanismName, number> = {
  dchi: 100,
  laplace: 200,
  santext: 3,
  'santext+': 15,
  custext: 3
};

export const DEFAULT_MECHANISM: MechanismName = 'dchi';

/** Display names. */
export const MECHANISM_LABEL: Record<MechanismName, string> = {
  dchi: 'dχ (Feyisetan et al. 2020)',
  laplace: 'Laplace on embeddings',
  santext: 'SanText',
  'santext+': 'SanText+',
  custext: 'CusText'
};

/** "η" or "ε". */
export function budgetSymbol(m: MechanismName): string {
  return BUDGET_OF[m] === 'eta' ? 'η' : 'ε';
}

export class PrivacySettingsError extends Error {
  override name = 'PrivacySettingsError';
}

/**
 * The spec for the form's values. `budget` and `seed` are what the user typed; an empty seed
 * means none (fresh noise from crypto.getRandomValues). Throws PrivacySettingsError for a value
 * that is not a number; the client worker checks the ranges (budget > 0, finite, …).
 */
export function specFromForm(mechanism: MechanismName, budget: string, seed: string): MechanismSpec {
  const name = BUDGET_OF[mechanism];
  const b = budget.trim();
  if (b === '' || !Number.isFinite(Number(b)))
    throw new PrivacySettingsError(`${budgetSymbol(mechanism)} (${name}) must be a number, got ${b === '' ? 'nothing' : JSON.stringify(b.slice(0, 24))}`);
  const spec: MechanismSpec = { mechanism };
  spec[name] = Number(b);
  if (PARAMETERS_OF[mechanism].includes('project')) spec.project = true;
  const s = seed.trim();
  if (s !== '') {
    const v = Number(s);
    if (!Number.isSafeInteger(v) || v < 0) throw new PrivacySettingsError(`the seed must be a whole number ≥ 0 (or empty for fresh noise), got ${JSON.stringify(s.slice(0, 24))}`);
    spec.seed = v;
  }
  return spec;
}

/** "dχ, η = 100" for a spec. */
export function describeSpec(spec: Pick<MechanismSpec, 'mechanism' | 'eta' | 'epsilon'>): string {
  const m = spec.mechanism;
  return `${m === 'dchi' ? 'dχ' : m}, ${budgetSymbol(m)} = ${spec[BUDGET_OF[m]]}`;
}

/** The budget slider's range per mechanism (log scale): from "almost every token replaced" to "almost none" on the built-in model. */
export const BUDGET_RANGE: Record<MechanismName, { min: number; max: number }> = {
  dchi: { min: 5, max: 2000 },
  laplace: { min: 10, max: 5000 },
  santext: { min: 0.1, max: 30 },
  'santext+': { min: 0.5, max: 100 },
  custext: { min: 0.1, max: 30 }
};

/** Positions of the budget slider: 0 … SLIDER_STEPS. */
export const SLIDER_STEPS = 100;

/** The slider position of a budget (log scale, clamped to the range; the middle for a value that is not a positive number). */
export function budgetToSlider(m: MechanismName, value: number): number {
  const { min, max } = BUDGET_RANGE[m];
  if (!(value > 0) || !Number.isFinite(value)) return SLIDER_STEPS / 2;
  const t = Math.log(value / min) / Math.log(max / min);
  return Math.round(Math.min(1, Math.max(0, t)) * SLIDER_STEPS);
}

/** The budget at a slider position, rounded to two significant digits (three below 1). */
export function sliderToBudget(m: MechanismName, position: number): number {
  const { min, max } = BUDGET_RANGE[m];
  const t = Math.min(1, Math.max(0, position / SLIDER_STEPS));
  const v = min * (max / min) ** t;
  return Number(v.toPrecision(v < 1 ? 3 : 2));
}
