#!/usr/bin/env bash
# npm packages from the lock file; skipped when node_modules already matches it.
set -euo pipefail
cd "$(dirname "$0")/.."
stamp=node_modules/.rapt-lock-hash
hash=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$hash" ]; then exit 0; fi
npm ci --no-audit --no-fund
echo "$hash" > "$stamp"
