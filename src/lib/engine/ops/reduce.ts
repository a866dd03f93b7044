// Reductions: column sums (bias gradients), total sum and mean (losses), squared norm.

import { Tensor, reshapeMove } from '../tensor';
import { recordOp } from '../tape';
import { linearGrid, newTensor } from './launch';
import { fill } from './elementwise';

function launch(entry: 'sum_rows' | 'sum_all' | 'sumsq_all', x: Tensor, R: number, N: number, alpha: number, outSize: number, name: string): Tensor {
  const gpu = x.gpu;
  const y = newTensor(gpu, outSize === 1 ? [1] : [outSize], name);
  gpu.dispatch(gpu.kernel('engine/reduce.wgsl', entry), {
    buffers: { x: x.buffer, out: y.buffer },
    params: { R, N, alpha },
    workgroups: entry === 'sum_rows' ? [Math.ceil(N / 64)] : [1]
  });
  return y;
}

/** out[j] = alpha · Σ_r x[r, j] for a 2-D x [R, N]. */
export function sumRows(x: Tensor, alpha = 1, name = 'sum_rows'): Tensor {
  if (x.rank !== 2) throw new Error(`sumRows: "${x.name}" must be 2-D, got rank ${x.rank}`);
  const [R, N] = x.shape;
  const y = launch('sum_rows', x, R, N, alpha, N, name);
  recordOp('sum_rows', [x], y, [], (gy) => [broadcastRows(gy, R, alpha)]);
  return y;
}

/** Repeat a [N] vector over R rows, times alpha (the backward rule of sumRows). */
function broadcastRows(v: Tensor, R: number, alpha: number): Tensor {
  const gpu = v.gpu;
  const N = v.size;
  const z = fill(gpu, [R, N], 0, 'zeros');
  const y = newTensor(gpu, [R, N], 'broadcast_rows');
  const g = linearGrid(R * N);
  gpu.dispatch(gpu.kernel('engine/add.wgsl', 'add_bias'), {
    buffers: { a: z.buffer, bias: v.buffer, c: y.buffer },
    params: { n: R * N, N, xStride: g.xStride, alpha: 1 },
    workgroups: g.workgroups
  });
  z.dispose();
  if (alpha === 1) return y;
  const s = newTensor(gpu, [R, N], 'broadcast_rows');
  gpu.dispatch(gpu.kernel('engine/add.wgsl', 'scale'), {
    buffers: { a: y.buffer, c: s.buffer },
    params: { n: R * N, N: 1, xStride: g.xStride, alpha },
    workgroups: g.workgroups
  });
  y.dispose();
  return s;
}

/** Σ x (all elements), as a [1] tensor. */
export function sum(x: Tensor, name = 'sum'): Tensor {
  return sumScaled(x, 1, name);
}

/** mean of all elements, as a [1] tensor. */
export function mean(x: Tensor, name = 'mean'): Tensor {
  return sumScaled(x, 1 / x.size, name);
}

export function sumScaled(x: Tensor, alpha: number, name: string): Tensor {
  const y = launch('sum_all', x, 1, x.size, alpha, 1, name);
  const shape = x.shape as number[];
  recordOp('sum', [x], y, [], (gy) => [reshapeMove(broadcastRows(gy, x.size, alpha), shape)]);
  return y;
}

/** Σ x² (no gradient; gradient-norm clipping). Writes into `out` at `offset` when given. */
export function sumSquares(x: Tensor, name = 'sumsq'): Tensor {
  return launch('sumsq_all', x, 1, x.size, 1, 1, name);
}
