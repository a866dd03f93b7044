// expmech.wgsl — Gumbel-max sampling for the exponential mechanisms on tokens (SanText,
// SanText+, CusText; src/lib/privacy/santext.ts, custext.ts). For each position i with input
// embedding x_i, draw y with P(y) ∝ exp(logit_y) as argmax_y (logit_y + G_iy), G_iy standard
// Gumbel: G = −ln(−ln U), U = u01 of a Philox4x32-10 output word (privacy/philox.wgsl) with
// counter (pos_i, ⌊y/4⌋, STREAM, call) and the run's key; word y mod 4 is U's source. A draw
// therefore depends only on (key, call, position, y): reproducible given the key, independent
// across positions, and the same whatever the tiling, batching or number of chunks.
// (U has 23 random bits, so G ∈ [−2.8, 16.6]: an output whose logit is more than ≈ 19.4 below
// the best one gets probability 0 instead of a tiny one — see expmech.ts.)
//
// dist:    squared distances d²_iy = Σ(x_i − e_y)² (difference form: exactly 0 for y = x,
//          accurate for near neighbours) between the mb positions of a batch (inputs rows
//          qBase … qBase + mb − 1) and the rows e_y of `table` ([rows, C4] vec4: the output set,
//          increasing id); tiles of 8 positions × 8 rows per invocation; written to
//          dbufW [mb, Rp] (Rp = rows rounded up to 8). One tile per invocation.
//          Dispatch: (ceil(mb / (8·WG)), ceil(rows / 8), 1), workgroup WG.
// gumbel:  logit_y = −halfEps·√d²_iy (halfEps = ε/2); per invocation one position × the rows of
//          one chunk, 4 rows (one Philox call) per step; the best (score, row) per position and
//          chunk to bestS/bestI [chunks, mb]. Dispatch: (ceil(mb / WG), chunks, 1).
// reduce:  per position, the largest score over the chunks (ties → lower row), mapped to a token
//          id through ids [rows]: out[qBase + i] (i32). Dispatch: (ceil(mb / 64), 1, 1).
// listed:  explicit lists: logit_k = logits[i·K + k] for k < K (CusText: its K neighbours),
//          out[i] = lids[i·K + argmax_k] (ties → lower k). Dispatch: (ceil(m / 64), 1, 1).
//
// Bindings: table [rows, C4], inputs [m, C4] (vec4, zero-padded rows), dbuf [mb, Rp/4] (vec4),
// pos [m] (u32), bestS/bestI [chunks, mb], ids [rows] (i32), logits [m, K] (f32), lids [m, K]
// (i32), out [m] (i32), params (uniform).

#include "privacy/philox.wgsl"

override WG: u32 = 16u;

struct Params {
  m: u32, rows: u32, C4: u32, rowsPerChunk: u32,
  chunks: u32, K: u32, key0: u32, key1: u32,
  call: u32, stream: u32, halfEps: f32, qBase: u32,
  Rp4: u32, _p0: u32, _p1: u32, _p2: u32,
}

@group(0) @binding(0) var<storage, read> table: array<vec4<f32>>;
@group(0) @binding(1) var<storage, read> inputs: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read_write> dbufW: array<vec4<f32>>;
@group(0) @binding(3) var<storage, read> dbuf: array<vec4<f32>>;
@group(0) @binding(4) var<storage, read> pos: array<u32>;
@group(0) @binding(5) var<storage, read_write> bestSW: array<f32>;
@group(0) @binding(6) var<storage, read_write> bestIW: array<u32>;
@group(0) @binding(7) var<storage, read> bestS: array<f32>;
@group(0) @binding(8) var<storage, read> bestI: array<u32>;
@group(0) @binding(9) var<storage, read> ids: array<i32>;
@group(0) @binding(10) var<storage, read> logits: array<f32>;
@group(0) @binding(11) var<storage, read> lids: array<i32>;
@group(0) @binding(12) var<storage, read_write> out: array<i32>;
@group(0) @binding(13) var<uniform> params: Params;

const NEG_BIG: f32 = -3.0e38;

fn sqd(a: vec4<f32>, b: vec4<f32>) -> f32 {
  let d = a - b;
  return dot(d, d);
}

// Four standard Gumbel variates for outputs 4·blk … 4·blk + 3 at position p.
fn gumbel4(p: u32, blk: u32) -> vec4<f32> {
  let r = philox4x32_10(vec4<u32>(p, blk, params.stream, params.call), vec2<u32>(params.key0, params.key1));
  return -log(vec4<f32>(neg_log_u01(r.x), neg_log_u01(r.y), neg_log_u01(r.z), neg_log_u01(r.w)));
}

struct Best { s: f32, k: u32, }

