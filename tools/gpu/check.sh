#!/usr/bin/env bash
# The whole GPU check of hrm in one command, for a lent GPU machine (no package access) or any CUDA host:
#   preflight -> unpack deps (.deps/debs, tools/gpu/pack-deps.sh) -> configure against python3's CUDA LibTorch
#   -> build -> ctest -L gpu -> fused-kernel bench -> one training segment, hrm vs PyTorch eager (MFU).
# Each phase runs under its own time budget (timeout); a failing phase is named in the summary and the
# phases that do not depend on it still run. Results: ${OUT:-results/gpu}, at most 8 files:
#   preflight.txt configure.log build.log ctest.log gpu_tests.xml kernels_bench.json train_step.json summary.txt
#   tools/gpu/check.sh               the full check (about 5-8 minutes on 16 cores)
#   tools/gpu/check.sh --preflight   only what the machine has: GPU, torch, nvcc, cmake, compilers
# Knobs: HRM_GPU_BUILD_DIR (build-gpu), HRM_GPU_JOBS (nproc), HRM_GPU_BUDGET_S (560, all phases),
#        HRM_CUDA_ARCH (90), HRM_BASELINE (hrm_torch.py; default ../shared/baselines or .deps/baselines),
#        HRM_TRAIN_STEPS (10).
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
export HRM_OUT=${OUT:-$ROOT/results/gpu}
export HRM_BUILD=${HRM_GPU_BUILD_DIR:-$ROOT/build-gpu}
export HRM_JOBS=${HRM_GPU_JOBS:-$(nproc)}
export HRM_ARCH=${HRM_CUDA_ARCH:-90}
export HRM_DEPS_ENV=$HRM_BUILD/deps-env.sh
export CCACHE_DIR=${CCACHE_DIR:-/tmp/hrm-ccache}  # harmless without ccache; writable with it
mkdir -p "$HRM_OUT" "$HRM_BUILD"
SUMMARY=$HRM_OUT/summary.txt

find_nvcc() {
  command -v nvcc 2>/dev/null || { [ -x /usr/local/cuda/bin/nvcc ] && echo /usr/local/cuda/bin/nvcc; } || true
}
find_baseline() {
  for b in "${HRM_BASELINE:-}" "$ROOT/../shared/baselines/hrm_torch.py" "$ROOT/.deps/baselines/hrm_torch.py"; do
    [ -n "$b" ] && [ -f "$b" ] && { echo "$b"; return; }
  done
}
deps_lib() { . "$HRM_DEPS_ENV" && echo "$HRM_DEPS_LD_LIBRARY_PATH"; }

# ---- the phases, each run as `check.sh --phase NAME` under timeout by the driver below ----------------
phase_preflight() {
  set +e
  echo "date: $(date -u +%FT%TZ)  host: $(uname -srm)  $(. /etc/os-release 2>/dev/null; echo "$PRETTY_NAME")"
  echo "cpus: $(nproc)  memory: $(free -g 2>/dev/null | awk '/Mem:/{print $2 " GiB"}')  disk free: $(df -h . | awk 'NR==2{print $4}')"
  echo "glibc: $(ldd --version 2>&1 | head -1)"
  echo "--- nvidia-smi"; nvidia-smi --query-gpu=name,driver_version,memory.total,compute_cap,clocks.sm,clocks.max.sm --format=csv 2>&1 | head -5
  echo "--- python3 / torch"
  python3 - <<'PY' 2>&1
import sys, torch
print("python", sys.version.split()[0], sys.executable)
print("torch", torch.__version__, "cuda", torch.version.cuda, "available", torch.cuda.is_available(),
      "cxx11abi", torch._C._GLIBCXX_USE_CXX11_ABI)
print("cmake_prefix_path", torch.utils.cmake_prefix_path)
if torch.cuda.is_available():
    p = torch.cuda.get_device_properties(0)
    print("device", p.name, f"sm_{p.major}{p.minor}", p.multi_processor_count, "SMs", round(p.total_memory / 2**30), "GiB")
PY
  local nvcc; nvcc=$(find_nvcc)
  echo "--- nvcc: ${nvcc:-MISSING}"; [ -n "$nvcc" ] && "$nvcc" --version | tail -2
  echo "--- tools"
  for t in cmake ctest ninja g++ gcc c++ ld readelf dpkg-deb ar tar pkg-config ccache timeout; do
    printf '%-10s %s\n' "$t" "$(command -v $t || echo MISSING)"
  done
  cmake --version | head -1; ninja --version 2>/dev/null | sed 's/^/ninja /'; g++ --version | head -1
  echo "--- deps: $(ls .deps/debs/*.deb 2>/dev/null | wc -l) .debs in .deps/debs; baseline: $(find_baseline || true)"
  return 0
}

phase_unpack() {
  tools/gpu/unpack-deps.sh --check .deps/debs .deps/prefix > "$HRM_DEPS_ENV"
  cat "$HRM_DEPS_ENV"
}

