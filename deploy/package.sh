#!/usr/bin/env bash
# Builds the four Debian packages into build/packages/ (CPack, cmake/SottoPackage.cmake):
#   sotto-gateway_<version>-1_{amd64,arm64}.deb        sottod, sottoctl, sotto-sim,
#                                                      sotto-model-synth, unit, conffiles
#   libsotto-device-dev_<version>-1_{amd64,arm64}.deb  headers, host + Cortex-M4 + Cortex-M0 +
#                                                      RV32 static libraries, CMake, pkg-config
# amd64 natively, arm64 with Debian's cross toolchain and multiarch :arm64 libraries
# (cmake/toolchains/aarch64-linux-gnu.cmake). The bare-metal libraries are built once and go
# into both architectures' libsotto-device-dev. Installs what is missing first
# (deploy/install-deps.sh --package, which adds dpkg's arm64 architecture).
# Usage: deploy/package.sh [amd64|arm64]...   (default: both); build trees under build/package/.
set -euo pipefail
cd "$(dirname "$0")/.."

arches=("$@")
[ ${#arches[@]} -gt 0 ] || arches=(amd64 arm64)
for arch in "${arches[@]}"; do
  case $arch in amd64 | arm64) ;; *) echo "package.sh: unknown architecture '$arch' (amd64 or arm64)" >&2; exit 2 ;; esac
done

deploy/install-deps.sh --package
deploy/fetch-sources.sh > /dev/null

trees=$PWD/build/package
out=$PWD/build/packages
mkdir -p "$trees" "$out"
jobs=$(nproc)
started=$SECONDS

# configure_and_build DIR CMAKE_ARGS...: quiet unless something fails.
configure_and_build() {
  local dir=$1
  shift
  cmake -S . -B "$dir" -G Ninja -DCMAKE_INSTALL_PREFIX=/usr -DSOTTO_BUILD_TESTS=OFF \
    -DSOTTO_SANITIZE=OFF "$@" > "$dir.configure.log" 2>&1 || { cat "$dir.configure.log" >&2; exit 1; }
  cmake --build "$dir" -j "$jobs" > "$dir.build.log" 2>&1 || { tail -n 40 "$dir.build.log" >&2; exit 1; }
}

sdk_trees=()
for target in cortex-m4 cortex-m0 rv32; do
  echo "== SDK libraries for $target"
  configure_and_build "$trees/$target" -DCMAKE_BUILD_TYPE=MinSizeRel \
    -DCMAKE_TOOLCHAIN_FILE="$PWD/cmake/toolchains/$target.cmake"
  sdk_trees+=("$trees/$target")
done
sdk_list=$(IFS=';'; echo "${sdk_trees[*]}")

for arch in "${arches[@]}"; do
  echo "== gateway and host SDK for $arch"
  toolchain=()
  [ "$arch" = amd64 ] || toolchain=("-DCMAKE_TOOLCHAIN_FILE=$PWD/cmake/toolchains/aarch64-linux-gnu.cmake")
  configure_and_build "$trees/$arch" -DCMAKE_BUILD_TYPE=Release "${toolchain[@]}" \
    "-DSOTTO_PACKAGE_SDK_TREES=$sdk_list"
  # dpkg-shlibdeps reads the target architecture from DEB_HOST_ARCH (dpkg-architecture).
  (cd "$trees/$arch" && DEB_HOST_ARCH=$arch cpack -G DEB > "$trees/$arch.cpack.log" 2>&1) ||
    { cat "$trees/$arch.cpack.log" >&2; exit 1; }
  for deb in "$trees/$arch"/*.deb; do
    mv "$deb" "$out/"
    echo "   $(basename "$deb"): $(du -k "$out/$(basename "$deb")" | cut -f1) KiB"
  done
done
echo "== packages in $out ($((SECONDS - started)) s)"
