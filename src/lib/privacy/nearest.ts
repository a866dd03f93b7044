// Exact nearest-token search on the GPU: for each noisy embedding, the candidate token whose
// embedding is nearest in Euclidean distance (ties → lower id), searching table.candidates only.
//
// Two kernels, the same answer (both choose argmin ‖e‖² − 2·q·e from identically computed
// scores; tests check they agree with each other and with the float64 reference):
//   brute  (shaders/privacy/nearest_brute.wgsl) every query against every candidate in tiles
//          of 8 queries × 8 rows with vec4 dot products; rows split into chunks so a GPU has
//          enough invocations, then a per-query reduction over the chunks.
//   pruned (shaders/privacy/nearest_prune.wgsl) a projection on the table's P = 64 top
//          principal directions bounds every distance from below (‖R(q − e)‖ ≤ ‖q − e‖).
//          Per batch of queries: the bounds to every row (P/C of a brute-force pass); the row
//          with the smallest bound (the seed) gives, by its full distance, an upper bound on
//          the nearest distance; tiles of 8 rows with some bound under it are marked; full
//          distances only for the marked tiles. Exact, with f32 rounding accounted for (see
//          the kernel header). Pays on CPU-backed adapters (SwiftShader), where every skipped
//          multiply-add is time saved; the saving depends on the data (large when queries lie
//          near their nearest rows, none when all rows are about equally far).
// 'auto' picks pruned on software adapters for tables large enough to gain (≥ 2048 candidates,
// C ≥ 128), and then falls back to brute force while the data defeats the bound (see
// ADAPT_SWITCH); brute force elsewhere.
//
// NearestIndex uploads the table once (candidate rows compacted in increasing id order,
// squared norms, ids, and for the pruned variant the basis and the projected table) and
// serves any number of searches; nearestTokens() keeps one index per table and device.

import type { GpuContext } from '../gpu/context';
import { allocTensor, fmtShape, type Tensor } from '../engine/tensor';
import { linearGrid } from '../engine/ops/launch';
import { principalBasis } from './pca';
import type { EmbeddingTable } from './types';

export type NearestVariant = 'brute' | 'pruned';

export interface NearestOptions {
  /** kernel family; 'auto' (default): pruned on software adapters when the table is large enough */
  variant?: 'auto' | NearestVariant;
  /** pruned: number of projected coordinates the bound uses (multiple of 4, ≤ C; default 64) */
  projDims?: number;
  /** row chunks per search (default: by adapter) */
  chunks?: number;
  /** pruned: queries per batch (multiple of 8; default: as many as 64 MiB of bounds allow) */
  batch?: number;
}

/** 'auto' chooses the pruned search on a software adapter for tables of at least this many candidates, */
const PRUNE_MIN_ROWS = 2048;
/** … and at least this width (the bound uses 64 coordinates: it must be cheap against C). */
const PRUNE_MIN_C = 128;
/**
 * 'auto' on a software adapter adapts: each pruned search reads back (asynchronously, without
 * stalling the search) the fraction of row tiles it had to score in full; while the running
 * average is above ADAPT_SWITCH (noise so large that nearly all rows are candidates, where the
 * bound pass is wasted), searches use brute force, with a pruned probe every ADAPT_PROBE
 * searches to notice when the data changes. Measured break-even on SwiftShader ≈ 0.5.
 */
const ADAPT_SWITCH = 0.4;
const ADAPT_PROBE = 8;
/** Most bytes of per-pair bounds the pruned search keeps at once (queries are batched to fit). */
const PBUF_BYTES = 64 * 2 ** 20;
const U = 2 ** -24;

const BRUTE = 'privacy/nearest_brute.wgsl';
const PRUNE = 'privacy/nearest_prune.wgsl';

interface PrunedData {
  P: number;
  rot: GPUBuffer;
  rbias: GPUBuffer;
  proj: GPUBuffer;
  pnorm: GPUBuffer;
  maxDev: number;
  muNorm: number;
  maxPNorm: number;
}

