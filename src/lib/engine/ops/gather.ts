// Row gather (embedding lookup) with a deterministic scatter-add gradient.

import { Tensor, fmtShape } from '../tensor';
import { recordOp } from '../tape';
import { assertDtype, linearGrid, newTensor } from './launch';
import { tensorFrom } from '../tensor';
import { zeros } from './elementwise';

/** y[i, :] = table[idx[i], :]. idx: i32 of any shape; y: [...idx.shape, C]. */
export function gatherRows(table: Tensor, idx: Tensor, name = 'gather'): Tensor {
  assertDtype(idx, 'i32', 'gatherRows');
  if (table.rank !== 2) throw new Error(`gatherRows: table "${table.name}" must be 2-D, got ${fmtShape(table.shape)}`);
  const [V, C] = table.shape;
  if (idx.host) {
    for (let i = 0; i < idx.host.length; i++) {
      const id = idx.host[i];
      if (id < 0 || id >= V) throw new Error(`gatherRows: index ${id} at position ${i} of "${idx.name}" is outside the table "${table.name}" (${V} rows)`);
    }
  }
  const gpu = table.gpu;
  const N = idx.size;
  const y = newTensor(gpu, [...idx.shape, C], name);
  const g = linearGrid(N * C);
  gpu.dispatch(gpu.kernel('engine/gather.wgsl', 'gather'), {
    buffers: { table: table.buffer, idx: idx.buffer, y: y.buffer },
    params: { N, C, V, xStride: g.xStride },
    workgroups: g.workgroups
  });
  recordOp('gather', [table], y, [], (gy) => {
    if (!idx.host) throw new Error(`gatherRows backward needs the CPU copy of "${idx.name}" (create it with tensorFrom)`);
    return [scatterAddRows(gy, idx.host, V, C)];
  });
  return y;
}

/** dtable[id, :] = Σ_{i : ids[i] = id} gy[i, :]; rows of ids that never occur are 0. */
export function scatterAddRows(gy: Tensor, ids: Int32Array, V: number, C: number): Tensor {
  const gpu = gy.gpu;
  const N = ids.length;
  // Group positions by id on the CPU (ids are known there: they came from the tokenizer).
  const order = new Uint32Array(N);
  for (let i = 0; i < N; i++) order[i] = i;
  order.sort((p, q) => ids[p] - ids[q] || p - q);
  const starts: number[] = [];
  const segIds: number[] = [];
  for (let p = 0; p < N; p++) {
    if (p === 0 || ids[order[p]] !== ids[order[p - 1]]) {
      starts.push(p);
      segIds.push(ids[order[p]]);
    }
  }
  starts.push(N);
  const U = segIds.length;
  const dtable = zeros(gpu, [V, C], 'dtable');
  const orderT = tensorFrom(gpu, order, [N], 'scatter.order', 'u32');
  const startT = tensorFrom(gpu, new Uint32Array(starts), [U + 1], 'scatter.start', 'u32');
  const segT = tensorFrom(gpu, new Uint32Array(segIds), [U], 'scatter.id', 'u32');
  gpu.dispatch(gpu.kernel('engine/gather.wgsl', 'scatter_add'), {
    buffers: { dy: gy.buffer, order: orderT.buffer, segStart: startT.buffer, segId: segT.buffer, dtable: dtable.buffer },
    params: { N: U, C, V, xStride: 0 },
    workgroups: [Math.ceil(C / 64), Math.min(U, 65535), Math.ceil(U / 65535)]
  });
  orderT.dispose();
  startT.dispose();
  segT.dispose();
  return dtable;
}
