// The k largest entries of a score vector as [index, score] pairs, best first (ties: lower index first).
export function topK(scores: ArrayLike<number>, k: number): [number, number][] {
  const best: [number, number][] = [];
  for (let i = 0; i < scores.length; i++) {
    const s = scores[i];
    if (best.length < k || s > best[best.length - 1][1]) {
      let j = best.length < k ? best.length : k - 1;
      if (best.length < k) best.push([i, s]);
      while (j > 0 && best[j - 1][1] < s) {
        best[j] = best[j - 1];
        j--;
      }
      best[j] = [i, s];
    }
  }
  return best;
}
