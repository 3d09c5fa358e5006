#!/usr/bin/env bash
# Installs node-llama-cpp (package-lock.json) for llama-reference.mjs, unless node_modules already holds
# exactly this lock file's packages. Run by compute-node's build (generate-test-resources); safe to run by hand.
set -euo pipefail
dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
marker="$dir/node_modules/.gridshare-installed-lock.sha256"
addon="$dir/node_modules/node-llama-cpp/package.json"
wanted="$(sha256sum "$dir/package-lock.json" | cut -d' ' -f1)"
if [ -f "$addon" ] && [ -f "$marker" ] && [ "$(cat "$marker")" = "$wanted" ]; then
  exit 0
fi
command -v npm >/dev/null || { echo "npm not found: install Node.js 20+ (the llama.cpp reference for the tests comes from npm)" >&2; exit 1; }
echo "Installing the llama.cpp test reference (npm ci of node-llama-cpp) in $dir" >&2
rm -f "$marker"
# --ignore-scripts: node-llama-cpp's postinstall probes GPUs and may try to build llama.cpp from source;
# the reference only uses the prebuilt CPU binaries (getLlama({gpu: false, build: "never"}))
(cd "$dir" && npm ci --ignore-scripts --prefer-offline --no-audit --no-fund --loglevel=error)
[ -f "$addon" ] || { echo "node-llama-cpp missing after npm ci: expected $addon" >&2; exit 1; }
echo "$wanted" > "$marker"
