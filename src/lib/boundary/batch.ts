// The message that crosses from the CLIENT worker (which alone holds raw text) to the SERVICE
// worker (the language model): a PrivatizedBatch. It is built so that it cannot carry text:
//
//   - its only strings are two fixed literals: kind = 'privatized-batch' and the mechanism name
//     (one of five). assertPrivatizedBatch rejects any other string anywhere, any key the schema
//     does not name, accessors, symbols, class instances, and any array that is not an Int32Array
//     of token ids (or a Uint8Array 0/1 mask);
//   - every typed array must own its whole ArrayBuffer (byteOffset 0, byteLength = buffer size):
//     structured clone copies a view's entire buffer, so a 3-element view over a megabyte of
//     UTF-8 would otherwise smuggle the megabyte across. Expando properties on typed arrays are
//     dropped by structured clone, so they cannot cross either;
//   - no seed crosses (`seeded` says whether one was used; the seed itself stays on the client).
//
// Token ids are numbers, so the service could in principle receive raw (unprivatized) ids if the
// client put them there; what prevents that is the client (PrivacyClient builds sequences only
// from a mechanism's output), and what shows it is the BoundaryLog of everything that crossed.
// Browser-safe.

import type { MechanismName, MechanismSpec } from '../privacy/types';
import { checkMechanismSpec, isMechanismName } from './spec';

/** A MechanismSpec without its seed: the public description of the run that made a batch. */
export type BatchMechanism = Omit<MechanismSpec, 'seed'>;

export interface PrivatizedBatch {
  kind: 'privatized-batch';
  version: 1;
  /** mechanism name, budget and (resolved) parameters; never the seed */
  mechanism: BatchMechanism;
  /** privatized ids, one row per text, each [CLS] … [SEP] then [PAD] to the longest row */
  sequences: Int32Array[];
  /** 1 for real tokens, 0 for padding; same lengths as sequences */
  attentionMask: Uint8Array[];
  /** reserved for RAPT's privatized plain tokens; empty for now */
  plainTokens?: Int32Array[];
  /** true when a fixed seed made the noise replayable (NOT PRIVATE) */
  seeded: boolean;
  /** Date.now() on the client when the batch was built */
  createdAt: number;
}

export const BATCH_KIND = 'privatized-batch';
export const BATCH_VERSION = 1;
/** Most sequences one batch may hold. */
export const MAX_BATCH_SEQUENCES = 1024;
/** Longest sequence one batch may hold. */
export const MAX_SEQUENCE_LENGTH = 8192;

const BATCH_KEYS = ['kind', 'version', 'mechanism', 'sequences', 'attentionMask', 'plainTokens', 'seeded', 'createdAt'] as const;
const REQUIRED_KEYS = ['kind', 'version', 'mechanism', 'sequences', 'attentionMask', 'seeded', 'createdAt'] as const;
const MECHANISM_KEYS = ['mechanism', 'eta', 'epsilon', 'clip', 'project', 'p', 'w', 'k'] as const;

export type BoundaryErrorCode =
  | 'not-object'
  | 'unknown-key'
  | 'missing-key'
  | 'string-value'
  | 'wrong-type'
  | 'not-integer-array'
  | 'shared-buffer'
  | 'bad-value'
  | 'shape'
  | 'too-large';

/** The typed messages that may cross the boundary. */
export type BoundarySubject = 'PrivatizedBatch' | 'PrivatizedTrainingSet';

/** A message the boundary refused. `path` says where (e.g. "sequences[2]"); the message never quotes a string value. */
export class BoundaryError extends Error {
  override name = 'BoundaryError';
  constructor(
    readonly code: BoundaryErrorCode,
    readonly path: string,
    detail: string,
    /** the message type that was refused (a PrivatizedBatch, or a PrivatizedTrainingSet: ./training-set.ts) */
    readonly subject: BoundarySubject = 'PrivatizedBatch'
  ) {
    super(`${subject} rejected at ${path}: ${detail}`);
  }
}

/** Names a key in an error without echoing arbitrary text: short identifiers as-is, anything else by its length. */
function keyName(k: string | symbol): string {
  if (typeof k === 'symbol') return 'a symbol key';
  return /^[A-Za-z_$][\w$-]{0,31}$/.test(k) ? JSON.stringify(k) : `a key of ${k.length} characters`;
}

/** What a value is, for error messages (never its contents). */
export function describe(v: unknown): string {
  if (v === null) return 'null';
  if (typeof v === 'string') return `a string (${v.length} characters)`;
  if (Array.isArray(v)) return `an Array of ${v.length}`;
  const tag = typedArrayTag(v);
  if (tag) return `a ${tag}`;
  if (typeof v === 'object') return v instanceof ArrayBuffer ? 'an ArrayBuffer' : 'an object';
  return `a ${typeof v}`;
}

