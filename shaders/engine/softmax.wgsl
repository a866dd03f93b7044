// softmax.wgsl — scaled, masked softmax over the last dimension (attention probabilities).
//
//   forward:  y[r,k] = exp(z[r,k] − max_k z[r,·]) / Σ_k exp(...),  z[r,k] = α·s[r,k] + mask[b(r), k]
//             rows r index [B, H, Tq] flattened; b(r) = r / rowsPerBatch (rowsPerBatch = H·Tq);
//             mask: [B, Tk] additive (0 to keep, a large negative number to drop); HAS_MASK.
//   backward: ds[r,k] = α · y[r,k] · (dy[r,k] − Σ_j y[r,j]·dy[r,j])   (uses the saved output y)
//
// Shapes: s, y, dy, ds: [rows, Tk].
// Bindings: s (forward input or saved y), mask, dy, out (write), params.
// Dispatch: forward/backward: one workgroup of 64 per row, grid (min(rows, 65535),
// ceil(rows / 65535)) (GPUs); forward_row/backward_row: one invocation per row, workgroup
// 64, row = gid.x + gid.y · xStride (CPU-backed adapters, where barriers are expensive).

override HAS_MASK: bool = false;

struct Params { rows: u32, Tk: u32, rowsPerBatch: u32, alpha: f32, xStride: u32, _p0: u32, _p1: u32, _p2: u32 }

@group(0) @binding(0) var<storage, read> s: array<f32>;
@group(0) @binding(1) var<storage, read> mask: array<f32>;
@group(0) @binding(2) var<storage, read> dy: array<f32>;
@group(0) @binding(3) var<storage, read_write> out: array<f32>;
@group(0) @binding(4) var<uniform> params: Params;

var<workgroup> red: array<f32, 64>;

fn reduce_max(lid: u32) {
  for (var w = 32u; w > 0u; w >>= 1u) {
    if (lid < w) { red[lid] = max(red[lid], red[lid + w]); }
    workgroupBarrier();
  }
}

fn reduce_sum(lid: u32) {
  for (var w = 32u; w > 0u; w >>= 1u) {
    if (lid < w) { red[lid] += red[lid + w]; }
    workgroupBarrier();
  }
}

fn logit(r: u32, k: u32, mbase: u32) -> f32 {
  var z = params.alpha * s[r * params.Tk + k];
  if (HAS_MASK) { z += mask[mbase + k]; }
  return z;
}

@compute @workgroup_size(64)
fn forward(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid3: vec3<u32>) {
  let r = wid.x + wid.y * 65535u;
  if (r >= params.rows) { return; }
  let lid = lid3.x;
  let Tk = params.Tk;
  let mbase = (r / params.rowsPerBatch) * Tk;
  var m = -3.4e38;
  for (var k = lid; k < Tk; k += 64u) { m = max(m, logit(r, k, mbase)); }
  red[lid] = m;
  workgroupBarrier();
  reduce_max(lid);
  let mx = red[0];
  workgroupBarrier();
  var sum = 0.0;
  for (var k = lid; k < Tk; k += 64u) { sum += exp(logit(r, k, mbase) - mx); }
  red[lid] = sum;
  workgroupBarrier();
  reduce_sum(lid);
  let inv = 1.0 / red[0];
  for (var k = lid; k < Tk; k += 64u) { out[r * Tk + k] = exp(logit(r, k, mbase) - mx) * inv; }
}

@compute @workgroup_size(64)
fn backward(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid3: vec3<u32>) {
  let r = wid.x + wid.y * 65535u;
  if (r >= params.rows) { return; }
  let lid = lid3.x;
  let Tk = params.Tk;
  let base = r * Tk;
  var dot = 0.0;
  for (var k = lid; k < Tk; k += 64u) { dot += s[base + k] * dy[base + k]; }
  red[lid] = dot;
  workgroupBarrier();
  reduce_sum(lid);
  let d = red[0];
  for (var k = lid; k < Tk; k += 64u) { out[base + k] = params.alpha * s[base + k] * (dy[base + k] - d); }
}

@compute @workgroup_size(64)
fn forward_row(@builtin(global_invocation_id) gid: vec3<u32>) {
  let r = gid.x + gid.y * params.xStride;
  if (r >= params.rows) { return; }
  let Tk = params.Tk;
  let mbase = (r / params.rowsPerBatch) * Tk;
  var mx = -3.4e38;
  for (var k = 0u; k < Tk; k++) { mx = max(mx, logit(r, k, mbase)); }
  var sum = 0.0;
  for (var k = 0u; k < Tk; k++) {
    let e = exp(logit(r, k, mbase) - mx);
    out[r * Tk + k] = e;
    sum += e;
  }
  let inv = 1.0 / sum;
  for (var k = 0u; k < Tk; k++) { out[r * Tk + k] *= inv; }
}

@compute @workgroup_size(64)
fn backward_row(@builtin(global_invocation_id) gid: vec3<u32>) {
  let r = gid.x + gid.y * params.xStride;
  if (r >= params.rows) { return; }
  let Tk = params.Tk;
  let base = r * Tk;
  var d = 0.0;
  for (var k = 0u; k < Tk; k++) { d += s[base + k] * dy[base + k]; }
  for (var k = 0u; k < Tk; k++) { out[base + k] = params.alpha * s[base + k] * (dy[base + k] - d); }
}
