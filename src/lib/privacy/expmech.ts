// What the exponential mechanisms on tokens (SanText, SanText+: santext.ts; CusText:
// custext.ts) share: budget and input checks, keys and counters, and the GPU Gumbel-max
// samplers of shaders/privacy/expmech.wgsl.
//
// Keys and counters (as for d_χ and Laplace, embedding-mechanism.ts): Philox counter word 0 =
// the token's position in the input, word 1 = the output block (⌊index/4⌋), word 2 = the
// stream, word 3 = this privatizer's call number. Without a seed, every privatize() call draws
// a fresh key from crypto.getRandomValues; with a seed the key is fixed (reproducible, NOT
// PRIVATE) and successive calls still differ through the call number.
//
// Floating point (Mironov 2012): the uniforms have 23 random bits, so the Gumbel variates lie in
// [−2.8, 16.6] and an output whose logit is more than ≈ 19.4 below the best one can never be
// drawn, where the exact mechanism gives it a tiny positive probability; logits are computed in
// f32. The implementation is a faithful simulation of the mechanism, not a certified one.

import type { GpuContext } from '../gpu/context';
import { freshKey, seededKey } from './seed';
import { philox4x32_10, u01 } from './philox';
import type { EmbeddingTable, MechanismName, MechanismSpec, PrivatizeResult, Privatizer } from './types';
import { requirePositive, validateIds, validateTable } from './validate';

const SHADER = 'privacy/expmech.wgsl';
/** Most bytes of squared distances kept at once (positions are batched to fit). */
const DBUF_BYTES = 64 * 2 ** 20;

/** Philox streams (counter word 2) of the exponential mechanisms. */
export const EXPMECH_STREAM = { gumbel: 16, keep: 17 } as const;

export const NOT_PRIVATE = 'NOT PRIVATE: fixed seed (anyone with the seed can replay the draws)';

export interface Draw {
  key: readonly [number, number];
  call: number;
}

/** A probability parameter: finite, in [0, 1]. */
export function requireProbability(value: number | undefined, fallback: number, name: string, mechanism: string): number {
  const v = value ?? fallback;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || v > 1) throw new Error(`${mechanism}: ${name} must be a number in [0, 1], got ${value}`);
  return v;
}

export abstract class ExpMechPrivatizer implements Privatizer {
  readonly spec: MechanismSpec;
  readonly seeded: boolean;
  readonly epsilon: number;
  protected readonly label: MechanismName;
  protected readonly candidate: Uint8Array;
  private readonly seedKey: [number, number] | null;
  private calls = 0;
  protected disposed = false;

  protected constructor(
    protected readonly gpu: GpuContext,
    protected readonly table: EmbeddingTable,
    spec: MechanismSpec,
    mechanism: MechanismName,
    defaultEpsilon?: number
  ) {
    this.label = mechanism;
    if (spec.mechanism !== mechanism) throw new Error(`${mechanism}: spec is for mechanism "${spec.mechanism}"`);
    validateTable(table, mechanism);
    this.epsilon = requirePositive(spec.epsilon === undefined ? defaultEpsilon : spec.epsilon, 'epsilon', mechanism);
    this.spec = { ...spec, epsilon: this.epsilon };
    this.seedKey = spec.seed !== undefined ? seededKey(spec.seed).key : null;
    this.seeded = spec.seed !== undefined;
    this.candidate = new Uint8Array(table.V);
    for (const id of table.candidates) this.candidate[id] = 1;
  }

  abstract guarantee(): string;

  /** outputs for the candidate positions `pos` (input ids `x`), drawn with `draw` */
  protected abstract sample(x: Int32Array, pos: Uint32Array, draw: Draw): Promise<Int32Array>;

  isCandidate(id: number): boolean {
    return id >= 0 && id < this.table.V && this.candidate[id] === 1;
  }

  private nextDraw(): Draw {
    if (this.calls > 0xffffffff) throw new Error(`${this.label}: more than 2^32 privatize calls on one privatizer`);
    return { key: this.seedKey ?? freshKey().key, call: this.calls++ };
  }

