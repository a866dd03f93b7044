// Sequence assembly: prepend a (soft-prompt) block to a batch of sequences, and cut
// windows out of a sequence (the [CLS] position, the plain-token positions).

import { Tensor, fmtShape, reshapeMove, withView } from '../tensor';
import { recordOp } from '../tape';
import { linearGrid, newTensor } from './launch';
import { sumRows } from './reduce';

function slice(x: Tensor, t0: number, len: number, name: string): Tensor {
  const [B, T, C] = x.shape;
  const gpu = x.gpu;
  const y = newTensor(gpu, [B, len, C], name);
  const g = linearGrid(y.size);
  gpu.dispatch(gpu.kernel('engine/concat.wgsl', 'slice_seq'), {
    buffers: { x: x.buffer, y: y.buffer },
    params: { n: y.size, P: 0, L: len, C, strideA: 0, t0, T, xStride: g.xStride },
    workgroups: g.workgroups
  });
  return y;
}

/**
 * y = [a; x] along time. a: [B, P, C] per example or [P, C] shared by the batch (soft
 * prompt); x: [B, L, C]. Returns [B, P + L, C].
 */
export function concatSeq(a: Tensor, x: Tensor, name = 'concat'): Tensor {
  if (x.rank !== 3) throw new Error(`concatSeq: "${x.name}" must be [B, L, C], got ${fmtShape(x.shape)}`);
  const [B, L, C] = x.shape;
  const shared = a.rank === 2;
  const P = shared ? a.dim(0) : a.dim(1);
  if (a.dim(-1) !== C || (!shared && a.dim(0) !== B))
    throw new Error(`concatSeq: "${a.name}" ${fmtShape(a.shape)} does not fit before "${x.name}" ${fmtShape(x.shape)}`);
  const gpu = x.gpu;
  const y = newTensor(gpu, [B, P + L, C], name);
  const g = linearGrid(y.size);
  gpu.dispatch(gpu.kernel('engine/concat.wgsl', 'concat_seq'), {
    buffers: { a: a.buffer, x: x.buffer, y: y.buffer },
    params: { n: y.size, P, L, C, strideA: shared ? 0 : P * C, t0: 0, T: P + L, xStride: g.xStride },
    workgroups: g.workgroups
  });
  recordOp('concat_seq', [a, x], y, [], (gy) => {
    let da: Tensor | null = null;
    if (a.requiresGrad) {
      const per = slice(gy, 0, P, 'dconcat.a');
      if (shared) {
        const summed = withView(per, [B, P * C], (v) => sumRows(v, 1, 'dprompt'));
        per.dispose();
        da = reshapeMove(summed, [P, C]);
      } else da = per;
    }
    const dx = x.requiresGrad ? slice(gy, P, L, 'dconcat.x') : null;
    return [da, dx];
  });
  return y;
}

/** y = x[:, t0 : t0 + len, :] for x: [B, T, C]. */
export function sliceSeq(x: Tensor, t0: number, len: number, name = 'slice'): Tensor {
  if (x.rank !== 3) throw new Error(`sliceSeq: "${x.name}" must be [B, T, C], got ${fmtShape(x.shape)}`);
  const [B, T, C] = x.shape;
  if (t0 < 0 || len < 0 || t0 + len > T) throw new Error(`sliceSeq: window [${t0}, ${t0 + len}) is outside "${x.name}" ${fmtShape(x.shape)}`);
  const y = slice(x, t0, len, name);
  recordOp('slice_seq', [x], y, [], (gy) => {
    // Scatter the window back into zeros: concat(zeros before, gy, zeros after) via two concats.
    const gpu = x.gpu;
    const out = newTensor(gpu, [B, T, C], 'dslice');
    const before = t0;
    const after = T - t0 - len;
    const zb = newTensor(gpu, [B, Math.max(before, 0), C], 'zeros');
    const za = newTensor(gpu, [B, Math.max(after, 0), C], 'zeros');
    // fill zeros
    for (const z of [zb, za]) {
      if (z.size === 0) continue;
      const g = linearGrid(z.size);
      gpu.dispatch(gpu.kernel('engine/fill.wgsl'), { buffers: { c: z.buffer }, params: { n: z.size, xStride: g.xStride, value: 0 }, workgroups: g.workgroups });
    }
    const mid = newTensor(gpu, [B, before + len, C], 'dslice.mid');
    let g = linearGrid(mid.size);
    gpu.dispatch(gpu.kernel('engine/concat.wgsl', 'concat_seq'), {
      buffers: { a: before > 0 ? zb.buffer : gy.buffer, x: gy.buffer, y: mid.buffer },
      params: { n: mid.size, P: before, L: len, C, strideA: before * C, t0: 0, T: before + len, xStride: g.xStride },
      workgroups: g.workgroups
    });
    g = linearGrid(out.size);
    gpu.dispatch(gpu.kernel('engine/concat.wgsl', 'concat_seq'), {
      buffers: { a: mid.buffer, x: after > 0 ? za.buffer : mid.buffer, y: out.buffer },
      params: { n: out.size, P: before + len, L: after, C, strideA: (before + len) * C, t0: 0, T, xStride: g.xStride },
      workgroups: g.workgroups
    });
    zb.dispose();
    za.dispose();
    mid.dispose();
    return [out];
  });
  return y;
}