const TYPED_ARRAY_PROTO = Object.getPrototypeOf(Int32Array.prototype) as object;
const tagGetter = Object.getOwnPropertyDescriptor(TYPED_ARRAY_PROTO, Symbol.toStringTag)!.get!;
const bufferGetter = Object.getOwnPropertyDescriptor(TYPED_ARRAY_PROTO, 'buffer')!.get!;
const byteOffsetGetter = Object.getOwnPropertyDescriptor(TYPED_ARRAY_PROTO, 'byteOffset')!.get!;
const byteLengthGetter = Object.getOwnPropertyDescriptor(TYPED_ARRAY_PROTO, 'byteLength')!.get!;
export const lengthGetter = Object.getOwnPropertyDescriptor(TYPED_ARRAY_PROTO, 'length')!.get!;

/** The real typed-array kind ('Int32Array', …) read from the internal slot (cannot be faked), or undefined. */
export function typedArrayTag(v: unknown): string | undefined {
  if (typeof v !== 'object' || v === null) return undefined;
  return tagGetter.call(v) as string | undefined;
}

/** A plain object (any realm): its prototype is a root prototype or null. */
export function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v) || typedArrayTag(v)) return false;
  if (Object.prototype.toString.call(v) !== '[object Object]') return false;
  const proto = Object.getPrototypeOf(v);
  return proto === null || Object.getPrototypeOf(proto) === null;
}

/** Own data properties of a plain object; rejects symbols, accessors and keys outside `allowed`. */
export function ownData(obj: Record<string, unknown>, allowed: readonly string[], path: string, subject: BoundarySubject = 'PrivatizedBatch'): Map<string, unknown> {
  const out = new Map<string, unknown>();
  for (const k of Reflect.ownKeys(obj)) {
    if (typeof k === 'symbol' || !allowed.includes(k))
      throw new BoundaryError('unknown-key', path, `unexpected ${keyName(k)} (allowed: ${allowed.join(', ')})`, subject);
    const d = Object.getOwnPropertyDescriptor(obj, k)!;
    if (!('value' in d)) throw new BoundaryError('wrong-type', `${path}.${k}`, 'an accessor property (only plain data may cross)', subject);
    out.set(k, d.value);
  }
  return out;
}

/** Elements of a plain Array (any realm): no holes, no extra keys, no accessors. */
export function arrayItems(v: unknown, path: string, subject: BoundarySubject = 'PrivatizedBatch'): unknown[] {
  if (typeof v === 'string') throw new BoundaryError('string-value', path, `${describe(v)}; a ${subject} carries token ids only, never text`, subject);
  if (!Array.isArray(v)) throw new BoundaryError('wrong-type', path, `expected an Array, got ${describe(v)}`, subject);
  const keys = Reflect.ownKeys(v);
  if (keys.length !== v.length + 1)
    for (const k of keys)
      if (k !== 'length' && !(typeof k === 'string' && /^(0|[1-9]\d*)$/.test(k) && Number(k) < v.length))
        throw new BoundaryError('unknown-key', path, `unexpected ${keyName(k)} on the array`, subject);
  const items: unknown[] = new Array(v.length);
  for (let i = 0; i < v.length; i++) {
    const d = Object.getOwnPropertyDescriptor(v, i);
    if (!d) throw new BoundaryError('wrong-type', `${path}[${i}]`, 'a hole in the array', subject);
    if (!('value' in d)) throw new BoundaryError('wrong-type', `${path}[${i}]`, 'an accessor property (only plain data may cross)', subject);
    items[i] = d.value;
  }
  return items;
}

/** A typed array of the given kind that owns its whole (non-shared) buffer. */
export function ownedTypedArray<T extends Int32Array | Uint8Array>(
  v: unknown,
  kind: 'Int32Array' | 'Uint8Array',
  path: string,
  what: string,
  subject: BoundarySubject = 'PrivatizedBatch'
): T {
  if (typeof v === 'string') throw new BoundaryError('string-value', path, `${describe(v)}; a ${subject} carries token ids only, never text`, subject);
  const tag = typedArrayTag(v);
  if (tag !== kind) {
    const code = Array.isArray(v) || tag ? 'not-integer-array' : 'wrong-type';
    throw new BoundaryError(code, path, `expected an ${kind} of ${what}, got ${describe(v)}`, subject);
  }
  const buffer = bufferGetter.call(v) as ArrayBufferLike;
  if (Object.prototype.toString.call(buffer) !== '[object ArrayBuffer]')
    throw new BoundaryError('shared-buffer', path, 'its buffer is a SharedArrayBuffer (only a private ArrayBuffer may cross)', subject);
  const offset = byteOffsetGetter.call(v) as number;
  const bytes = byteLengthGetter.call(v) as number;
  if (offset !== 0 || bytes !== buffer.byteLength)
    throw new BoundaryError(
      'shared-buffer',
      path,
      `a view of ${bytes} bytes at offset ${offset} into a buffer of ${buffer.byteLength} bytes: structured clone would copy the whole buffer, so the array must own it (copy it with .slice())`,
      subject
    );
  return v as T;
}

