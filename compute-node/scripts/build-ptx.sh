#!/usr/bin/env bash
# Compiles the CUDA C kernels of the engine to PTX for a low virtual architecture, so that the
# driver JIT-compiles them for whatever GPU a node has (sm_75 Turing and newer; H100 is sm_90).
# The PTX is committed, so building the node needs no CUDA toolkit; PtxIsCurrentTest fails when
# the committed file no longer matches the source.
#
#   compute-node/scripts/build-ptx.sh [output-dir]     (default: the resource folder)
#
# Environment: NVCC (default: nvcc on PATH, else /usr/local/bin/nvcc), PTX_ARCH (default compute_75).
set -euo pipefail

module_dir="$(cd "$(dirname "$0")/.." && pwd)"
source_file="$module_dir/src/main/cuda/llama.cu"
out_dir="${1:-$module_dir/src/main/resources/io/gridshare/node/engine/cuda}"
arch="${PTX_ARCH:-compute_75}"
nvcc="${NVCC:-$(command -v nvcc || echo /usr/local/bin/nvcc)}"

if [[ ! -x "$nvcc" ]]; then
  echo "build-ptx: nvcc not found (set NVCC=/path/to/nvcc); the committed PTX is used as is" >&2
  exit 2
fi

mkdir -p "$out_dir"
# No -lineinfo/-G: they embed the absolute source path, and the PTX must not depend on where the
# checkout lives. No --use_fast_math: the kernels must match the CPU backend's accurate math.
# The source is compiled from its own directory with a relative name for the same reason.
(cd "$(dirname "$source_file")" && "$nvcc" -ptx -arch="$arch" -O3 -std=c++17 \
  -o "$out_dir/llama.ptx" "$(basename "$source_file")")

# Assemble the PTX for the GPU generations the network expects, to catch PTX the JIT would reject.
ptxas="$(dirname "$nvcc")/ptxas"
if [[ -x "$ptxas" ]]; then
  for sm in sm_75 sm_80 sm_90; do
    "$ptxas" -arch="$sm" -o /dev/null "$out_dir/llama.ptx"
  done
fi
echo "build-ptx: wrote $out_dir/llama.ptx ($arch, $("$nvcc" --version | tail -1))"
