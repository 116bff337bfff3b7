#!/usr/bin/env bash
# Downloads the Debian 12 (bookworm) .debs of every build dependency of hrm except LibTorch
# (headers, CMake/pkg-config files, shared libraries and what they need at run time) into one folder,
# so hrm builds on a machine with no package access: a lent GPU machine, an air-gapped cluster.
# Also copies ../shared/baselines/hrm_torch.py (the PyTorch baseline) into .deps/baselines/.
# There, tools/gpu/unpack-deps.sh extracts them into a prefix (never into /). See docs/gpu.md.
#   tools/gpu/pack-deps.sh [DEST]        (DEST defaults to .deps/debs; needs apt-get, not root)
set -euo pipefail
cd "$(dirname "$0")/../.."
DEST=${1:-.deps/debs}

# What hrm's CMake finds (cmake/HrmDependencies.cmake), one line per dependency.
PACKAGES=(
  nlohmann-json3-dev                                   # header-only
  libcli11-dev                                         # header-only
  libspdlog-dev libspdlog1.10 libfmt-dev libfmt9       # spdlog's config finds fmt
  libyaml-cpp-dev libyaml-cpp0.7
  libsentencepiece-dev libsentencepiece0               # protobuf-lite is bundled inside
  libseccomp-dev libseccomp2
  libgtest-dev libgmock-dev                            # static libraries + GTestConfig.cmake
  zlib1g-dev zlib1g
  libcurl4-openssl-dev libcurl4
  pkgconf pkgconf-bin libpkgconf3                      # FindPkgConfig needs a pkg-config binary
)
# libcurl4's run-time closure (bookworm), found by `unpack-deps.sh --check` below: every DT_NEEDED
# of every packed library resolves inside the prefix or to glibc / libstdc++ / libgcc_s.
PACKAGES+=(
  libbrotli1 libgssapi-krb5-2 libkrb5-3 libk5crypto3 libkrb5support0 libcom-err2 libkeyutils1
  libidn2-0 libunistring2 libldap-2.5-0 libsasl2-2 libgnutls30
  libp11-kit0 libffi8 libtasn1-6 libnettle8 libhogweed6 libgmp10 libnghttp2-14 libpsl5 librtmp1
  libssh2-1 libssl3 libzstd1
)

command -v apt-get >/dev/null || { echo "pack-deps: apt-get not found; run this on Debian 12 (bookworm)" >&2; exit 1; }
. /etc/os-release
[ "${VERSION_CODENAME:-}" = bookworm ] ||
  echo "pack-deps: warning: this is ${PRETTY_NAME:-an unknown system}, not Debian 12; the .debs will be its versions" >&2

mkdir -p "$DEST"
rm -f "$DEST"/*.deb
(cd "$DEST" && apt-get download -q "${PACKAGES[@]}")
echo "pack-deps: $(ls "$DEST"/*.deb | wc -l) packages, $(du -sh "$DEST" | cut -f1) in $DEST"

# The PyTorch baseline that tools/gpu/check.sh times hrm against lives beside the checkout (../shared),
# which does not travel to a lent GPU machine: keep a copy next to the .debs.
if [ -f ../shared/baselines/hrm_torch.py ]; then
  mkdir -p .deps/baselines && cp ../shared/baselines/hrm_torch.py .deps/baselines/
  echo "pack-deps: copied ../shared/baselines/hrm_torch.py to .deps/baselines/"
fi

# Prove the set is closed: unpack into a scratch prefix and check every library's needs.
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
tools/gpu/unpack-deps.sh --check "$DEST" "$scratch/prefix" >/dev/null
echo "pack-deps: closure check passed"
