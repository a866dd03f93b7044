// gather.wgsl — row gather (embedding lookup) and its scatter-add gradient.
//
//   gather:        y[i, c] = table[idx[i], c]          table: [V, C], idx: [N] i32, y: [N, C]
//                  (an index outside [0, V) reads row 0; callers validate ids on the CPU)
//   scatter_add:   dtable[u_id, c] = Σ_{p ∈ segment u} dy[order[p], c]
//                  The CPU groups positions by id (order: positions sorted by id, segStart:
//                  [U + 1] offsets, segId: [U] the id of each segment), so every output
//                  row is written by one invocation: deterministic, no float atomics.
//                  Rows of dtable whose id does not occur are zeroed beforehand (fill.wgsl).
//
// Bindings: table, idx, y (gather); dy, order, segStart, segId, dtable (scatter_add); params.
// Dispatch: gather: linear grid over N·C, workgroup 64;
//           scatter_add: (ceil(C / 64), min(U, 65535), ceil(U / 65535)).

struct Params { N: u32, C: u32, V: u32, xStride: u32 }

@group(0) @binding(0) var<storage, read> table: array<f32>;
@group(0) @binding(1) var<storage, read> idx: array<i32>;
@group(0) @binding(2) var<storage, read_write> y: array<f32>;
@group(0) @binding(3) var<storage, read> dy: array<f32>;
@group(0) @binding(4) var<storage, read> order: array<u32>;
@group(0) @binding(5) var<storage, read> segStart: array<u32>;
@group(0) @binding(6) var<storage, read> segId: array<u32>;
@group(0) @binding(7) var<storage, read_write> dtable: array<f32>;
@group(0) @binding(8) var<uniform> params: Params;

@compute @workgroup_size(64)
fn gather(@builtin(global_invocation_id) gid: vec3<u32>) {
  let i = gid.x + gid.y * params.xStride;
  if (i >= params.N * params.C) { return; }
  let row = i / params.C;
  let c = i % params.C;
  var id = idx[row];
  if (id < 0 || u32(id) >= params.V) { id = 0; }
  y[i] = table[u32(id) * params.C + c];
}

@compute @workgroup_size(64)
fn scatter_add(@builtin(global_invocation_id) gid: vec3<u32>) {
  let c = gid.x;
  let u = gid.y + gid.z * 65535u;
  if (c >= params.C || u >= params.N) { return; }
  var s = 0.0;
  for (var p = segStart[u]; p < segStart[u + 1u]; p++) { s += dy[order[p] * params.C + c]; }
  dtable[segId[u] * params.C + c] = s;
}