  async privatize(ids: Int32Array): Promise<PrivatizeResult> {
    if (this.disposed) throw new Error(`${this.label}: privatizer used after dispose()`);
    validateIds(ids, this.table.V, this.label);
    const draw = this.nextDraw();
    const positions: number[] = [];
    for (let i = 0; i < ids.length; i++) if (this.candidate[ids[i]] === 1) positions.push(i);
    const out = Int32Array.from(ids);
    if (positions.length > 0) {
      const pos = Uint32Array.from(positions);
      const x = Int32Array.from(pos, (p) => ids[p]);
      const y = await this.sample(x, pos, draw);
      for (let k = 0; k < pos.length; k++) out[pos[k]] = y[k];
    }
    let replaced = 0;
    for (let i = 0; i < ids.length; i++) if (out[i] !== ids[i]) replaced++;
    return { ids: out, replaced, seeded: this.seeded };
  }

  protected withSeedNote(text: string): string {
    return this.seeded ? `${text}. ${NOT_PRIVATE}` : text;
  }

  dispose(): void {
    this.disposed = true;
  }
}

/** U(0, 1) for a per-position coin (SanText+'s keep/replace decision), as the GPU would draw it. */
export function coin(draw: Draw, position: number): number {
  return u01(philox4x32_10([position >>> 0, 0, EXPMECH_STREAM.keep, draw.call], draw.key)[0]);
}

function checkDraw(draw: Draw, what: string): void {
  for (const w of [...draw.key, draw.call])
    if (!Number.isInteger(w) || w < 0 || w > 0xffffffff) throw new Error(`${what}: key words and call must be u32, got ${draw.key} / ${draw.call}`);
}

/**
 * An output set on the GPU for distance-based exponential mechanisms: the rows (embeddings of
 * the output tokens, increasing id) and their ids. sample() draws, for each input embedding,
 * y with P(y) ∝ exp(−(ε/2)·‖x − E(y)‖) by Gumbel-max.
 */
export class DistanceSampler {
  readonly ids: Int32Array;
  readonly Cp: number;
  private readonly rowsBuf: GPUBuffer;
  private readonly idBuf: GPUBuffer;
  private disposed = false;

  constructor(
    private readonly gpu: GpuContext,
    private readonly table: EmbeddingTable,
    outputIds: Int32Array,
    private readonly label: string
  ) {
    if (outputIds.length === 0) throw new Error(`${label}: empty output set`);
    this.ids = Int32Array.from(outputIds);
    const C = table.C;
    this.Cp = Math.ceil(C / 4) * 4;
    const rows = new Float32Array(this.ids.length * this.Cp);
    for (let j = 0; j < this.ids.length; j++) rows.set(table.embeddings.subarray(this.ids[j] * C, this.ids[j] * C + C), j * this.Cp);
    this.rowsBuf = gpu.pool.acquire(rows.byteLength, `${label}.outputs`);
    gpu.write(this.rowsBuf, rows);
    this.idBuf = gpu.pool.acquire(this.ids.byteLength, `${label}.outputIds`);
    gpu.write(this.idBuf, this.ids);
  }

  get rows(): number {
    return this.ids.length;
  }

