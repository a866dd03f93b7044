// gelu.wgsl — GELU in the erf form BERT uses, and its derivative.
//
//   forward:  y = x · Φ(x) = 0.5 · x · (1 + erf(x / √2))
//   backward: dx = dy · (Φ(x) + x · φ(x)),   φ(x) = exp(−x²/2) / √(2π)
//
// WGSL has no erf. erf_approx: the Taylor series for |z| < 0.5 (relative accuracy near 0,
// where x·Φ(x) is small) and, beyond, 1 − erfc with erfc(a) = t·exp(−a² + P(t)),
// t = 1/(1 + a/2) (the Chebyshev-fitted erfc of Numerical Recipes, fractional error
// < 1.2e-7); tested against a float64 erf to 2e-6 absolute on GELU.
//
// Bindings: x (read), dy (read, backward), y (write: output or dx), params.
// Dispatch: linear grid, workgroup 64.

struct Params { n: u32, xStride: u32, _p0: u32, _p1: u32 }

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read> dy: array<f32>;
@group(0) @binding(2) var<storage, read_write> y: array<f32>;
@group(0) @binding(3) var<uniform> params: Params;

fn erf_approx(z: f32) -> f32 {
  let a = abs(z);
  if (a < 0.5) {
    // erf(z) = 2/√π · (z − z³/3 + z⁵/10 − z⁷/42 + z⁹/216 − z¹¹/1320)
    let z2 = z * z;
    return 1.1283791670955126 * z * (1.0 + z2 * (-0.3333333333 + z2 * (0.1 + z2 * (-0.0238095238 + z2 * (0.0046296296 - z2 * 0.0007575758)))));
  }
  // erfc(a) ≈ t·exp(−a² − 1.26551223 + t·P(t)), t = 1/(1 + a/2) (Numerical Recipes erfcc, |ε| < 1.2e-7)
  let t = 1.0 / (1.0 + 0.5 * a);
  let p = -1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 +
          t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277))))))));
  let r = 1.0 - t * exp(-a * a + p);
  return select(r, -r, z < 0.0);
}

@compute @workgroup_size(64)
fn forward(@builtin(global_invocation_id) gid: vec3<u32>) {
  let i = gid.x + gid.y * params.xStride;
  if (i >= params.n) { return; }
  let v = x[i];
  y[i] = 0.5 * v * (1.0 + erf_approx(v * 0.7071067811865476));
}

@compute @workgroup_size(64)
fn backward(@builtin(global_invocation_id) gid: vec3<u32>) {
  let i = gid.x + gid.y * params.xStride;
  if (i >= params.n) { return; }
  let v = x[i];
  let cdf = 0.5 * (1.0 + erf_approx(v * 0.7071067811865476));
  let pdf = 0.3989422804014327 * exp(-0.5 * v * v);
  y[i] = dy[i] * (cdf + v * pdf);
}
