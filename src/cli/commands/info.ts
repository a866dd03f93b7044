// rapt info — the adapter and its limits as JSON.
import { openGpu, printJson } from '../runtime';
import { nodeGpuNote } from '../../lib/gpu/device-node';
import { matmulVariant } from '../../lib/engine';

export async function info(): Promise<void> {
  const gpu = await openGpu();
  const s = gpu.summary;
  printJson({
    adapter: { vendor: s.vendor, architecture: s.architecture, device: s.device, description: s.description },
    software: s.software,
    fallback: nodeGpuNote || null,
    features: s.features,
    limits: s.limits,
    matmul_variant: matmulVariant(gpu)
  });
  gpu.destroy();
}
