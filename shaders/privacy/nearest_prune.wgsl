// nearest_prune.wgsl — exact nearest table row for each query, computing full distances only
// where a lower bound from a projection cannot rule a row out (the variant for CPU-backed
// adapters such as SwiftShader, where every multiply-add skipped is time saved).
//
// Setup (once per table, nearest.ts): an orthonormal basis R [P, C] of the table's top
// principal directions (P ≤ C, a multiple of 4) and the table's mean μ, on the CPU; then on
// the GPU proj_j = R(e_j − μ) ([rows, P] f32, entry point `project`) and tn_j = ‖proj_j‖²
// (`rownorm`). For every row, ‖q − e_j‖² ≥ ‖R(q − e_j)‖² =
// ‖qp − proj_j‖² with qp = R(q − μ), because R has orthonormal rows.
//
// Scores: s_j = ‖e_j‖² − 2·q·e_j (= ‖q − e_j‖² − ‖q‖²), the same quantity nearest_brute.wgsl
// minimises; the answer is argmin_j s_j, ties → lower j (j = index in the candidate list,
// which is in increasing token id).
//
// project: qp = R·q − R·μ for every query (4 queries × 4 coordinates per invocation); also
//          projects the table once (then `rownorm` takes the squared norms tn).
//          Dispatch: (ceil(P / 16), ceil(n / 64), 1), workgroup 4 × 16.
// bound:   for the nb queries of a batch (from qBase) × the rows of one chunk, in tiles of
//          8 queries × 8 rows (P/4 steps of 8 + 8 vec4 loads, 64 dot products):
//          b_ij = tn_j − 2·qp_i·proj_j (= ‖qp_i − proj_j‖² − ‖qp_i‖²), stored to
//          pbuf [nb, Rp] (Rp = rows rounded up to 8).
//          Dispatch: (ceil(nb / (8·WG)), chunks, 1), workgroup WG.
// seedlim: one invocation per query of the batch: the seed, the row with the smallest bound
//          (with P ≈ 64 principal coordinates almost always the nearest row itself), read from
//          pbuf; its full score gives an upper bound on the best distance, turned into the
//          threshold on b (see Rounding); writes qinfo[i] = (threshold, ‖q‖², ‖qp‖², 0).
//          Dispatch: (ceil(nb / WG), 1, 1), workgroup WG.
// mark:    per invocation 8 queries × the rows of one chunk, in tiles of 8 rows: the 64 bounds
//          are read from pbuf (16 vec4); a tile with any bound at or below its query's
//          threshold is appended to the invocation's list (tiles [chunks, octets,
//          tilesPerChunk] row offsets, counts [chunks, octets]).
//          Dispatch: (ceil(nb / (8·WG)), chunks, 1), workgroup WG.
// full:    per invocation the same 8 queries × its listed tiles: full 8×8 scores computed
//          exactly as in nearest_brute.wgsl (same tile code, rows in increasing order), best
//          (score, row) per query to bestS/bestI [chunks, nb]; nearest_brute.wgsl's `reduce`
//          finishes. Dispatch: (ceil(nb / (8·WG)), chunks, 1), workgroup WG.
//          Cost: the bound pass is P/C of a brute-force scan; the marked tiles are few when
//          the queries lie near their nearest rows (noise small against the spacing of the
//          table) and all of them in the worst case (then ≈ brute force + the bound pass).
//
// Rounding (why skipping is exact): let D_j = ‖q − e_j‖² and ŝ_j the computed score. Every
// computed score is within errS = γ_C·(‖q‖ + maxNorm)² of D_j − ‖q‖², and the computed
// d_seed = ŝ_seed + ‖q‖² within 2·errS of D_seed. The projected coordinates are within
// δ = γ_C·√P·(‖q‖ + maxDev + 3‖μ‖) (Euclidean norm) of R̂(q − μ) and R̂(e − μ), where R̂ (R rounded
// to f32) has ‖R̂x‖ ≤ (1 + 2⁻²⁴·√P)‖x‖, and b̂ + ‖qp‖² is within 2·errP, errP =
// γ_P·(‖qp‖ + maxPNorm)², of ‖qp − proj_j‖². (γ_K = 2(K + 4)·2⁻²⁴.) A row is skipped only if
//     b̂_j + ‖qp‖² > thr = (√(d_seed + 4·errS)·(1 + 10⁻⁴) + δ)² + 2·errP,
// which by the above implies D_j > d_seed + 4·errS ≥ D_seed + 2·errS, so ŝ_j > ŝ_seed ≥ the
// smallest score: a skipped row can never be (or tie with) the brute-force answer. The slacks
// are orders of magnitude below the gaps the bound works with, so they cost no pruning.
//
// Bindings (a W suffix: the same data, written by an earlier entry point): queries [n, C4] and
// table [rows, C4] (vec4, zero-padded to 4·C4 coordinates), norms [rows] (‖e‖²), rot [P, C4]
// (vec4), rbias [P] (R·μ), qproj [n, P/4] (vec4), proj [rows, P/4] (vec4), pnorm [rows] (tn),
// pbuf [nb, Rp/4] (vec4), qinfo [nb] (vec4), tiles/counts (marked tiles), bestS/bestI
// [chunks, nb], params (uniform). No entry point binds more than 7 storage buffers.

