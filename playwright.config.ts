import { defineConfig } from '@playwright/test';

// End-to-end tests run against the built static site in Debian's Chromium
// (never a downloaded browser). WebGPU there runs on SwiftShader when the machine has no GPU.
const chromium = process.env.RAPT_CHROMIUM ?? '/usr/bin/chromium';
// RAPT_E2E_PORT lets several checkouts run their e2e tests side by side.
const port = Number(process.env.RAPT_E2E_PORT ?? 4173);

export const chromiumArgs = [
  '--no-sandbox',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic'
];

export default defineConfig({
  testDir: 'tests/e2e',
  timeout: 180_000,
  expect: { timeout: 60_000 },
  fullyParallel: false,
  workers: 1,
  reporter: [['list']],
  outputDir: 'test-results',
  use: {
    baseURL: `http://127.0.0.1:${port}`,
    screenshot: 'only-on-failure',
    launchOptions: {
      executablePath: chromium,
      args: [...chromiumArgs, '--enable-unsafe-webgpu']
    }
  },
  webServer: {
    command: `npx vite preview --host 127.0.0.1 --port ${port} --strictPort`,
    url: `http://127.0.0.1:${port}`,
    reuseExistingServer: !process.env.CI,
    timeout: 60_000
  }
});