export function checkMechanism(v: unknown, subject: BoundarySubject = 'PrivatizedBatch'): BatchMechanism {
  const path = 'mechanism';
  if (typeof v === 'string') throw new BoundaryError('string-value', path, `${describe(v)}; expected { mechanism, eta | epsilon, … }`, subject);
  if (!isPlainObject(v)) throw new BoundaryError('not-object', path, `expected a plain object, got ${describe(v)}`, subject);
  const fields = ownData(v, MECHANISM_KEYS, path, subject);
  const name = fields.get('mechanism');
  if (!isMechanismName(name)) {
    if (typeof name === 'string')
      throw new BoundaryError('string-value', `${path}.mechanism`, `${describe(name)} that is not a mechanism name (dchi, laplace, santext, santext+, custext)`, subject);
    throw new BoundaryError('missing-key', `${path}.mechanism`, `expected a mechanism name, got ${describe(name)}`, subject);
  }
  for (const [k, x] of fields) {
    if (k === 'mechanism') continue;
    if (k === 'project') {
      if (typeof x !== 'boolean') throw new BoundaryError(typeof x === 'string' ? 'string-value' : 'wrong-type', `${path}.project`, `expected true or false, got ${describe(x)}`, subject);
    } else if (typeof x !== 'number') {
      throw new BoundaryError(typeof x === 'string' ? 'string-value' : 'wrong-type', `${path}.${k}`, `expected a number, got ${describe(x)}`, subject);
    }
  }
  const spec = Object.fromEntries(fields) as BatchMechanism;
  try {
    checkMechanismSpec(spec, { allowSeed: false });
  } catch (e) {
    throw new BoundaryError('bad-value', path, (e as Error).message, subject);
  }
  return spec;
}

/**
 * Throws BoundaryError unless `x` is a well-formed PrivatizedBatch (see the header for what that
 * rules out). The service side calls it on every message it receives, before anything else.
 */