override WG: u32 = 16u;

struct Params {
  n: u32, rows: u32, C4: u32, rowsPerChunk: u32,
  P4: u32, chunks: u32, qBase: u32, nb: u32,
  Rp4: u32, octets: u32, tilesPerChunk: u32, _p0: u32,
  // error model (see above)
  gammaC: f32, gammaP: f32, sqrtP: f32, maxNorm: f32,
  maxDev: f32, muNorm: f32, maxPNorm: f32, _p3: f32,
}

@group(0) @binding(0) var<storage, read> queries: array<vec4<f32>>;
@group(0) @binding(1) var<storage, read> table: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read> norms: array<f32>;
@group(0) @binding(3) var<storage, read> rot: array<vec4<f32>>;
@group(0) @binding(4) var<storage, read> rbias: array<f32>;
@group(0) @binding(5) var<storage, read_write> qprojW: array<vec4<f32>>;
@group(0) @binding(6) var<storage, read> qproj: array<vec4<f32>>;
@group(0) @binding(7) var<storage, read> proj: array<vec4<f32>>;
@group(0) @binding(8) var<storage, read> pnorm: array<f32>;
@group(0) @binding(9) var<storage, read_write> pbufW: array<vec4<f32>>;
@group(0) @binding(10) var<storage, read> pbuf: array<vec4<f32>>;
@group(0) @binding(11) var<storage, read_write> qinfoW: array<vec4<f32>>;
@group(0) @binding(12) var<storage, read> qinfo: array<vec4<f32>>;
@group(0) @binding(13) var<storage, read_write> tilesW: array<u32>;
@group(0) @binding(14) var<storage, read> tiles: array<u32>;
@group(0) @binding(15) var<storage, read_write> countsW: array<u32>;
@group(0) @binding(16) var<storage, read> counts: array<u32>;
@group(0) @binding(17) var<storage, read_write> bestS: array<f32>;
@group(0) @binding(18) var<storage, read_write> bestI: array<u32>;
@group(0) @binding(19) var<uniform> params: Params;
@group(0) @binding(20) var<storage, read_write> pnormW: array<f32>;

const BIG: f32 = 3.0e38;

struct Best { s: f32, k: u32, }

