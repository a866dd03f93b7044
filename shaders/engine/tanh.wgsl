// tanh.wgsl — hyperbolic tangent (the BERT pooler) and its derivative.
//
//   forward:  y = tanh(x), computed as sign(x)·(1 − e^{−2|x|})/(1 + e^{−2|x|}) so that
//             large |x| cannot overflow (some WGSL tanh implementations return NaN there)
//   backward: dx = dy · (1 − y²)   (uses the saved output y)
//
// Bindings: x (forward input or saved y), dy (backward), out (write), params.
// Dispatch: linear grid, workgroup 64.

struct Params { n: u32, xStride: u32, _p0: u32, _p1: u32 }

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read> dy: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;
@group(0) @binding(3) var<uniform> params: Params;

@compute @workgroup_size(64)
fn forward(@builtin(global_invocation_id) gid: vec3<u32>) {
  let i = gid.x + gid.y * params.xStride;
  if (i >= params.n) { return; }
  let v = x[i];
  let e = exp(-2.0 * abs(v));
  out[i] = sign(v) * (1.0 - e) / (1.0 + e);
}

@compute @workgroup_size(64)
fn backward(@builtin(global_invocation_id) gid: vec3<u32>) {
  let i = gid.x + gid.y * params.xStride;
  if (i >= params.n) { return; }
  let t = x[i];
  out[i] = dy[i] * (1.0 - t * t);
}
