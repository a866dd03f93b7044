// Softmax cross-entropy with ignored positions (label < 0, e.g. −100 as in Hugging Face).

import { Tensor, fmtShape } from '../tensor';
import { recordOp } from '../tape';
import { assertDtype, newTensor, rowGrid } from './launch';

/**
 * Mean over counted rows of −log softmax(logits[r])[labels[r]]. logits: [R, V];
 * labels: i32 [R] created with tensorFrom (the count of counted rows is taken from
 * its CPU copy, so the loss stays on the GPU). Returns a [1] tensor.
 */
export function crossEntropy(logits: Tensor, labels: Tensor, name = 'cross_entropy'): Tensor {
  assertDtype(labels, 'i32', 'crossEntropy labels');
  if (logits.rank !== 2 || labels.size !== logits.dim(0))
    throw new Error(`crossEntropy: logits ${fmtShape(logits.shape)} and labels ${fmtShape(labels.shape)} do not match`);
  if (!labels.host) throw new Error(`crossEntropy: labels "${labels.name}" need their CPU copy (create them with tensorFrom)`);
  const [R, V] = logits.shape;
  let count = 0;
  for (const l of labels.host) {
    if (l >= V) throw new Error(`crossEntropy: label ${l} is outside the ${V} classes`);
    if (l >= 0) count++;
  }
  const invCount = count > 0 ? 1 / count : 0;
  const gpu = logits.gpu;
  const rowLoss = newTensor(gpu, [R], name + '.rows');
  gpu.dispatch(gpu.kernel('engine/cross_entropy.wgsl', 'forward'), {
    buffers: { z: logits.buffer, label: labels.buffer, out: rowLoss.buffer },
    params: { R, V, invCount },
    workgroups: rowGrid(R)
  });
  const loss = newTensor(gpu, [1], name);
  gpu.dispatch(gpu.kernel('engine/reduce.wgsl', 'sum_all'), {
    buffers: { x: rowLoss.buffer, out: loss.buffer },
    params: { R: 1, N: R, alpha: invCount },
    workgroups: [1]
  });
  rowLoss.dispose();
  recordOp('cross_entropy', [logits], loss, [logits, labels], (gy) => {
    const dz = newTensor(gpu, [R, V], 'dlogits');
    gpu.dispatch(gpu.kernel('engine/cross_entropy.wgsl', 'backward'), {
      buffers: { z: logits.buffer, label: labels.buffer, gy: gy.buffer, out: dz.buffer },
      params: { R, V, invCount },
      workgroups: rowGrid(R)
    });
    return [dz];
  });
  return loss;
}
