// The service's half of a TuneConfig: the hyper-parameters the service worker trains with (no
// model, task or mechanism: those are the client's), how to take them from a config, and the
// check they pass when they arrive by postMessage. GPU-free, so the page can import it.

import type { TuneConfig } from './config';
import { completeTuneConfig, TuneConfigError } from './check-config';

/** The part of a TuneConfig the service needs (no model, task or mechanism: those are the client's). */
export type ServiceTuneParams = Pick<
  TuneConfig,
  'method' | 'head' | 'rapt' | 'lambda' | 'reconHidden' | 'plainSequence' | 'promptLength' | 'prefixHidden' | 'loraRank' | 'loraAlpha' | 'steps' | 'batchSize' | 'lr' | 'seed' | 'maxLength'
>;

export const SERVICE_PARAM_FIELDS: readonly (keyof ServiceTuneParams)[] = [
  'method', 'head', 'rapt', 'lambda', 'reconHidden', 'plainSequence', 'promptLength', 'prefixHidden', 'loraRank', 'loraAlpha', 'steps', 'batchSize', 'lr', 'seed', 'maxLength'
];

/** Fields that may be absent (unset optional TuneConfig fields). */
const OPTIONAL_PARAMS: readonly (keyof ServiceTuneParams)[] = ['prefixHidden', 'plainSequence'];

export function serviceParamsOf(config: TuneConfig): ServiceTuneParams {
  return Object.fromEntries(SERVICE_PARAM_FIELDS.filter((k) => config[k] !== undefined).map((k) => [k, config[k]])) as unknown as ServiceTuneParams;
}

/**
 * Checks parameters that came by postMessage: a plain object with only the fields above, each
 * of the right type and range (the same checks as `rapt tune`), and RAPT on exactly when the set
 * carries plain tokens. Throws TuneConfigError naming the field.
 */
export function checkServiceParams(x: unknown, plainTokens: number): ServiceTuneParams {
  if (typeof x !== 'object' || x === null || Array.isArray(x) || Object.getPrototypeOf(x) !== Object.prototype)
    throw new TuneConfigError('training parameters must be a plain object');
  for (const k of Object.keys(x))
    if (!(SERVICE_PARAM_FIELDS as readonly string[]).includes(k))
      throw new TuneConfigError(`unknown training parameter ${/^[A-Za-z_$][\w$]{0,31}$/.test(k) ? `"${k}"` : `(a key of ${k.length} characters)`} (fields: ${SERVICE_PARAM_FIELDS.join(', ')})`);
  const p = x as Partial<ServiceTuneParams>;
  for (const k of SERVICE_PARAM_FIELDS) if (p[k] === undefined && !OPTIONAL_PARAMS.includes(k)) throw new TuneConfigError(`training parameter ${k} is missing`);
  const full = completeTuneConfig({ model: 'service', task: 'service', ...p, plainTokens });
  if (full.rapt !== plainTokens > 0)
    throw new TuneConfigError(`rapt is ${full.rapt}, but the training set carries ${plainTokens} plain tokens per example`);
  return serviceParamsOf(full);
}

