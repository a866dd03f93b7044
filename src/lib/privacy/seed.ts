// Keys for the Philox generator. A privatization run without a user seed draws a fresh
// 64-bit key (the Philox4x32 key size) from crypto.getRandomValues — the Web Crypto CSPRNG,
// present in browsers, workers and Node ≥ 20 as globalThis.crypto. A user seed makes the
// noise replayable by anyone who knows it, so such keys are labelled seeded (NOT PRIVATE).

import type { Key } from './philox';

export interface PhiloxKey {
  key: [number, number];
  /** true: derived from a user seed (reproducible, not private) */
  seeded: boolean;
}

/** A fresh key from crypto.getRandomValues. Throws when the platform has no Web Crypto. */
export function freshKey(): { key: [number, number]; seeded: false } {
  const c = (globalThis as { crypto?: Crypto }).crypto;
  if (!c || typeof c.getRandomValues !== 'function')
    throw new Error('freshKey: crypto.getRandomValues is not available (privacy noise needs a cryptographic random source)');
  const w = c.getRandomValues(new Uint32Array(2));
  return { key: [w[0] >>> 0, w[1] >>> 0], seeded: false };
}

/**
 * The key for a user seed: an integer in [0, 2⁵³), split into its low and high 32 bits (Philox
 * is a keyed bijection, so neighbouring seeds still give unrelated streams). Labelled seeded.
 */
export function seededKey(seed: number): { key: [number, number]; seeded: true } {
  if (!Number.isSafeInteger(seed) || seed < 0)
    throw new Error(`seed must be an integer in [0, 2^53), got ${seed}`);
  return { key: [seed % 0x100000000 >>> 0, Math.floor(seed / 0x100000000) >>> 0], seeded: true };
}

/** seededKey(seed) when a seed is given, freshKey() otherwise. */
export function keyFor(seed: number | undefined): PhiloxKey {
  return seed === undefined ? freshKey() : seededKey(seed);
}

export type { Key };
