#!/usr/bin/env bash
# Extracts the .debs of tools/gpu/pack-deps.sh into a prefix (never into /) and makes the prefix
# usable where it now lies: pkg-config files and CMake package files that name /usr are rewritten to
# name the prefix, absolute symlinks are re-pointed, bookworm's /lib is folded into /usr/lib, and a
# pkg-config wrapper is written (bookworm's pkgconf, running on its own libpkgconf). Prints the
# environment to export. Works on any x86-64 glibc Linux (Debian, Ubuntu, ...): needs dpkg-deb or ar+tar.
#   tools/gpu/unpack-deps.sh [--check] [DEBS [PREFIX]]      (defaults .deps/debs, .deps/prefix)
#   --check   also verify that every shared library in the prefix finds what it needs (DT_NEEDED)
#             inside the prefix or in glibc / libstdc++ / libgcc_s; fails naming what is missing.
# Then:  eval "$(tools/gpu/unpack-deps.sh --env-only)"  re-prints the exports without unpacking.
set -euo pipefail
cd "$(dirname "$0")/../.."
check=0 env_only=0
while [ $# -gt 0 ]; do
  case $1 in
    --check) check=1; shift ;;
    --env-only) env_only=1; shift ;;
    -h|--help) sed -n '2,11p' "$0"; exit 0 ;;
    *) break ;;
  esac
done
DEBS=${1:-.deps/debs}
PREFIX=${2:-.deps/prefix}
mkdir -p "$PREFIX"
P=$(cd "$PREFIX" && pwd)
[ "$P" != / ] && [ "$P" != /usr ] || { echo "unpack-deps: refusing to unpack into $P" >&2; exit 1; }
ARCH_LIB=$P/usr/lib/x86_64-linux-gnu

print_env() {
  cat <<ENV
export HRM_DEPS_PREFIX="$P/usr"
export CMAKE_PREFIX_PATH="$P/usr\${CMAKE_PREFIX_PATH:+;\$CMAKE_PREFIX_PATH}"
export PKG_CONFIG_PATH="$ARCH_LIB/pkgconfig:$P/usr/share/pkgconfig\${PKG_CONFIG_PATH:+:\$PKG_CONFIG_PATH}"
export PKG_CONFIG="$P/usr/bin/hrm-pkg-config"
# For running what was built (not for python3: the prefix's libz/libssl would shadow the system's):
export HRM_DEPS_LD_LIBRARY_PATH="$ARCH_LIB"
# cmake ... -DCMAKE_PREFIX_PATH="<torch cmake dir>;$P/usr" -DPKG_CONFIG_EXECUTABLE="$P/usr/bin/hrm-pkg-config"
# LD_LIBRARY_PATH="$ARCH_LIB:\$LD_LIBRARY_PATH" <build>/bin/...
ENV
}
if [ $env_only = 1 ]; then print_env; exit 0; fi

