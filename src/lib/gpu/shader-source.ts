// Where WGSL source comes from. The engine asks for shaders by path relative to
// `shaders/` (e.g. "engine/matmul.wgsl"); the platform registers a loader once:
// Vite's `?raw` glob in the browser (shader-source-vite.ts), the file system in
// Node (shader-source-node.ts). Keeps the engine free of platform imports.

export type ShaderLoader = (path: string) => string;

let loader: ShaderLoader | null = null;
const cache = new Map<string, string>();

export function setShaderLoader(fn: ShaderLoader): void {
  loader = fn;
  cache.clear();
}

export function hasShaderLoader(): boolean {
  return loader !== null;
}

/**
 * The WGSL of shaders/<path>, with `#include "other/file.wgsl"` lines (on their own line)
 * replaced by that file's text, each file at most once (shared helpers such as the
 * Philox generator live in their own file and are included where used).
 */
export function shaderSource(path: string): string {
  const hit = cache.get(path);
  if (hit !== undefined) return hit;
  if (!loader) throw new Error(`no shader loader registered (asked for shaders/${path}); call setShaderLoader first`);
  const src = expand(path, new Set());
  cache.set(path, src);
  return src;
}

const INCLUDE = /^[ \t]*#include[ \t]+"([^"]+)"[ \t]*$/gm;

function expand(path: string, seen: Set<string>): string {
  seen.add(path);
  return loader!(path).replace(INCLUDE, (_m, inc: string) => {
    if (seen.has(inc)) return `// (${inc} already included)`;
    return `// ---- begin ${inc}\n${expand(inc, seen)}\n// ---- end ${inc}`;
  });
}
