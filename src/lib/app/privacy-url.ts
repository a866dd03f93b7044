// The Privatize and Overview pages' settings in the URL, so a shared link reproduces the setup:
// ?mechanism=…&budget=…&samples=… with defaults omitted. The text itself never goes into the URL
// (it is the user's private input; URLs end up in histories, logs and referrers), nor does a seed.
// GPU-free and DOM-free.

import { isMechanismName } from '../boundary/spec';
import type { MechanismName } from '../privacy/types';
import { DEFAULT_BUDGET, DEFAULT_MECHANISM } from './privacy-settings';

export interface UrlSettings {
  mechanism: MechanismName;
  budget: string;
  samples: number;
}

export const DEFAULT_SAMPLES = 3;
export const MAX_SAMPLES = 5;

/** Settings from a query string; anything missing or invalid falls back to its default. */
export function settingsFromQuery(query: URLSearchParams): UrlSettings {
  const m = query.get('mechanism');
  const mechanism: MechanismName = m !== null && isMechanismName(m) ? m : DEFAULT_MECHANISM;
  const b = Number(query.get('budget'));
  const budget = query.has('budget') && Number.isFinite(b) && b > 0 ? String(b) : String(DEFAULT_BUDGET[mechanism]);
  const s = Number(query.get('samples'));
  const samples = Number.isInteger(s) && s >= 1 && s <= MAX_SAMPLES ? s : DEFAULT_SAMPLES;
  return { mechanism, budget, samples };
}

/** The query string for settings ("" when all are defaults); other parameters of `base` are kept. */
export function queryFromSettings(s: UrlSettings, base: URLSearchParams = new URLSearchParams()): string {
  const q = new URLSearchParams(base);
  for (const k of ['mechanism', 'budget', 'samples']) q.delete(k);
  if (s.mechanism !== DEFAULT_MECHANISM) q.set('mechanism', s.mechanism);
  const b = Number(s.budget);
  if (Number.isFinite(b) && b > 0 && b !== DEFAULT_BUDGET[s.mechanism]) q.set('budget', String(b));
  if (s.samples !== DEFAULT_SAMPLES) q.set('samples', String(s.samples));
  const out = q.toString();
  return out ? `?${out}` : '';
}
