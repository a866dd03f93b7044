// Checks on the arguments of the service worker's calls that are NOT PrivatizedBatches (those go
// through ServiceInbox). These calls carry the model — the built-in one by its folder URL, or the
// model files the user picked — and, for the pretraining check, where the site's public built-in
// datasets are. None of them carries text the user typed, and these checks keep it that way: the
// only strings they accept are URLs (http or https; the data folder on the worker's own origin),
// dataset identifiers and a short display name, and an options object may hold no key the
// API does not name (so no free-form string can ride along). GPU-free, so unit-testable in Node.

import type { PretrainProbeOptions } from '../app/service-types';

export class ServiceArgumentError extends Error {
  override name = 'ServiceArgumentError';
}

/** Longest URL accepted. */
export const MAX_URL_LENGTH = 2048;
/** Longest display name accepted (a folder's or a model's name). */
export const MAX_NAME_LENGTH = 200;

const PROBE_KEYS: readonly (keyof PretrainProbeOptions)[] = ['steps', 'batchSize', 'seqLen', 'lr', 'texts', 'dataUrl', 'dataset', 'seed'];
const DATASET_NAME = /^[A-Za-z0-9][A-Za-z0-9._+-]{0,63}$/;

/** What a value is, for error messages (never a string's contents). */
function kindOf(v: unknown): string {
  if (v === null) return 'null';
  if (typeof v === 'string') return `a string of ${v.length} characters`;
  if (Array.isArray(v)) return `an Array of ${v.length}`;
  return `a ${typeof v}`;
}

/** An absolute http(s) URL (relative ones resolve against `base`). Returns the resolved URL. */
export function checkUrl(v: unknown, what: string, base?: string): URL {
  if (typeof v !== 'string') throw new ServiceArgumentError(`${what} must be a URL string, got ${kindOf(v)}`);
  if (v.length === 0 || v.length > MAX_URL_LENGTH)
    throw new ServiceArgumentError(`${what} must be a URL of 1 to ${MAX_URL_LENGTH} characters, got ${v.length}`);
  let url: URL;
  try {
    url = base === undefined ? new URL(v) : new URL(v, base);
  } catch {
    throw new ServiceArgumentError(`${what} is not a valid URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new ServiceArgumentError(`${what} must be an http or https URL, got a ${url.protocol} URL`);
  return url;
}

/** A display name: absent, or a string of at most MAX_NAME_LENGTH characters. */
export function checkDisplayName(v: unknown, what = 'name'): string | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'string') throw new ServiceArgumentError(`${what} must be a string, got ${kindOf(v)}`);
  if (v.length > MAX_NAME_LENGTH) throw new ServiceArgumentError(`${what} is ${v.length} characters long; at most ${MAX_NAME_LENGTH}`);
  return v;
}

/**
 * The pretraining check's options: a plain object with only the keys PretrainProbeOptions names;
 * `dataUrl`, when given, on `origin` (the site that serves the built-in datasets); `dataset` an
 * identifier such as "sotu-party". The numeric fields are range-checked by probeSettings.
 */
export function checkProbeOptions(v: unknown, origin: string): Partial<PretrainProbeOptions> {
  if (typeof v !== 'object' || v === null || Array.isArray(v))
    throw new ServiceArgumentError(`pretrainProbe options must be an object like { steps: 3, batchSize: 8, seqLen: 64 }, got ${kindOf(v)}`);
  const o = v as Record<string, unknown>;
  for (const k of Object.keys(o))
    if (!(PROBE_KEYS as readonly string[]).includes(k))
      throw new ServiceArgumentError(
        `pretrainProbe options: unexpected key ${/^[A-Za-z_$][\w$-]{0,31}$/.test(k) ? JSON.stringify(k) : `of ${k.length} characters`} (allowed: ${PROBE_KEYS.join(', ')})`
      );
  for (const k of ['steps', 'batchSize', 'seqLen', 'lr', 'texts', 'seed'] as const)
    if (o[k] !== undefined && typeof o[k] !== 'number') throw new ServiceArgumentError(`pretrainProbe options: ${k} must be a number, got ${kindOf(o[k])}`);
  if (o.dataUrl !== undefined) {
    const url = checkUrl(o.dataUrl, 'pretrainProbe options: dataUrl');
    if (url.origin !== origin)
      throw new ServiceArgumentError(`pretrainProbe options: dataUrl must be on this site (${origin}), got one on ${url.origin}`);
  }
  if (o.dataset !== undefined && (typeof o.dataset !== 'string' || !DATASET_NAME.test(o.dataset)))
    throw new ServiceArgumentError(
      `pretrainProbe options: dataset must be a built-in dataset's name (letters, digits, ".", "_", "+", "-"; at most 64), got ${kindOf(o.dataset)}`
    );
  return o as Partial<PretrainProbeOptions>;
}
