// nearest_brute.wgsl — exact nearest table row for each query, by brute force over tiles of
// queries × table rows (the variant for hardware GPUs, and the ground truth for the pruned
// search in nearest_prune.wgsl).
//
//   For each query q (row of `queries`, [n, C4] vec4, C zero-padded to a multiple of 4) and
//   each table row e_j (row j of `table`, [R, C4] vec4, the candidate embeddings in
//   increasing id order), score s_j = ‖e_j‖² − 2·q·e_j (= ‖q − e_j‖² − ‖q‖²); the nearest
//   row is argmin_j s_j, ties to the lower j (rows are visited in increasing order and only
//   a strictly smaller score replaces the best).
//
// scan:   every invocation owns QT = 8 queries and scans the rows of one chunk
//         [chunk·rowsPerChunk, min(R, (chunk+1)·rowsPerChunk)) in tiles of RT = 8 rows: per
//         step of 4 along C, 8 vec4 of queries and 8 vec4 of rows (contiguous), 64 dot
//         products into 8×8 register accumulators; then 64 compare-selects. Writes the best
//         (score, row) of each of its queries for its chunk to bestS/bestI [chunks, n].
//         Rows past the end are clamped to the last row (a duplicate of the last row never
//         wins: its score ties with itself and keeps the first index seen).
//         Dispatch: (ceil(n / (8·WG)), chunks, 1), workgroup WG × 1 × 1.
// reduce: one invocation per query: the lexicographic minimum (score, row) over the chunks,
//         mapped to the token id through `ids` ([R] i32) and written to out[qBase + q] (i32)
//         (nearest_prune.wgsl's scan, which works on batches of queries, uses it too).
//         Dispatch: (ceil(n / 64), 1, 1), workgroup 64.
//
// Bindings: queries, table (read, vec4), norms (read, [R] f32: ‖e_j‖² computed on the CPU in
// float64 and rounded), bestS (read_write f32), bestI (read_write u32), ids (read i32),
// out (read_write i32), params (uniform).

override WG: u32 = 64u;

struct Params {
  n: u32, rows: u32, C4: u32, rowsPerChunk: u32,
  chunks: u32, qBase: u32, _p1: u32, _p2: u32,
}

@group(0) @binding(0) var<storage, read> queries: array<vec4<f32>>;
@group(0) @binding(1) var<storage, read> table: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read> norms: array<f32>;
@group(0) @binding(3) var<storage, read_write> bestS: array<f32>;
@group(0) @binding(4) var<storage, read_write> bestI: array<u32>;
@group(0) @binding(5) var<storage, read> ids: array<i32>;
@group(0) @binding(6) var<storage, read_write> out: array<i32>;
@group(0) @binding(7) var<uniform> params: Params;

const BIG: f32 = 3.0e38;

struct Best { s: f32, k: u32, }

// Rows r0..r0+3 with scores v: a strictly smaller score wins (rows come in increasing order,
// so ties keep the lower row; rows clamped to the last one repeat its score and never win).
fn pick(b: Best, v: vec4<f32>, r0: u32, rLast: u32) -> Best {
  var o = b;
  if (v.x < o.s) { o = Best(v.x, min(r0, rLast)); }
  if (v.y < o.s) { o = Best(v.y, min(r0 + 1u, rLast)); }
  if (v.z < o.s) { o = Best(v.z, min(r0 + 2u, rLast)); }
  if (v.w < o.s) { o = Best(v.w, min(r0 + 3u, rLast)); }
  return o;
}

@compute @workgroup_size(WG, 1, 1)
fn scan(@builtin(global_invocation_id) gid: vec3<u32>) {
  let n = params.n;
  let q0 = gid.x * 8u;
  if (q0 >= n) { return; }
  let C4 = params.C4;
  let rLast = params.rows - 1u;
  let rStart = gid.y * params.rowsPerChunk;
  let rEnd = min(params.rows, rStart + params.rowsPerChunk);
  let a0 = min(q0 + 0u, n - 1u) * C4;
  let a1 = min(q0 + 1u, n - 1u) * C4;
  let a2 = min(q0 + 2u, n - 1u) * C4;
  let a3 = min(q0 + 3u, n - 1u) * C4;
  let a4 = min(q0 + 4u, n - 1u) * C4;
  let a5 = min(q0 + 5u, n - 1u) * C4;
  let a6 = min(q0 + 6u, n - 1u) * C4;
  let a7 = min(q0 + 7u, n - 1u) * C4;
  var s0 = Best(BIG, 0u);
  var s1 = Best(BIG, 0u);
  var s2 = Best(BIG, 0u);
  var s3 = Best(BIG, 0u);
  var s4 = Best(BIG, 0u);
  var s5 = Best(BIG, 0u);
  var s6 = Best(BIG, 0u);
  var s7 = Best(BIG, 0u);
  for (var r0 = rStart; r0 < rEnd; r0 += 8u) {
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
  let base = gid.y * n + q0;
  if (q0 + 0u < n) { bestS[base + 0u] = s0.s; bestI[base + 0u] = s0.k; }
  if (q0 + 1u < n) { bestS[base + 1u] = s1.s; bestI[base + 1u] = s1.k; }
  if (q0 + 2u < n) { bestS[base + 2u] = s2.s; bestI[base + 2u] = s2.k; }
  if (q0 + 3u < n) { bestS[base + 3u] = s3.s; bestI[base + 3u] = s3.k; }
  if (q0 + 4u < n) { bestS[base + 4u] = s4.s; bestI[base + 4u] = s4.k; }
  if (q0 + 5u < n) { bestS[base + 5u] = s5.s; bestI[base + 5u] = s5.k; }
  if (q0 + 6u < n) { bestS[base + 6u] = s6.s; bestI[base + 6u] = s6.k; }
  if (q0 + 7u < n) { bestS[base + 7u] = s7.s; bestI[base + 7u] = s7.k; }
}

@compute @workgroup_size(64, 1, 1)
fn reduce(@builtin(global_invocation_id) gid: vec3<u32>) {
  let q = gid.x;
  let n = params.n;
  if (q >= n) { return; }
  var s = bestS[q];
  var k = bestI[q];
  for (var c = 1u; c < params.chunks; c++) {
    let sc = bestS[c * n + q];
    let kc = bestI[c * n + q];
    if (sc < s || (sc == s && kc < k)) { s = sc; k = kc; }
  }
  out[params.qBase + q] = ids[k];
}

// pad: copies queries [n, C] (f32) into padded [n, 4·C4] rows with zeros in the extra
// coordinates, for tables whose width is not a multiple of 4. One invocation per output float,
// index = gid.x + gid.y · stride. Dispatch: linear grid of workgroups of 64 (launch.ts).
@group(0) @binding(8) var<storage, read> src: array<f32>;
@group(0) @binding(9) var<storage, read_write> dst: array<f32>;

struct PadParams { n: u32, C: u32, Cp: u32, stride: u32, }
@group(0) @binding(10) var<uniform> padParams: PadParams;

@compute @workgroup_size(64, 1, 1)
fn pad(@builtin(global_invocation_id) gid: vec3<u32>) {
  let i = gid.x + gid.y * padParams.stride;
  if (i >= padParams.n * padParams.Cp) { return; }
  let q = i / padParams.Cp;
  let c = i % padParams.Cp;
  dst[i] = select(0.0, src[q * padParams.C + min(c, padParams.C - 1u)], c < padParams.C);
}