export class NearestIndex {
  /** the kernel family prepared ('pruned' also keeps brute force available) */
  readonly variant: NearestVariant;
  /** 'auto' on a software adapter: switch between pruned and brute force by measured pruning */
  readonly adaptive: boolean;
  /** the kernel the last search used */
  lastSearch: NearestVariant | null = null;
  /** running average of the fraction of tiles scored in full by pruned searches (adaptive only) */
  markedFraction: number | null = null;
  private searches = 0;
  /** candidate ids in increasing order (row j of the uploaded table is token ids[j]) */
  readonly ids: Int32Array;
  readonly C: number;
  /** C rounded up to a multiple of 4 (the uploaded row width) */
  readonly Cp: number;
  /** milliseconds spent preparing the index on the CPU (uploads, principal basis) */
  readonly setupMs: number;
  private readonly table: GPUBuffer;
  private readonly norms: GPUBuffer;
  private readonly idBuf: GPUBuffer;
  private readonly maxNorm: number;
  private readonly pruned: PrunedData | null;
  private readonly chunksOpt: number | undefined;
  private readonly batchOpt: number | undefined;
  private owned: GPUBuffer[] = [];
  private disposed = false;

  private constructor(
    readonly gpu: GpuContext,
    readonly source: EmbeddingTable,
    opts: NearestOptions
  ) {
    const t0 = performance.now();
    const { V, C, embeddings, candidates } = source;
    if (!Number.isInteger(V) || V < 1 || !Number.isInteger(C) || C < 1)
      throw new Error(`NearestIndex: embedding table must have V, C ≥ 1, got V = ${V}, C = ${C}`);
    if (embeddings.length !== V * C)
      throw new Error(`NearestIndex: embedding table has ${embeddings.length} values, expected V·C = ${V}·${C} = ${V * C}`);
    const seen = new Uint8Array(V);
    for (let k = 0; k < candidates.length; k++) {
      const id = candidates[k];
      if (!Number.isInteger(id) || id < 0 || id >= V)
        throw new Error(`NearestIndex: candidate ${id} (entry ${k}) is outside the table (${V} rows)`);
      seen[id] = 1;
    }
    const ids: number[] = [];
    for (let id = 0; id < V; id++) if (seen[id]) ids.push(id);
    if (ids.length === 0) throw new Error('NearestIndex: the table has no candidate tokens to search');
    this.ids = Int32Array.from(ids);
    this.C = C;
    const R = ids.length;

    const requested = opts.variant ?? 'auto';
    if (requested !== 'auto' && requested !== 'brute' && requested !== 'pruned')
      throw new Error(`NearestIndex: variant must be 'auto', 'brute' or 'pruned', got ${String(requested)}`);
    const Pmax = Math.floor(C / 4) * 4;
    const canPrune = Pmax >= 4;
    if (requested === 'pruned' && !canPrune) throw new Error(`NearestIndex: the pruned search needs C ≥ 4, got C = ${C}`);
    this.variant = requested === 'auto' ? (gpu.summary.software && C >= PRUNE_MIN_C && R >= PRUNE_MIN_ROWS ? 'pruned' : 'brute') : requested;
    this.adaptive = requested === 'auto' && this.variant === 'pruned';
    const P = opts.projDims ?? Math.min(64, Pmax);
    if (this.variant === 'pruned' && !(Number.isInteger(P) && P >= 4 && P % 4 === 0 && P <= Pmax))
      throw new Error(`NearestIndex: projDims must be a multiple of 4 in [4, ${Pmax}], got ${P}`);
    if (opts.chunks !== undefined && !(Number.isInteger(opts.chunks) && opts.chunks >= 1))
      throw new Error(`NearestIndex: chunks must be an integer ≥ 1, got ${opts.chunks}`);
    this.chunksOpt = opts.chunks;
    if (opts.batch !== undefined && !(Number.isInteger(opts.batch) && opts.batch >= 8 && opts.batch % 8 === 0))
      throw new Error(`NearestIndex: batch must be a positive multiple of 8, got ${opts.batch}`);
    this.batchOpt = opts.batch;

    const Cp = Math.ceil(C / 4) * 4;
    this.Cp = Cp;

    const rows = new Float32Array(R * Cp);
    const norms = new Float32Array(R);
    let maxNorm = 0;
    for (let j = 0; j < R; j++) {
      const src = ids[j] * C;
      let s = 0;
      for (let c = 0; c < C; c++) {
        const v = embeddings[src + c];
        if (!Number.isFinite(v)) throw new Error(`NearestIndex: embedding of token ${ids[j]} has a non-finite value at coordinate ${c}`);
        rows[j * Cp + c] = v;
        s += v * v;
      }
      norms[j] = s;
      maxNorm = Math.max(maxNorm, Math.sqrt(s));
    }
    this.maxNorm = maxNorm;
    this.table = this.upload(rows, 'nearest.table');
    this.norms = this.upload(norms, 'nearest.norms');
    this.idBuf = this.upload(this.ids, 'nearest.ids');

    try {
      this.pruned = this.variant === 'pruned' ? this.preparePruned(rows, R, P) : null;
    } catch (e) {
      this.dispose();
      throw e;
    }
    this.setupMs = performance.now() - t0;
  }

