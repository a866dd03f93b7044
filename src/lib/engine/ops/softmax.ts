// Scaled, masked softmax over the last axis (attention probabilities).

import { Tensor, fmtShape } from '../tensor';
import { recordOp } from '../tape';
import { newTensor, rowGrid } from './launch';
import { invocationRowGrid, rowPerInvocation } from './variants';

/**
 * y = softmax(alpha · s + mask[b]) over the last axis. s: [B, H, Tq, Tk] (any leading
 * shape whose first axis is the batch); mask: [B, Tk] additive, or null.
 */
export function maskedSoftmax(s: Tensor, alpha: number, mask: Tensor | null, name = 'softmax'): Tensor {
  const gpu = s.gpu;
  const Tk = s.dim(-1);
  const rows = s.size / Tk;
  const B = s.dim(0);
  if (mask && (mask.rank !== 2 || mask.dim(0) !== B || mask.dim(1) !== Tk))
    throw new Error(`maskedSoftmax: mask "${mask.name}" ${fmtShape(mask.shape)} must be [${B}, ${Tk}] for scores ${fmtShape(s.shape)}`);
  const y = newTensor(gpu, s.shape, name);
  const perRow = rowPerInvocation(gpu);
  const grid = invocationRowGrid(rows);
  const params = { rows, Tk, rowsPerBatch: rows / B, alpha, xStride: grid.xStride };
  const groups = perRow ? grid.workgroups : rowGrid(rows);
  gpu.dispatch(gpu.kernel('engine/softmax.wgsl', perRow ? 'forward_row' : 'forward', { HAS_MASK: !!mask }), {
    buffers: { s: s.buffer, mask: mask ? mask.buffer : gpu.dummyBuffer(), out: y.buffer },
    params,
    workgroups: groups
  });
  recordOp('softmax', [s], y, [y], (gy) => {
    const ds = newTensor(gpu, s.shape, 'dsoftmax');
    gpu.dispatch(gpu.kernel('engine/softmax.wgsl', perRow ? 'backward_row' : 'backward'), {
      buffers: { s: y.buffer, dy: gy.buffer, out: ds.buffer },
      params,
      workgroups: groups
    });
    return [ds];
  });
  return y;
}