// Rows r0..r0+3 with values v: strictly smaller wins (rows come in increasing order, so ties
// keep the lower row; rows clamped to the last one repeat its value and never win).
fn pick(b: Best, v: vec4<f32>, r0: u32, rLast: u32) -> Best {
  var o = b;
  if (v.x < o.s) { o = Best(v.x, min(r0, rLast)); }
  if (v.y < o.s) { o = Best(v.y, min(r0 + 1u, rLast)); }
  if (v.z < o.s) { o = Best(v.z, min(r0 + 2u, rLast)); }
  if (v.w < o.s) { o = Best(v.w, min(r0 + 3u, rLast)); }
  return o;
}

@compute @workgroup_size(4, 16, 1)
fn project(@builtin(global_invocation_id) gid: vec3<u32>) {
  let n = params.n;
  let C4 = params.C4;
  let P4 = params.P4;
  let pc = gid.x;
  let q0 = gid.y * 4u;
  if (pc >= P4 || q0 >= n) { return; }
  let r0 = (4u * pc + 0u) * C4;
  let r1 = (4u * pc + 1u) * C4;
  let r2 = (4u * pc + 2u) * C4;
  let r3 = (4u * pc + 3u) * C4;
  let a0 = min(q0 + 0u, n - 1u) * C4;
  let a1 = min(q0 + 1u, n - 1u) * C4;
  let a2 = min(q0 + 2u, n - 1u) * C4;
  let a3 = min(q0 + 3u, n - 1u) * C4;
  var c0 = vec4<f32>(0.0);
  var c1 = vec4<f32>(0.0);
  var c2 = vec4<f32>(0.0);
  var c3 = vec4<f32>(0.0);
  for (var c = 0u; c < C4; c++) {
    let y0 = rot[r0 + c];
    let y1 = rot[r1 + c];
    let y2 = rot[r2 + c];
    let y3 = rot[r3 + c];
    let x0 = queries[a0 + c];
    c0 += vec4<f32>(dot(x0, y0), dot(x0, y1), dot(x0, y2), dot(x0, y3));
    let x1 = queries[a1 + c];
    c1 += vec4<f32>(dot(x1, y0), dot(x1, y1), dot(x1, y2), dot(x1, y3));
    let x2 = queries[a2 + c];
    c2 += vec4<f32>(dot(x2, y0), dot(x2, y1), dot(x2, y2), dot(x2, y3));
    let x3 = queries[a3 + c];
    c3 += vec4<f32>(dot(x3, y0), dot(x3, y1), dot(x3, y2), dot(x3, y3));
  }
  let b = vec4<f32>(rbias[4u * pc], rbias[4u * pc + 1u], rbias[4u * pc + 2u], rbias[4u * pc + 3u]);
  qprojW[(q0 + 0u) * P4 + pc] = c0 - b;
  if (q0 + 1u < n) { qprojW[(q0 + 1u) * P4 + pc] = c1 - b; }
  if (q0 + 2u < n) { qprojW[(q0 + 2u) * P4 + pc] = c2 - b; }
  if (q0 + 3u < n) { qprojW[(q0 + 3u) * P4 + pc] = c3 - b; }
}

// rownorm: pnormW[j] = ‖qproj_j‖² for j < n (used once per table: the table's rows are
// projected with `project` like queries, then their squared norms taken here).
// Dispatch: (ceil(n / 64), 1, 1), workgroup 64.
@compute @workgroup_size(64, 1, 1)
fn rownorm(@builtin(global_invocation_id) gid: vec3<u32>) {
  let j = gid.x;
  if (j >= params.n) { return; }
  var s = 0.0;
  for (var c = 0u; c < params.P4; c++) { let v = qproj[j * params.P4 + c]; s += dot(v, v); }
  pnormW[j] = s;
}

