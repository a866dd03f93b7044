// Completing and checking a TuneConfig: defaults filled in, every field of the right type and
// range, the budget that the mechanism takes (η for d_χ, ε otherwise) and no other. Errors name
// the field. Shared by `rapt tune`, sweeps and (later) the Train page. Browser-safe.

import { BUDGET_OF, isMechanismName } from '../boundary/spec';
import { TUNE_DEFAULTS, type TuneConfig } from './config';

export class TuneConfigError extends Error {
  override name = 'TuneConfigError';
}

export const TUNE_CONFIG_FIELDS: readonly (keyof TuneConfig)[] = [
  'model', 'task', 'method', 'head', 'mechanism', 'eta', 'epsilon', 'rapt', 'plainTokens', 'lambda', 'reconHidden', 'plainSequence',
  'promptLength', 'prefixHidden', 'loraRank', 'loraAlpha', 'steps', 'batchSize', 'lr', 'seed', 'maxLength', 'trainLimit', 'evalLimit'
];

const METHODS = ['prompt', 'prefix', 'lora', 'full'];
const HEADS = ['cls', 'mean', 'verbalizer'];

function int(c: Record<string, unknown>, k: string, min: number): void {
  const v = c[k];
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min) throw new TuneConfigError(`${k} must be an integer ≥ ${min}, got ${JSON.stringify(v)}`);
}
function pos(c: Record<string, unknown>, k: string, allowZero = false): void {
  const v = c[k];
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || (!allowZero && v === 0))
    throw new TuneConfigError(`${k} must be a finite number ${allowZero ? '≥' : '>'} 0, got ${JSON.stringify(v)}`);
}

/** Defaults + checks. `partial` must name model and task. */
export function completeTuneConfig(partial: Partial<TuneConfig>): TuneConfig {
  for (const k of Object.keys(partial))
    if (!(TUNE_CONFIG_FIELDS as readonly string[]).includes(k)) throw new TuneConfigError(`unknown field "${k}" (fields: ${TUNE_CONFIG_FIELDS.join(', ')})`);
  const c = { ...TUNE_DEFAULTS, ...partial } as TuneConfig;
  const r = c as unknown as Record<string, unknown>;
  for (const k of Object.keys(r)) if (r[k] === undefined) delete r[k];
  if (typeof c.model !== 'string' || !c.model) throw new TuneConfigError('model is required ("builtin" or a folder)');
  if (typeof c.task !== 'string' || !c.task) throw new TuneConfigError('task is required (a built-in dataset name or a file)');
  if (!METHODS.includes(c.method)) throw new TuneConfigError(`method must be one of ${METHODS.join(', ')}, got ${JSON.stringify(c.method)}`);
  if (!HEADS.includes(c.head)) throw new TuneConfigError(`head must be cls, mean or verbalizer, got ${JSON.stringify(c.head)}`);
  if (c.mechanism === 'none') {
    if (c.eta !== undefined || c.epsilon !== undefined) throw new TuneConfigError('mechanism none (clean text) takes no budget');
  } else if (isMechanismName(c.mechanism)) {
    const budget = BUDGET_OF[c.mechanism];
    const other = budget === 'eta' ? 'epsilon' : 'eta';
    if (r[other] !== undefined) throw new TuneConfigError(`${c.mechanism} takes ${budget}, not ${other}`);
    const v = r[budget];
    if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) throw new TuneConfigError(`${budget} (the ${c.mechanism} budget) must be a finite number > 0, got ${JSON.stringify(v)}`);
  } else throw new TuneConfigError(`mechanism must be none, dchi, laplace, santext, santext+ or custext, got ${JSON.stringify(c.mechanism)}`);
  if (typeof c.rapt !== 'boolean') throw new TuneConfigError(`rapt must be true or false, got ${JSON.stringify(c.rapt)}`);
  int(r, 'plainTokens', c.rapt ? 1 : 0);
  pos(r, 'lambda', true);
  int(r, 'reconHidden', 1);
  if (c.plainSequence !== undefined) {
    // like plainTokens and λ, ignored when rapt is false (so one sweep base can serve both variants)
    if (c.plainSequence !== 'joint' && c.plainSequence !== 'separate')
      throw new TuneConfigError(`plainSequence must be joint or separate, got ${JSON.stringify(c.plainSequence)}`);
  }
  int(r, 'promptLength', c.method === 'prompt' || c.method === 'prefix' ? 1 : 0);
  if (c.prefixHidden !== undefined) {
    int(r, 'prefixHidden', 1);
    if (c.method !== 'prefix') throw new TuneConfigError(`prefixHidden (the prefix reparameterisation MLP) is for method prefix, not ${c.method}`);
  }
  int(r, 'loraRank', 1);
  pos(r, 'loraAlpha');
  int(r, 'steps', 1);
  int(r, 'batchSize', 1);
  pos(r, 'lr');
  int(r, 'seed', 0);
  int(r, 'maxLength', 1);
  int(r, 'trainLimit', 0);
  int(r, 'evalLimit', 0);
  return c;
}