  /** Upload the candidate rows of `table` (compacted, increasing id) and prepare the chosen kernel. */
  static create(gpu: GpuContext, table: EmbeddingTable, opts: NearestOptions = {}): NearestIndex {
    return new NearestIndex(gpu, table, opts);
  }

  get rows(): number {
    return this.ids.length;
  }

  private upload(data: Float32Array | Int32Array, label: string): GPUBuffer {
    const b = this.gpu.pool.acquire(Math.max(4, data.byteLength), label);
    if (data.byteLength > 0) this.gpu.write(b, data);
    this.owned.push(b);
    return b;
  }

  private preparePruned(rows: Float32Array, R: number, P: number): PrunedData {
    const { Cp } = this;
    // The basis is computed on the C real coordinates (rows are read with stride Cp).
    const all = Int32Array.from({ length: R }, (_, j) => j);
    const { mean, basis } = principalBasis(rows, Cp, all, P, {});
    // principalBasis saw the zero padding as coordinates with no variance; the basis may put
    // weight there, which is harmless (queries are padded with zeros too).
    const rot = new Float32Array(P * Cp);
    for (let i = 0; i < rot.length; i++) rot[i] = basis[i];
    const rbias = new Float32Array(P);
    let muNorm = 0;
    for (let c = 0; c < Cp; c++) muNorm += mean[c] * mean[c];
    muNorm = Math.sqrt(muNorm);
    for (let p = 0; p < P; p++) {
      let s = 0;
      for (let c = 0; c < Cp; c++) s += rot[p * Cp + c] * mean[c];
      rbias[p] = s;
    }
    let maxDev = 0;
    for (let j = 0; j < R; j++) {
      const o = j * Cp;
      let dev = 0;
      for (let c = 0; c < Cp; c++) {
        const v = rows[o + c] - mean[c];
        dev += v * v;
      }
      maxDev = Math.max(maxDev, Math.sqrt(dev));
    }
    // The projected table, on the GPU with the same kernel as the queries.
    const gpu = this.gpu;
    const rotB = this.upload(rot, 'nearest.rot');
    const rbiasB = this.upload(rbias, 'nearest.rbias');
    const proj = this.gpu.pool.acquire(R * P * 4, 'nearest.proj');
    this.owned.push(proj);
    const pnorm = this.gpu.pool.acquire(R * 4, 'nearest.pnorm');
    this.owned.push(pnorm);
    const params = { n: R, C4: Cp / 4, P4: P / 4 };
    this.checkGrid(Math.ceil(P / 16), Math.ceil(R / 64));
    gpu.dispatch(gpu.kernel(PRUNE, 'project'), {
      buffers: { queries: this.table, rot: rotB, rbias: rbiasB, qprojW: proj },
      params,
      workgroups: [Math.ceil(P / 16), Math.ceil(R / 64), 1]
    });
    gpu.dispatch(gpu.kernel(PRUNE, 'rownorm'), { buffers: { qproj: proj, pnormW: pnorm }, params, workgroups: [Math.ceil(R / 64), 1, 1] });
    return {
      P,
      rot: rotB,
      rbias: rbiasB,
      proj,
      pnorm,
      maxDev,
      muNorm,
      // ‖R(e − μ)‖ ≤ ‖e − μ‖ up to rounding
      maxPNorm: maxDev * 1.001
    };
  }

