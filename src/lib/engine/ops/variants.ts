// Kernel variants by adapter. On GPUs, row ops (layer norm, softmax) use one workgroup of
// 64 per row with tree reductions in workgroup memory. On CPU-backed adapters (SwiftShader)
// barriers are expensive, so one invocation per row that loops over the row is faster.
// Tests force each variant in turn.

import type { GpuContext } from '../../gpu/context';

let rowSetting: 'auto' | 'workgroup' | 'invocation' = 'auto';

export function setRowVariant(v: 'auto' | 'workgroup' | 'invocation'): void {
  rowSetting = v;
}

export function rowPerInvocation(gpu: GpuContext): boolean {
  if (rowSetting !== 'auto') return rowSetting === 'invocation';
  return gpu.summary.software;
}

/** Grid for one invocation per row, workgroup 64: row = gid.x + gid.y · xStride. */
export function invocationRowGrid(rows: number): { workgroups: [number, number]; xStride: number } {
  const groups = Math.max(1, Math.ceil(rows / 64));
  const x = Math.min(groups, 65535);
  return { workgroups: [x, Math.ceil(groups / x)], xStride: x * 64 };
}