@compute @workgroup_size(WG, 1, 1)
fn bound(@builtin(global_invocation_id) gid: vec3<u32>) {
  let nb = params.nb;
  let i0 = gid.x * 8u;
  if (i0 >= nb) { return; }
  let P4 = params.P4;
  let Rp4 = params.Rp4;
  let rLast = params.rows - 1u;
  let rStart = gid.y * params.rowsPerChunk;
  let rEnd = min(params.rows, rStart + params.rowsPerChunk);
  let qLast = params.qBase + nb - 1u;
  let p0 = min(params.qBase + i0 + 0u, qLast) * P4;
  let p1 = min(params.qBase + i0 + 1u, qLast) * P4;
  let p2 = min(params.qBase + i0 + 2u, qLast) * P4;
  let p3 = min(params.qBase + i0 + 3u, qLast) * P4;
  let p4 = min(params.qBase + i0 + 4u, qLast) * P4;
  let p5 = min(params.qBase + i0 + 5u, qLast) * P4;
  let p6 = min(params.qBase + i0 + 6u, qLast) * P4;
  let p7 = min(params.qBase + i0 + 7u, qLast) * P4;
  for (var r0 = rStart; r0 < rEnd; r0 += 8u) {
    let b0 = min(r0 + 0u, rLast) * P4;
    let b1 = min(r0 + 1u, rLast) * P4;
    let b2 = min(r0 + 2u, rLast) * P4;
    let b3 = min(r0 + 3u, rLast) * P4;
    let b4 = min(r0 + 4u, rLast) * P4;
    let b5 = min(r0 + 5u, rLast) * P4;
    let b6 = min(r0 + 6u, rLast) * P4;
    let b7 = min(r0 + 7u, rLast) * P4;
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
    for (var c = 0u; c < P4; c++) {
      let y0 = proj[b0 + c];
      let y1 = proj[b1 + c];
      let y2 = proj[b2 + c];
      let y3 = proj[b3 + c];
      let y4 = proj[b4 + c];
      let y5 = proj[b5 + c];
      let y6 = proj[b6 + c];
      let y7 = proj[b7 + c];
      let x0 = qproj[p0 + c];
      c0_0 += vec4<f32>(dot(x0, y0), dot(x0, y1), dot(x0, y2), dot(x0, y3));
      c0_1 += vec4<f32>(dot(x0, y4), dot(x0, y5), dot(x0, y6), dot(x0, y7));
      let x1 = qproj[p1 + c];
      c1_0 += vec4<f32>(dot(x1, y0), dot(x1, y1), dot(x1, y2), dot(x1, y3));
      c1_1 += vec4<f32>(dot(x1, y4), dot(x1, y5), dot(x1, y6), dot(x1, y7));
      let x2 = qproj[p2 + c];
      c2_0 += vec4<f32>(dot(x2, y0), dot(x2, y1), dot(x2, y2), dot(x2, y3));
      c2_1 += vec4<f32>(dot(x2, y4), dot(x2, y5), dot(x2, y6), dot(x2, y7));
      let x3 = qproj[p3 + c];
      c3_0 += vec4<f32>(dot(x3, y0), dot(x3, y1), dot(x3, y2), dot(x3, y3));
      c3_1 += vec4<f32>(dot(x3, y4), dot(x3, y5), dot(x3, y6), dot(x3, y7));
      let x4 = qproj[p4 + c];
      c4_0 += vec4<f32>(dot(x4, y0), dot(x4, y1), dot(x4, y2), dot(x4, y3));
      c4_1 += vec4<f32>(dot(x4, y4), dot(x4, y5), dot(x4, y6), dot(x4, y7));
      let x5 = qproj[p5 + c];
      c5_0 += vec4<f32>(dot(x5, y0), dot(x5, y1), dot(x5, y2), dot(x5, y3));
      c5_1 += vec4<f32>(dot(x5, y4), dot(x5, y5), dot(x5, y6), dot(x5, y7));
      let x6 = qproj[p6 + c];
      c6_0 += vec4<f32>(dot(x6, y0), dot(x6, y1), dot(x6, y2), dot(x6, y3));
      c6_1 += vec4<f32>(dot(x6, y4), dot(x6, y5), dot(x6, y6), dot(x6, y7));
      let x7 = qproj[p7 + c];
      c7_0 += vec4<f32>(dot(x7, y0), dot(x7, y1), dot(x7, y2), dot(x7, y3));
      c7_1 += vec4<f32>(dot(x7, y4), dot(x7, y5), dot(x7, y6), dot(x7, y7));
    }
    let tA = vec4<f32>(pnorm[min(r0, rLast)], pnorm[min(r0 + 1u, rLast)], pnorm[min(r0 + 2u, rLast)], pnorm[min(r0 + 3u, rLast)]);
    let tB = vec4<f32>(pnorm[min(r0 + 4u, rLast)], pnorm[min(r0 + 5u, rLast)], pnorm[min(r0 + 6u, rLast)], pnorm[min(r0 + 7u, rLast)]);
    let o4 = r0 / 4u;
    let v0_0 = tA - 2.0 * c0_0;
    let v0_1 = tB - 2.0 * c0_1;
    if (i0 + 0u < nb) { pbufW[(i0 + 0u) * Rp4 + o4] = v0_0; pbufW[(i0 + 0u) * Rp4 + o4 + 1u] = v0_1; }
    let v1_0 = tA - 2.0 * c1_0;
    let v1_1 = tB - 2.0 * c1_1;
    if (i0 + 1u < nb) { pbufW[(i0 + 1u) * Rp4 + o4] = v1_0; pbufW[(i0 + 1u) * Rp4 + o4 + 1u] = v1_1; }
    let v2_0 = tA - 2.0 * c2_0;
    let v2_1 = tB - 2.0 * c2_1;
    if (i0 + 2u < nb) { pbufW[(i0 + 2u) * Rp4 + o4] = v2_0; pbufW[(i0 + 2u) * Rp4 + o4 + 1u] = v2_1; }
    let v3_0 = tA - 2.0 * c3_0;
    let v3_1 = tB - 2.0 * c3_1;
    if (i0 + 3u < nb) { pbufW[(i0 + 3u) * Rp4 + o4] = v3_0; pbufW[(i0 + 3u) * Rp4 + o4 + 1u] = v3_1; }
    let v4_0 = tA - 2.0 * c4_0;
    let v4_1 = tB - 2.0 * c4_1;
    if (i0 + 4u < nb) { pbufW[(i0 + 4u) * Rp4 + o4] = v4_0; pbufW[(i0 + 4u) * Rp4 + o4 + 1u] = v4_1; }
    let v5_0 = tA - 2.0 * c5_0;
    let v5_1 = tB - 2.0 * c5_1;
    if (i0 + 5u < nb) { pbufW[(i0 + 5u) * Rp4 + o4] = v5_0; pbufW[(i0 + 5u) * Rp4 + o4 + 1u] = v5_1; }
    let v6_0 = tA - 2.0 * c6_0;
    let v6_1 = tB - 2.0 * c6_1;
    if (i0 + 6u < nb) { pbufW[(i0 + 6u) * Rp4 + o4] = v6_0; pbufW[(i0 + 6u) * Rp4 + o4 + 1u] = v6_1; }
    let v7_0 = tA - 2.0 * c7_0;
    let v7_1 = tB - 2.0 * c7_1;
    if (i0 + 7u < nb) { pbufW[(i0 + 7u) * Rp4 + o4] = v7_0; pbufW[(i0 + 7u) * Rp4 + o4 + 1u] = v7_1; }
  }
}

