// checkOp: run an engine op on the GPU and its float64 reference on the CPU; compare the
// forward outputs, then the backward pass (seeded with a random cotangent w, i.e. the
// gradient of Σ y·w) against central finite differences of the reference.
import type { GpuContext } from '../../../src/lib/gpu/context';
import { Tape, Tensor, backward, tensorFrom, tidy } from '../../../src/lib/engine';
import { expectClose, finiteDiff, randArray, rng, type Tol } from './numeric';

export interface OpInput {
  data: Float64Array;
  shape: number[];
  grad?: boolean;
  int?: boolean;
}

export interface OpSpec {
  name: string;
  inputs: OpInput[];
  gpu: (t: Tensor[]) => Tensor;
  ref: (x: Float64Array[]) => Float64Array;
  fwd: Tol;
  bwd?: Tol;
  seed?: number;
  h?: number;
}

export async function checkOp(gpu: GpuContext, spec: OpSpec): Promise<void> {
  const r = rng(spec.seed ?? 7);
  const refInputs = spec.inputs.map((i) => Float64Array.from(i.data));
  const want = spec.ref(refInputs);
  const w = randArray(want.length, r);
  const { y, grads } = tidy(() => {
    const ts = spec.inputs.map((inp, k) => {
      const t = inp.int
        ? tensorFrom(gpu, Int32Array.from(inp.data), inp.shape, `${spec.name}.in${k}`)
        : tensorFrom(gpu, Float32Array.from(inp.data), inp.shape, `${spec.name}.in${k}`);
      t.requiresGrad = !!inp.grad;
      return t;
    });
    const tape = new Tape();
    const out = tape.record(() => spec.gpu(ts));
    const anyGrad = spec.inputs.some((i) => i.grad);
    if (anyGrad && spec.bwd) {
      const seed = tensorFrom(gpu, Float32Array.from(w), out.shape as number[], 'cotangent');
      backward(tape, out, seed);
    } else tape.dispose();
    const gs = ts.map((t) => {
      const g = t.grad;
      t.grad = null;
      return g;
    });
    return { y: out, grads: gs };
  });
  const got = await y.read();
  expectClose(got, want, spec.fwd, `${spec.name} forward`);
  if (spec.bwd) {
    for (let k = 0; k < spec.inputs.length; k++) {
      if (!spec.inputs[k].grad) continue;
      const g = grads[k];
      if (!g) throw new Error(`${spec.name}: no gradient for input ${k}`);
      const gotG = await g.read();
      const fd = finiteDiff(spec.ref, refInputs, k, w, spec.h ?? 1e-3);
      expectClose(gotG, fd, spec.bwd, `${spec.name} backward (input ${k})`);
    }
  }
  y.dispose();
  for (const g of grads) g?.dispose();
}
