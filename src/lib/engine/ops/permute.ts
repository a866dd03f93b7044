// Swap axes 1 and 2 of a 4-D tensor: [A, B, C, D] → [A, C, B, D] (attention heads).

import { Tensor } from '../tensor';
import { recordOp } from '../tape';
import { linearGrid, newTensor } from './launch';

function launch(x: Tensor, name: string): Tensor {
  if (x.rank !== 4) throw new Error(`swapAxes12: "${x.name}" must be 4-D`);
  const [A, B, C, D] = x.shape;
  const gpu = x.gpu;
  const y = newTensor(gpu, [A, C, B, D], name);
  const g = linearGrid(y.size);
  gpu.dispatch(gpu.kernel('engine/permute.wgsl'), {
    buffers: { x: x.buffer, y: y.buffer },
    params: { n: y.size, B, C, D, xStride: g.xStride },
    workgroups: g.workgroups
  });
  return y;
}

export function swapAxes12(x: Tensor, name = 'permute'): Tensor {
  const y = launch(x, name);
  recordOp('permute', [x], y, [], (gy) => [launch(gy, 'dpermute')]);
  return y;
}