fn sq(x: vec4<f32>) -> f32 { return dot(x, x); }

// Full score of row r for the query at vec4 offset a (the seed row only).
fn score(a: u32, r: u32) -> f32 {
  let b = r * params.C4;
  var acc = 0.0;
  for (var c = 0u; c < params.C4; c++) { acc += dot(queries[a + c], table[b + c]); }
  return norms[r] - 2.0 * acc;
}

// Threshold on b̂ = p̂ − ‖qp‖² at or below which a row must be scored, given the computed full
// distance dBest = ŝ + ‖q‖² of the seed row (see Rounding in the header).
fn limit(dBest: f32, qn2: f32, qpn2: f32) -> f32 {
  let qn = sqrt(qn2);
  let errS = params.gammaC * (qn + params.maxNorm) * (qn + params.maxNorm);
  let delta = params.gammaC * params.sqrtP * (qn + params.maxDev + 3.0 * params.muNorm);
  let qpn = sqrt(qpn2);
  let errP = params.gammaP * (qpn + params.maxPNorm) * (qpn + params.maxPNorm);
  let r = sqrt(max(dBest + 4.0 * errS, 0.0)) * 1.0001 + delta;
  return r * r + 2.0 * errP - qpn2;
}

fn minv(v: vec4<f32>) -> f32 { return min(min(v.x, v.y), min(v.z, v.w)); }

