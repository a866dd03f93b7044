/// <reference types="vitest/config" />
import { sveltekit } from '@sveltejs/kit/vite';
import { defineConfig } from 'vite';

// The SvelteKit plugin is only needed for the site; unit tests run the library in
// Node on Dawn (npm `webgpu`) and do not need it.
const isVitest = process.env.VITEST !== undefined;

export default defineConfig({
  plugins: isVitest ? [] : [sveltekit()],
  worker: { format: 'es' },
  server: { fs: { allow: ['shaders', 'static'] } },
  test: {
    include: ['tests/unit/**/*.test.ts'],
    environment: 'node',
    pool: 'forks',
    // SwiftShader is a CPU rasteriser: two cores, so run test files one at a time
    // to keep kernels from fighting over them.
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 60_000,
    setupFiles: ['tests/unit/setup.ts']
  }
});
