// cross_entropy.wgsl — softmax cross-entropy with ignored positions.
//
//   forward:  loss[r] = logsumexp_v z[r,v] − z[r, label[r]]   (0 where label[r] < 0, e.g. −100)
//             The mean over counted rows is taken by reduce.wgsl sum_all with α = 1/count.
//   backward: dz[r,v] = g · (softmax(z[r])[v] − [v = label[r]]) / count   (0 on ignored rows)
//             g = gy[0], the upstream gradient of the mean loss (read on the GPU: no readback)
//
// Shapes: z, dz: [R, V]; label: [R] i32; loss: [R]; gy: [1].
// Bindings: z, label, gy, out (loss or dz), params.
// Dispatch: one workgroup of 64 per row, grid (min(R, 65535), ceil(R / 65535)).

struct Params { R: u32, V: u32, invCount: f32, _pad: u32 }

@group(0) @binding(0) var<storage, read> z: array<f32>;
@group(0) @binding(1) var<storage, read> label: array<i32>;
@group(0) @binding(2) var<storage, read> gy: array<f32>;
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

// Returns (max, Σ exp(z − max)) for row r; every invocation of the workgroup gets it.
fn row_stats(r: u32, lid: u32) -> vec2<f32> {
  let V = params.V;
  let base = r * V;
  var m = -3.4e38;
  for (var v = lid; v < V; v += 64u) { m = max(m, z[base + v]); }
  red[lid] = m;
  workgroupBarrier();
  reduce_max(lid);
  let mx = red[0];
  workgroupBarrier();
  var s = 0.0;
  for (var v = lid; v < V; v += 64u) { s += exp(z[base + v] - mx); }
  red[lid] = s;
  workgroupBarrier();
  reduce_sum(lid);
  let total = red[0];
  workgroupBarrier();
  return vec2<f32>(mx, total);
}

@compute @workgroup_size(64)
fn forward(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid3: vec3<u32>) {
  let r = wid.x + wid.y * 65535u;
  if (r >= params.R) { return; }
  let lid = lid3.x;
  let st = row_stats(r, lid);
  if (lid == 0u) {
    let l = label[r];
    if (l < 0 || u32(l) >= params.V) {
      out[r] = 0.0;
    } else {
      out[r] = log(st.y) + st.x - z[r * params.V + u32(l)];
    }
  }
}

@compute @workgroup_size(64)
fn backward(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid3: vec3<u32>) {
  let r = wid.x + wid.y * 65535u;
  if (r >= params.R) { return; }
  let lid = lid3.x;
  let V = params.V;
  let base = r * V;
  let l = label[r];
  let ignored = l < 0 || u32(l) >= V;
  let st = row_stats(r, lid);
  let scale = gy[0] * params.invCount;
  for (var v = lid; v < V; v += 64u) {
    if (ignored) {
      out[base + v] = 0.0;
    } else {
      var p = exp(z[base + v] - st.x) / st.y;
      if (i32(v) == l) { p -= 1.0; }
      out[base + v] = scale * p;
    }
  }
}
