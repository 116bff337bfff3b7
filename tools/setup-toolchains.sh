#!/usr/bin/env bash
# Installs the language toolchains that `hrm-eval --bench polyglot` runs tests with, offline at test time:
# C++, Go 1.23 (bookworm-backports), Java 17 + JUnit 5, Node + one shared npm install of jest/babel,
# Python + pytest, Rust + the Debian-packaged crates (with a cargo config that replaces crates.io).
# Idempotent: a second run installs nothing new. Called by tools/setup.sh; may be run on its own (as root).
#
# Environment:
#   HRM_JS_DIR     where the shared npm install lives (default /opt/hrm/js); hrm-eval reads the same variable
#   HRM_CARGO_HOME the CARGO_HOME with the offline config (default /opt/hrm/cargo); hrm-eval reads it too
# Both paths are recorded in /opt/hrm/toolchains.env for reference; the toolchains checked at the end are
# listed in /opt/hrm/toolchains.verified, which makes a missing toolchain a test failure (docs/sandbox.md).
set -euo pipefail

SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
HRM_JS_DIR=${HRM_JS_DIR:-/opt/hrm/js}
HRM_CARGO_HOME=${HRM_CARGO_HOME:-/opt/hrm/cargo}

# apt/dpkg may be busy (another setup running): retry for a few minutes.
apt_retry() {
  local i
  for i in $(seq 1 60); do
    if $SUDO apt-get "$@"; then return 0; fi
    echo "setup-toolchains: apt-get $* failed (lock held?); retry $i/60 in 5 s" >&2
    sleep 5
  done
  return 1
}

installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }

# --- bookworm-backports (Go 1.23), on the same mirror host as the main Debian source --------------
backports_present() {
  grep -rqs "bookworm-backports" /etc/apt/sources.list /etc/apt/sources.list.d/ 2>/dev/null
}
if ! backports_present; then
  mirror=$(grep -hs -E '^(URIs:|deb )' /etc/apt/sources.list.d/*.sources /etc/apt/sources.list.d/*.list \
             /etc/apt/sources.list 2>/dev/null | grep -o 'https\?://[^ ]*/debian\b' | grep -v security | head -1 || true)
  mirror=${mirror:-http://deb.debian.org/debian}
  echo "setup-toolchains: adding bookworm-backports from $mirror"
  echo "deb $mirror bookworm-backports main" | $SUDO tee /etc/apt/sources.list.d/hrm-bookworm-backports.list >/dev/null
  apt_retry update -q
fi

PACKAGES=(
  g++ cmake make ccache libboost-date-time-dev                       # C++
  golang-1.23-go                                                     # Go (1.19 lacks `slices`)
  default-jdk-headless junit5 libassertj-core-java libandroid-json-org-java  # Java
  nodejs                                                             # JavaScript (npm: see below)
  python3 python3-pytest                                             # Python
  librust-time-dev librust-anyhow-dev librust-rand-dev librust-thiserror-dev  # Rust crates
)
# Rust: the machine's rustup toolchain when present, else Debian's cargo.
if ! command -v cargo >/dev/null 2>&1 && [ ! -x /root/.cargo/bin/cargo ]; then
  PACKAGES+=(cargo)
fi
# npm: nodesource's nodejs ships npm; Debian's nodejs needs the npm package.
if ! command -v npm >/dev/null 2>&1; then
  PACKAGES+=(npm)
fi

missing=()
for p in "${PACKAGES[@]}"; do installed "$p" || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup-toolchains: installing ${missing[*]}"
  if ! apt_retry install -y -q --no-install-recommends "${missing[@]}"; then
    apt_retry update -q
    apt_retry install -y -q --no-install-recommends "${missing[@]}"
  fi
fi

# --- JavaScript: one shared npm install of what every exercise's package.json asks for -------------
JS_PACKAGES=(jest@^29.7 babel-jest@^29.6.4 @babel/core@^7.25.2 @exercism/babel-preset-javascript@^0.2.1 core-js@~3.37.1)
if [ ! -x "$HRM_JS_DIR/node_modules/.bin/jest" ] || [ ! -d "$HRM_JS_DIR/node_modules/@exercism/babel-preset-javascript" ]; then
  echo "setup-toolchains: npm install into $HRM_JS_DIR"
  $SUDO mkdir -p "$HRM_JS_DIR"
  [ -f "$HRM_JS_DIR/package.json" ] || echo '{"name":"hrm-polyglot-js","private":true}' | $SUDO tee "$HRM_JS_DIR/package.json" >/dev/null
  (cd "$HRM_JS_DIR" && $SUDO npm install --no-audit --no-fund --loglevel=error "${JS_PACKAGES[@]}")
fi

# --- Rust: crates.io replaced by Debian's directory registry, offline -----------------------------
$SUDO mkdir -p "$HRM_CARGO_HOME"
cargo_config="[source.crates-io]
replace-with = \"debian\"

[source.debian]
directory = \"/usr/share/cargo/registry\"

[net]
offline = true
"
if [ "$(cat "$HRM_CARGO_HOME/config.toml" 2>/dev/null)" != "$(printf '%s' "$cargo_config")" ]; then
  printf '%s' "$cargo_config" | $SUDO tee "$HRM_CARGO_HOME/config.toml" >/dev/null
fi

# --- Record where things are --------------------------------------------------------------------
record="HRM_JS_DIR=$HRM_JS_DIR
HRM_CARGO_HOME=$HRM_CARGO_HOME
HRM_GO_ROOT=/usr/lib/go-1.23
"
$SUDO mkdir -p /opt/hrm
if [ "$(cat /opt/hrm/toolchains.env 2>/dev/null)" != "$(printf '%s' "$record")" ]; then
  printf '%s' "$record" | $SUDO tee /opt/hrm/toolchains.env >/dev/null
fi

# --- Check: every tool answers --------------------------------------------------------------------
cargo_bin=$(command -v cargo || echo /root/.cargo/bin/cargo)
for check in "g++ --version" "cmake --version" "/usr/lib/go-1.23/bin/go version" "javac -version" \
             "node --version" "/usr/bin/python3 -m pytest --version" "$cargo_bin --version" \
             "test -f /usr/share/java/junit-platform-console-standalone.jar" \
             "test -f /usr/share/java/assertj-core.jar" "test -f /usr/share/java/json-latest.jar" \
             "test -x $HRM_JS_DIR/node_modules/.bin/jest"; do
  if ! $check >/dev/null 2>&1; then
    echo "setup-toolchains: check failed: $check" >&2
    exit 1
  fi
done

# --- Record what was verified, last: from now on tests/sandbox/run_test.cpp fails if any of these
# toolchains goes missing or stops running in the sandbox (without this file it checks only what PATH has).
rustc_bin=$(dirname "$cargo_bin")/rustc
verified="go /usr/lib/go-1.23/bin/go
javac $(command -v javac)
node $(command -v node)
cargo $cargo_bin
rustc $rustc_bin
"
if [ "$(cat /opt/hrm/toolchains.verified 2>/dev/null)" != "$(printf '%s' "$verified")" ]; then
  printf '%s' "$verified" | $SUDO tee /opt/hrm/toolchains.verified >/dev/null
fi
echo "setup-toolchains: done (js: $HRM_JS_DIR, cargo home: $HRM_CARGO_HOME, verified: /opt/hrm/toolchains.verified)"
