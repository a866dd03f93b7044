// Learning rate: linear warm-up from 0 to the peak over `warmup` steps, then linear decay
// to 0 at `total` steps (the schedule BERT and Hugging Face's default use).
export function linearWarmupDecay(step: number, peak: number, warmup: number, total: number): number {
  if (step < warmup) return (peak * (step + 1)) / warmup;
  return peak * Math.max(0, (total - step) / Math.max(1, total - warmup));
}
