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
    const gpu = x.gpu;
    const dx = newTensor(gpu, [B, T, C], 'dslice');
    const g = linearGrid(dx.size);
    gpu.dispatch(gpu.kernel('engine/concat.wgsl', 'pad_seq'), {
      buffers: { x: gy.buffer, y: dx.buffer },
      params: { n: dx.size, P: 0, L: len, C, strideA: 0, t0, T, xStride: g.xStride },
      workgroups: g.workgroups
    });
    return [dx];
  });
  return y;
}