shopt -s nullglob
debs=("$DEBS"/*.deb)
[ ${#debs[@]} -gt 0 ] || { echo "unpack-deps: no .deb files in $DEBS; HINT: run tools/gpu/pack-deps.sh on Debian 12 first" >&2; exit 1; }

# A fresh prefix every time, so the rewrites below are applied exactly once.
rm -rf "$P" && mkdir -p "$P"
for deb in "${debs[@]}"; do
  if command -v dpkg-deb >/dev/null; then
    dpkg-deb -x "$deb" "$P"
  else  # a .deb is an ar archive holding data.tar.{xz,zst,gz}
    member=$(ar t "$deb" | grep '^data\.tar')
    ar p "$deb" "$member" | tar -x -C "$P" $(case $member in *.xz) echo -J ;; *.zst) echo --zstd ;; *.gz) echo -z ;; esac)
  fi
done

# bookworm still ships some libraries in /lib (merged-/usr by symlink on the system): fold them in.
for d in lib bin sbin; do
  if [ -d "$P/$d" ] && [ ! -L "$P/$d" ]; then
    mkdir -p "$P/usr/$d"
    cp -a "$P/$d/." "$P/usr/$d/"
    rm -rf "${P:?}/$d"
  fi
done

# Absolute symlinks (libz.so -> /lib/x86_64-linux-gnu/libz.so.1.2.13) point into the prefix instead.
while IFS= read -r -d '' link; do
  target=$(readlink "$link")
  case $target in /lib/*|/bin/*|/sbin/*) target=/usr$target ;; esac
  ln -sfn "$P$target" "$link"
done < <(find "$P" -type l -lname '/*' -print0)

# pkg-config files: prefix=/usr, libdir=/usr/..., -I/usr/include all name the prefix.
while IFS= read -r -d '' pc; do
  sed -i -E -e "s#^([A-Za-z_]+)=/usr#\1=$P/usr#" -e "s#(^|[ =])-([IL])/usr#\1-\2$P/usr#g" "$pc"
done < <(find "$P" -name '*.pc' -print0)
# CMake package files are relocatable (computed from their own path); the "/usr/..." they still name
# only matters when they are found under /usr: rewrite those too, so nothing in the prefix names /usr.
while IFS= read -r -d '' cm; do
  sed -i -E "s#\"/usr(/|\")#\"$P/usr\1#g" "$cm"
done < <(find "$P" -name '*.cmake' -print0)
[ -f "$P/usr/bin/curl-config" ] && sed -i -E "s#(^|[ =\"'])/usr/#\1$P/usr/#g" "$P/usr/bin/curl-config"

# pkg-config: bookworm's pkgconf with its own libpkgconf, searching the prefix first.
cat > "$P/usr/bin/hrm-pkg-config" <<WRAP
#!/bin/sh
# Written by tools/gpu/unpack-deps.sh: bookworm's pkgconf from this prefix, prefix .pc files first.
export LD_LIBRARY_PATH="$ARCH_LIB\${LD_LIBRARY_PATH:+:\$LD_LIBRARY_PATH}"
export PKG_CONFIG_PATH="$ARCH_LIB/pkgconfig:$P/usr/share/pkgconfig\${PKG_CONFIG_PATH:+:\$PKG_CONFIG_PATH}"
exec "$P/usr/bin/pkgconf" "\$@"
WRAP
chmod +x "$P/usr/bin/hrm-pkg-config"
"$P/usr/bin/hrm-pkg-config" --exists sentencepiece libseccomp ||
  { echo "unpack-deps: the prefix's pkg-config cannot read its own .pc files" >&2; exit 1; }

if [ $check = 1 ]; then
  # glibc, libstdc++ and libgcc_s come with every system that has a C++ compiler.
  base='^(libc\.so\.6|libm\.so\.6|libpthread\.so\.0|libdl\.so\.2|librt\.so\.1|libresolv\.so\.2|ld-linux-x86-64\.so\.2|libstdc\+\+\.so\.6|libgcc_s\.so\.1)$'
  missing=0
  while IFS= read -r -d '' f; do
    head -c 4 "$f" | grep -q $'\x7fELF' || continue
    for need in $(readelf -d "$f" 2>/dev/null | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'); do
      [[ $need =~ $base ]] && continue
      [ -e "$ARCH_LIB/$need" ] || [ -e "$P/usr/lib/$need" ] && continue
      echo "unpack-deps: ${f#"$P"/} needs $need, which is not in the prefix" >&2
      missing=1
    done
  done < <(find "$P/usr/lib" "$P/usr/bin" -type f \( -name '*.so*' -o -perm -u+x \) -print0)
  [ $missing = 0 ] || { echo "unpack-deps: HINT: add the bookworm package that ships it to tools/gpu/pack-deps.sh" >&2; exit 1; }
  echo "unpack-deps: every DT_NEEDED resolves inside $P or to glibc/libstdc++/libgcc_s" >&2
fi
echo "unpack-deps: $(ls "${debs[@]}" | wc -l) packages unpacked into $P ($(du -sh "$P" | cut -f1))" >&2
print_env
