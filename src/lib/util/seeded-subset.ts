// A seeded random subset: the first `limit` items of a seeded shuffle (all of them, shuffled,
// when limit is 0). Tuning runs and attacks draw their train/eval examples with it.

import { SeededRandom } from './seeded-random';

export function seededSubset<T>(items: readonly T[], limit: number, seed: number): T[] {
  const idx = items.map((_, i) => i);
  new SeededRandom(seed).shuffle(idx);
  return (limit > 0 ? idx.slice(0, limit) : idx).map((i) => items[i]);
}
