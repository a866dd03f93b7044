// matmul_vec4.wgsl — batched matrix product with vec4 loads and register tiles, no
// workgroup memory: the fast variant on CPU-backed adapters (SwiftShader), used when the
// contiguous dimensions are multiples of 4 (matmul.wgsl covers the rest).
//
//   nt: C[b] = A[b] · B[b]ᵀ (+ bias)   A: [M, K], B: [N, K] (row-major, K % 4 == 0)
//       Every invocation owns an 8×4 block of C: per step of 4 along K it loads 8 vec4 of A
//       and 4 vec4 of B (both contiguous) and does 32 vec4 dot products.
//   nn: C[b] = A[b] · B[b] (+ bias)    A: [M, K], B: [K, N] (K % 4 == 0, N % 4 == 0)
//       Every invocation owns an 8×4 block of C: per step of 4 along K it loads 8 vec4 of A
//       (rows) and 4 vec4 of B (4 consecutive columns of 4 rows) and does 128 multiply-adds.
//   (8×4 beat 4×4 by 10–70% on SwiftShader here: fewer loads of B per multiply-add.)
//   Batch offsets b·strideA, b·strideB, b·strideC are in floats (multiples of 4); a stride
//   of 0 broadcasts one matrix. bias: [N] when HAS_BIAS. C: [M, N] row-major.
//
// Bindings: a, b (read, vec4), bias (read), c (write, f32), params (uniform).
// Dispatch: (ceil(N / 4 / 8), ceil(M / 8 / 8), batch), workgroup 8×8. Rows/columns past the
// edge are clamped on load and skipped on store.

override HAS_BIAS: bool = false;

struct Params {
  M: u32, N: u32, K: u32, batch: u32,
  strideA: u32, strideB: u32, strideC: u32, _pad: u32,
}

@group(0) @binding(0) var<storage, read> a: array<vec4<f32>>;
@group(0) @binding(1) var<storage, read> b: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read> bias: array<f32>;
@group(0) @binding(3) var<storage, read_write> c: array<f32>;
@group(0) @binding(4) var<uniform> params: Params;

fn store(baseC: u32, row0: u32, col0: u32, acc: array<vec4<f32>, 4>) {
  let M = params.M;
  let N = params.N;
  for (var i = 0u; i < 4u; i++) {
    let r = row0 + i;
    if (r >= M) { return; }
    for (var j = 0u; j < 4u; j++) {
      let col = col0 + j;
      if (col < N) {
        var v = acc[i][j];
        if (HAS_BIAS) { v += bias[col]; }
        c[baseC + r * N + col] = v;
      }
    }
  }
}

@compute @workgroup_size(8, 8, 1)
fn nt(@builtin(global_invocation_id) gid: vec3<u32>) {
  let M = params.M;
  let N = params.N;
  let row0 = gid.y * 8u;
  let col0 = gid.x * 4u;
  if (row0 >= M || col0 >= N) { return; }
  let K4 = params.K / 4u;
  let baseA = gid.z * params.strideA / 4u;
  let baseB = gid.z * params.strideB / 4u;
  let a0 = baseA + min(row0 + 0u, M - 1u) * K4;
  let a1 = baseA + min(row0 + 1u, M - 1u) * K4;
  let a2 = baseA + min(row0 + 2u, M - 1u) * K4;
  let a3 = baseA + min(row0 + 3u, M - 1u) * K4;
  let a4 = baseA + min(row0 + 4u, M - 1u) * K4;
  let a5 = baseA + min(row0 + 5u, M - 1u) * K4;
  let a6 = baseA + min(row0 + 6u, M - 1u) * K4;
  let a7 = baseA + min(row0 + 7u, M - 1u) * K4;
  let b0 = baseB + min(col0 + 0u, N - 1u) * K4;
  let b1 = baseB + min(col0 + 1u, N - 1u) * K4;
  let b2 = baseB + min(col0 + 2u, N - 1u) * K4;
  let b3 = baseB + min(col0 + 3u, N - 1u) * K4;
  var c0 = vec4<f32>(0.0);
  var c1 = vec4<f32>(0.0);
  var c2 = vec4<f32>(0.0);
  var c3 = vec4<f32>(0.0);
  var c4 = vec4<f32>(0.0);
  var c5 = vec4<f32>(0.0);
  var c6 = vec4<f32>(0.0);
  var c7 = vec4<f32>(0.0);
  for (var k = 0u; k < K4; k++) {
    let y0 = b[b0 + k];
    let y1 = b[b1 + k];
    let y2 = b[b2 + k];
    let y3 = b[b3 + k];
    let x0 = a[a0 + k];
    c0 += vec4<f32>(dot(x0, y0), dot(x0, y1), dot(x0, y2), dot(x0, y3));
    let x1 = a[a1 + k];
    c1 += vec4<f32>(dot(x1, y0), dot(x1, y1), dot(x1, y2), dot(x1, y3));
    let x2 = a[a2 + k];
    c2 += vec4<f32>(dot(x2, y0), dot(x2, y1), dot(x2, y2), dot(x2, y3));
    let x3 = a[a3 + k];
    c3 += vec4<f32>(dot(x3, y0), dot(x3, y1), dot(x3, y2), dot(x3, y3));
    let x4 = a[a4 + k];
    c4 += vec4<f32>(dot(x4, y0), dot(x4, y1), dot(x4, y2), dot(x4, y3));
    let x5 = a[a5 + k];
    c5 += vec4<f32>(dot(x5, y0), dot(x5, y1), dot(x5, y2), dot(x5, y3));
    let x6 = a[a6 + k];
    c6 += vec4<f32>(dot(x6, y0), dot(x6, y1), dot(x6, y2), dot(x6, y3));
    let x7 = a[a7 + k];
    c7 += vec4<f32>(dot(x7, y0), dot(x7, y1), dot(x7, y2), dot(x7, y3));
  }
  let baseC = gid.z * params.strideC;
  store(baseC, row0, col0, array<vec4<f32>, 4>(c0, c1, c2, c3));
  store(baseC, row0 + 4u, col0, array<vec4<f32>, 4>(c4, c5, c6, c7));
}

