#!/usr/bin/env bash
# The device check of the CUDA backend, for a machine with an NVIDIA GPU but no Java, Maven or
# internet. Prepare the bundle first, where Maven works:
#
#   compute-node/scripts/package-gpu-check.sh          # builds compute-node/target/gpu-check/ (< 64 MiB)
#
# then, with the bundle beside the checkout on the GPU machine, from the repository root:
#
#   OUT=/some/dir compute-node/scripts/gpu-check.sh [bundle-dir]
#
# It runs, writing everything to $OUT (default ./gpu-check-out):
#   nvidia-smi.txt               the GPU and driver as nvidia-smi sees them (if it exists)
#   tests.txt, junit/            device discovery, the CUDA golden test (stories260K, 256 greedy
#                                tokens vs run.c), CPU-vs-CUDA logit agreement, batched slots, PTX
#                                checks, the quantized product kernels (F32/F16/Q8_0/Q4_K) against a
#                                scalar dequantizer, GGUF-style models (Qwen2 biases, NEOX/partial
#                                RoPE, Llama 3 frequency factors) against a scalar reference forward;
#                                with a GPU present they must run, not skip
#   benchmark-quant.txt          CUDA tokens/s on TinyLlama-wide random models in F16, Q8_0, Q4_K
#   benchmark-cuda.txt           CUDA tokens/s: one job and 1, 4, 16 concurrent slots
#   benchmark-cuda-nographs.txt  CUDA tokens/s of one job with CUDA graph replay off
#   benchmark-cpu.txt            the CPU backend on the same machine, for comparison
#   summary.txt                  one line per step with its exit status
# Without a GPU (a dry run) the CUDA tests report "skipped" with the reason and the CUDA
# benchmark is not run.
set -uo pipefail

repo_dir="$(cd "$(dirname "$0")/../.." && pwd)"
bundle="${1:-$repo_dir/compute-node/target/gpu-check}"
out="${OUT:-$PWD/gpu-check-out}"
mkdir -p "$out"
summary="$out/summary.txt"
: > "$summary"

if [[ ! -f "$bundle/runtime.tar.xz" ]]; then
  echo "gpu-check: no bundle at $bundle; run compute-node/scripts/package-gpu-check.sh first" | tee -a "$summary"
  exit 2
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
if command -v xz >/dev/null 2>&1; then
  tar -C "$work" -xJf "$bundle/runtime.tar.xz"
else
  # no xz binary: Python's tarfile reads xz through its lzma module
  python3 -c 'import sys, tarfile; tarfile.open(sys.argv[1]).extractall(sys.argv[2])' \
    "$bundle/runtime.tar.xz" "$work" || { echo "gpu-check: cannot unpack runtime.tar.xz (no xz, no python3)" \
    | tee -a "$summary"; exit 2; }
  chmod -R u+x "$work/runtime/bin" "$work/runtime/lib"
fi
java="$work/runtime/bin/java"
"$java" -version > "$out/java-version.txt" 2>&1
classpath="$(ls "$bundle"/lib/*.jar | grep -v junit-platform-console-standalone | paste -sd:)"
launcher="$(ls "$bundle"/lib/junit-platform-console-standalone-*.jar)"

gpu_present=false
if command -v nvidia-smi >/dev/null 2>&1 && nvidia-smi > "$out/nvidia-smi.txt" 2>&1; then
  gpu_present=true
elif [[ -e /dev/nvidia0 ]]; then
  gpu_present=true
fi
echo "gpu present (nvidia-smi): $gpu_present" | tee -a "$summary"

jvm_args=(--add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED
  -Dgridshare.models.dir="$bundle/models" -Dgridshare.test.requireGpu="$gpu_present")

step() {
  local name="$1"; shift
  local started=$SECONDS
  "$@"
  local status=$?
  echo "$name: exit $status ($((SECONDS - started)) s)" | tee -a "$summary"
}

# the PTX tests look for the module's sources and nvcc/ptxas; run from compute-node so they find them if present
cd "$repo_dir/compute-node"
step tests "$java" "${jvm_args[@]}" -jar "$launcher" execute --class-path "$classpath" \
  --select-class io.gridshare.node.gpu.CudaDeviceDiscoveryTest \
  --select-class io.gridshare.node.engine.cuda.KernelModuleTest \
  --select-class io.gridshare.node.engine.cuda.CudaGoldenTest \
  --select-class io.gridshare.node.engine.cuda.CudaEngineGoldenTest \
  --select-class io.gridshare.node.engine.cuda.CudaCpuAgreementTest \
  --select-class io.gridshare.node.engine.cuda.CudaBackendSlotsTest \
  --select-class io.gridshare.node.engine.cuda.CudaQuantKernelTest \
  --select-class io.gridshare.node.engine.cuda.CudaGgufModelTest \
  --select-class io.gridshare.node.engine.cuda.ModelSupportTest \
  --details=tree --disable-banner --disable-ansi-colors --reports-dir "$out/junit" > "$out/tests.txt" 2>&1
grep -E "tests (successful|failed|skipped|aborted)" "$out/tests.txt" | sed 's/^/  /' | tee -a "$summary"

if $gpu_present; then
  step benchmark-cuda timeout 300 "$java" "${jvm_args[@]}" -cp "$classpath" \
    io.gridshare.node.engine.cuda.CudaBenchmark cuda 1 4 16 > "$out/benchmark-cuda.txt" 2>&1
  grep -E "tok/s|backend:" "$out/benchmark-cuda.txt" | sed 's/^/  /' | tee -a "$summary"
  step benchmark-cuda-nographs timeout 200 "$java" "${jvm_args[@]}" -Dgridshare.cuda.graphs=false -cp "$classpath" \
    io.gridshare.node.engine.cuda.CudaBenchmark cuda 1 > "$out/benchmark-cuda-nographs.txt" 2>&1
  grep -E "tok/s" "$out/benchmark-cuda-nographs.txt" | sed 's/^/  /' | tee -a "$summary"
  step benchmark-quant timeout 240 "$java" "${jvm_args[@]}" -Xmx8g -cp "$classpath" \
    io.gridshare.node.engine.cuda.CudaQuantBenchmark 8 > "$out/benchmark-quant.txt" 2>&1
  grep -E "tok/s" "$out/benchmark-quant.txt" | sed 's/^/  /' | tee -a "$summary"
fi
step benchmark-cpu timeout 300 "$java" "${jvm_args[@]}" -cp "$classpath" \
  io.gridshare.node.engine.cuda.CudaBenchmark cpu 1 4 > "$out/benchmark-cpu.txt" 2>&1
grep -E "tok/s" "$out/benchmark-cpu.txt" | sed 's/^/  /' | tee -a "$summary"