@compute @workgroup_size(WG, 1, 1)
fn dist(@builtin(global_invocation_id) gid: vec3<u32>) {
  let mb = params.m;
  let i0 = gid.x * 8u;
  let r0 = gid.y * 8u;
  if (i0 >= mb || r0 >= params.rows) { return; }
  let C4 = params.C4;
  let rLast = params.rows - 1u;
  let iLast = params.qBase + mb - 1u;
  let a0 = min(params.qBase + i0 + 0u, iLast) * C4;
  let a1 = min(params.qBase + i0 + 1u, iLast) * C4;
  let a2 = min(params.qBase + i0 + 2u, iLast) * C4;
  let a3 = min(params.qBase + i0 + 3u, iLast) * C4;
  let a4 = min(params.qBase + i0 + 4u, iLast) * C4;
  let a5 = min(params.qBase + i0 + 5u, iLast) * C4;
  let a6 = min(params.qBase + i0 + 6u, iLast) * C4;
  let a7 = min(params.qBase + i0 + 7u, iLast) * C4;
  let b0 = min(r0 + 0u, rLast) * C4;
  let b1 = min(r0 + 1u, rLast) * C4;
  let b2 = min(r0 + 2u, rLast) * C4;
  let b3 = min(r0 + 3u, rLast) * C4;
  let b4 = min(r0 + 4u, rLast) * C4;
  let b5 = min(r0 + 5u, rLast) * C4;
  let b6 = min(r0 + 6u, rLast) * C4;
  let b7 = min(r0 + 7u, rLast) * C4;
  var c0_0 = vec4<f32>(0.0);
  var c0_1 = vec4<f32>(0.0);
  var c1_0 = vec4<f32>(0.0);
  var c1_1 = vec4<f32>(0.0);
  var c2_0 = vec4<f32>(0.0);
  var c2_1 = vec4<f32>(0.0);
  var c3_0 = vec4<f32>(0.0);
  var c3_1 = vec4<f32>(0.0);
  var c4_0 = vec4<f32>(0.0);
  var c4_1 = vec4<f32>(0.0);
  var c5_0 = vec4<f32>(0.0);
  var c5_1 = vec4<f32>(0.0);
  var c6_0 = vec4<f32>(0.0);
  var c6_1 = vec4<f32>(0.0);
  var c7_0 = vec4<f32>(0.0);
  var c7_1 = vec4<f32>(0.0);
  for (var c = 0u; c < C4; c++) {
    let y0 = table[b0 + c];
    let y1 = table[b1 + c];
    let y2 = table[b2 + c];
    let y3 = table[b3 + c];
    let y4 = table[b4 + c];
    let y5 = table[b5 + c];
    let y6 = table[b6 + c];
    let y7 = table[b7 + c];
    let x0 = inputs[a0 + c];
    c0_0 += vec4<f32>(sqd(x0, y0), sqd(x0, y1), sqd(x0, y2), sqd(x0, y3));
    c0_1 += vec4<f32>(sqd(x0, y4), sqd(x0, y5), sqd(x0, y6), sqd(x0, y7));
    let x1 = inputs[a1 + c];
    c1_0 += vec4<f32>(sqd(x1, y0), sqd(x1, y1), sqd(x1, y2), sqd(x1, y3));
    c1_1 += vec4<f32>(sqd(x1, y4), sqd(x1, y5), sqd(x1, y6), sqd(x1, y7));
    let x2 = inputs[a2 + c];
    c2_0 += vec4<f32>(sqd(x2, y0), sqd(x2, y1), sqd(x2, y2), sqd(x2, y3));
    c2_1 += vec4<f32>(sqd(x2, y4), sqd(x2, y5), sqd(x2, y6), sqd(x2, y7));
    let x3 = inputs[a3 + c];
    c3_0 += vec4<f32>(sqd(x3, y0), sqd(x3, y1), sqd(x3, y2), sqd(x3, y3));
    c3_1 += vec4<f32>(sqd(x3, y4), sqd(x3, y5), sqd(x3, y6), sqd(x3, y7));
    let x4 = inputs[a4 + c];
    c4_0 += vec4<f32>(sqd(x4, y0), sqd(x4, y1), sqd(x4, y2), sqd(x4, y3));
    c4_1 += vec4<f32>(sqd(x4, y4), sqd(x4, y5), sqd(x4, y6), sqd(x4, y7));
    let x5 = inputs[a5 + c];
    c5_0 += vec4<f32>(sqd(x5, y0), sqd(x5, y1), sqd(x5, y2), sqd(x5, y3));
    c5_1 += vec4<f32>(sqd(x5, y4), sqd(x5, y5), sqd(x5, y6), sqd(x5, y7));
    let x6 = inputs[a6 + c];
    c6_0 += vec4<f32>(sqd(x6, y0), sqd(x6, y1), sqd(x6, y2), sqd(x6, y3));
    c6_1 += vec4<f32>(sqd(x6, y4), sqd(x6, y5), sqd(x6, y6), sqd(x6, y7));
    let x7 = inputs[a7 + c];
    c7_0 += vec4<f32>(sqd(x7, y0), sqd(x7, y1), sqd(x7, y2), sqd(x7, y3));
    c7_1 += vec4<f32>(sqd(x7, y4), sqd(x7, y5), sqd(x7, y6), sqd(x7, y7));
  }
  let o4 = r0 / 4u;
  let Rp4 = params.Rp4;
  if (i0 + 0u < mb) { dbufW[(i0 + 0u) * Rp4 + o4] = c0_0; dbufW[(i0 + 0u) * Rp4 + o4 + 1u] = c0_1; }
  if (i0 + 1u < mb) { dbufW[(i0 + 1u) * Rp4 + o4] = c1_0; dbufW[(i0 + 1u) * Rp4 + o4 + 1u] = c1_1; }
  if (i0 + 2u < mb) { dbufW[(i0 + 2u) * Rp4 + o4] = c2_0; dbufW[(i0 + 2u) * Rp4 + o4 + 1u] = c2_1; }
  if (i0 + 3u < mb) { dbufW[(i0 + 3u) * Rp4 + o4] = c3_0; dbufW[(i0 + 3u) * Rp4 + o4 + 1u] = c3_1; }
  if (i0 + 4u < mb) { dbufW[(i0 + 4u) * Rp4 + o4] = c4_0; dbufW[(i0 + 4u) * Rp4 + o4 + 1u] = c4_1; }
  if (i0 + 5u < mb) { dbufW[(i0 + 5u) * Rp4 + o4] = c5_0; dbufW[(i0 + 5u) * Rp4 + o4 + 1u] = c5_1; }
  if (i0 + 6u < mb) { dbufW[(i0 + 6u) * Rp4 + o4] = c6_0; dbufW[(i0 + 6u) * Rp4 + o4 + 1u] = c6_1; }
  if (i0 + 7u < mb) { dbufW[(i0 + 7u) * Rp4 + o4] = c7_0; dbufW[(i0 + 7u) * Rp4 + o4 + 1u] = c7_1; }
}

