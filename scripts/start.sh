#!/usr/bin/env bash
# Start the playground: install npm packages, build the static site, serve it.
# Open the printed address in Chrome/Edge 113+ (or Chromium with --enable-unsafe-webgpu).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-npm-deps.sh
npx svelte-kit sync
npx vite build
port="${PORT:-4173}"
echo
echo "RAPT Lab is at http://127.0.0.1:${port}/  (Ctrl-C to stop)"
exec npx vite preview --host 127.0.0.1 --port "$port" --strictPort
