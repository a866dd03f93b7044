// Layer normalisation over the last dimension (shaders/engine/layernorm.wgsl).

import { Tensor } from '../tensor';
import { recordOp } from '../tape';
import { assertShape, newTensor, rowGrid } from './launch';
import { invocationRowGrid, rowPerInvocation } from './variants';

export function layerNorm(x: Tensor, gamma: Tensor, beta: Tensor, eps: number, name = 'layernorm'): Tensor {
  const C = x.dim(-1);
  const R = x.size / C;
  assertShape(gamma, [C], 'layerNorm gamma');
  assertShape(beta, [C], 'layerNorm beta');
  const gpu = x.gpu;
  const y = newTensor(gpu, x.shape, name);
  const mean = newTensor(gpu, [R], name + '.mean');
  const rstd = newTensor(gpu, [R], name + '.rstd');
  const perRow = rowPerInvocation(gpu);
  const grid = invocationRowGrid(R);
  const params = { R, C, eps, xStride: grid.xStride };
  const rows = perRow ? grid.workgroups : rowGrid(R);
  gpu.dispatch(gpu.kernel('engine/layernorm.wgsl', perRow ? 'forward_row' : 'forward'), {
    buffers: { x: x.buffer, gamma: gamma.buffer, beta: beta.buffer, mean: mean.buffer, rstd: rstd.buffer, y: y.buffer },
    params,
    workgroups: rows
  });
  recordOp('layernorm', [x, gamma, beta], y, [x, gamma, mean, rstd], (gy) => {
    let dx: Tensor | null = null;
    let dgamma: Tensor | null = null;
    let dbeta: Tensor | null = null;
    if (x.requiresGrad) {
      dx = newTensor(gpu, x.shape, 'dlayernorm');
      gpu.dispatch(gpu.kernel('engine/layernorm.wgsl', perRow ? 'backward_input_row' : 'backward_input'), {
        buffers: { x: x.buffer, gamma: gamma.buffer, dy: gy.buffer, mean: mean.buffer, rstd: rstd.buffer, y: dx.buffer },
        params,
        workgroups: rows
      });
    }
    if (gamma.requiresGrad || beta.requiresGrad) {
      dgamma = newTensor(gpu, [C], 'dgamma');
      dbeta = newTensor(gpu, [C], 'dbeta');
      gpu.dispatch(gpu.kernel('engine/layernorm.wgsl', 'backward_params'), {
        buffers: { x: x.buffer, dy: gy.buffer, mean: mean.buffer, rstd: rstd.buffer, dgamma: dgamma.buffer, dbeta: dbeta.buffer },
        params,
        workgroups: [Math.ceil(C / 64)]
      });
    }
    return [dx, dgamma, dbeta];
  });
  // The statistics live on only through the tape's references.
  mean.dispose();
  rstd.dispose();
  return y;
}
