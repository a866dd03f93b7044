#!/usr/bin/env bash
# Debian packages the tests need, installed only when missing:
#   chromium   — the browser for Playwright (never a downloaded one) and, on machines
#                without a GPU, the SwiftShader Vulkan driver it ships
#                (/usr/lib/chromium/vk_swiftshader_icd.json) that Node's WebGPU (Dawn) falls back to
#   libvulkan1 — the Vulkan loader Dawn opens in Node
set -euo pipefail
need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
ldconfig -p 2>/dev/null | grep -q 'libvulkan.so.1' || need+=(libvulkan1)
if [ ${#need[@]} -eq 0 ]; then exit 0; fi
echo "installing Debian packages: ${need[*]}"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}" >/dev/null
