// GPU launches of the privacy noise kernels (shaders/privacy/dchi_noise.wgsl and
// laplace_noise.wgsl). Each reads the token embeddings straight from the table (the gather is
// fused) and returns the noisy embeddings [n, C]. The float64 CPU mirrors are in noise-ref.ts.

import type { Tensor } from '../engine/tensor';
import { assertDtype, linearGrid, newTensor } from '../engine/ops/launch';
import { fmtShape } from '../engine/tensor';

/** Where the noise comes from: the run's Philox key and the call number (4th counter word). */
export interface NoiseDraw {
  key: readonly [number, number];
  call: number;
}

export interface LaplaceNoiseOptions {
  /** L1 norm bound every embedding is clipped to */
  clip: number;
  /** Laplace scale (2·clip/ε for ε-DP) */
  b: number;
  /** Mironov's snapping (clamp to [−B, B], round to the grid Λ = snapGrid(b), clamp; B = snapBound(clip, b)) */
  snap: boolean;
}

/** Λ: the smallest power of two ≥ b (the snapping grid). */
export function snapGrid(b: number): number {
  if (!(b > 0) || !Number.isFinite(b)) throw new Error(`snapGrid: scale b must be finite and > 0, got ${b}`);
  let lam = 2 ** Math.ceil(Math.log2(b));
  if (lam < b) lam *= 2;
  if (lam / 2 >= b) lam /= 2;
  return lam;
}

/** B: the clamp bound of snapping, clip rounded up to a multiple of Λ = snapGrid(b). */
export function snapBound(clip: number, b: number): number {
  const lam = snapGrid(b);
  return Math.ceil(clip / lam) * lam;
}

function checkInputs(table: Tensor, ids: Tensor, pos: Tensor, what: string): { n: number; V: number; C: number } {
  if (table.rank !== 2 || table.dtype !== 'f32')
    throw new Error(`${what}: table "${table.name}" must be a 2-D f32 tensor, got ${table.dtype} ${fmtShape(table.shape)}`);
  assertDtype(ids, 'i32', what);
  assertDtype(pos, 'u32', what);
  if (ids.size !== pos.size) throw new Error(`${what}: ids "${ids.name}" (${ids.size}) and pos "${pos.name}" (${pos.size}) differ in length`);
  const [V, C] = table.shape;
  return { n: ids.size, V, C };
}

function checkDraw(draw: NoiseDraw, what: string): void {
  for (const w of [...draw.key, draw.call])
    if (!Number.isInteger(w) || w < 0 || w > 0xffffffff) throw new Error(`${what}: key words and call must be u32, got ${draw.key} / ${draw.call}`);
}

/** y[i] = table[ids[i]] + z_i, z_i with density ∝ exp(−η‖z‖); counter (pos[i], draw, stream, call). */
export function dchiNoise(table: Tensor, ids: Tensor, pos: Tensor, draw: NoiseDraw, eta: number, name = 'dchi.noisy'): Tensor {
  const { n, V, C } = checkInputs(table, ids, pos, 'dchiNoise');
  checkDraw(draw, 'dchiNoise');
  if (!(eta > 0) || !Number.isFinite(eta)) throw new Error(`dchiNoise: eta must be finite and > 0, got ${eta}`);
  const gpu = table.gpu;
  const y = newTensor(gpu, [n, C], name);
  const g = linearGrid(n);
  gpu.dispatch(gpu.kernel('privacy/dchi_noise.wgsl', 'main'), {
    buffers: { table: table.buffer, ids: ids.buffer, pos: pos.buffer, y: y.buffer },
    params: { n, C, V, xStride: g.xStride, key0: draw.key[0], key1: draw.key[1], call: draw.call, eta },
    workgroups: g.workgroups
  });
  return y;
}

/** y[i] = clip_L1(table[ids[i]]) + Laplace(b) per coordinate (snapped when opts.snap). */
export function laplaceNoise(table: Tensor, ids: Tensor, pos: Tensor, draw: NoiseDraw, opts: LaplaceNoiseOptions, name = 'laplace.noisy'): Tensor {
  const { n, V, C } = checkInputs(table, ids, pos, 'laplaceNoise');
  checkDraw(draw, 'laplaceNoise');
  if (!(opts.clip > 0) || !Number.isFinite(opts.clip)) throw new Error(`laplaceNoise: clip must be finite and > 0, got ${opts.clip}`);
  if (!(opts.b > 0) || !Number.isFinite(opts.b)) throw new Error(`laplaceNoise: scale b must be finite and > 0, got ${opts.b}`);
  const gpu = table.gpu;
  const y = newTensor(gpu, [n, C], name);
  const g = linearGrid(n);
  gpu.dispatch(gpu.kernel('privacy/laplace_noise.wgsl', 'main'), {
    buffers: { table: table.buffer, ids: ids.buffer, pos: pos.buffer, y: y.buffer },
    params: {
      n, C, V, xStride: g.xStride,
      key0: draw.key[0], key1: draw.key[1], call: draw.call, snap: opts.snap ? 1 : 0,
      clip: opts.clip, b: opts.b, lambda: opts.snap ? snapGrid(opts.b) : 1, bound: opts.snap ? snapBound(opts.clip, opts.b) : opts.clip
    },
    workgroups: g.workgroups
  });
  return y;
}
