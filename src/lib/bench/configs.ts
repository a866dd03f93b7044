// The standard benchmark configurations (shared/design.md), so RAPT Lab can be compared
// with other libraries on the same machine.

export interface BenchModelConfig {
  layers: number;
  hidden: number;
  heads: number;
  ffn: number;
  vocab: number;
  /** total sequence length the encoder sees */
  sequence: number;
  /** soft-prompt vectors within `sequence` (pt-step) */
  prompt: number;
  batch: number;
}

export const BENCH_CONFIGS: Record<'tiny' | 'small', BenchModelConfig> = {
  tiny: { layers: 2, hidden: 128, heads: 2, ffn: 512, vocab: 8192, sequence: 64, prompt: 16, batch: 16 },
  small: { layers: 4, hidden: 256, heads: 4, ffn: 1024, vocab: 30522, sequence: 128, prompt: 20, batch: 8 }
};

export interface BenchResult {
  benchmark: string;
  config: string;
  ms_per_step_median: number;
  tokens_per_s: number;
  peak_bytes: number;
  adapter: string;
  steps: number;
  ms_per_step_all: number[];
  /** with --profile: GPU time per kernel over one step (timestamp queries), slowest first */
  profile?: { kernel: string; ms: number; count: number }[];
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}
