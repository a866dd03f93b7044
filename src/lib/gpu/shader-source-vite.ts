// Browser loader for shaders/*.wgsl: Vite inlines every shader as a string at build time.
import { setShaderLoader, hasShaderLoader } from './shader-source';

const files = import.meta.glob('/shaders/**/*.wgsl', { query: '?raw', import: 'default', eager: true }) as Record<
  string,
  string
>;

export function useViteShaderLoader(): void {
  if (hasShaderLoader()) return;
  setShaderLoader((path) => {
    const src = files['/shaders/' + path];
    if (src === undefined) throw new Error(`shader not bundled: shaders/${path}`);
    return src;
  });
}
