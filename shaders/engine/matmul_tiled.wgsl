// matmul_tiled.wgsl — batched matrix product with workgroup-memory tiles (for GPUs).
//
//   C[b] = op(A[b]) · op(B[b]) (+ bias), same operands, layouts, strides and override
//   constants as matmul.wgsl (see there).
//
// Bindings: a, b, bias (only with HAS_BIAS), c, params (uniform).
// Dispatch: (ceil(N / 64), ceil(M / 64), batch), workgroup 16×16. The workgroup
// stages a 64×16 tile of op(A) and a 16×64 tile of op(B) in workgroup memory per K
// step (transposed operands are transposed while staging, so the inner loop is the
// same for every variant); each invocation accumulates a 4×4 block of C in registers.

override TRANS_A: bool = false;
override TRANS_B: bool = false;
override HAS_BIAS: bool = false;

struct Params {
  M: u32, N: u32, K: u32, batch: u32,
  strideA: u32, strideB: u32, strideC: u32, _pad: u32,
}

@group(0) @binding(0) var<storage, read> a: array<f32>;
@group(0) @binding(1) var<storage, read> b: array<f32>;
@group(0) @binding(2) var<storage, read> bias: array<f32>;
@group(0) @binding(3) var<storage, read_write> c: array<f32>;
@group(0) @binding(4) var<uniform> params: Params;

const TILE = 64u;
const TK = 16u;

var<workgroup> tileA: array<array<f32, 64>, 16>;   // [k][m]
var<workgroup> tileB: array<array<f32, 64>, 16>;   // [k][n]

fn loadA(base: u32, m: u32, k: u32) -> f32 {
  if (m >= params.M || k >= params.K) { return 0.0; }
  if (TRANS_A) { return a[base + k * params.M + m]; }
  return a[base + m * params.K + k];
}

fn loadB(base: u32, k: u32, n: u32) -> f32 {
  if (n >= params.N || k >= params.K) { return 0.0; }
  if (TRANS_B) { return b[base + n * params.K + k]; }
  return b[base + k * params.N + n];
}

@compute @workgroup_size(16, 16, 1)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
  let batch = wid.z;
  let baseA = batch * params.strideA;
  let baseB = batch * params.strideB;
  let baseC = batch * params.strideC;
  let tileRow = wid.y * TILE;
  let tileCol = wid.x * TILE;
  let flat = lid.y * 16u + lid.x;

  var acc: array<vec4<f32>, 4>;
  for (var i = 0u; i < 4u; i++) { acc[i] = vec4<f32>(0.0); }

  let steps = (params.K + TK - 1u) / TK;
  for (var s = 0u; s < steps; s++) {
    let k0 = s * TK;
    // 256 invocations stage 16×64 = 1024 values of each tile: 4 each.
    for (var r = 0u; r < 4u; r++) {
      let idx = flat + r * 256u;
      let kk = idx / 64u;
      let mm = idx % 64u;
      tileA[kk][mm] = loadA(baseA, tileRow + mm, k0 + kk);
      tileB[kk][mm] = loadB(baseB, k0 + kk, tileCol + mm);
    }
    workgroupBarrier();
    for (var kk = 0u; kk < TK; kk++) {
      let bv = vec4<f32>(tileB[kk][lid.x * 4u], tileB[kk][lid.x * 4u + 1u], tileB[kk][lid.x * 4u + 2u], tileB[kk][lid.x * 4u + 3u]);
      for (var i = 0u; i < 4u; i++) {
        acc[i] += tileA[kk][lid.y * 4u + i] * bv;
      }
    }
    workgroupBarrier();
  }

  for (var i = 0u; i < 4u; i++) {
    let r = tileRow + lid.y * 4u + i;
    if (r >= params.M) { break; }
    for (var j = 0u; j < 4u; j++) {
      let col = tileCol + lid.x * 4u + j;
      if (col < params.N) {
        var v = acc[i][j];
        if (HAS_BIAS) { v += bias[col]; }
        c[baseC + r * params.N + col] = v;
      }
    }
  }
}