  /** For each input token x[i] at position pos[i]: a draw from the output set (token ids). */
  async sample(x: Int32Array, pos: Uint32Array, epsilon: number, draw: Draw): Promise<Int32Array> {
    if (this.disposed) throw new Error(`${this.label}: sampler used after dispose()`);
    checkDraw(draw, this.label);
    const m = x.length;
    if (m === 0) return new Int32Array(0);
    const gpu = this.gpu;
    const { C, embeddings } = this.table;
    const Cp = this.Cp;
    const inputs = new Float32Array(m * Cp);
    for (let i = 0; i < m; i++) inputs.set(embeddings.subarray(x[i] * C, x[i] * C + C), i * Cp);
    const R = this.rows;
    const Rp = Math.ceil(R / 8) * 8;
    const wg = 16;
    const lim = Math.min(gpu.device.limits.maxStorageBufferBindingSize, gpu.device.limits.maxBufferSize, DBUF_BYTES);
    const batch = Math.min(m, Math.max(8, Math.floor(lim / (Rp * 4) / 8) * 8));
    const groups = Math.ceil(batch / wg);
    const chunks = gpu.summary.software
      ? Math.max(1, Math.min(Math.ceil(R / 1024), Math.ceil(16 / groups)))
      : Math.max(1, Math.min(Math.ceil(R / 256), 4096));
    const rowsPerChunk = Math.ceil(R / chunks / 8) * 8;
    const nChunks = Math.ceil(R / rowsPerChunk);
    const max = gpu.device.limits.maxComputeWorkgroupsPerDimension;
    if (Math.ceil(batch / (8 * wg)) > max || Math.ceil(R / 8) > max || groups > max)
      throw new Error(`${this.label}: too many outputs (${R}) or positions (${m}) for one dispatch`);
    const temps: GPUBuffer[] = [];
    const temp = (bytes: number, label: string) => {
      const b = gpu.pool.acquire(Math.max(4, bytes), label);
      temps.push(b);
      return b;
    };
    try {
      const inBuf = temp(inputs.byteLength, `${this.label}.inputs`);
      gpu.write(inBuf, inputs);
      const posBuf = temp(pos.byteLength, `${this.label}.pos`);
      gpu.write(posBuf, pos);
      const dbuf = temp(batch * Rp * 4, `${this.label}.dist2`);
      const bestS = temp(nChunks * batch * 4, `${this.label}.bestS`);
      const bestI = temp(nChunks * batch * 4, `${this.label}.bestI`);
      const out = temp(m * 4, `${this.label}.out`);
      for (let qBase = 0; qBase < m; qBase += batch) {
        const mb = Math.min(batch, m - qBase);
        const params = {
          m: mb,
          rows: R,
          C4: Cp / 4,
          rowsPerChunk,
          chunks: nChunks,
          key0: draw.key[0],
          key1: draw.key[1],
          call: draw.call,
          stream: EXPMECH_STREAM.gumbel,
          halfEps: epsilon / 2,
          qBase,
          Rp4: Rp / 4
        };
        gpu.dispatch(gpu.kernel(SHADER, 'dist', { WG: wg }), {
          buffers: { table: this.rowsBuf, inputs: inBuf, dbufW: dbuf },
          params,
          workgroups: [Math.ceil(mb / (8 * wg)), Math.ceil(R / 8), 1]
        });
        gpu.dispatch(gpu.kernel(SHADER, 'gumbel', { WG: wg }), {
          buffers: { dbuf, pos: posBuf, bestSW: bestS, bestIW: bestI },
          params,
          workgroups: [Math.ceil(mb / wg), nChunks, 1]
        });
        gpu.dispatch(gpu.kernel(SHADER, 'reduce'), {
          buffers: { bestS, bestI, ids: this.idBuf, out },
          params,
          workgroups: [Math.ceil(mb / 64), 1, 1]
        });
      }
      return new Int32Array(await gpu.read(out, 0, m * 4));
    } finally {
      for (const b of temps) gpu.pool.release(b);
    }
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.gpu.pool.release(this.rowsBuf);
    this.gpu.pool.release(this.idBuf);
  }
}

/**
 * Gumbel-max over explicit lists: for each position i, a draw k with P(k) ∝ exp(logits[i·K + k])
 * from its K logits; returns lids[i·K + k] (token ids).
 */
export async function sampleListed(gpu: GpuContext, logits: Float32Array, lids: Int32Array, K: number, pos: Uint32Array, draw: Draw, label: string): Promise<Int32Array> {
  checkDraw(draw, label);
  const m = pos.length;
  if (logits.length !== m * K || lids.length !== m * K) throw new Error(`${label}: ${logits.length} logits / ${lids.length} ids for ${m} positions × K = ${K}`);
  if (m === 0) return new Int32Array(0);
  if (Math.ceil(m / 64) > gpu.device.limits.maxComputeWorkgroupsPerDimension) throw new Error(`${label}: too many positions for one dispatch (${m})`);
  const temps: GPUBuffer[] = [];
  const temp = (bytes: number, l: string) => {
    const b = gpu.pool.acquire(Math.max(4, bytes), l);
    temps.push(b);
    return b;
  };
  try {
    const lb = temp(logits.byteLength, `${label}.logits`);
    gpu.write(lb, logits);
    const ib = temp(lids.byteLength, `${label}.lids`);
    gpu.write(ib, lids);
    const pb = temp(pos.byteLength, `${label}.pos`);
    gpu.write(pb, pos);
    const out = temp(m * 4, `${label}.out`);
    gpu.dispatch(gpu.kernel(SHADER, 'listed'), {
      buffers: { logits: lb, lids: ib, pos: pb, out },
      params: { m, K, key0: draw.key[0], key1: draw.key[1], call: draw.call, stream: EXPMECH_STREAM.gumbel },
      workgroups: [Math.ceil(m / 64), 1, 1]
    });
    return new Int32Array(await gpu.read(out, 0, m * 4));
  } finally {
    for (const b of temps) gpu.pool.release(b);
  }
}
