// The `privatize` benchmark (shared/design.md): nearest-token search for d_χ privatization on a
// 30522 × 256 table of standard normal embeddings (seeded), 4096 noisy queries = random table
// rows + i.i.d. Gaussian noise of standard deviation `noise` per coordinate. One step = one
// search of all queries on the GPU plus the readback of the ids. Reports the median ms per step
// after warm-up, queries/s (in tokens_per_s), peak pool bytes (table, index and temporaries),
// the adapter, the kernel variant, and for comparison a plain single-threaded JavaScript loop's
// queries/s measured on a few queries in the same process.
//
// The pruned search's speed depends on the noise: its bound skips a row only when the row is
// clearly farther than the nearest one, so it gains most when queries lie near their source
// rows (noise 0.5: noise norm ≈ 8 against a row spacing of ≈ √(2·256) ≈ 22.6) and tends to
// brute force as the noise grows (noise ≥ 1 on this isotropic table). The brute-force kernel's
// time does not depend on the noise.

import type { GpuContext } from '../gpu/context';
import { tensorFrom } from '../engine/tensor';
import { NearestIndex, type NearestVariant } from '../privacy/nearest';
import type { EmbeddingTable } from '../privacy/types';
import { SeededRandom } from '../util/seeded-random';
import { median, type BenchResult } from './configs';

/** keeps the JavaScript baseline's result observable */
let jsSink = 0;

export const PRIVATIZE_CONFIG = { V: 30522, C: 256, queries: 4096, noise: 0.5 } as const;

export interface PrivatizeBenchOptions {
  steps: number;
  warmup: number;
  /** kernel family (default 'auto': pruned on CPU-backed adapters, brute force on GPUs) */
  variant?: 'auto' | NearestVariant;
  /** per-coordinate noise standard deviation (default 0.5) */
  noise?: number;
  /** number of queries (default 4096) */
  queries?: number;
  /** table rows (default 30522) and width (default 256), for quick runs */
  V?: number;
  C?: number;
  seed?: number;
  /** queries for the JavaScript baseline (default 16; 0 skips it) */
  jsQueries?: number;
  profile?: boolean;
  log?: (s: string) => void;
}

export interface PrivatizeBenchResult extends BenchResult {
  /** the kernel the timed searches used (the last one) */
  variant: NearestVariant;
  /** pruned, adaptive: running fraction of row tiles scored in full */
  marked_fraction?: number;
  noise_std: number;
  queries: number;
  table: [number, number];
  /** CPU time to prepare the index (upload, basis) */
  setup_ms: number;
  /** fraction of queries whose nearest token is their source row */
  unchanged_fraction: number;
  /** a plain single-threaded JavaScript loop on the same table, same process */
  js_queries_per_s?: number;
}

export async function runPrivatizeBench(gpu: GpuContext, opts: PrivatizeBenchOptions): Promise<PrivatizeBenchResult> {
  const V = opts.V ?? PRIVATIZE_CONFIG.V;
  const C = opts.C ?? PRIVATIZE_CONFIG.C;
  const n = opts.queries ?? PRIVATIZE_CONFIG.queries;
  const sigma = opts.noise ?? PRIVATIZE_CONFIG.noise;
  if (!(sigma >= 0) || !Number.isFinite(sigma)) throw new Error(`privatize bench: noise must be a finite number ≥ 0, got ${sigma}`);
  if (!(Number.isInteger(n) && n >= 1)) throw new Error(`privatize bench: queries must be an integer ≥ 1, got ${n}`);
  const r = new SeededRandom(opts.seed ?? 1);
  const embeddings = new Float32Array(V * C);
  for (let i = 0; i < embeddings.length; i++) embeddings[i] = r.normal();
  const table: EmbeddingTable = {
    embeddings,
    V,
    C,
    tokens: Array.from({ length: V }, (_, i) => `t${i}`),
    candidates: Int32Array.from({ length: V }, (_, i) => i)
  };
  const source = new Int32Array(n);
  const q = new Float32Array(n * C);
  for (let i = 0; i < n; i++) {
    source[i] = r.int(V);
    const o = source[i] * C;
    for (let c = 0; c < C; c++) q[i * C + c] = embeddings[o + c] + sigma * r.normal();
  }

  let jsQps: number | undefined;
  const jsQueries = Math.min(n, opts.jsQueries ?? 16);
  if (jsQueries > 0) {
    const t0 = performance.now();
    for (let i = 0; i < jsQueries; i++) {
      let best = Infinity;
      let arg = -1;
      const qo = i * C;
      for (let j = 0; j < V; j++) {
        const eo = j * C;
        let s = 0;
        for (let c = 0; c < C; c++) {
          const d = q[qo + c] - embeddings[eo + c];
          s += d * d;
        }
        if (s < best) {
          best = s;
          arg = j;
        }
      }
      jsSink ^= arg;
    }
    jsQps = jsQueries / ((performance.now() - t0) / 1000);
    opts.log?.(`privatize: plain JavaScript loop ${jsQps.toFixed(1)} queries/s (${jsQueries} queries)`);
  }

  gpu.pool.resetPeak();
  const index = NearestIndex.create(gpu, table, { variant: opts.variant ?? 'auto' });
  const queries = tensorFrom(gpu, q, [n, C], 'privatize.queries');
  opts.log?.(`privatize: ${index.variant} search, table ${V} × ${C}, ${n} queries, noise ${sigma}; index prepared in ${index.setupMs.toFixed(0)} ms`);
  let unchanged = 0;
  const step = async (): Promise<Int32Array> => {
    const t = index.search(queries);
    try {
      return (await t.read()) as Int32Array;
    } finally {
      t.dispose();
    }
  };
  const times: number[] = [];
  try {
    for (let i = 0; i < opts.warmup + opts.steps; i++) {
      const t0 = performance.now();
      const ids = await step();
      const ms = performance.now() - t0;
      if (i === 0) for (let k = 0; k < n; k++) if (ids[k] === source[k]) unchanged++;
      if (i >= opts.warmup) times.push(ms);
      opts.log?.(`privatize: step ${i + 1}/${opts.warmup + opts.steps} ${ms.toFixed(1)} ms${i < opts.warmup ? ' (warm-up)' : ''}`);
    }
    const peak = gpu.pool.snapshot().peakLiveBytes;
    let profile: BenchResult['profile'];
    if (opts.profile && gpu.startProfiling()) {
      await step();
      profile = (await gpu.stopProfiling()).map((p) => ({ ...p, ms: round(p.ms, 3) }));
    }
    const ms = median(times);
    const s = gpu.summary;
    return {
      benchmark: 'privatize',
      config: `${V}x${C}`,
      ms_per_step_median: round(ms, 2),
      tokens_per_s: round(n / (ms / 1000), 1),
      peak_bytes: peak,
      adapter: [s.vendor, s.architecture, s.description].filter(Boolean).join(' / '),
      steps: times.length,
      ms_per_step_all: times.map((t) => round(t, 1)),
      ...(profile ? { profile } : {}),
      variant: index.lastSearch ?? index.variant,
      ...(index.markedFraction !== null ? { marked_fraction: round(index.markedFraction, 4) } : {}),
      noise_std: sigma,
      queries: n,
      table: [V, C],
      setup_ms: round(index.setupMs, 1),
      unchanged_fraction: round(unchanged / n, 4),
      ...(jsQps !== undefined ? { js_queries_per_s: round(jsQps, 1) } : {})
    };
  } finally {
    queries.dispose();
    index.dispose();
  }
}

function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}
