// Node: WebGPU through Dawn (npm `webgpu`). On a machine with a real GPU the system
// Vulkan driver is used as is. When no adapter is found (no GPU, or Mesa's software
// drivers that Dawn rejects), fall back to the SwiftShader Vulkan driver that
// Debian's chromium package ships, and say so in one log line.
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { acquireDevice, type AcquiredDevice, type DeviceRequest } from './device';
import { AdapterUnavailableError } from './errors';

const SWIFTSHADER_ICDS = [
  process.env.RAPT_SWIFTSHADER_ICD,
  '/usr/lib/chromium/vk_swiftshader_icd.json',
  '/usr/lib/chromium-browser/vk_swiftshader_icd.json'
].filter((p): p is string => !!p);

interface DawnModule {
  create(flags: string[]): GPU;
  globals: Record<string, unknown>;
}

let dawn: DawnModule | null = null;
let resolvedGpu: GPU | null = null;
export let nodeGpuNote = '';

function loadDawn(): DawnModule {
  if (!dawn) {
    const require = createRequire(import.meta.url);
    // index.js of `webgpu` is ESM; its native module sits under dist/<platform>-<arch>/dawn.node.
    const pkgDir = require.resolve('webgpu/package.json').replace(/package\.json$/, '');
    const arch = process.platform === 'darwin' ? 'universal' : process.arch;
    dawn = require(join(pkgDir, 'dist', `${process.platform}-${arch}`, 'dawn.node')) as DawnModule;
    // Make the WebGPU enums (GPUBufferUsage, GPUShaderStage, GPUMapMode, ...) global, as in a browser.
    for (const [k, v] of Object.entries(dawn.globals)) {
      if (!(k in globalThis)) (globalThis as Record<string, unknown>)[k] = v;
    }
  }
  return dawn;
}

/** The GPU entry point for Node, with the SwiftShader fallback applied when needed. */
export async function nodeGpu(log: (line: string) => void = (l) => console.error(l)): Promise<GPU> {
  if (resolvedGpu) return resolvedGpu;
  if (!process.env.XDG_RUNTIME_DIR) {
    // The Vulkan loader complains without it; one private folder per user, reused.
    const dir = join(tmpdir(), `rapt-xdg-${process.getuid?.() ?? 'user'}`);
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    process.env.XDG_RUNTIME_DIR = dir;
  }
  const m = loadDawn();
  // Try the system drivers first when the machine has a GPU device node; without one, the
  // system's Vulkan drivers can only be software ones that Dawn rejects (and says so noisily).
  if (!process.env.VK_ICD_FILENAMES && hasGpuDeviceNode()) {
    const gpu = m.create([]);
    if (await gpu.requestAdapter()) {
      resolvedGpu = gpu;
      return gpu;
    }
  }
  const icd = process.env.VK_ICD_FILENAMES ? undefined : SWIFTSHADER_ICDS.find((p) => existsSync(p));
  if (!process.env.VK_ICD_FILENAMES && !icd) {
    throw new AdapterUnavailableError(
      'no WebGPU adapter found in Node, and no SwiftShader Vulkan driver to fall back to. ' +
        "On Debian, install it with: apt-get install -y chromium libvulkan1 (it ships /usr/lib/chromium/vk_swiftshader_icd.json)."
    );
  }
  if (icd) {
    process.env.VK_ICD_FILENAMES = icd;
    nodeGpuNote = `rapt: no hardware GPU adapter found; using SwiftShader (CPU) through ${icd}`;
    log(nodeGpuNote);
  }
  const gpu = m.create([]);
  if (!(await gpu.requestAdapter())) {
    throw new AdapterUnavailableError(
      `no WebGPU adapter found in Node even with VK_ICD_FILENAMES=${process.env.VK_ICD_FILENAMES}. ` +
        'Check that libvulkan1 is installed (apt-get install -y libvulkan1).'
    );
  }
  resolvedGpu = gpu;
  return gpu;
}

function hasGpuDeviceNode(): boolean {
  if (process.platform !== 'linux') return true;
  try {
    if (existsSync('/dev/nvidia0') || existsSync('/dev/dxg')) return true;
    return readdirSync('/dev/dri').some((f) => f.startsWith('renderD'));
  } catch {
    return false;
  }
}

export async function acquireNodeDevice(req?: DeviceRequest, log?: (line: string) => void): Promise<AcquiredDevice> {
  return acquireDevice(await nodeGpu(log), req);
}
