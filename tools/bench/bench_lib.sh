# Shared by the bench scripts (sourced from the repository root, not run): where the binaries are, the
# check that they are built, a scratch directory, and the machine line printed next to the figures.
# HRM_BUILD_DIR picks the build directory (default build).
BUILD_DIR=${HRM_BUILD_DIR:-build}
BIN=$BUILD_DIR/bin

# build_bench <target>: configures the build directory when it is not, then builds the bench target.
build_bench() {
  [ -f "$BUILD_DIR/CMakeCache.txt" ] || cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
  cmake --build "$BUILD_DIR" --target "$1" >/dev/null
}

# require_bins <binary>...: exits unless each is built.
require_bins() {
  local b
  for b in "$@"; do [ -x "$BIN/$b" ] || { echo "build first: $BIN/$b is missing" >&2; exit 1; }; done
}

# make_work_dir: a fresh directory in $WORK, removed when the script exits.
make_work_dir() {
  WORK=$(mktemp -d)
  trap 'rm -rf "$WORK"' EXIT
}

# print_machine: cores, kernel, CPU model and load average (the machine is shared: the load says how much).
print_machine() {
  echo "machine: $(nproc) cores, $(uname -r), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), load $(cut -d' ' -f1-3 /proc/loadavg)"
}
