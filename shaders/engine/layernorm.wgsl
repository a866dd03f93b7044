// layernorm.wgsl — layer normalisation over the last dimension, forward and backward.
//
//   forward:  μ_r = mean_j x[r,j],  σ²_r = mean_j (x[r,j] − μ_r)²,  ρ_r = 1/√(σ²_r + eps)
//             y[r,j] = (x[r,j] − μ_r)·ρ_r·γ[j] + β[j]          (saves μ, ρ for backward)
//   backward (input): x̂ = (x − μ)ρ,  g = dy·γ
//             dx = ρ · (g − mean_j g − x̂ · mean_j(g·x̂))
//   backward (params): dγ[j] = Σ_r dy[r,j]·x̂[r,j],  dβ[j] = Σ_r dy[r,j]
//
// Shapes: x, y, dy, dx: [R, C] row-major; γ, β, dγ, dβ: [C]; μ, ρ: [R].
// Bindings: x, gamma, beta, dy, mean, rstd, y (write), dgamma/dbeta (write), params.
// Dispatch: forward/backward_input: one workgroup of 64 per row, grid (min(R, 65535),
// ceil(R / 65535)) (GPUs); forward_row/backward_input_row: one invocation per row,
// workgroup 64, row = gid.x + gid.y · xStride (CPU-backed adapters, where barriers are
// expensive); backward_params: one invocation per column, (ceil(C / 64)).

struct Params { R: u32, C: u32, eps: f32, xStride: u32 }

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read> gamma: array<f32>;
@group(0) @binding(2) var<storage, read> beta: array<f32>;
@group(0) @binding(3) var<storage, read> dy: array<f32>;
@group(0) @binding(4) var<storage, read_write> mean: array<f32>;
@group(0) @binding(5) var<storage, read_write> rstd: array<f32>;
@group(0) @binding(6) var<storage, read_write> y: array<f32>;
@group(0) @binding(7) var<storage, read_write> dgamma: array<f32>;
@group(0) @binding(8) var<storage, read_write> dbeta: array<f32>;
@group(0) @binding(9) var<uniform> params: Params;

var<workgroup> red: array<f32, 64>;
var<workgroup> red2: array<f32, 64>;

fn reduce2(lid: u32) {
  for (var w = 32u; w > 0u; w >>= 1u) {
    if (lid < w) {
      red[lid] += red[lid + w];
      red2[lid] += red2[lid + w];
    }
    workgroupBarrier();
  }
}

@compute @workgroup_size(64)
fn forward(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid3: vec3<u32>) {
  let r = wid.x + wid.y * 65535u;
  if (r >= params.R) { return; }
  let lid = lid3.x;
  let C = params.C;
  let base = r * C;
  var s = 0.0;
  for (var j = lid; j < C; j += 64u) { s += x[base + j]; }
  red[lid] = s;
  red2[lid] = 0.0;
  workgroupBarrier();
  reduce2(lid);
  let mu = red[0] / f32(C);
  workgroupBarrier();
  var v = 0.0;
  for (var j = lid; j < C; j += 64u) { let d = x[base + j] - mu; v += d * d; }
  red[lid] = v;
  red2[lid] = 0.0;
  workgroupBarrier();
  reduce2(lid);
  let rs = inverseSqrt(red[0] / f32(C) + params.eps);
  for (var j = lid; j < C; j += 64u) {
    y[base + j] = (x[base + j] - mu) * rs * gamma[j] + beta[j];
  }
  if (lid == 0u) { mean[r] = mu; rstd[r] = rs; }
}

@compute @workgroup_size(64)
fn backward_input(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid3: vec3<u32>) {
  let r = wid.x + wid.y * 65535u;
  if (r >= params.R) { return; }
  let lid = lid3.x;
  let C = params.C;
  let base = r * C;
  let mu = mean[r];
  let rs = rstd[r];
  var sg = 0.0;
  var sgx = 0.0;
  for (var j = lid; j < C; j += 64u) {
    let g = dy[base + j] * gamma[j];
    sg += g;
    sgx += g * (x[base + j] - mu) * rs;
  }
  red[lid] = sg;
  red2[lid] = sgx;
  workgroupBarrier();
  reduce2(lid);
  let mg = red[0] / f32(C);
  let mgx = red2[0] / f32(C);
  for (var j = lid; j < C; j += 64u) {
    let xh = (x[base + j] - mu) * rs;
    y[base + j] = rs * (dy[base + j] * gamma[j] - mg - xh * mgx);
  }
}

@compute @workgroup_size(64)
fn backward_params(@builtin(global_invocation_id) gid: vec3<u32>) {
  let j = gid.x;
  if (j >= params.C) { return; }
  var dg = 0.0;
  var db = 0.0;
  for (var r = 0u; r < params.R; r++) {
    let d = dy[r * params.C + j];
    dg += d * (x[r * params.C + j] - mean[r]) * rstd[r];
    db += d;
  }
  dgamma[j] = dg;
  dbeta[j] = db;
}

@compute @workgroup_size(64)
fn forward_row(@builtin(global_invocation_id) gid: vec3<u32>) {
  let r = gid.x + gid.y * params.xStride;
  if (r >= params.R) { return; }
  let C = params.C;
  let base = r * C;
  var s = 0.0;
  for (var j = 0u; j < C; j++) { s += x[base + j]; }
  let mu = s / f32(C);
  var v = 0.0;
  for (var j = 0u; j < C; j++) { let d = x[base + j] - mu; v += d * d; }
  let rs = inverseSqrt(v / f32(C) + params.eps);
  for (var j = 0u; j < C; j++) { y[base + j] = (x[base + j] - mu) * rs * gamma[j] + beta[j]; }
  mean[r] = mu;
  rstd[r] = rs;
}

@compute @workgroup_size(64)
fn backward_input_row(@builtin(global_invocation_id) gid: vec3<u32>) {
  let r = gid.x + gid.y * params.xStride;
  if (r >= params.R) { return; }
  let C = params.C;
  let base = r * C;
  let mu = mean[r];
  let rs = rstd[r];
  var sg = 0.0;
  var sgx = 0.0;
  for (var j = 0u; j < C; j++) {
    let g = dy[base + j] * gamma[j];
    sg += g;
    sgx += g * (x[base + j] - mu) * rs;
  }
  let mg = sg / f32(C);
  let mgx = sgx / f32(C);
  for (var j = 0u; j < C; j++) {
    let xh = (x[base + j] - mu) * rs;
    y[base + j] = rs * (dy[base + j] * gamma[j] - mg - xh * mgx);
  }
}
