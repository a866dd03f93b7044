// One way to get a WebGPU device, wherever we run: the browser main thread, a
// web worker (both through navigator.gpu) and Node (through the npm package
// `webgpu`, see device-node.ts). The caller passes the GPU entry point; this file
// touches no globals at import time.

import { AdapterUnavailableError, DeviceLostError, ENABLE_WEBGPU_HELP, WebGPUUnavailableError } from './errors';

export interface AdapterSummary {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  /** true for CPU implementations (SwiftShader, lavapipe, WARP): kernels pick their CPU-friendly variants */
  software: boolean;
  features: string[];
  limits: Record<string, number>;
}

export interface DeviceRequest {
  /** bytes the largest single buffer will need; raises maxBufferSize / maxStorageBufferBindingSize up to what the adapter allows */
  largestBufferBytes?: number;
  powerPreference?: GPUPowerPreference;
  /** ask for the adapter's full limits rather than the defaults */
  adapterLimits?: boolean;
}

export interface AcquiredDevice {
  adapter: GPUAdapter;
  device: GPUDevice;
  summary: AdapterSummary;
  /** resolves when the device is lost (never rejects); the GpuContext turns it into errors for pending work */
  lost: Promise<DeviceLostError>;
}

const LIMIT_NAMES = [
  'maxBufferSize',
  'maxStorageBufferBindingSize',
  'maxComputeWorkgroupStorageSize',
  'maxComputeInvocationsPerWorkgroup',
  'maxComputeWorkgroupSizeX',
  'maxComputeWorkgroupsPerDimension',
  'maxStorageBuffersPerShaderStage',
  'maxUniformBufferBindingSize'
] as const;

export function isSoftwareAdapter(info: { vendor?: string; architecture?: string; device?: string; description?: string }): boolean {
  const text = `${info.vendor ?? ''} ${info.architecture ?? ''} ${info.device ?? ''} ${info.description ?? ''}`.toLowerCase();
  return /swiftshader|llvmpipe|lavapipe|warp|software|microsoft basic render/.test(text);
}

export function summarizeAdapter(adapter: GPUAdapter): AdapterSummary {
  const info = adapter.info ?? ({} as GPUAdapterInfo);
  const limits: Record<string, number> = {};
  for (const name of LIMIT_NAMES) limits[name] = Number((adapter.limits as unknown as Record<string, number>)[name]);
  return {
    vendor: info.vendor ?? '',
    architecture: info.architecture ?? '',
    device: info.device ?? '',
    description: info.description ?? '',
    software: isSoftwareAdapter(info),
    features: [...adapter.features].map(String).sort(),
    limits
  };
}

export async function requestAdapter(gpu: GPU | undefined | null, powerPreference?: GPUPowerPreference): Promise<GPUAdapter> {
  if (!gpu) throw new WebGPUUnavailableError(ENABLE_WEBGPU_HELP);
  let adapter: GPUAdapter | null = null;
  try {
    adapter = await gpu.requestAdapter(powerPreference ? { powerPreference } : undefined);
  } catch (e) {
    throw new AdapterUnavailableError(`requestAdapter failed: ${(e as Error).message}. ${ENABLE_WEBGPU_HELP}`);
  }
  if (!adapter) {
    throw new AdapterUnavailableError(
      'WebGPU is present but no GPU adapter was offered (blocklisted driver, or no GPU and no software fallback). ' +
        ENABLE_WEBGPU_HELP
    );
  }
  return adapter;
}

export async function acquireDevice(gpu: GPU | undefined | null, req: DeviceRequest = {}): Promise<AcquiredDevice> {
  const adapter = await requestAdapter(gpu, req.powerPreference);
  const al = adapter.limits;
  const requiredLimits: Record<string, number> = {};
  if (req.adapterLimits) {
    for (const name of LIMIT_NAMES) requiredLimits[name] = (al as unknown as Record<string, number>)[name];
  } else if (req.largestBufferBytes !== undefined) {
    // Ask only for what the model needs: larger limits can cost something on some drivers.
    const want = Math.ceil(req.largestBufferBytes / 4) * 4;
    if (want > 128 * 1024 * 1024) {
      requiredLimits.maxStorageBufferBindingSize = Math.min(want, al.maxStorageBufferBindingSize);
      requiredLimits.maxBufferSize = Math.min(Math.max(want, 256 * 1024 * 1024), al.maxBufferSize);
    }
  }
  const requiredFeatures: GPUFeatureName[] = [];
  if (adapter.features.has('timestamp-query')) requiredFeatures.push('timestamp-query');
  let device: GPUDevice;
  try {
    device = await adapter.requestDevice({ requiredLimits, requiredFeatures, label: 'rapt-device' });
  } catch (e) {
    throw new AdapterUnavailableError(`requestDevice failed: ${(e as Error).message}`);
  }
  const lost = device.lost.then(
    (info) =>
      new DeviceLostError(
        `the GPU device was lost (${info.reason || 'unknown'}): ${(info.message || 'no message').replace(/\.+$/, '')}. ` +
          'Work in flight was abandoned; results already saved are kept. Reload the model to continue.',
        info.reason || 'unknown'
      )
  );
  return { adapter, device, summary: summarizeAdapter(adapter), lost };
}
