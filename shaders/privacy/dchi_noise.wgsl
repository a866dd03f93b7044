// dchi_noise.wgsl — d_χ (metric-DP) noise on token embeddings (Feyisetan et al. 2020).
//
//   y[i, :] = table[ids[i], :] + z_i,    z_i ∈ R^C with density ∝ exp(−η‖z‖₂)
//
// Sampled in polar form: z = R·g/‖g‖ with g ~ N(0, I_C) (direction uniform on the sphere)
// and R ~ Gamma(shape C, scale 1/η) (the radial law of that density: ∝ r^{C−1} e^{−ηr}).
// R by Marsaglia & Tsang (2000), valid for shape ≥ 1 (C ≥ 1 always): d = C − ⅓, c = 1/√(9d);
// repeat x ~ N(0,1), w = c·x, v = (1 + w)³ (reject w ≤ −1), u ~ U(0,1), until
//   ln u < ½x² + d − d·v + d·ln v  =  3d·h(w),   h(w) = ln(1+w) − w + w²/2 − w³/3 = Σ_{k≥4} (−1)^{k+1} w^k / k,
// then R = d·v/η. The right-hand form avoids the cancellation of the textbook one in f32
// (d − d·v loses ~10⁻⁴ absolute when d ~ 768); h(w) is summed by its series for |w| < ½
// (to w²⁸, truncation < 10⁻⁸ relative), directly otherwise. Acceptance ≥ 95 % per try;
// after 32 rejections (probability < 10⁻⁴⁰) R = C/η, the mean.
//
// Randomness: Philox4x32-10 with the run's key and counter (pos[i], draw, stream, call):
//   stream 0 (direction): draw j → 4 normals g[4j .. 4j+3] (two Box–Muller pairs);
//   stream 1 (radius):    draw a = try number → normal from words 0–1, u from word 2.
// The counter never depends on i or n, only on the token's position pos[i] in its sequence,
// so a token's noise is the same whatever batch it is computed in, and reproducible given
// the key. CPU mirror in float64: src/lib/privacy/noise-ref.ts (dchiNoiseRef).
//
// Floating point: the sampler is f32 (23-bit uniforms, WGSL transcendentals). It simulates the
// mechanism faithfully but the exact d_χ guarantee holds for the ideal continuous noise, not
// for these finitely many f32 values (Mironov 2012); the released output is the nearest token
// (post-processing of y), never y itself.
//
// Layout: table [V, C] row-major f32; ids [n] i32 (validated on the CPU: 0 ≤ id < V);
//         pos [n] u32; y [n, C] f32.
// Bindings: table, ids, pos, y, params {n, C, V, xStride, key0, key1, call, eta}.
// Dispatch: one invocation per token, linear grid over n, workgroup 64.

#include "privacy/philox.wgsl"

const STREAM_DIRECTION: u32 = 0u;
const STREAM_RADIUS: u32 = 1u;
const GAMMA_MAX_TRIES: u32 = 32u;

struct Params { n: u32, C: u32, V: u32, xStride: u32, key0: u32, key1: u32, call: u32, eta: f32 }

@group(0) @binding(0) var<storage, read> table: array<f32>;
@group(0) @binding(1) var<storage, read> ids: array<i32>;
@group(0) @binding(2) var<storage, read> pos: array<u32>;
@group(0) @binding(3) var<storage, read_write> y: array<f32>;
@group(0) @binding(4) var<uniform> params: Params;

fn direction_block(p: u32, j: u32, key: vec2<u32>) -> vec4<f32> {
  let w = philox4x32_10(vec4<u32>(p, j, STREAM_DIRECTION, params.call), key);
  return vec4<f32>(normal2(w.x, w.y), normal2(w.z, w.w));
}

// h(w) = ln(1+w) − w + w²/2 − w³/3 (≤ 0 for w > −1)
fn mt_h(w: f32) -> f32 {
  if (abs(w) < 0.5) {
    var s = 0.0;
    for (var k = 28; k >= 4; k--) {
      let coef = select(-1.0, 1.0, (k & 1) == 1) / f32(k);
      s = s * w + coef;
    }
    let w2 = w * w;
    return w2 * w2 * s;
  }
  return log(1.0 + w) - w + 0.5 * w * w - w * w * w / 3.0;
}

fn gamma_marsaglia_tsang(shape: f32, p: u32, key: vec2<u32>) -> f32 {
  let d = shape - 1.0 / 3.0;
  let c = 1.0 / sqrt(9.0 * d);
  for (var a = 0u; a < GAMMA_MAX_TRIES; a++) {
    let w4 = philox4x32_10(vec4<u32>(p, a, STREAM_RADIUS, params.call), key);
    let x = normal2(w4.x, w4.y).x;
    let w = c * x;
    if (w <= -1.0) { continue; }
    let v = (1.0 + w) * (1.0 + w) * (1.0 + w);
    if (-neg_log_u01(w4.z) < 3.0 * d * mt_h(w)) { return d * v; }
  }
  return shape;
}

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let i = gid.x + gid.y * params.xStride;
  if (i >= params.n) { return; }
  let C = params.C;
  let key = vec2<u32>(params.key0, params.key1);
  let p = pos[i];
  let blocks = (C + 3u) / 4u;
  var ss = 0.0;
  for (var j = 0u; j < blocks; j++) {
    let g = direction_block(p, j, key);
    for (var q = 0u; q < 4u; q++) {
      if (4u * j + q < C) { ss += g[q] * g[q]; }
    }
  }
  let radius = gamma_marsaglia_tsang(f32(C), p, key) / params.eta;
  let scale = radius / sqrt(ss);
  let src = u32(ids[i]) * C;
  let dst = i * C;
  for (var j = 0u; j < blocks; j++) {
    let g = direction_block(p, j, key);
    for (var q = 0u; q < 4u; q++) {
      let c = 4u * j + q;
      if (c < C) { y[dst + c] = table[src + c] + scale * g[q]; }
    }
  }
}
