// permute.wgsl — swap the middle two axes of a 4-D tensor (split / merge attention heads).
//
//   y[a, c, b, d] = x[a, b, c, d]      x: [A, B, C, D] → y: [A, C, B, D]
//   The backward rule is the same kernel with B and C exchanged.
//
// Bindings: x (read), y (write), params. Dispatch: linear grid over y, workgroup 64.

struct Params { n: u32, B: u32, C: u32, D: u32, xStride: u32, _p0: u32, _p1: u32, _p2: u32 }

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read_write> y: array<f32>;
@group(0) @binding(2) var<uniform> params: Params;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let i = gid.x + gid.y * params.xStride;
  if (i >= params.n) { return; }
  // i indexes y[a, c, b, d]
  let d = i % params.D;
  let t = i / params.D;
  let b = t % params.B;
  let t2 = t / params.B;
  let c = t2 % params.C;
  let a = t2 / params.C;
  y[i] = x[((a * params.B + b) * params.C + c) * params.D + d];
}
