// philox.wgsl — Philox4x32-10 counter-based generator (Salmon, Moraes, Dror & Shaw,
// "Parallel random numbers: as easy as 1, 2, 3", SC 2011; bit-compatible with
// Random123's philox4x32_10) and the float helpers the privacy kernels draw from.
// An include file: no entry points, no bindings. Use with
//   #include "privacy/philox.wgsl"
//
//   philox4x32_10(ctr, key): 10 rounds of
//     (c0, c1, c2, c3) ← (hi(M1·c2) ⊕ c1 ⊕ k0, lo(M1·c2), hi(M0·c0) ⊕ c3 ⊕ k1, lo(M0·c0))
//     with the key bumped by (W0, W1) between rounds (mod 2³²).
//   WGSL has no u64: the high word of the 32×32→64-bit product is assembled from
//   16-bit halves (mulhilo32).
//
// Float helpers (the CPU mirror is src/lib/privacy/philox.ts; tests compare them):
//   u01(x)         uniform on the open interval (0, 1): (⌊x / 2⁹⌋ + ½) / 2²³, 23 random
//                  bits. Every value is exact in f32 (24 significant bits at most), so it is
//                  never 0 or 1 and the GPU and the CPU see the same number. (With 24 bits,
//                  (2²⁴ − 1) + ½ would round to 2²⁴ in f32 and give exactly 1.)
//   neg_log_u01(x) −ln u01(x) > 0 with a small relative error everywhere: the built-in log
//                  for u < ½ (WGSL: 3 ULP outside [½, 2]); for u ≥ ½, where log's error is only
//                  bounded in absolute terms (2⁻²¹) and −ln u can be as small as 6·10⁻⁸,
//                  2·atanh(s) with s = (1 − u)/(1 + u) ∈ (0, ⅓] by its odd series to s¹⁵
//                  (truncation < 2·10⁻⁸ relative). 1 − u is exact.
//   normal2(x0, x1) two independent standard normals (Box–Muller):
//                  r = √(2·(−ln u0)), θ = π·(2·u1 − 1) ∈ (−π, π), (r·cos θ, r·sin θ),
//                  cos and sin by cos_sin_pi (below), not the built-ins.

const PHILOX_M0: u32 = 0xD2511F53u;
const PHILOX_M1: u32 = 0xCD9E8D57u;
const PHILOX_W0: u32 = 0x9E3779B9u;
const PHILOX_W1: u32 = 0xBB67AE85u;
const PHILOX_PI: f32 = 3.14159265358979;

// (hi, lo) of the 64-bit product a·b.
fn mulhilo32(a: u32, b: u32) -> vec2<u32> {
  let a0 = a & 0xFFFFu;
  let a1 = a >> 16u;
  let b0 = b & 0xFFFFu;
  let b1 = b >> 16u;
  let p00 = a0 * b0;
  let p01 = a0 * b1;
  let p10 = a1 * b0;
  let p11 = a1 * b1;
  // bits 16..47 of the product: (p00 >> 16) + low halves of the cross terms, < 3·2¹⁶
  let mid = (p00 >> 16u) + (p01 & 0xFFFFu) + (p10 & 0xFFFFu);
  let hi = p11 + (p01 >> 16u) + (p10 >> 16u) + (mid >> 16u);
  return vec2<u32>(hi, a * b);
}

fn philox4x32_round(c: vec4<u32>, k: vec2<u32>) -> vec4<u32> {
  let p0 = mulhilo32(PHILOX_M0, c.x);
  let p1 = mulhilo32(PHILOX_M1, c.z);
  return vec4<u32>(p1.x ^ c.y ^ k.x, p1.y, p0.x ^ c.w ^ k.y, p0.y);
}

fn philox4x32_10(ctr: vec4<u32>, key: vec2<u32>) -> vec4<u32> {
  var c = ctr;
  var k = key;
  c = philox4x32_round(c, k);
  for (var r = 1u; r < 10u; r++) {
    k = k + vec2<u32>(PHILOX_W0, PHILOX_W1);
    c = philox4x32_round(c, k);
  }
  return c;
}

fn u01(x: u32) -> f32 {
  return (f32(x >> 9u) + 0.5) * (1.0 / 8388608.0);
}

fn neg_log_u01(x: u32) -> f32 {
  let u = u01(x);
  if (u < 0.5) {
    return -log(u);
  }
  let t = 1.0 - u;
  let s = t / (2.0 - t);
  let s2 = s * s;
  let p = 1.0 + s2 * (1.0 / 3.0 + s2 * (1.0 / 5.0 + s2 * (1.0 / 7.0 + s2 * (1.0 / 9.0 +
          s2 * (1.0 / 11.0 + s2 * (1.0 / 13.0 + s2 * (1.0 / 15.0)))))));
  return 2.0 * s * p;
}

// (cos πt, sin πt) for t ∈ [−1, 1], to ~1 f32 ULP: t = k/2 + f with k = round(2t) and
// |f| ≤ ¼ (exact), Taylor polynomials of sin and cos on |πf| ≤ π/4 (truncation < 2·10⁻⁹),
// then the quadrant k. (SwiftShader's built-in cos/sin are off by ~2·10⁻⁴ absolute here,
// within WGSL's 2⁻¹¹ allowance but too coarse to compare with a float64 reference.)
fn cos_sin_pi(t: f32) -> vec2<f32> {
  let k = round(2.0 * t);
  let x = PHILOX_PI * (t - 0.5 * k);
  let x2 = x * x;
  let s = x * (1.0 + x2 * (-1.0 / 6.0 + x2 * (1.0 / 120.0 + x2 * (-1.0 / 5040.0 + x2 * (1.0 / 362880.0)))));
  let c = 1.0 + x2 * (-0.5 + x2 * (1.0 / 24.0 + x2 * (-1.0 / 720.0 + x2 * (1.0 / 40320.0 + x2 * (-1.0 / 3628800.0)))));
  let q = (i32(k) + 4) & 3;
  if (q == 0) { return vec2<f32>(c, s); }
  if (q == 1) { return vec2<f32>(-s, c); }
  if (q == 2) { return vec2<f32>(-c, -s); }
  return vec2<f32>(s, -c);
}

fn normal2(x0: u32, x1: u32) -> vec2<f32> {
  let r = sqrt(2.0 * neg_log_u01(x0));
  return r * cos_sin_pi(2.0 * u01(x1) - 1.0);
}
