// rapt bench [--json] [--only NAME] [--config tiny|small] [--steps N] [--warmup N]
// One JSON line per figure: {benchmark, config, ms_per_step_median, tokens_per_s, peak_bytes, adapter, ...}.
import { openGpu, printJson, UsageError } from '../runtime';
import { runModelBench } from '../../lib/bench/model-bench';
import { runMatmulBench } from '../../lib/bench/matmul-bench';
import { runPrivatizeBench } from '../../lib/bench/privatize-bench';
import type { BenchResult } from '../../lib/bench/configs';

export async function bench(args: { json?: boolean; only?: string; config?: string; steps?: string; warmup?: string; profile?: boolean }): Promise<void> {
  const steps = args.steps ? Number(args.steps) : 5;
  const warmup = args.warmup ? Number(args.warmup) : 2;
  if (!(steps >= 1) || !(warmup >= 0)) throw new UsageError('--steps must be ≥ 1 and --warmup ≥ 0');
  const configs = (args.config ? [args.config] : ['tiny', 'small']) as ('tiny' | 'small')[];
  for (const c of configs) if (c !== 'tiny' && c !== 'small') throw new UsageError(`unknown --config ${c} (tiny or small)`);
  const all = ['pt-step', 'fwd', 'privatize'] as const;
  const extra = ['matmul'] as const;
  const names = args.only ? args.only.split(',') : [...all];
  for (const n of names)
    if (![...all, ...extra].includes(n as never)) throw new UsageError(`unknown benchmark ${n} (${[...all, ...extra].join(', ')})`);
  const gpu = await openGpu();
  const log = (s: string) => process.stderr.write(s + '\n');
  const results: BenchResult[] = [];
  if (names.includes('matmul')) {
    // Every matmul variant on one square product (512³; --config small: 1024³).
    for (const row of await runMatmulBench(gpu, args.config === 'small' ? 1024 : 512, Math.max(1, Math.min(steps, 3)))) {
      if (args.json) printJson(row);
      else process.stdout.write(`matmul    ${row.variant.padEnd(8)} ${row.transB ? 'A·Bᵀ' : 'A·B '} ${row.shape.join('×')}  ${row.ms_median.toFixed(1).padStart(8)} ms  ${row.gflops.toFixed(2)} GFLOP/s\n`);
    }
  }
  if (names.includes('privatize')) {
    // Nearest-token search for d_χ privatization: table 30522 × 256, 4096 noisy queries (one config).
    const res = await runPrivatizeBench(gpu, { steps, warmup, log, profile: !!args.profile });
    if (args.json) printJson(res);
    else
      process.stdout.write(
        `privatize ${'-'.padEnd(6)} ${res.ms_per_step_median.toFixed(1).padStart(9)} ms / 4096 queries ${res.tokens_per_s.toFixed(0).padStart(6)} queries/s  peak ${(res.peak_bytes / 2 ** 20).toFixed(1)} MiB  (${res.adapter})\n`
      );
  }
  for (const name of names.filter((n) => n !== 'matmul' && n !== 'privatize'))
    for (const c of configs) {
      const res = await runModelBench(gpu, name as 'pt-step' | 'fwd', c, { steps, warmup, log, profile: !!args.profile });
      results.push(res);
      if (res.profile && !args.json)
        for (const p of res.profile.slice(0, 25))
          process.stdout.write(`    ${p.ms.toFixed(2).padStart(10)} ms ${String(p.count).padStart(4)}×  ${p.kernel}\n`);
      if (args.json) printJson(res);
      else
        process.stdout.write(
          `${res.benchmark.padEnd(9)} ${res.config.padEnd(6)} ${res.ms_per_step_median.toFixed(1).padStart(9)} ms/step ` +
            `${res.tokens_per_s.toFixed(0).padStart(8)} tokens/s  peak ${(res.peak_bytes / 2 ** 20).toFixed(1)} MiB  (${res.adapter})\n`
        );
    }
  gpu.destroy();
}
