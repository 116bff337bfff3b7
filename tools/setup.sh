#!/usr/bin/env bash
# Installs everything hrm needs on Debian 12 (bookworm): build dependencies, then the language
# toolchains the sandboxed evaluators run. Idempotent: a second run installs nothing new.
# Usage: tools/setup.sh            (as root, or with sudo available)
set -euo pipefail
cd "$(dirname "$0")/.."

SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive

BUILD_PACKAGES=(
  build-essential cmake ninja-build ccache pkg-config git
  libtorch-dev libgloo-dev libopenblas0-pthread
  libsentencepiece-dev sentencepiece nlohmann-json3-dev libspdlog-dev libcli11-dev libyaml-cpp-dev
  libgtest-dev libgmock-dev libseccomp-dev zlib1g-dev libcurl4-openssl-dev libcpp-httplib-dev
  python3-torch python3-numpy gnuplot-nox
)

missing=()
for p in "${BUILD_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  $SUDO apt-get update -q
  $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

# Debian's reference BLAS makes fp32 matmul ~30x slower than OpenBLAS: make OpenBLAS the default.
for lib in libblas.so.3 liblapack.so.3; do
  alt=$(update-alternatives --list "${lib}-x86_64-linux-gnu" 2>/dev/null | grep openblas-pthread | head -1 || true)
  [ -n "$alt" ] && $SUDO update-alternatives --set "${lib}-x86_64-linux-gnu" "$alt" >/dev/null
done

# Toolchains for the sandboxed evaluators (hrm-eval); see docs/sandbox.md.
if [ -x tools/setup-toolchains.sh ]; then
  tools/setup-toolchains.sh
fi
# The official `openai` npm client, for hrm-serve's client test (tests/serve), in a project-local folder
# at the version package-lock.json pins.
if command -v npm >/dev/null && ! npm ls --prefix tests/serve openai >/dev/null 2>&1; then
  echo "setup: installing the openai npm client into tests/serve/node_modules"
  npm ci --prefix tests/serve --no-audit --no-fund --silent
fi

echo "setup: done"
