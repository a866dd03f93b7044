// add.wgsl — elementwise sums.
//
//   add:      c[i] = a[i] + b[i]                       a, b, c: [n]
//   add_bias: c[i] = a[i] + bias[i mod N]              a, c: [R, N] row-major, bias: [N]
//   scale:    c[i] = alpha · a[i]
//
// Bindings: a, b (add only), bias (add_bias only), c, params.
// Dispatch: linear grid, workgroup 64; invocation i = gid.x + gid.y · xStride.

struct Params { n: u32, N: u32, xStride: u32, alpha: f32 }

@group(0) @binding(0) var<storage, read> a: array<f32>;
@group(0) @binding(1) var<storage, read> b: array<f32>;
@group(0) @binding(2) var<storage, read> bias: array<f32>;
@group(0) @binding(3) var<storage, read_write> c: array<f32>;
@group(0) @binding(4) var<uniform> params: Params;

@compute @workgroup_size(64)
fn add(@builtin(global_invocation_id) gid: vec3<u32>) {
  let i = gid.x + gid.y * params.xStride;
  if (i >= params.n) { return; }
  c[i] = a[i] + b[i];
}

@compute @workgroup_size(64)
fn add_bias(@builtin(global_invocation_id) gid: vec3<u32>) {
  let i = gid.x + gid.y * params.xStride;
  if (i >= params.n) { return; }
  c[i] = a[i] + bias[i % params.N];
}

@compute @workgroup_size(64)
fn scale(@builtin(global_invocation_id) gid: vec3<u32>) {
  let i = gid.x + gid.y * params.xStride;
  if (i >= params.n) { return; }
  c[i] = params.alpha * a[i];
}
