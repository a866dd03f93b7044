// Batched matrix product with either operand transposed, optional fused bias.
// Kernel variant by adapter: register tiles without barriers on CPU-backed adapters
// (SwiftShader), workgroup-memory tiles on GPUs. Backward rules reuse the same kernels
// with the transposes swapped, so dX = dY·Wᵀ and dW = Xᵀ·dY need no explicit transposes.

import type { GpuContext } from '../../gpu/context';
import { Tensor, fmtShape, withView } from '../tensor';
import { recordOp } from '../tape';
import { newTensor } from './launch';
import { sumRows } from './reduce';

export type MatmulVariant = 'auto' | 'register' | 'vec4' | 'tiled';
let variantSetting: MatmulVariant = 'auto';

/** Force a kernel variant (tests and benchmarks); 'auto' chooses by adapter. */
export function setMatmulVariant(v: MatmulVariant): void {
  variantSetting = v;
}

/** The family of kernels for this adapter: vec4 register tiles on CPU-backed adapters, workgroup tiles on GPUs. */
export function matmulVariant(gpu: GpuContext): 'register' | 'vec4' | 'tiled' {
  if (variantSetting !== 'auto') return variantSetting;
  return gpu.summary.software ? 'vec4' : 'tiled';
}

/** The vec4 kernel applies when the contiguous dimensions (and batch strides) are multiples of 4. */
function vec4Entry(d: Dims, transA: boolean, transB: boolean): 'nt' | 'nn' | 'tn' | null {
  if (transA) return !transB && d.M % 4 === 0 && d.N % 4 === 0 ? 'tn' : null;
  if (d.K % 4 !== 0) return null;
  if (transB) return 'nt';
  return d.N % 4 === 0 ? 'nn' : null;
}

export interface MatmulOptions {
  transA?: boolean;
  transB?: boolean;
  bias?: Tensor;
  name?: string;
}

interface Dims {
  batch: number;
  batchShape: number[];
  M: number;
  K: number;
  N: number;
  strideA: number;
  strideB: number;
}

function dims(a: Tensor, b: Tensor, transA: boolean, transB: boolean): Dims {
  if (a.rank < 2 || b.rank < 2) throw new Error(`matmul: operands must be at least 2-D, got ${fmtShape(a.shape)} and ${fmtShape(b.shape)}`);
  const M = transA ? a.dim(-1) : a.dim(-2);
  const Ka = transA ? a.dim(-2) : a.dim(-1);
  const Kb = transB ? b.dim(-1) : b.dim(-2);
  const N = transB ? b.dim(-2) : b.dim(-1);
  if (Ka !== Kb)
    throw new Error(
      `matmul: inner dimensions differ: "${a.name}" ${fmtShape(a.shape)}${transA ? 'ᵀ' : ''} · "${b.name}" ${fmtShape(b.shape)}${transB ? 'ᵀ' : ''}`
    );
  const aBatch = a.shape.slice(0, -2);
  const bBatch = b.shape.slice(0, -2);
  const batchA = aBatch.reduce((x, y) => x * y, 1);
  const batchB = bBatch.reduce((x, y) => x * y, 1);
  let batch: number;
  let batchShape: number[];
  if (bBatch.length === 0 || batchB === 1) {
    batch = batchA;
    batchShape = [...aBatch];
  } else if (aBatch.length === 0 || batchA === 1) {
    batch = batchB;
    batchShape = [...bBatch];
  } else if (batchA === batchB) {
    batch = batchA;
    batchShape = [...aBatch];
  } else throw new Error(`matmul: batch shapes ${fmtShape(aBatch)} and ${fmtShape(bBatch)} do not match`);
  return {
    batch,
    batchShape,
    M,
    K: Ka,
    N,
    strideA: batchA === 1 && batch > 1 ? 0 : M * Ka,
    strideB: batchB === 1 && batch > 1 ? 0 : Ka * N
  };
}