  private chunksFor(groups: number, software: boolean): number {
    if (this.chunksOpt !== undefined) return Math.min(this.chunksOpt, Math.ceil(this.rows / 8));
    // CPU-backed: enough workgroups (≥ 16) to keep every core busy, chunks of ≥ 2048 rows.
    if (software) return Math.max(1, Math.min(Math.ceil(this.rows / 2048), Math.ceil(16 / groups)));
    // GPUs: about 256 rows per invocation, enough invocations to fill the device.
    return Math.max(1, Math.min(Math.ceil(this.rows / 256), 4096));
  }

  /**
   * Nearest candidate id for every row of noisy [n, C] (f32). Returns a new i32 tensor [n]
   * (owned by the caller, or by the enclosing tidy scope); nothing is read back.
   */
  search(noisy: Tensor): Tensor {
    if (this.disposed) throw new Error('NearestIndex: used after dispose()');
    if (noisy.gpu !== this.gpu) throw new Error(`NearestIndex: queries "${noisy.name}" live on another device`);
    if (noisy.dtype !== 'f32') throw new Error(`NearestIndex: queries "${noisy.name}" must be f32, got ${noisy.dtype}`);
    if (noisy.rank !== 2 || noisy.dim(1) !== this.C)
      throw new Error(`NearestIndex: queries "${noisy.name}" must be [n, ${this.C}], got ${fmtShape(noisy.shape)}`);
    const n = noisy.dim(0);
    const gpu = this.gpu;
    const out = allocTensor(gpu, [n], 'i32', 'nearest.ids');
    if (n === 0) return out;
    const temps: GPUBuffer[] = [];
    const temp = (bytes: number, label: string) => {
      const b = gpu.pool.acquire(Math.max(4, bytes), label);
      temps.push(b);
      return b;
    };
    try {
      let queries = noisy.buffer;
      if (this.Cp !== this.C) {
        queries = temp(n * this.Cp * 4, 'nearest.padded');
        const g = linearGrid(n * this.Cp);
        gpu.dispatch(gpu.kernel(BRUTE, 'pad'), {
          buffers: { src: noisy.buffer, dst: queries },
          params: { n, C: this.C, Cp: this.Cp, stride: g.xStride },
          workgroups: g.workgroups
        });
      }
      const f = this.markedFraction;
      const usePruned =
        this.pruned !== null && (!this.adaptive || f === null || f < ADAPT_SWITCH || this.searches % ADAPT_PROBE === ADAPT_PROBE - 1);
      this.searches++;
      if (usePruned) this.searchPruned(this.pruned!, queries, n, out.buffer, temp);
      else this.searchBrute(queries, n, out.buffer, temp);
      this.lastSearch = usePruned ? 'pruned' : 'brute';
    } catch (e) {
      out.dispose();
      throw e;
    } finally {
      // Released after encoding: later users of these buffers are queued after this search.
      for (const b of temps) gpu.pool.release(b);
    }
    return out;
  }

  private searchBrute(queries: GPUBuffer, n: number, out: GPUBuffer, temp: (bytes: number, label: string) => GPUBuffer): void {
    const gpu = this.gpu;
    const software = gpu.summary.software;
    const wg = software ? 16 : 64;
    const groups = Math.ceil(n / (8 * wg));
    const chunks = this.chunksFor(groups, software);
    const rowsPerChunk = Math.ceil(this.rows / chunks / 8) * 8;
    const nChunks = Math.ceil(this.rows / rowsPerChunk);
    this.checkGrid(groups, nChunks);
    this.checkGrid(Math.ceil(n / 64), 1);
    const bestS = temp(nChunks * n * 4, 'nearest.bestS');
    const bestI = temp(nChunks * n * 4, 'nearest.bestI');
    const params = { n, rows: this.rows, C4: this.Cp / 4, rowsPerChunk, chunks: nChunks };
    gpu.dispatch(gpu.kernel(BRUTE, 'scan', { WG: wg }), {
      buffers: { queries, table: this.table, norms: this.norms, bestS, bestI },
      params,
      workgroups: [groups, nChunks, 1]
    });
    gpu.dispatch(gpu.kernel(BRUTE, 'reduce'), {
      buffers: { bestS, bestI, ids: this.idBuf, out },
      params: { ...params, qBase: 0 },
      workgroups: [Math.ceil(n / 64), 1, 1]
    });
  }

