// philox_test.wgsl — exposes philox.wgsl to the tests (tests/unit/philox.test.ts): known-answer
// vectors and a comparison of the float helpers with their CPU mirror (src/lib/privacy/philox.ts).
//
//   blocks:  out[4i .. 4i+3] = philox4x32_10(ctr[4i .. 4i+3], key[2i .. 2i+1])   i < n
//   floats:  fout[4i] = u01(words[2i]), fout[4i+1] = neg_log_u01(words[2i]),
//            fout[4i+2 .. 4i+3] = normal2(words[2i], words[2i+1])                 i < n
//
// Bindings: ctr, key, out (blocks); words, fout (floats); params {n, xStride}.
// Dispatch: linear grid over n, workgroup 64.

#include "privacy/philox.wgsl"

struct Params { n: u32, xStride: u32, _p0: u32, _p1: u32 }

@group(0) @binding(0) var<storage, read> ctr: array<u32>;
@group(0) @binding(1) var<storage, read> key: array<u32>;
@group(0) @binding(2) var<storage, read_write> out: array<u32>;
@group(0) @binding(3) var<storage, read> words: array<u32>;
@group(0) @binding(4) var<storage, read_write> fout: array<f32>;
@group(0) @binding(5) var<uniform> params: Params;

@compute @workgroup_size(64)
fn blocks(@builtin(global_invocation_id) gid: vec3<u32>) {
  let i = gid.x + gid.y * params.xStride;
  if (i >= params.n) { return; }
  let c = vec4<u32>(ctr[4u * i], ctr[4u * i + 1u], ctr[4u * i + 2u], ctr[4u * i + 3u]);
  let k = vec2<u32>(key[2u * i], key[2u * i + 1u]);
  let r = philox4x32_10(c, k);
  out[4u * i] = r.x;
  out[4u * i + 1u] = r.y;
  out[4u * i + 2u] = r.z;
  out[4u * i + 3u] = r.w;
}

@compute @workgroup_size(64)
fn floats(@builtin(global_invocation_id) gid: vec3<u32>) {
  let i = gid.x + gid.y * params.xStride;
  if (i >= params.n) { return; }
  let x0 = words[2u * i];
  let x1 = words[2u * i + 1u];
  let g = normal2(x0, x1);
  fout[4u * i] = u01(x0);
  fout[4u * i + 1u] = neg_log_u01(x0);
  fout[4u * i + 2u] = g.x;
  fout[4u * i + 3u] = g.y;
}
