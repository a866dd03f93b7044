#!/usr/bin/env bash
# The whole test suite: type checks, unit/integration tests in Node on WebGPU (Dawn;
# SwiftShader when there is no GPU), the static build, and Playwright e2e in Debian's
# Chromium. Installs what it needs first. Ends with one line "N passed, M failed".
set -uo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-system-deps.sh || exit 1
bash scripts/install-npm-deps.sh || exit 1
# Test reports go to .reports/ (not test-results/: Playwright empties that folder when it starts).
mkdir -p .reports
rm -f .reports/vitest.json .reports/playwright.json
status=0
step() { echo; echo "== $*"; }

step "type check (svelte-check, strict TypeScript)"
npx svelte-kit sync && npx svelte-check --tsconfig ./tsconfig.json --fail-on-warnings || status=1

step "unit and integration tests (vitest, Node WebGPU)"
npx vitest run --reporter=default --reporter=json --outputFile.json=.reports/vitest.json || status=1

step "static build"
npx vite build || status=1

step "end-to-end tests (Playwright, Debian Chromium)"
CI=1 PLAYWRIGHT_JSON_OUTPUT_NAME=.reports/playwright.json npx playwright test --reporter=list,json || status=1

node scripts/test-summary.mjs .reports/vitest.json .reports/playwright.json || status=1
exit $status