  private searchPruned(pd: PrunedData, queries: GPUBuffer, n: number, out: GPUBuffer, temp: (bytes: number, label: string) => GPUBuffer): void {
    const gpu = this.gpu;
    const R = this.rows;
    const Rp = Math.ceil(R / 8) * 8;
    const lim = Math.min(gpu.device.limits.maxStorageBufferBindingSize, gpu.device.limits.maxBufferSize, PBUF_BYTES);
    const fit = Math.max(8, Math.floor(lim / (Rp * 4) / 8) * 8);
    const batch = Math.min(Math.ceil(n / 8) * 8, this.batchOpt !== undefined ? Math.min(this.batchOpt, fit) : fit);
    const wg = 16;
    const qproj = temp(n * pd.P * 4, 'nearest.qproj');
    const pbuf = temp(batch * Rp * 4, 'nearest.bounds');
    const groupsMax = Math.ceil(batch / (8 * wg));
    const chunks = this.chunksFor(groupsMax, gpu.summary.software);
    const rowsPerChunk = Math.ceil(R / chunks / 8) * 8;
    const nChunks = Math.ceil(R / rowsPerChunk);
    const bestS = temp(nChunks * batch * 4, 'nearest.bestS');
    const bestI = temp(nChunks * batch * 4, 'nearest.bestI');
    const qinfo = temp(batch * 16, 'nearest.qinfo');
    const octetsMax = Math.ceil(batch / 8);
    const tilesPerChunk = rowsPerChunk / 8;
    const tiles = temp(nChunks * octetsMax * tilesPerChunk * 4, 'nearest.tiles');
    const counts = temp(nChunks * octetsMax * 4, 'nearest.counts');
    this.checkGrid(Math.ceil(pd.P / 16), Math.ceil(n / 64));
    this.checkGrid(groupsMax, nChunks);
    const common = {
      n,
      rows: R,
      C4: this.Cp / 4,
      rowsPerChunk,
      P4: pd.P / 4,
      chunks: nChunks,
      Rp4: Rp / 4,
      tilesPerChunk,
      gammaC: 2 * (this.Cp + 4) * U,
      gammaP: 2 * (pd.P + 4) * U,
      sqrtP: Math.sqrt(pd.P),
      maxNorm: this.maxNorm,
      maxDev: pd.maxDev,
      muNorm: pd.muNorm,
      maxPNorm: pd.maxPNorm
    };
    gpu.dispatch(gpu.kernel(PRUNE, 'project'), {
      buffers: { queries, rot: pd.rot, rbias: pd.rbias, qprojW: qproj },
      params: { ...common, qBase: 0, nb: n, octets: 0 },
      workgroups: [Math.ceil(pd.P / 16), Math.ceil(n / 64), 1]
    });
    for (let qBase = 0; qBase < n; qBase += batch) {
      const nb = Math.min(batch, n - qBase);
      const params = { ...common, qBase, nb, octets: Math.ceil(nb / 8) };
      const groups = Math.ceil(nb / (8 * wg));
      gpu.dispatch(gpu.kernel(PRUNE, 'bound', { WG: wg }), {
        buffers: { qproj, proj: pd.proj, pnorm: pd.pnorm, pbufW: pbuf },
        params,
        workgroups: [groups, nChunks, 1]
      });
      gpu.dispatch(gpu.kernel(PRUNE, 'seedlim', { WG: wg }), {
        buffers: { queries, table: this.table, norms: this.norms, qproj, pbuf, qinfoW: qinfo },
        params,
        workgroups: [Math.ceil(nb / wg), 1, 1]
      });
      gpu.dispatch(gpu.kernel(PRUNE, 'mark', { WG: wg }), {
        buffers: { pbuf, qinfo, tilesW: tiles, countsW: counts },
        params,
        workgroups: [groups, nChunks, 1]
      });
      gpu.dispatch(gpu.kernel(PRUNE, 'full', { WG: wg }), {
        buffers: { queries, table: this.table, norms: this.norms, tiles, counts, bestS, bestI },
        params,
        workgroups: [groups, nChunks, 1]
      });
      gpu.dispatch(gpu.kernel(BRUTE, 'reduce'), {
        buffers: { bestS, bestI, ids: this.idBuf, out },
        params: { n: nb, rows: R, C4: this.Cp / 4, rowsPerChunk, chunks: nChunks, qBase },
        workgroups: [Math.ceil(nb / 64), 1, 1]
      });
      if (this.adaptive && qBase + batch >= n) {
        // the last batch's marked tiles, read back without waiting (the copy is queued now,
        // on a staging buffer of our own so that no error report of the context is consumed)
        const octets = Math.ceil(nb / 8);
        const possible = octets * Math.ceil(R / 8);
        const bytes = nChunks * octets * 4;
        const staging = gpu.device.createBuffer({ size: bytes, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST, label: 'nearest.marked' });
        gpu.copy(counts, 0, staging, 0, bytes);
        gpu.flush();
        staging
          .mapAsync(GPUMapMode.READ)
          .then(() => {
            let marked = 0;
            for (const c of new Uint32Array(staging.getMappedRange())) marked += c;
            const frac = marked / possible;
            this.markedFraction = this.markedFraction === null ? frac : 0.5 * this.markedFraction + 0.5 * frac;
          })
          .catch(() => {})
          .finally(() => staging.destroy());
      }
    }
  }