function launch(a: Tensor, b: Tensor, transA: boolean, transB: boolean, bias: Tensor | null, name: string): { y: Tensor; d: Dims } {
  const gpu = a.gpu;
  const d = dims(a, b, transA, transB);
  if (bias && (bias.rank !== 1 || bias.size !== d.N))
    throw new Error(`matmul: bias "${bias.name}" ${fmtShape(bias.shape)} does not match N = ${d.N}`);
  const y = newTensor(gpu, [...d.batchShape, d.M, d.N], name);
  if (y.size === 0) return { y, d };
  const variant = matmulVariant(gpu);
  const v4 = variant === 'vec4' ? vec4Entry(d, transA, transB) : null;
  const tileN = variant === 'tiled' || v4 ? 64 : 32;
  const tileM = variant === 'tiled' || v4 ? 64 : 32;
  const kernel = v4
    ? gpu.kernel('engine/matmul_vec4.wgsl', v4, { HAS_BIAS: !!bias })
    : gpu.kernel(variant === 'tiled' ? 'engine/matmul_tiled.wgsl' : 'engine/matmul.wgsl', 'main', { TRANS_A: transA, TRANS_B: transB, HAS_BIAS: !!bias });
  gpu.dispatch(kernel, {
    buffers: { a: a.buffer, b: b.buffer, bias: bias ? bias.buffer : gpu.dummyBuffer(), c: y.buffer },
    params: { M: d.M, N: d.N, K: d.K, batch: d.batch, strideA: d.strideA, strideB: d.strideB, strideC: d.M * d.N },
    workgroups: [Math.ceil(d.N / tileN), Math.ceil(d.M / tileM), d.batch]
  });
  return { y, d };
}

/** Raw product without recording (used by backward rules). */
export function matmulRaw(a: Tensor, b: Tensor, transA = false, transB = false, name = 'matmul'): Tensor {
  return launch(a, b, transA, transB, null, name).y;
}

/**
 * C = op(A) · op(B) (+ bias). A: [..., M, K] (or [..., K, M] with transA), B: [K, N] shared
 * or [..., K, N] batched (or transposed with transB). Returns [..., M, N].
 */
export function matmul(a: Tensor, b: Tensor, opts: MatmulOptions = {}): Tensor {
  const transA = !!opts.transA;
  const transB = !!opts.transB;
  const bias = opts.bias ?? null;
  const { y, d } = launch(a, b, transA, transB, bias, opts.name ?? 'matmul');
  const inputs = bias ? [a, b, bias] : [a, b];
  recordOp('matmul', inputs, y, [...(b.requiresGrad ? [a] : []), ...(a.requiresGrad ? [b] : [])], (gy) => {
    let da: Tensor | null = null;
    let db: Tensor | null = null;
    if (a.requiresGrad) da = gradA(a, b, gy, transA, transB, d);
    if (b.requiresGrad) db = gradB(a, b, gy, transA, transB, d);
    const dbias = bias && bias.requiresGrad ? withView(gy, [d.batch * d.M, d.N], (v) => sumRows(v, 1, 'dbias')) : null;
    return bias ? [da, db, dbias] : [da, db];
  });
  return y;
}

function gradA(a: Tensor, b: Tensor, gy: Tensor, transA: boolean, transB: boolean, d: Dims): Tensor {
  const aShape = a.shape as number[];
  // dop(A) = dY · op(B)ᵀ, produced directly in A's stored layout.
  const g = transA ? matmulRaw(b, gy, transB, true, 'dA') : matmulRaw(gy, b, false, !transB, 'dA');
  // A shared over the batch: sum the per-batch gradients.
  if (d.strideA === 0 && d.batch > 1) return reduceBatch(g, d.batch, aShape);
  return reshapeTo(g, aShape);
}

function gradB(a: Tensor, b: Tensor, gy: Tensor, transA: boolean, transB: boolean, d: Dims): Tensor {
  const bShape = b.shape as number[];
  const shared = d.strideB === 0 && d.batch > 1;
  if (shared && !transA) {
    // B shared over the batch (weights): fold the batch into rows, one product, no reduction.
    const rows = d.batch * d.M;
    return withView(a, [rows, d.K], (af) =>
      withView(gy, [rows, d.N], (gf) =>
        reshapeTo(transB ? matmulRaw(gf, af, true, false, 'dB') : matmulRaw(af, gf, true, false, 'dB'), bShape)
      )
    );
  }
  // dop(B) = op(A)ᵀ · dY, in B's stored layout.
  const g = transB ? matmulRaw(gy, a, true, transA, 'dB') : matmulRaw(a, gy, !transA, false, 'dB');
  if (shared) return reduceBatch(g, d.batch, bShape);
  return reshapeTo(g, bShape);
}

function reduceBatch(per: Tensor, batch: number, shape: number[]): Tensor {
  const inner = per.size / batch;
  const r = withView(per, [batch, inner], (v) => sumRows(v, 1, 'dbatch'));
  per.dispose();
  return reshapeTo(r, shape);
}

function reshapeTo(t: Tensor, shape: number[]): Tensor {
  if (t.shape.length === shape.length && t.shape.every((x, i) => x === shape[i])) return t;
  const v = t.reshape(shape);
  t.dispose();
  return v;
}
