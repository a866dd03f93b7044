// matmul.wgsl — batched matrix product, register-tiled, no workgroup memory.
//
//   C[b] = op(A[b]) · op(B[b]) (+ bias)      op(X) = X or Xᵀ (override constants)
//   op(A): [M, K]   stored [M, K] (TRANS_A = false) or [K, M] (TRANS_A = true)
//   op(B): [K, N]   stored [K, N] (TRANS_B = false) or [N, K] (TRANS_B = true)
//   C: [M, N] row-major; bias: [N] added in the epilogue when HAS_BIAS.
//   Batch b uses offsets b·strideA, b·strideB, b·strideC (a stride of 0 broadcasts
//   one matrix, e.g. shared weights over a batch of activations).
//
// Bindings: a, b (read), bias (read, only with HAS_BIAS), c (write), params (uniform).
// Dispatch: (ceil(N / 32), ceil(M / 32), batch), workgroup 8×8; every invocation
// owns a 4×4 block of C. Out-of-range rows/columns are clamped on load and masked on
// store, so the inner loop has no branches. This is the variant for CPU-backed
// adapters (SwiftShader: barriers are expensive there) and small products.

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

fn loadA(base: u32, m: u32, k: u32) -> f32 {
  if (TRANS_A) { return a[base + k * params.M + m]; }
  return a[base + m * params.K + k];
}

fn loadB(base: u32, k: u32, n: u32) -> f32 {
  if (TRANS_B) { return b[base + n * params.K + k]; }
  return b[base + k * params.N + n];
}

@compute @workgroup_size(8, 8, 1)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let M = params.M;
  let N = params.N;
  let batch = gid.z;
  let row0 = gid.y * 4u;
  let col0 = gid.x * 4u;
  if (row0 >= M || col0 >= N) { return; }
  let baseA = batch * params.strideA;
  let baseB = batch * params.strideB;
  let baseC = batch * params.strideC;

  var rows: vec4<u32>;
  var cols: vec4<u32>;
  for (var i = 0u; i < 4u; i++) {
    rows[i] = min(row0 + i, M - 1u);
    cols[i] = min(col0 + i, N - 1u);
  }

  var acc0 = vec4<f32>(0.0);
  var acc1 = vec4<f32>(0.0);
  var acc2 = vec4<f32>(0.0);
  var acc3 = vec4<f32>(0.0);
  for (var k = 0u; k < params.K; k++) {
    let bv = vec4<f32>(loadB(baseB, k, cols[0]), loadB(baseB, k, cols[1]), loadB(baseB, k, cols[2]), loadB(baseB, k, cols[3]));
    acc0 += loadA(baseA, rows[0], k) * bv;
    acc1 += loadA(baseA, rows[1], k) * bv;
    acc2 += loadA(baseA, rows[2], k) * bv;
    acc3 += loadA(baseA, rows[3], k) * bv;
  }

  var biasv = vec4<f32>(0.0);
  if (HAS_BIAS) { biasv = vec4<f32>(bias[cols[0]], bias[cols[1]], bias[cols[2]], bias[cols[3]]); }
  let accs = array<vec4<f32>, 4>(acc0 + biasv, acc1 + biasv, acc2 + biasv, acc3 + biasv);
  for (var i = 0u; i < 4u; i++) {
    let r = row0 + i;
    if (r >= M) { break; }
    for (var j = 0u; j < 4u; j++) {
      let col = col0 + j;
      if (col < N) { c[baseC + r * N + col] = accs[i][j]; }
    }
  }
}