@compute @workgroup_size(WG, 1, 1)
fn seedlim(@builtin(global_invocation_id) gid: vec3<u32>) {
  let nb = params.nb;
  let i = gid.x;
  if (i >= nb) { return; }
  let q = params.qBase + i;
  let C4 = params.C4;
  // the seed: the row with the smallest bound (ties → lower row)
  let rowBase = i * params.Rp4;
  let rLast = params.rows - 1u;
  var seed = Best(BIG, 0u);
  for (var r4 = 0u; r4 < params.Rp4; r4++) {
    seed = pick(seed, pbuf[rowBase + r4], 4u * r4, rLast);
  }
  let qa = q * C4;
  var qn2 = 0.0;
  for (var c = 0u; c < C4; c++) { qn2 += sq(queries[qa + c]); }
  var qpn2 = 0.0;
  for (var c = 0u; c < params.P4; c++) { qpn2 += sq(qproj[q * params.P4 + c]); }
  qinfoW[i] = vec4<f32>(limit(score(qa, seed.k) + qn2, qn2, qpn2), qn2, qpn2, 0.0);
}

@compute @workgroup_size(WG, 1, 1)
fn mark(@builtin(global_invocation_id) gid: vec3<u32>) {
  let nb = params.nb;
  let i0 = gid.x * 8u;
  if (i0 >= nb) { return; }
  let Rp4 = params.Rp4;
  let rStart = gid.y * params.rowsPerChunk;
  let rEnd = min(params.rows, rStart + params.rowsPerChunk);
  let u0 = min(i0 + 0u, nb - 1u) * Rp4;
  let u1 = min(i0 + 1u, nb - 1u) * Rp4;
  let u2 = min(i0 + 2u, nb - 1u) * Rp4;
  let u3 = min(i0 + 3u, nb - 1u) * Rp4;
  let u4 = min(i0 + 4u, nb - 1u) * Rp4;
  let u5 = min(i0 + 5u, nb - 1u) * Rp4;
  let u6 = min(i0 + 6u, nb - 1u) * Rp4;
  let u7 = min(i0 + 7u, nb - 1u) * Rp4;
  let lim0 = qinfo[min(i0 + 0u, nb - 1u)].x;
  let lim1 = qinfo[min(i0 + 1u, nb - 1u)].x;
  let lim2 = qinfo[min(i0 + 2u, nb - 1u)].x;
  let lim3 = qinfo[min(i0 + 3u, nb - 1u)].x;
  let lim4 = qinfo[min(i0 + 4u, nb - 1u)].x;
  let lim5 = qinfo[min(i0 + 5u, nb - 1u)].x;
  let lim6 = qinfo[min(i0 + 6u, nb - 1u)].x;
  let lim7 = qinfo[min(i0 + 7u, nb - 1u)].x;
  let list = (gid.y * params.octets + gid.x) * params.tilesPerChunk;
  var count = 0u;
  for (var r0 = rStart; r0 < rEnd; r0 += 8u) {
    let o4 = r0 / 4u;
    let m0 = min(minv(pbuf[u0 + o4]), minv(pbuf[u0 + o4 + 1u])) - lim0;
    let m1 = min(minv(pbuf[u1 + o4]), minv(pbuf[u1 + o4 + 1u])) - lim1;
    let m2 = min(minv(pbuf[u2 + o4]), minv(pbuf[u2 + o4 + 1u])) - lim2;
    let m3 = min(minv(pbuf[u3 + o4]), minv(pbuf[u3 + o4 + 1u])) - lim3;
    let m4 = min(minv(pbuf[u4 + o4]), minv(pbuf[u4 + o4 + 1u])) - lim4;
    let m5 = min(minv(pbuf[u5 + o4]), minv(pbuf[u5 + o4 + 1u])) - lim5;
    let m6 = min(minv(pbuf[u6 + o4]), minv(pbuf[u6 + o4 + 1u])) - lim6;
    let m7 = min(minv(pbuf[u7 + o4]), minv(pbuf[u7 + o4 + 1u])) - lim7;
    if (min(min(min(m0, m1), min(m2, m3)), min(min(m4, m5), min(m6, m7))) <= 0.0) {
      tilesW[list + count] = r0;
      count += 1u;
    }
  }
  countsW[gid.y * params.octets + gid.x] = count;
}