phase_configure() {
  . "$HRM_DEPS_ENV"
  local torch_cmake nvcc cuda_root cudnn gen=()
  torch_cmake=$(python3 -c 'import torch; print(torch.utils.cmake_prefix_path)')
  nvcc=$(find_nvcc)
  [ -n "$nvcc" ] || { echo "configure: no nvcc on PATH or in /usr/local/cuda/bin" >&2; return 1; }
  cuda_root=$(dirname "$(dirname "$(readlink -f "$nvcc")")")
  export PATH="$(dirname "$nvcc"):$PATH" CUDACXX="$nvcc" TORCH_CUDA_ARCH_LIST="${HRM_ARCH:0:1}.${HRM_ARCH:1}"
  command -v ninja >/dev/null && gen=(-G Ninja)
  local args=("${gen[@]}" -DCMAKE_BUILD_TYPE=Release -DCMAKE_PREFIX_PATH="$torch_cmake;$HRM_DEPS_PREFIX"
    -DPKG_CONFIG_EXECUTABLE="$PKG_CONFIG" -DCMAKE_CUDA_COMPILER="$nvcc" -DCMAKE_CUDA_ARCHITECTURES="$HRM_ARCH"
    -DCUDAToolkit_ROOT="$cuda_root" -DCUDA_TOOLKIT_ROOT_DIR="$cuda_root" -DCMAKE_POLICY_VERSION_MINIMUM=3.5)
  # pip's cuDNN (nvidia-cudnn-cu13), for Torch configs that look for it.
  cudnn=$(python3 -c 'import nvidia.cudnn as m; print(list(m.__path__)[0])' 2>/dev/null || true)
  if [ -n "$cudnn" ] && [ -d "$cudnn/include" ]; then
    args+=(-DCUDNN_ROOT="$cudnn" -DCUDNN_INCLUDE_PATH="$cudnn/include" -DCUDNN_INCLUDE_DIR="$cudnn/include")
    local lib; lib=$(ls "$cudnn"/lib/libcudnn.so* 2>/dev/null | head -1 || true)
    [ -n "$lib" ] && args+=(-DCUDNN_LIBRARY_PATH="$lib" -DCUDNN_LIBRARY="$lib")
  fi
  echo "cmake -S . -B $HRM_BUILD ${args[*]}"
  if ! cmake -S . -B "$HRM_BUILD" "${args[@]}"; then
    echo "configure: first attempt failed; retrying without cuDNN (hrm does not use it)" >&2
    rm -f "$HRM_BUILD/CMakeCache.txt"
    cmake -S . -B "$HRM_BUILD" "${args[@]}" -DUSE_CUDNN=OFF -DCAFFE2_USE_CUDNN=OFF
  fi
  if ! grep -q 'hrm_gpu_tests' "$HRM_BUILD/build.ninja" "$HRM_BUILD/Makefile" 2>/dev/null; then
    echo "configure: the gpu tests are not configured: the LibTorch found has no CUDA or nvcc was not enabled" \
         "(look for 'hrm: nvcc ..., CUDA kernels linked: ...' above)" >&2
    return 1
  fi
}

phase_build() {
  cmake --build "$HRM_BUILD" -j "$HRM_JOBS" --target hrm_gpu_tests hrm-bench-gpu-kernels hrm-bench-train-step
}

phase_ctest() {
  local junit=()
  ctest --help 2>/dev/null | grep -q -- --output-junit && junit=(--output-junit "$HRM_OUT/gpu_tests.xml")
  cd "$HRM_BUILD"
  LD_LIBRARY_PATH="$(deps_lib)${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" \
    ctest -L gpu --output-on-failure --timeout 120 "${junit[@]}"
}

phase_bench_kernels() {
  LD_LIBRARY_PATH="$(deps_lib)${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" \
    "$HRM_BUILD/bin/hrm-bench-gpu-kernels" > "$HRM_OUT/kernels_bench.json"
  python3 - "$HRM_OUT/kernels_bench.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
print(f"fused kernels vs ATen, {r['device']} {r['dtype']}, shape {r['shape']}")
print(f"{'op':<14}{'pass':<18}{'fused ms':>10}{'aten ms':>10}{'speedup':>9}{'fused GB/s':>12}{'max|diff|':>11}")
for x in r["results"]:
    print(f"{x['op']:<14}{x['pass']:<18}{x['fused_ms']:>10.4f}{x['aten_ms']:>10.4f}{x['speedup']:>9.2f}"
          f"{x['fused_GBps']:>12.0f}{x['max_abs_diff']:>11.2e}")
PY
}

phase_train_step() {
  local baseline; baseline=$(find_baseline || true)
  [ -n "$baseline" ] || { echo "train_step: hrm_torch.py not found (HINT: carry .deps/baselines, see docs/gpu.md)" >&2; return 1; }
  HRM_DEPS_LD_LIBRARY_PATH=$(deps_lib 2>/dev/null || true) python3 tools/bench/gpu_train_step_compare.py \
    --bench "$HRM_BUILD/bin/hrm-bench-train-step" --baseline "$baseline" --device cuda --dtype bfloat16 \
    --batch 768 --seq-len 81 --hidden 512 --heads 8 --h-layers 4 --l-layers 4 --h-cycles 2 --l-cycles 2 --vocab 11 \
    --steps "${HRM_TRAIN_STEPS:-10}" --warmup 3 --timeout $(( ${HRM_PHASE_LEFT:-200} / 2 )) --out "$HRM_OUT/train_step.json"
}

