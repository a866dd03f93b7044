// Errors the GPU layer raises. Each one says what happened and what to do next,
// so the UI and the CLI can show it as is.

export class WebGPUUnavailableError extends Error {
  override name = 'WebGPUUnavailableError';
}

export class AdapterUnavailableError extends Error {
  override name = 'AdapterUnavailableError';
}

export class DeviceLostError extends Error {
  override name = 'DeviceLostError';
  constructor(
    message: string,
    readonly reason: string
  ) {
    super(message);
  }
}

export class BufferTooLargeError extends Error {
  override name = 'BufferTooLargeError';
  constructor(
    readonly label: string,
    readonly bytes: number,
    readonly limit: number,
    readonly limitName: string
  ) {
    super(
      `tensor "${label}" needs ${formatBytes(bytes)} (${bytes} bytes), over this device's ${limitName} of ` +
        `${formatBytes(limit)} (${limit} bytes). Use a smaller batch, sequence or model, or a GPU with larger limits.`
    );
  }
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 ** 2) return `${(n / 1024).toFixed(1)} KiB`;
  if (n < 1024 ** 3) return `${(n / 1024 ** 2).toFixed(1)} MiB`;
  return `${(n / 1024 ** 3).toFixed(2)} GiB`;
}

export const ENABLE_WEBGPU_HELP =
  'WebGPU is not available here. Use a current Chrome or Edge (113+) on a machine with a GPU, ' +
  'or start Chromium with --enable-unsafe-webgpu (on Linux without a GPU it then runs on SwiftShader, slowly). ' +
  'In Node, RAPT Lab uses the npm package "webgpu" (Dawn).';
