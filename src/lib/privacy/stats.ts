// Float64 statistics for the privacy tests and read-outs: the log-gamma function, the
// regularized lower incomplete gamma P(a, x) (so the Gamma CDF), the Laplace CDF, and the
// one-sample Kolmogorov–Smirnov statistic with its asymptotic critical values.

const LANCZOS_G = 7;
const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
  12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7
];

/** ln Γ(x) for x > 0 (Lanczos, g = 7, n = 9; relative error ~1e-15). */
export function logGamma(x: number): number {
  if (!(x > 0)) throw new Error(`logGamma: x must be > 0, got ${x}`);
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  const z = x - 1;
  let a = LANCZOS[0];
  const t = z + LANCZOS_G + 0.5;
  for (let i = 1; i < LANCZOS.length; i++) a += LANCZOS[i] / (z + i);
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(a);
}

/**
 * Regularized lower incomplete gamma P(a, x) = γ(a, x)/Γ(a), a > 0, x ≥ 0: the series
 * Σ xⁿ/(a(a+1)…(a+n)) for x < a + 1, else 1 − Q(a, x) by Lentz's continued fraction
 * (Numerical Recipes §6.2), both to ~1e-14.
 */
export function gammaP(a: number, x: number): number {
  if (!(a > 0)) throw new Error(`gammaP: shape a must be > 0, got ${a}`);
  if (Number.isNaN(x)) return NaN;
  if (x <= 0) return 0;
  if (x === Infinity) return 1;
  const lnPre = a * Math.log(x) - x - logGamma(a);
  if (x < a + 1) {
    let ap = a;
    let del = 1 / a;
    let sum = del;
    for (let n = 0; n < 10000; n++) {
      ap += 1;
      del *= x / ap;
      sum += del;
      if (Math.abs(del) < Math.abs(sum) * 1e-16) break;
    }
    return Math.min(1, sum * Math.exp(lnPre));
  }
  const tiny = 1e-300;
  let b = x + 1 - a;
  let c = 1 / tiny;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i < 10000; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < tiny) d = tiny;
    c = b + an / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const del = d * c;
    h *= del;
    if (Math.abs(del - 1) < 1e-16) break;
  }
  return Math.max(0, 1 - Math.exp(lnPre) * h);
}

/** CDF of Gamma(shape k, scale θ) at x. */
export function gammaCdf(x: number, shape: number, scale: number): number {
  return gammaP(shape, x / scale);
}

/** CDF of Laplace(0, b) at x. */
export function laplaceCdf(x: number, b: number): number {
  return x < 0 ? 0.5 * Math.exp(x / b) : 1 - 0.5 * Math.exp(-x / b);
}

/** One-sample Kolmogorov–Smirnov statistic D = sup |F_n − F| of the samples against cdf. */
export function ksStatistic(samples: ArrayLike<number>, cdf: (x: number) => number): number {
  const xs = Float64Array.from(samples).sort();
  const n = xs.length;
  if (n === 0) throw new Error('ksStatistic: no samples');
  let d = 0;
  for (let i = 0; i < n; i++) {
    const f = cdf(xs[i]);
    d = Math.max(d, (i + 1) / n - f, f - i / n);
  }
  return d;
}

/** Asymptotic KS critical value c(α)/√n: α = 0.05 → 1.358, α = 0.01 → 1.628 (√(−ln(α/2)/2)). */
export function ksCritical(n: number, alpha = 0.01): number {
  return Math.sqrt(-Math.log(alpha / 2) / 2) / Math.sqrt(n);
}
