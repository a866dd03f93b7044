// Turning what a forward pass read back (flat Float32Arrays) into what the page shows:
// per-token L2 norms, top-k MLM candidates, unpadded rows. GPU-free, so it can be unit-tested in Node.

import type { MlmCandidate } from './service-types';

/** L2 norm of each of the `rows` rows of a row-major [rows, cols] matrix stored at `data`. */
export function rowNorms(data: ArrayLike<number>, rows: number, cols: number): number[] {
  if (data.length < rows * cols) throw new Error(`rowNorms: ${data.length} values for [${rows}, ${cols}]`);
  const out = new Array<number>(rows);
  for (let r = 0; r < rows; r++) {
    let s = 0;
    const base = r * cols;
    for (let c = 0; c < cols; c++) {
      const v = data[base + c];
      s += v * v;
    }
    out[r] = Math.sqrt(s);
  }
  return out;
}

/**
 * The k largest entries of data[offset .. offset + n), best first, as [index, value].
 * Ties keep the lower index first (as torch.topk does on CPU for equal values in practice).
 * NaN never wins over a number.
 */
export function topK(data: ArrayLike<number>, offset: number, n: number, k: number): [number, number][] {
  const best: [number, number][] = [];
  if (k <= 0) return best;
  for (let i = 0; i < n; i++) {
    const v = data[offset + i];
    if (Number.isNaN(v)) continue;
    if (best.length === k && v <= best[k - 1][1]) continue;
    let j = best.length < k ? best.length : k - 1;
    if (best.length < k) best.push([i, v]);
    else best[j] = [i, v];
    while (j > 0 && best[j - 1][1] < v) {
      const t = best[j - 1];
      best[j - 1] = best[j];
      best[j] = t;
      j--;
    }
  }
  return best;
}

/** Number of leading positions whose mask is 1 (HF pads on the right). */
export function unpaddedLength(mask: ArrayLike<number>): number {
  let n = 0;
  for (let i = 0; i < mask.length; i++) if (mask[i]) n = i + 1;
  return n;
}

/**
 * For a [B, T, V] logits array, the top-k candidates at each unpadded position:
 * out[b][t] = [[id, token, logit], ...].
 */
export function mlmTopK(
  logits: ArrayLike<number>,
  B: number,
  T: number,
  V: number,
  lengths: readonly number[],
  idToToken: (id: number) => string,
  k = 5
): MlmCandidate[][][] {
  const out: MlmCandidate[][][] = [];
  for (let b = 0; b < B; b++) {
    const row: MlmCandidate[][] = [];
    for (let t = 0; t < lengths[b]; t++) {
      row.push(topK(logits, (b * T + t) * V, V, k).map(([id, logit]) => [id, idToToken(id), logit] as MlmCandidate));
    }
    out.push(row);
  }
  return out;
}

/** Split a [B, T, C] array into per-sequence norms of the unpadded positions. */
export function hiddenNorms(hidden: ArrayLike<number>, B: number, T: number, C: number, lengths: readonly number[]): number[][] {
  const all = rowNorms(hidden, B * T, C);
  const out: number[][] = [];
  for (let b = 0; b < B; b++) out.push(all.slice(b * T, b * T + lengths[b]));
  return out;
}

/** [B, C] flat → rows. */
export function toRows(data: ArrayLike<number>, B: number, C: number): number[][] {
  const out: number[][] = [];
  for (let b = 0; b < B; b++) out.push(Array.from({ length: C }, (_, c) => data[b * C + c]));
  return out;
}

// ---------------------------------------------------------------------------------------------
// Display formatting

/** 4_385_920 → "4.39 M"; 1234 → "1,234". */
export function formatCount(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  if (Math.abs(n) >= 1e9) return `${(n / 1e9).toFixed(2)} B`;
  if (Math.abs(n) >= 1e6) return `${(n / 1e6).toFixed(2)} M`;
  return n.toLocaleString('en-US');
}

export function formatMs(ms: number): string {
  if (!Number.isFinite(ms)) return '–';
  if (ms < 10) return `${ms.toFixed(2)} ms`;
  if (ms < 1000) return `${ms.toFixed(1)} ms`;
  return `${(ms / 1000).toFixed(2)} s`;
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 ** 2) return `${(n / 1024).toFixed(1)} KiB`;
  if (n < 1024 ** 3) return `${(n / 1024 ** 2).toFixed(1)} MiB`;
  return `${(n / 1024 ** 3).toFixed(2)} GiB`;
}

/** A number to a fixed number of significant digits, keeping small values readable. */
/** x with `digits` significant digits (at least 1). */
export function formatNumber(x: number, digits = 4): string {
  digits = Math.max(1, Math.round(digits));
  if (!Number.isFinite(x)) return String(x);
  if (x === 0) return '0';
  const a = Math.abs(x);
  if (a >= 1e5 || a < 1e-3) return x.toExponential(digits - 1);
  return Number(x.toPrecision(digits)).toString();
}
