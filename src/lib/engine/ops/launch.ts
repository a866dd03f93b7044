// Small helpers shared by the op wrappers: dispatch grids and output allocation.

import type { GpuContext } from '../../gpu/context';
import { allocTensor, fmtShape, type Tensor } from '../tensor';

const MAX_GROUPS = 65535;

/** Linear grid for `n` invocations in workgroups of 64: index = gid.x + gid.y · xStride. */
export function linearGrid(n: number): { workgroups: [number, number]; xStride: number } {
  const groups = Math.max(1, Math.ceil(n / 64));
  const x = Math.min(groups, MAX_GROUPS);
  const y = Math.ceil(groups / x);
  return { workgroups: [x, y], xStride: x * 64 };
}

/** One workgroup per row: row = wid.x + wid.y · 65535. */
export function rowGrid(rows: number): [number, number] {
  const x = Math.max(1, Math.min(rows, MAX_GROUPS));
  return [x, Math.ceil(Math.max(rows, 1) / MAX_GROUPS)];
}

export function newTensor(gpu: GpuContext, shape: readonly number[], name: string, dtype: 'f32' | 'i32' | 'u32' = 'f32'): Tensor {
  return allocTensor(gpu, shape, dtype, name);
}

export function assertShape(t: Tensor, expected: readonly number[], what: string): void {
  if (t.shape.length !== expected.length || t.shape.some((d, i) => expected[i] >= 0 && d !== expected[i]))
    throw new Error(`${what}: tensor "${t.name}" has shape ${fmtShape(t.shape)}, expected ${fmtShape(expected.map((d) => (d < 0 ? -1 : d)))}`);
}

export function assertSameShape(a: Tensor, b: Tensor, what: string): void {
  if (a.shape.length !== b.shape.length || a.shape.some((d, i) => d !== b.shape[i]))
    throw new Error(`${what}: shapes ${fmtShape(a.shape)} ("${a.name}") and ${fmtShape(b.shape)} ("${b.name}") differ`);
}

export function assertDtype(t: Tensor, dtype: string, what: string): void {
  if (t.dtype !== dtype) throw new Error(`${what}: tensor "${t.name}" is ${t.dtype}, expected ${dtype}`);
}

/** A 4-byte-aligned placeholder for bindings an entry point declares but does not read. */
export function dummy(gpu: GpuContext): GPUBuffer {
  return gpu.dummyBuffer();
}
