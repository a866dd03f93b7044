// Node loader for shaders/*.wgsl: reads the files next to the package root.
import { readFileSync, existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setShaderLoader, hasShaderLoader } from './shader-source';

function findShaderRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 8; i++) {
    const candidate = join(dir, 'shaders');
    if (existsSync(join(candidate, 'engine'))) return candidate;
    dir = resolve(dir, '..');
  }
  throw new Error('could not find the shaders/ folder above ' + fileURLToPath(import.meta.url));
}

export function useNodeShaderLoader(): void {
  if (hasShaderLoader()) return;
  const root = findShaderRoot();
  setShaderLoader((path) => {
    const file = join(root, path);
    if (!existsSync(file)) throw new Error(`shader file not found: shaders/${path}`);
    return readFileSync(file, 'utf8');
  });
}
