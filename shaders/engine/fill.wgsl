// fill.wgsl — c[i] = value for i < n (zeros for gradients, ones for a loss seed).
//
// Bindings: c (write), params. Dispatch: linear grid, workgroup 64.

struct Params { n: u32, xStride: u32, value: f32, _pad: u32 }

@group(0) @binding(0) var<storage, read_write> c: array<f32>;
@group(0) @binding(1) var<uniform> params: Params;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let i = gid.x + gid.y * params.xStride;
  if (i >= params.n) { return; }
  c[i] = params.value;
}
