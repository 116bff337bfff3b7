#!/usr/bin/env bash
# Installs the built hrm into a temporary prefix and builds a downstream project against it
# with find_package(hrm); the consumer (LibTorch + tokenizer in one process) must run.
set -euo pipefail
build_dir=$1
source_dir=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cmake --install "$build_dir" --prefix "$work/prefix" >/dev/null
cmake -S "$source_dir/consumer" -B "$work/build" -DCMAKE_PREFIX_PATH="$work/prefix" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$work/build" >/dev/null
mkdir "$work/scratch"
LD_LIBRARY_PATH="$work/prefix/lib:${LD_LIBRARY_PATH:-}" "$work/build/consumer" \
  "$source_dir/../../data/tokenizer-fixtures" "$work/scratch"
