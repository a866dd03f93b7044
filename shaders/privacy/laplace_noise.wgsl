// laplace_noise.wgsl — the Laplace mechanism on clipped token embeddings.
//
//   e      = table[ids[i], :] · min(1, C_clip / ‖table[ids[i], :]‖₁)     (L1 clipping)
//   y[i,c] = e[c] + b·S·X,   X = −ln U (Exp(1), inverse CDF), S = ±1 from an independent bit
//
// Calibration: after clipping, any two embeddings differ by at most 2·C_clip in L1, so the
// L1 sensitivity of the release is Δ₁ = 2·C_clip and b = Δ₁/ε = 2·C_clip/ε gives ε-DP per
// token (ε-LDP: the user's token is the whole input). The caller passes b.
//
// snap = 1 (continuous release, no projection to a token): Mironov's (2012) snapping
// mechanism, per coordinate:  y = clamp_B( round_Λ( clamp_B(e[c]) + b·S·X ) ),  Λ = the
// smallest power of two ≥ b, round_Λ = nearest multiple of Λ (ties to even), B = C_clip
// rounded up to a multiple of Λ (an L1-clipped vector has every |coordinate| ≤ C_clip, so the
// inner clamp changes nothing; B on the grid keeps the outer clamp on it too).
// What holds and what is only simulated:
//   - the output set is the fixed grid ΛZ ∩ [−B, B], so the low-order bits of the noisy value
//     (the attack in Mironov 2012) are not released;
//   - Mironov's proof — (1/λ + 2⁻⁴⁹B/λ)-DP per unit of sensitivity — assumes IEEE double
//     arithmetic, a uniform drawn over all doubles in (0, 1) and a correctly rounded log. Here
//     the arithmetic is f32, U has 23 random bits and WGSL's log has a few ULP of error, so the
//     certificate does not transfer: the implementation only simulates ε-DP (we claim no
//     bound for it), and because U ≥ 2⁻²⁴ caps |noise| at b·ln 2²⁴ ≈ 16.6·b, an output at one edge
//     of [−B, B] is unreachable from an input at the other edge when 16.6·b < 2·C_clip (and
//     a fortiori when < 2B), i.e. for ε > 16.6: there the implementation is not ε-DP at all. Use project (post-processing to a token)
//     or ε ≤ 16 for continuous releases.
// snap = 0: y = e + noise in f32 (used with projection to the nearest token; and by the tests).
//
// Randomness: Philox4x32-10 with the run's key and counter (pos[i], j, 2, call); word q of
// draw j drives coordinate 4j + q: U from its top 23 bits (u01), S from its lowest bit.
// CPU mirror in float64: src/lib/privacy/noise-ref.ts (laplaceNoiseRef).
//
// Layout: table [V, C] f32; ids [n] i32 (validated on the CPU); pos [n] u32; y [n, C] f32.
// Bindings: table, ids, pos, y, params {n, C, V, xStride, key0, key1, call, snap, clip, b, lambda, bound}.
// Dispatch: one invocation per token, linear grid over n, workgroup 64.

#include "privacy/philox.wgsl"

const STREAM_LAPLACE: u32 = 2u;

struct Params {
  n: u32, C: u32, V: u32, xStride: u32,
  key0: u32, key1: u32, call: u32, snap: u32,
  clip: f32, b: f32, lambda: f32, bound: f32,
}

@group(0) @binding(0) var<storage, read> table: array<f32>;
@group(0) @binding(1) var<storage, read> ids: array<i32>;
@group(0) @binding(2) var<storage, read> pos: array<u32>;
@group(0) @binding(3) var<storage, read_write> y: array<f32>;
@group(0) @binding(4) var<uniform> params: Params;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let i = gid.x + gid.y * params.xStride;
  if (i >= params.n) { return; }
  let C = params.C;
  let key = vec2<u32>(params.key0, params.key1);
  let p = pos[i];
  let src = u32(ids[i]) * C;
  let dst = i * C;
  var l1 = 0.0;
  for (var c = 0u; c < C; c++) { l1 += abs(table[src + c]); }
  let s = select(1.0, params.clip / l1, l1 > params.clip);
  let B = params.bound;
  let lam = params.lambda;
  let blocks = (C + 3u) / 4u;
  for (var j = 0u; j < blocks; j++) {
    let w = philox4x32_10(vec4<u32>(p, j, STREAM_LAPLACE, params.call), key);
    for (var q = 0u; q < 4u; q++) {
      let c = 4u * j + q;
      if (c >= C) { break; }
      let mag = params.b * neg_log_u01(w[q]);
      let noise = select(mag, -mag, (w[q] & 1u) == 1u);
      let e = table[src + c] * s;
      if (params.snap != 0u) {
        let t = clamp(e, -B, B) + noise;
        y[dst + c] = clamp(round(t / lam) * lam, -B, B);
      } else {
        y[dst + c] = e + noise;
      }
    }
  }
}
