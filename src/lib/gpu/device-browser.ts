// Browser main thread and web workers: both expose navigator.gpu. Nothing is touched until called.
import { acquireDevice, type AcquiredDevice, type DeviceRequest } from './device';

export function browserGpu(): GPU | undefined {
  const nav = (globalThis as { navigator?: Navigator }).navigator;
  return nav && 'gpu' in nav ? (nav.gpu as GPU) : undefined;
}

export function acquireBrowserDevice(req?: DeviceRequest): Promise<AcquiredDevice> {
  return acquireDevice(browserGpu(), req);
}
