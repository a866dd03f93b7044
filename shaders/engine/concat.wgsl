// concat.wgsl — join two sequences along the time axis, and cut a window back out.
//
//   concat_seq: y[b, t, c] = t < P ? a[b·strideA + t·C + c] : x[b, t − P, c]
//               a: [B, P, C] (strideA = P·C) or one [P, C] shared by the batch (strideA = 0,
//               a soft prompt); x: [B, L, C]; y: [B, P + L, C]
//   slice_seq:  y[b, t, c] = x[b, t0 + t, c] for t < len     x: [B, T, C] → y: [B, len, C]
//               (the backward rule of concat_seq, and "take the [CLS] position")
//   pad_seq:    y[b, t, c] = x[b, t − t0, c] for t0 ≤ t < t0 + len, else 0
//               x: [B, len, C] → y: [B, T, C] (the backward rule of slice_seq)
//
// Bindings: a (concat_seq only), x (read), y (write), params. Dispatch: linear grid over y, workgroup 64.

struct Params { n: u32, P: u32, L: u32, C: u32, strideA: u32, t0: u32, T: u32, xStride: u32 }

@group(0) @binding(0) var<storage, read> a: array<f32>;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> y: array<f32>;
@group(0) @binding(3) var<uniform> params: Params;

@compute @workgroup_size(64)
fn concat_seq(@builtin(global_invocation_id) gid: vec3<u32>) {
  let i = gid.x + gid.y * params.xStride;
  if (i >= params.n) { return; }
  let C = params.C;
  let c = i % C;
  let bt = i / C;
  let T = params.P + params.L;
  let t = bt % T;
  let b = bt / T;
  if (t < params.P) {
    y[i] = a[b * params.strideA + t * C + c];
  } else {
    y[i] = x[(b * params.L + (t - params.P)) * C + c];
  }
}

@compute @workgroup_size(64)
fn slice_seq(@builtin(global_invocation_id) gid: vec3<u32>) {
  let i = gid.x + gid.y * params.xStride;
  if (i >= params.n) { return; }
  let C = params.C;
  let c = i % C;
  let bt = i / C;
  let t = bt % params.L;
  let b = bt / params.L;
  y[i] = x[(b * params.T + params.t0 + t) * C + c];
}

@compute @workgroup_size(64)
fn pad_seq(@builtin(global_invocation_id) gid: vec3<u32>) {
  let i = gid.x + gid.y * params.xStride;
  if (i >= params.n) { return; }
  let C = params.C;
  let c = i % C;
  let bt = i / C;
  let t = bt % params.T;
  let b = bt / params.T;
  if (t >= params.t0 && t < params.t0 + params.L) {
    y[i] = x[(b * params.L + (t - params.t0)) * C + c];
  } else {
    y[i] = 0.0;
  }
}
