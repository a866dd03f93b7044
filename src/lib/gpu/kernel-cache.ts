// Compiles each shader variant once. A variant is (file, entry point, override
// constants); shapes travel in uniforms, so one pipeline serves every shape of its
// class. Resources are bound by their WGSL variable names, read from the shader with
// webgpu-utils, so each entry point binds exactly what it uses.

import { makeShaderDataDefinitions, type ShaderDataDefinitions } from 'webgpu-utils';
import { shaderSource } from './shader-source';

export type Constants = Record<string, number | boolean>;

export interface Kernel {
  key: string;
  label: string;
  pipeline: GPUComputePipeline;
  layout: GPUBindGroupLayout;
  /** binding number and kind of every resource this entry point uses */
  resources: Map<string, { binding: number; kind: 'uniform' | 'storage' }>;
  defs: ShaderDataDefinitions;
}

export class KernelCache {
  private modules = new Map<string, { module: GPUShaderModule; defs: ShaderDataDefinitions }>();
  private kernels = new Map<string, Kernel>();
  compiled = 0;

  constructor(private readonly device: GPUDevice) {}

  get(path: string, entryPoint = 'main', constants: Constants = {}): Kernel {
    const ckeys = Object.keys(constants).sort();
    const key = `${path}:${entryPoint}` + (ckeys.length ? `{${ckeys.map((k) => `${k}=${Number(constants[k])}`).join(',')}}` : '');
    const hit = this.kernels.get(key);
    if (hit) return hit;
    const { module, defs } = this.module(path);
    const ep = defs.entryPoints[entryPoint];
    if (!ep) throw new Error(`shaders/${path} has no entry point "${entryPoint}"`);
    const resources = new Map<string, { binding: number; kind: 'uniform' | 'storage' }>();
    for (const r of ep.resources) {
      if (r.group !== 0) throw new Error(`shaders/${path}: only @group(0) is supported (${r.name})`);
      const t = r.entry.buffer?.type;
      const kind = t === undefined || t === 'uniform' ? 'uniform' : 'storage';
      resources.set(r.name, { binding: r.entry.binding, kind });
    }
    const constantValues: Record<string, number> = {};
    for (const k of ckeys) constantValues[k] = Number(constants[k]);
    const pipeline = this.device.createComputePipeline({
      label: key,
      layout: 'auto',
      compute: { module, entryPoint, constants: constantValues }
    });
    const kernel: Kernel = { key, label: key, pipeline, layout: pipeline.getBindGroupLayout(0), resources, defs };
    this.kernels.set(key, kernel);
    this.compiled++;
    return kernel;
  }

  private module(path: string) {
    let m = this.modules.get(path);
    if (!m) {
      const code = shaderSource(path);
      m = { module: this.device.createShaderModule({ code, label: path }), defs: makeShaderDataDefinitions(code) };
      this.modules.set(path, m);
    }
    return m;
  }

  get size(): number {
    return this.kernels.size;
  }
}
