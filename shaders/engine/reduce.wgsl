// reduce.wgsl — sums.
//
//   sum_rows: out[j] = alpha · Σ_r x[r, j]            x: [R, N] row-major, out: [N]
//             (bias and LayerNorm parameter gradients; broadcast-batch gradients)
//             Dispatch: (ceil(N / 64)), workgroup 64, one column per invocation.
//   sum_all:  out[0] = alpha · Σ_i x[i]               x: [n], out: [1]
//             (losses, means). Dispatch: (1), one workgroup of 64 that strides over x
//             and combines partial sums in a tree.
//   sumsq_all: out[offset] = Σ_i x[i]²  (gradient norms), same geometry as sum_all.
//   (sum_all and sumsq_all write element `offset` of out, 0 unless told otherwise.)
//
// Bindings: x (read), out (write), params.

struct Params { R: u32, N: u32, alpha: f32, offset: u32 }

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read_write> out: array<f32>;
@group(0) @binding(2) var<uniform> params: Params;

var<workgroup> partial: array<f32, 64>;

@compute @workgroup_size(64)
fn sum_rows(@builtin(global_invocation_id) gid: vec3<u32>) {
  let j = gid.x;
  if (j >= params.N) { return; }
  var s = 0.0;
  for (var r = 0u; r < params.R; r++) { s += x[r * params.N + j]; }
  out[j] = params.alpha * s;
}

fn tree_sum(lid: u32) {
  for (var width = 32u; width > 0u; width >>= 1u) {
    if (lid < width) { partial[lid] += partial[lid + width]; }
    workgroupBarrier();
  }
}

@compute @workgroup_size(64)
fn sum_all(@builtin(local_invocation_id) lid3: vec3<u32>) {
  let lid = lid3.x;
  let n = params.R * params.N;
  var s = 0.0;
  for (var i = lid; i < n; i += 64u) { s += x[i]; }
  partial[lid] = s;
  workgroupBarrier();
  tree_sum(lid);
  if (lid == 0u) { out[params.offset] = params.alpha * partial[0]; }
}

@compute @workgroup_size(64)
fn sumsq_all(@builtin(local_invocation_id) lid3: vec3<u32>) {
  let lid = lid3.x;
  let n = params.R * params.N;
  var s = 0.0;
  for (var i = lid; i < n; i += 64u) { s += x[i] * x[i]; }
  partial[lid] = s;
  workgroupBarrier();
  tree_sum(lid);
  if (lid == 0u) { out[params.offset] = params.alpha * partial[0]; }
}
