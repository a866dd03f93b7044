// matmul benchmark: every kernel variant on the same square product, so the choice by
// adapter (vec4 register tiles on CPU-backed adapters, workgroup tiles on GPUs) rests on
// numbers measured on the machine at hand. Reports GFLOP/s per variant.

import type { GpuContext } from '../gpu/context';
import { matmul, setMatmulVariant, tensorFrom, tidy, type MatmulVariant } from '../engine';
import { median } from './configs';

export interface MatmulBenchRow {
  benchmark: 'matmul';
  variant: MatmulVariant;
  shape: [number, number, number];
  transB: boolean;
  ms_median: number;
  gflops: number;
  adapter: string;
}

export async function runMatmulBench(gpu: GpuContext, n: number, reps: number): Promise<MatmulBenchRow[]> {
  const a = tensorFrom(gpu, new Float32Array(n * n).map((_, i) => ((i * 7) % 13) / 13 - 0.5), [n, n], 'bench.a');
  const b = tensorFrom(gpu, new Float32Array(n * n).map((_, i) => ((i * 5) % 11) / 11 - 0.5), [n, n], 'bench.b');
  const rows: MatmulBenchRow[] = [];
  const s = gpu.summary;
  try {
    for (const variant of ['vec4', 'register', 'tiled'] as const)
      for (const transB of [true, false]) {
        setMatmulVariant(variant);
        const once = () => tidy(() => void matmul(a, b, { transB }));
        once();
        await gpu.sync();
        const times: number[] = [];
        for (let i = 0; i < reps; i++) {
          const t0 = performance.now();
          once();
          await gpu.sync();
          times.push(performance.now() - t0);
        }
        const ms = median(times);
        rows.push({
          benchmark: 'matmul',
          variant,
          shape: [n, n, n],
          transB,
          ms_median: Math.round(ms * 10) / 10,
          gflops: Math.round(((2 * n ** 3) / (ms / 1000) / 1e9) * 100) / 100,
          adapter: [s.vendor, s.architecture, s.description].filter(Boolean).join(' / ')
        });
      }
  } finally {
    setMatmulVariant('auto');
    a.dispose();
    b.dispose();
  }
  return rows;
}
