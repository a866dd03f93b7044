// Multi-head scaled dot-product attention with an additive padding mask, composed from
// batched matmuls, a head permutation and the masked softmax (each with its backward).
//
//   heads(X) = X [B, T, C] → [B, T, H, D] → [B, H, T, D]
//   P = softmax(Q_h K_hᵀ / √D + mask),  out = merge(P V_h) [B, Tq, C]

import { Tensor, fmtShape } from '../tensor';
import { matmul } from './matmul';
import { maskedSoftmax } from './softmax';
import { swapAxes12 } from './permute';

export function splitHeads(x: Tensor, heads: number, name: string): Tensor {
  const [B, T, C] = x.shape;
  if (C % heads !== 0) throw new Error(`splitHeads: hidden size ${C} of "${x.name}" is not divisible by ${heads} heads`);
  const v = x.reshape([B, T, heads, C / heads]);
  const y = swapAxes12(v, name);
  v.dispose();
  return y;
}

export function mergeHeads(x: Tensor, name: string): Tensor {
  const [B, H, T, D] = x.shape;
  const p = swapAxes12(x, name + '.perm');
  const y = p.reshape([B, T, H * D], name);
  p.dispose();
  return y;
}

/**
 * q: [B, Tq, C], k, v: [B, Tk, C], mask: [B, Tk] additive (0 keep, −1e4 or lower drop) or null.
 * Returns [B, Tq, C].
 */
export function attention(q: Tensor, k: Tensor, v: Tensor, mask: Tensor | null, heads: number, name = 'attn'): Tensor {
  if (q.rank !== 3 || k.rank !== 3 || v.rank !== 3 || k.dim(1) !== v.dim(1) || q.dim(2) !== k.dim(2))
    throw new Error(`attention: shapes q ${fmtShape(q.shape)}, k ${fmtShape(k.shape)}, v ${fmtShape(v.shape)} do not fit`);
  const D = q.dim(2) / heads;
  const qh = splitHeads(q, heads, name + '.q');
  const kh = splitHeads(k, heads, name + '.k');
  const vh = splitHeads(v, heads, name + '.v');
  const scores = matmul(qh, kh, { transB: true, name: name + '.scores' });
  const probs = maskedSoftmax(scores, 1 / Math.sqrt(D), mask, name + '.probs');
  const ctx = matmul(probs, vh, { name: name + '.ctx' });
  const out = mergeHeads(ctx, name + '.out');
  for (const t of [qh, kh, vh, scores, probs, ctx]) t.dispose();
  return out;
}
