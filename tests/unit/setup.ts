// Vitest setup: nothing global yet. GPU tests get their device from tests/unit/gpu-fixture.ts.
export {};