@compute @workgroup_size(WG, 1, 1)
fn full(@builtin(global_invocation_id) gid: vec3<u32>) {
  let nb = params.nb;
  let i0 = gid.x * 8u;
  if (i0 >= nb) { return; }
  let C4 = params.C4;
  let rLast = params.rows - 1u;
  let qLast = params.qBase + nb - 1u;
  let a0 = min(params.qBase + i0 + 0u, qLast) * C4;
  let a1 = min(params.qBase + i0 + 1u, qLast) * C4;
  let a2 = min(params.qBase + i0 + 2u, qLast) * C4;
  let a3 = min(params.qBase + i0 + 3u, qLast) * C4;
  let a4 = min(params.qBase + i0 + 4u, qLast) * C4;
  let a5 = min(params.qBase + i0 + 5u, qLast) * C4;
  let a6 = min(params.qBase + i0 + 6u, qLast) * C4;
  let a7 = min(params.qBase + i0 + 7u, qLast) * C4;
  var s0 = Best(BIG, 0u);
  var s1 = Best(BIG, 0u);
  var s2 = Best(BIG, 0u);
  var s3 = Best(BIG, 0u);
  var s4 = Best(BIG, 0u);
  var s5 = Best(BIG, 0u);
  var s6 = Best(BIG, 0u);
  var s7 = Best(BIG, 0u);
  let slot = gid.y * params.octets + gid.x;
  let list = slot * params.tilesPerChunk;
  let count = counts[slot];
  for (var t = 0u; t < count; t++) {
    let r0 = tiles[list + t];
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
      let x0 = queries[a0 + c];
      c0_0 += vec4<f32>(dot(x0, y0), dot(x0, y1), dot(x0, y2), dot(x0, y3));
      c0_1 += vec4<f32>(dot(x0, y4), dot(x0, y5), dot(x0, y6), dot(x0, y7));
      let x1 = queries[a1 + c];
      c1_0 += vec4<f32>(dot(x1, y0), dot(x1, y1), dot(x1, y2), dot(x1, y3));
      c1_1 += vec4<f32>(dot(x1, y4), dot(x1, y5), dot(x1, y6), dot(x1, y7));
      let x2 = queries[a2 + c];
      c2_0 += vec4<f32>(dot(x2, y0), dot(x2, y1), dot(x2, y2), dot(x2, y3));
      c2_1 += vec4<f32>(dot(x2, y4), dot(x2, y5), dot(x2, y6), dot(x2, y7));
      let x3 = queries[a3 + c];
      c3_0 += vec4<f32>(dot(x3, y0), dot(x3, y1), dot(x3, y2), dot(x3, y3));
      c3_1 += vec4<f32>(dot(x3, y4), dot(x3, y5), dot(x3, y6), dot(x3, y7));
      let x4 = queries[a4 + c];
      c4_0 += vec4<f32>(dot(x4, y0), dot(x4, y1), dot(x4, y2), dot(x4, y3));
      c4_1 += vec4<f32>(dot(x4, y4), dot(x4, y5), dot(x4, y6), dot(x4, y7));
      let x5 = queries[a5 + c];
      c5_0 += vec4<f32>(dot(x5, y0), dot(x5, y1), dot(x5, y2), dot(x5, y3));
      c5_1 += vec4<f32>(dot(x5, y4), dot(x5, y5), dot(x5, y6), dot(x5, y7));
      let x6 = queries[a6 + c];
      c6_0 += vec4<f32>(dot(x6, y0), dot(x6, y1), dot(x6, y2), dot(x6, y3));
      c6_1 += vec4<f32>(dot(x6, y4), dot(x6, y5), dot(x6, y6), dot(x6, y7));
      let x7 = queries[a7 + c];
      c7_0 += vec4<f32>(dot(x7, y0), dot(x7, y1), dot(x7, y2), dot(x7, y3));
      c7_1 += vec4<f32>(dot(x7, y4), dot(x7, y5), dot(x7, y6), dot(x7, y7));
    }
    let nA = vec4<f32>(norms[min(r0, rLast)], norms[min(r0 + 1u, rLast)], norms[min(r0 + 2u, rLast)], norms[min(r0 + 3u, rLast)]);
    let nB = vec4<f32>(norms[min(r0 + 4u, rLast)], norms[min(r0 + 5u, rLast)], norms[min(r0 + 6u, rLast)], norms[min(r0 + 7u, rLast)]);
    s0 = pick(pick(s0, nA - 2.0 * c0_0, r0, rLast), nB - 2.0 * c0_1, r0 + 4u, rLast);
    s1 = pick(pick(s1, nA - 2.0 * c1_0, r0, rLast), nB - 2.0 * c1_1, r0 + 4u, rLast);
    s2 = pick(pick(s2, nA - 2.0 * c2_0, r0, rLast), nB - 2.0 * c2_1, r0 + 4u, rLast);
    s3 = pick(pick(s3, nA - 2.0 * c3_0, r0, rLast), nB - 2.0 * c3_1, r0 + 4u, rLast);
    s4 = pick(pick(s4, nA - 2.0 * c4_0, r0, rLast), nB - 2.0 * c4_1, r0 + 4u, rLast);
    s5 = pick(pick(s5, nA - 2.0 * c5_0, r0, rLast), nB - 2.0 * c5_1, r0 + 4u, rLast);
    s6 = pick(pick(s6, nA - 2.0 * c6_0, r0, rLast), nB - 2.0 * c6_1, r0 + 4u, rLast);
    s7 = pick(pick(s7, nA - 2.0 * c7_0, r0, rLast), nB - 2.0 * c7_1, r0 + 4u, rLast);
  }
  let base = gid.y * nb + i0;
  if (i0 + 0u < nb) { bestS[base + 0u] = s0.s; bestI[base + 0u] = s0.k; }
  if (i0 + 1u < nb) { bestS[base + 1u] = s1.s; bestI[base + 1u] = s1.k; }
  if (i0 + 2u < nb) { bestS[base + 2u] = s2.s; bestI[base + 2u] = s2.k; }
  if (i0 + 3u < nb) { bestS[base + 3u] = s3.s; bestI[base + 3u] = s3.k; }
  if (i0 + 4u < nb) { bestS[base + 4u] = s4.s; bestI[base + 4u] = s4.k; }
  if (i0 + 5u < nb) { bestS[base + 5u] = s5.s; bestI[base + 5u] = s5.k; }
  if (i0 + 6u < nb) { bestS[base + 6u] = s6.s; bestI[base + 6u] = s6.k; }
  if (i0 + 7u < nb) { bestS[base + 7u] = s7.s; bestI[base + 7u] = s7.k; }
}