@compute @workgroup_size(8, 8, 1)
fn nn(@builtin(global_invocation_id) gid: vec3<u32>) {
  let M = params.M;
  let N = params.N;
  let row0 = gid.y * 8u;
  let col0 = gid.x * 4u;
  if (row0 >= M || col0 >= N) { return; }
  let K4 = params.K / 4u;
  let N4 = N / 4u;
  let baseA = gid.z * params.strideA / 4u;
  let baseB = gid.z * params.strideB / 4u + col0 / 4u;
  let a0 = baseA + min(row0 + 0u, M - 1u) * K4;
  let a1 = baseA + min(row0 + 1u, M - 1u) * K4;
  let a2 = baseA + min(row0 + 2u, M - 1u) * K4;
  let a3 = baseA + min(row0 + 3u, M - 1u) * K4;
  let a4 = baseA + min(row0 + 4u, M - 1u) * K4;
  let a5 = baseA + min(row0 + 5u, M - 1u) * K4;
  let a6 = baseA + min(row0 + 6u, M - 1u) * K4;
  let a7 = baseA + min(row0 + 7u, M - 1u) * K4;
  var c0 = vec4<f32>(0.0);
  var c1 = vec4<f32>(0.0);
  var c2 = vec4<f32>(0.0);
  var c3 = vec4<f32>(0.0);
  var c4 = vec4<f32>(0.0);
  var c5 = vec4<f32>(0.0);
  var c6 = vec4<f32>(0.0);
  var c7 = vec4<f32>(0.0);
  for (var k = 0u; k < K4; k++) {
    let y0 = b[baseB + (4u * k + 0u) * N4];
    let y1 = b[baseB + (4u * k + 1u) * N4];
    let y2 = b[baseB + (4u * k + 2u) * N4];
    let y3 = b[baseB + (4u * k + 3u) * N4];
    let x0 = a[a0 + k];
    c0 += x0.x * y0 + x0.y * y1 + x0.z * y2 + x0.w * y3;
    let x1 = a[a1 + k];
    c1 += x1.x * y0 + x1.y * y1 + x1.z * y2 + x1.w * y3;
    let x2 = a[a2 + k];
    c2 += x2.x * y0 + x2.y * y1 + x2.z * y2 + x2.w * y3;
    let x3 = a[a3 + k];
    c3 += x3.x * y0 + x3.y * y1 + x3.z * y2 + x3.w * y3;
    let x4 = a[a4 + k];
    c4 += x4.x * y0 + x4.y * y1 + x4.z * y2 + x4.w * y3;
    let x5 = a[a5 + k];
    c5 += x5.x * y0 + x5.y * y1 + x5.z * y2 + x5.w * y3;
    let x6 = a[a6 + k];
    c6 += x6.x * y0 + x6.y * y1 + x6.z * y2 + x6.w * y3;
    let x7 = a[a7 + k];
    c7 += x7.x * y0 + x7.y * y1 + x7.z * y2 + x7.w * y3;
  }
  let baseC = gid.z * params.strideC;
  store(baseC, row0, col0, array<vec4<f32>, 4>(c0, c1, c2, c3));
  store(baseC, row0 + 4u, col0, array<vec4<f32>, 4>(c4, c5, c6, c7));
}
