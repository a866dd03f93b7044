// Map whatever a service call threw to a ServiceError the page can show as is. GPU-free: it only
// looks at error classes and names, so it runs in the worker and in unit tests alike.

import { AdapterUnavailableError, DeviceLostError, WebGPUUnavailableError } from '../gpu/errors';
import type { Outcome, ServiceError, ServiceErrorKind } from './service-types';

/** Names of errors that mean "the model folder is wrong", from src/lib/model/**. */
const MODEL_ERROR_NAMES = new Set([
  'SafetensorsError',
  'BertConfigError',
  'BertWeightsError',
  'CheckpointFolderError',
  'TokenizerError',
  'ModelFetchError'
]);

/**
 * The file and tensor a model error is about, from the fields the loaders' errors carry
 * (CheckpointFolderError.file, SafetensorsError.source/.tensor, BertConfigError.source,
 * BertWeightsError.tensors). Read by name so this file needs none of those classes.
 */
function whereOf(e: Error): { file?: string; tensor?: string } {
  const x = e as Error & { file?: unknown; source?: unknown; tensor?: unknown; tensors?: unknown };
  const file = typeof x.file === 'string' ? x.file : typeof x.source === 'string' && x.source !== 'safetensors' ? x.source : undefined;
  const tensor =
    typeof x.tensor === 'string' ? x.tensor : Array.isArray(x.tensors) && typeof x.tensors[0] === 'string' ? x.tensors[0] : undefined;
  return { ...(file !== undefined ? { file } : {}), ...(tensor !== undefined ? { tensor } : {}) };
}

export function toServiceError(e: unknown, fallback: ServiceErrorKind = 'internal'): ServiceError {
  if (e instanceof WebGPUUnavailableError) return { kind: 'no-webgpu', message: e.message, name: e.name };
  if (e instanceof AdapterUnavailableError) return { kind: 'no-adapter', message: e.message, name: e.name };
  if (e instanceof DeviceLostError) return { kind: 'device-lost', message: e.message, name: e.name };
  if (e instanceof Error) {
    if (MODEL_ERROR_NAMES.has(e.name)) return { kind: 'model', message: e.message, name: e.name, ...whereOf(e) };
    return { kind: fallback, message: e.message || String(e), name: e.name };
  }
  return { kind: fallback, message: String(e) };
}

export function ok<T>(value: T): Outcome<T> {
  return { ok: true, value };
}

export function fail<T>(error: ServiceError): Outcome<T> {
  return { ok: false, error };
}

/** Thrown by the page-side client when an Outcome failed, keeping the ServiceError. */
export class ServiceCallError extends Error {
  override name = 'ServiceCallError';
  constructor(readonly error: ServiceError) {
    super(error.message);
  }
}

export function unwrap<T>(o: Outcome<T>): T {
  if (o.ok) return o.value;
  throw new ServiceCallError(o.error);
}