if [ "${1:-}" = --phase ]; then
  "phase_$2"
  exit $?
fi

# ---- the driver ---------------------------------------------------------------------------------------
if [ "${1:-}" = --preflight ]; then
  phase_preflight 2>&1 | tee "$HRM_OUT/preflight.txt"
  exit 0
fi
[ $# -eq 0 ] || { echo "usage: tools/gpu/check.sh [--preflight]" >&2; exit 2; }

start=$(date +%s)
rm -f "$HRM_BUILD"/kernels_bench.log "$HRM_BUILD"/train_step.log
deadline=$((start + ${HRM_GPU_BUDGET_S:-560}))
: > "$SUMMARY"
declare -A status=()
note() { echo "$*" | tee -a "$SUMMARY"; }

# run_phase NAME BUDGET_S LOG [MODE]: MODE "append" adds to LOG (configure.log holds unpack + configure).
run_phase() {
  local name=$1 budget=$2 log=$3 mode=${4:-new}
  local left=$((deadline - $(date +%s)))
  [ "$budget" -lt "$left" ] || budget=$left
  if [ "$budget" -lt 10 ]; then
    status[$name]=skipped; note "PHASE $name: SKIPPED (the ${HRM_GPU_BUDGET_S:-560}s budget is spent)"; return 1
  fi
  [ "$mode" = append ] || : > "$log"
  echo "=== [$name] budget ${budget}s, log $(basename "$log")" | tee -a "$log"
  local t0 rc=0; t0=$(date +%s)
  HRM_PHASE_LEFT=$((budget - 15)) timeout -k 10 "$budget" bash "$0" --phase "$name" >> "$log" 2>&1 || rc=$?
  local took=$(( $(date +%s) - t0 ))
  if [ $rc -eq 0 ]; then
    status[$name]=ok; note "PHASE $name: ok (${took}s)"
  else
    status[$name]=failed
    if [ $rc -eq 124 ] || [ $rc -eq 137 ]; then
      note "PHASE $name: TIMED OUT after ${took}s (budget ${budget}s) -- last lines of $(basename "$log"):"
    else
      note "PHASE $name: FAILED (exit $rc, ${took}s) -- last lines of $(basename "$log"):"
    fi
    tail -n 25 "$log" | sed 's/^/    /' | tee -a "$SUMMARY"
  fi
  return $rc
}
skip() { status[$1]=skipped; note "PHASE $1: SKIPPED ($2)"; }

timeout -k 5 60 bash "$0" --phase preflight > "$HRM_OUT/preflight.txt" 2>&1 || true
sed -n '1,40p' "$HRM_OUT/preflight.txt"
run_phase unpack 60 "$HRM_OUT/configure.log" || true
if [ "${status[unpack]:-}" = ok ]; then run_phase configure 150 "$HRM_OUT/configure.log" append || true
else skip configure "unpack failed"; fi
if [ "${status[configure]:-}" = ok ]; then run_phase build 300 "$HRM_OUT/build.log" || true
else skip build "configure failed"; fi
if [ "${status[build]:-}" = ok ]; then
  run_phase ctest 120 "$HRM_OUT/ctest.log" || true
  run_phase bench_kernels 90 "$HRM_BUILD/kernels_bench.log" || true
else
  skip ctest "build failed"; skip bench_kernels "build failed"
fi
# The PyTorch baseline needs no build: run it even when hrm did not build (the C++ side then reports the error).
run_phase train_step 240 "$HRM_BUILD/train_step.log" || true

# The bench logs go into summary.txt ($OUT holds 8 files at most); build.log is capped at 8 MiB.
for f in kernels_bench train_step; do
  if [ -f "$HRM_BUILD/$f.log" ]; then { echo; cat "$HRM_BUILD/$f.log"; } >> "$SUMMARY"; fi
done
if [ -f "$HRM_OUT/build.log" ] && [ "$(stat -c %s "$HRM_OUT/build.log")" -gt 8388608 ]; then
  tail -c 8388608 "$HRM_OUT/build.log" > "$HRM_OUT/build.log.tmp" && mv "$HRM_OUT/build.log.tmp" "$HRM_OUT/build.log"
fi
echo
echo "======== hrm GPU check: $(( $(date +%s) - start ))s; results in $HRM_OUT"
grep -h '^PHASE' "$SUMMARY"
sed -n '/^fused kernels vs ATen/,$p' "$SUMMARY" | grep -v '^PHASE' | head -40
failed=0
for p in unpack configure build ctest bench_kernels train_step; do [ "${status[$p]:-skipped}" = ok ] || failed=1; done
exit $failed
