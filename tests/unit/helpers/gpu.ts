// One GPU context per test file, on Dawn (SwiftShader when the machine has no GPU).
import { acquireNodeDevice } from '../../../src/lib/gpu/device-node';
import { useNodeShaderLoader } from '../../../src/lib/gpu/shader-source-node';
import { GpuContext } from '../../../src/lib/gpu/context';

let ctx: Promise<GpuContext> | null = null;

export function getGpu(): Promise<GpuContext> {
  if (!ctx) {
    useNodeShaderLoader();
    ctx = acquireNodeDevice({ adapterLimits: true }).then((d) => new GpuContext(d));
  }
  return ctx;
}