  private checkGrid(x: number, y: number): void {
    const max = this.gpu.device.limits.maxComputeWorkgroupsPerDimension;
    if (x > max || y > max)
      throw new Error(`NearestIndex: too many queries for one search (grid ${x} × ${y} exceeds ${max} workgroups per dimension); split the queries`);
  }

  /** Release the uploaded table. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const b of this.owned) this.gpu.pool.release(b);
    this.owned = [];
  }

  get isDisposed(): boolean {
    return this.disposed;
  }
}

const cache = new WeakMap<GpuContext, WeakMap<EmbeddingTable, NearestIndex>>();

/** The cached index for (gpu, table), built on first use. Tables are treated as immutable. */
export function nearestIndexFor(gpu: GpuContext, table: EmbeddingTable): NearestIndex {
  let perGpu = cache.get(gpu);
  if (!perGpu) cache.set(gpu, (perGpu = new WeakMap()));
  const hit = perGpu.get(table);
  if (hit && !hit.isDisposed) return hit;
  const idx = NearestIndex.create(gpu, table);
  perGpu.set(table, idx);
  return idx;
}

/** Drop (and release) the cached index of a table on this device. */
export function releaseNearestIndex(gpu: GpuContext, table: EmbeddingTable): void {
  const perGpu = cache.get(gpu);
  const hit = perGpu?.get(table);
  if (hit) {
    hit.dispose();
    perGpu!.delete(table);
  }
}

/**
 * For each row of noisy [n, C] (f32), the nearest candidate id (Euclidean; ties → lower id),
 * read back to the CPU. The table's index is built once and cached per table (see
 * nearestIndexFor / releaseNearestIndex).
 */
export async function nearestTokens(gpu: GpuContext, table: EmbeddingTable, noisy: Tensor): Promise<Int32Array> {
  if (noisy.rank !== 2 || noisy.dim(1) !== table.C)
    throw new Error(`nearestTokens: queries "${noisy.name}" must be [n, ${table.C}], got ${fmtShape(noisy.shape)}`);
  const idx = nearestIndexFor(gpu, table);
  const t = idx.search(noisy);
  try {
    return (await t.read()) as Int32Array;
  } finally {
    t.dispose();
  }
}
