// adamw.wgsl — AdamW (decoupled weight decay, Loshchilov & Hutter) with optional
// global-norm gradient clipping, one kernel per parameter tensor.
//
//   g' = s·g,  s = clip[0] (1, or min(1, maxNorm/‖g‖) from clip_scale)
//   m = β1·m + (1−β1)·g'        v = β2·v + (1−β2)·g'²
//   p = p − lr · ( (m / bc1) / (√(v / bc2) + eps) + wd · p ),   bc1 = 1−β1^t, bc2 = 1−β2^t
//
//   clip_scale: clip[0] = min(1, maxNorm / (√(Σ_i sq[i]) + 1e-6)) from per-tensor squared
//               norms sq[0..count) (reduce.wgsl sumsq_all), or 1 when maxNorm ≤ 0.
//
// Shapes: p, g, m, v: [n]; hyper: [8] = (lr, β1, β2, eps, wd, bc1, bc2, maxNorm); clip: [1].
// Hyperparameters live in a storage buffer written once per step, so the uniform (n)
// stays the same from step to step and the pipeline's bind groups stay cacheable.
// Bindings: p, m, v (read_write), g, hyper, clip (read), sq (read), params.
// Dispatch: step: linear grid over n, workgroup 64; clip_scale: (1).

struct Params { n: u32, xStride: u32, count: u32, _pad: u32 }

@group(0) @binding(0) var<storage, read_write> p: array<f32>;
@group(0) @binding(1) var<storage, read> g: array<f32>;
@group(0) @binding(2) var<storage, read_write> m: array<f32>;
@group(0) @binding(3) var<storage, read_write> v: array<f32>;
@group(0) @binding(4) var<storage, read> hyper: array<f32>;
@group(0) @binding(5) var<storage, read> clip: array<f32>;
@group(0) @binding(6) var<storage, read> sq: array<f32>;
@group(0) @binding(7) var<storage, read_write> clipOut: array<f32>;
@group(0) @binding(8) var<uniform> params: Params;

@compute @workgroup_size(64)
fn step(@builtin(global_invocation_id) gid: vec3<u32>) {
  let i = gid.x + gid.y * params.xStride;
  if (i >= params.n) { return; }
  let lr = hyper[0];
  let b1 = hyper[1];
  let b2 = hyper[2];
  let eps = hyper[3];
  let wd = hyper[4];
  let bc1 = hyper[5];
  let bc2 = hyper[6];
  let gi = g[i] * clip[0];
  let mi = b1 * m[i] + (1.0 - b1) * gi;
  let vi = b2 * v[i] + (1.0 - b2) * gi * gi;
  m[i] = mi;
  v[i] = vi;
  let pi = p[i];
  p[i] = pi - lr * ((mi / bc1) / (sqrt(vi / bc2) + eps) + wd * pi);
}

@compute @workgroup_size(1)
fn clip_scale() {
  let maxNorm = hyper[7];
  var total = 0.0;
  for (var i = 0u; i < params.count; i++) { total += sq[i]; }
  if (maxNorm <= 0.0) {
    clipOut[0] = 1.0;
  } else {
    clipOut[0] = min(1.0, maxNorm / (sqrt(total) + 1e-6));
  }
}