@compute @workgroup_size(WG, 1, 1)
fn gumbel(@builtin(global_invocation_id) gid: vec3<u32>) {
  let mb = params.m;
  let i = gid.x;
  if (i >= mb) { return; }
  let rows = params.rows;
  let p = pos[params.qBase + i];
  let rStart = gid.y * params.rowsPerChunk;
  let rEnd = min(rows, rStart + params.rowsPerChunk);
  var b = Best(NEG_BIG, 0u);
  for (var r0 = rStart; r0 < rEnd; r0 += 4u) {
    let s = -params.halfEps * sqrt(max(dbuf[i * params.Rp4 + r0 / 4u], vec4<f32>(0.0))) + gumbel4(p, r0 / 4u);
    if (s.x > b.s) { b = Best(s.x, r0); }
    if (r0 + 1u < rows && s.y > b.s) { b = Best(s.y, r0 + 1u); }
    if (r0 + 2u < rows && s.z > b.s) { b = Best(s.z, r0 + 2u); }
    if (r0 + 3u < rows && s.w > b.s) { b = Best(s.w, r0 + 3u); }
  }
  bestSW[gid.y * mb + i] = b.s;
  bestIW[gid.y * mb + i] = b.k;
}

@compute @workgroup_size(64, 1, 1)
fn reduce(@builtin(global_invocation_id) gid: vec3<u32>) {
  let i = gid.x;
  let mb = params.m;
  if (i >= mb) { return; }
  var b = Best(bestS[i], bestI[i]);
  for (var c = 1u; c < params.chunks; c++) {
    let s = bestS[c * mb + i];
    let k = bestI[c * mb + i];
    if (s > b.s || (s == b.s && k < b.k)) { b = Best(s, k); }
  }
  out[params.qBase + i] = ids[b.k];
}

@compute @workgroup_size(64, 1, 1)
fn listed(@builtin(global_invocation_id) gid: vec3<u32>) {
  let i = gid.x;
  let m = params.m;
  if (i >= m) { return; }
  let K = params.K;
  let p = pos[i];
  var b = Best(NEG_BIG, 0u);
  var g = vec4<f32>(0.0);
  for (var k = 0u; k < K; k++) {
    if (k % 4u == 0u) { g = gumbel4(p, k / 4u); }
    let s = logits[i * K + k] + g[k % 4u];
    if (s > b.s) { b = Best(s, k); }
  }
  out[i] = lids[i * K + b.k];
}