export function assertPrivatizedBatch(x: unknown): asserts x is PrivatizedBatch {
  if (typeof x === 'string') throw new BoundaryError('string-value', 'batch', `${describe(x)}; a PrivatizedBatch carries token ids only, never text`);
  if (!isPlainObject(x)) throw new BoundaryError('not-object', 'batch', `expected a plain object, got ${describe(x)}`);
  const f = ownData(x, BATCH_KEYS, 'batch');
  for (const k of REQUIRED_KEYS) if (!f.has(k)) throw new BoundaryError('missing-key', `batch.${k}`, 'missing');
  if (f.get('kind') !== BATCH_KIND)
    throw new BoundaryError(typeof f.get('kind') === 'string' ? 'string-value' : 'bad-value', 'kind', `must be the literal "${BATCH_KIND}", got ${describe(f.get('kind'))}`);
  if (f.get('version') !== BATCH_VERSION) throw new BoundaryError('bad-value', 'version', `this service reads version ${BATCH_VERSION}, got ${describe(f.get('version'))}`);
  checkMechanism(f.get('mechanism'));
  if (typeof f.get('seeded') !== 'boolean') throw new BoundaryError('wrong-type', 'seeded', `expected true or false, got ${describe(f.get('seeded'))}`);
  const created = f.get('createdAt');
  if (typeof created !== 'number' || !Number.isFinite(created) || created < 0)
    throw new BoundaryError(typeof created === 'string' ? 'string-value' : 'wrong-type', 'createdAt', `expected a time in ms (a finite number ≥ 0), got ${describe(created)}`);

  const seqs = arrayItems(f.get('sequences'), 'sequences');
  const masks = arrayItems(f.get('attentionMask'), 'attentionMask');
  if (seqs.length > MAX_BATCH_SEQUENCES) throw new BoundaryError('too-large', 'sequences', `${seqs.length} sequences, at most ${MAX_BATCH_SEQUENCES}`);
  if (masks.length > MAX_BATCH_SEQUENCES) throw new BoundaryError('too-large', 'attentionMask', `${masks.length} rows, at most ${MAX_BATCH_SEQUENCES}`);
  // types first (a string anywhere is named as such), then shapes
  const rows = seqs.map((s, b) => ownedTypedArray<Int32Array>(s, 'Int32Array', `sequences[${b}]`, 'token ids'));
  const maskRows = masks.map((m, b) => ownedTypedArray<Uint8Array>(m, 'Uint8Array', `attentionMask[${b}]`, '0/1 flags'));
  if (rows.length === 0) throw new BoundaryError('shape', 'sequences', 'empty batch (no sequences)');
  if (maskRows.length !== rows.length) throw new BoundaryError('shape', 'attentionMask', `${maskRows.length} rows for ${rows.length} sequences`);
  let T = -1;
  for (let b = 0; b < rows.length; b++) {
    const s = rows[b];
    const m = maskRows[b];
    const n = lengthGetter.call(s) as number;
    if (n === 0) throw new BoundaryError('shape', `sequences[${b}]`, 'an empty sequence');
    if (n > MAX_SEQUENCE_LENGTH) throw new BoundaryError('too-large', `sequences[${b}]`, `${n} tokens, at most ${MAX_SEQUENCE_LENGTH}`);
    if (T >= 0 && n !== T) throw new BoundaryError('shape', `sequences[${b}]`, `${n} tokens, but sequences[0] has ${T} (rows are padded to one length)`);
    T = n;
    if ((lengthGetter.call(m) as number) !== n)
      throw new BoundaryError('shape', `attentionMask[${b}]`, `${lengthGetter.call(m)} flags for a sequence of ${n}`);
    for (let i = 0; i < n; i++) {
      if (s[i] < 0) throw new BoundaryError('bad-value', `sequences[${b}][${i}]`, `token id ${s[i]} is negative`);
      if (m[i] > 1) throw new BoundaryError('bad-value', `attentionMask[${b}][${i}]`, `flag ${m[i]} is neither 0 nor 1`);
    }
    if (m[0] !== 1) throw new BoundaryError('bad-value', `attentionMask[${b}]`, 'the first position must be a real token');
  }
  if (f.has('plainTokens')) {
    const plain = arrayItems(f.get('plainTokens'), 'plainTokens');
    if (plain.length > MAX_BATCH_SEQUENCES) throw new BoundaryError('too-large', 'plainTokens', `${plain.length} rows, at most ${MAX_BATCH_SEQUENCES}`);
    for (let b = 0; b < plain.length; b++) {
      const p = ownedTypedArray<Int32Array>(plain[b], 'Int32Array', `plainTokens[${b}]`, 'token ids');
      const n = lengthGetter.call(p) as number;
      if (n > MAX_SEQUENCE_LENGTH) throw new BoundaryError('too-large', `plainTokens[${b}]`, `${n} tokens, at most ${MAX_SEQUENCE_LENGTH}`);
      for (let i = 0; i < n; i++) if (p[i] < 0) throw new BoundaryError('bad-value', `plainTokens[${b}][${i}]`, `token id ${p[i]} is negative`);
    }
  }
}

/**
 * Builds a batch from privatized rows (each [CLS] … [SEP], unpadded): pads to the longest with
 * padId, copies every row into its own buffer, and strips the seed from the spec. The result
 * passes assertPrivatizedBatch (checked here too, so a bad batch fails on the client first).
 */
export function buildPrivatizedBatch(
  rows: readonly Int32Array[],
  spec: MechanismSpec,
  opts: { padId: number; resolved?: Partial<BatchMechanism>; plainTokens?: readonly Int32Array[]; now?: number }
): PrivatizedBatch {
  const T = rows.reduce((a, r) => Math.max(a, r.length), 0);
  const sequences: Int32Array[] = [];
  const attentionMask: Uint8Array[] = [];
  for (const r of rows) {
    const s = new Int32Array(T).fill(opts.padId);
    s.set(r);
    const m = new Uint8Array(T);
    m.fill(1, 0, r.length);
    sequences.push(s);
    attentionMask.push(m);
  }
  const { seed, ...pub } = spec;
  const mechanism: BatchMechanism = { ...pub, ...(opts.resolved ?? {}) };
  for (const k of Object.keys(mechanism) as (keyof BatchMechanism)[]) if (mechanism[k] === undefined) delete mechanism[k];
  const batch: PrivatizedBatch = {
    kind: BATCH_KIND,
    version: BATCH_VERSION,
    mechanism,
    sequences,
    attentionMask,
    plainTokens: (opts.plainTokens ?? []).map((p) => Int32Array.from(p)),
    seeded: seed !== undefined,
    createdAt: opts.now ?? Date.now()
  };
  assertPrivatizedBatch(batch);
  return batch;
}

/** The mechanism name of a batch (the one string that crosses besides its kind). */
export function batchMechanismName(b: PrivatizedBatch): MechanismName {
  return b.mechanism.mechanism;
}
