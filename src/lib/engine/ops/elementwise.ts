// Elementwise ops: add, bias add, scale, GELU, tanh, fill. Each forward launches one
// kernel; each backward rule is a kernel or a reduction.

import type { GpuContext } from '../../gpu/context';
import { Tensor, withView } from '../tensor';
import { recordOp } from '../tape';
import { assertSameShape, assertShape, linearGrid, newTensor } from './launch';
import { sumRows } from './reduce';

export function fill(gpu: GpuContext, shape: readonly number[], value: number, name = 'fill'): Tensor {
  const y = newTensor(gpu, shape, name);
  const g = linearGrid(y.size);
  gpu.dispatch(gpu.kernel('engine/fill.wgsl'), {
    buffers: { c: y.buffer },
    params: { n: y.size, xStride: g.xStride, value },
    workgroups: g.workgroups
  });
  return y;
}

export const zeros = (gpu: GpuContext, shape: readonly number[], name = 'zeros') => fill(gpu, shape, 0, name);
export const ones = (gpu: GpuContext, shape: readonly number[], name = 'ones') => fill(gpu, shape, 1, name);

function addRaw(a: Tensor, b: Tensor, name: string): Tensor {
  const gpu = a.gpu;
  const y = newTensor(gpu, a.shape, name);
  const g = linearGrid(a.size);
  gpu.dispatch(gpu.kernel('engine/add.wgsl', 'add'), {
    buffers: { a: a.buffer, b: b.buffer, c: y.buffer },
    params: { n: a.size, N: 1, xStride: g.xStride, alpha: 1 },
    workgroups: g.workgroups
  });
  return y;
}

/** a + b, same shapes (residual connections, gradient accumulation). */
export function add(a: Tensor, b: Tensor, name = 'add'): Tensor {
  assertSameShape(a, b, 'add');
  const y = addRaw(a, b, name);
  recordOp('add', [a, b], y, [], (gy) => [a.requiresGrad ? copy(gy) : null, b.requiresGrad ? copy(gy) : null]);
  return y;
}

/** x + bias, bias broadcast over every row of the last dimension. */
export function addBias(x: Tensor, bias: Tensor, name = 'add_bias'): Tensor {
  const N = x.dim(-1);
  assertShape(bias, [N], 'addBias');
  const gpu = x.gpu;
  const y = newTensor(gpu, x.shape, name);
  const g = linearGrid(x.size);
  gpu.dispatch(gpu.kernel('engine/add.wgsl', 'add_bias'), {
    buffers: { a: x.buffer, bias: bias.buffer, c: y.buffer },
    params: { n: x.size, N, xStride: g.xStride, alpha: 1 },
    workgroups: g.workgroups
  });
  recordOp('add_bias', [x, bias], y, [], (gy) => [
    x.requiresGrad ? copy(gy) : null,
    bias.requiresGrad ? withView(gy, [x.size / N, N], (v) => sumRows(v, 1, 'dbias')) : null
  ]);
  return y;
}

/** alpha · x */
export function scale(x: Tensor, alpha: number, name = 'scale'): Tensor {
  const gpu = x.gpu;
  const y = newTensor(gpu, x.shape, name);
  const g = linearGrid(x.size);
  gpu.dispatch(gpu.kernel('engine/add.wgsl', 'scale'), {
    buffers: { a: x.buffer, c: y.buffer },
    params: { n: x.size, N: 1, xStride: g.xStride, alpha },
    workgroups: g.workgroups
  });
  recordOp('scale', [x], y, [], (gy) => [scale(gy, alpha, 'dscale')]);
  return y;
}

/** A fresh copy (gradients must not alias the upstream gradient, which the tape frees). */
export function copy(x: Tensor, name = 'copy'): Tensor {
  return scale(x, 1, name);
}

function unary(path: string, x: Tensor, dy: Tensor | null, name: string): Tensor {
  const gpu = x.gpu;
  const y = newTensor(gpu, x.shape, name);
  const g = linearGrid(x.size);
  const out = path.endsWith('tanh.wgsl') ? 'out' : 'y';
  const buffers: Record<string, GPUBuffer> = { x: x.buffer, [out]: y.buffer };
  if (dy) buffers.dy = dy.buffer;
  gpu.dispatch(gpu.kernel(path, dy ? 'backward' : 'forward'), {
    buffers,
    params: { n: x.size, xStride: g.xStride },
    workgroups: g.workgroups
  });
  return y;
}

/** GELU, erf form (as BERT). */
export function gelu(x: Tensor, name = 'gelu'): Tensor {
  const y = unary('engine/gelu.wgsl', x, null, name);
  recordOp('gelu', [x], y, [x], (gy) => [unary('engine/gelu.wgsl', x, gy, 'dgelu')]);
  return y;
}

export function tanh(x: Tensor, name = 'tanh'): Tensor {
  const y = unary('engine/tanh.wgsl', x, null, name);
  recordOp('tanh', [x], y, [y], (gy) => [unary('engine/tanh.wgsl', y, gy, 'dtanh')]);
  return y;
}
