# Toolchain file: the gateway and the host SDK for Debian arm64 (Raspberry Pi OS 64-bit is Debian
# 12 arm64), cross-built on amd64 with crossbuild-essential-arm64 against the multiarch :arm64
# -dev packages that deploy/install-deps.sh --package installs. Used by deploy/package.sh.
# Multiarch needs no sysroot: arm64 headers and libraries sit beside the host's in
# /usr/include/aarch64-linux-gnu and /usr/lib/aarch64-linux-gnu, which the cross compiler and
# CMake (through CMAKE_LIBRARY_ARCHITECTURE) search.
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(CMAKE_C_COMPILER aarch64-linux-gnu-gcc)
set(CMAKE_CXX_COMPILER aarch64-linux-gnu-g++)
set(CMAKE_LIBRARY_ARCHITECTURE aarch64-linux-gnu)
# pkg-config (FindOpenSSL asks it) must read the arm64 .pc files, not the host's.
set(ENV{PKG_CONFIG_LIBDIR} /usr/lib/aarch64-linux-gnu/pkgconfig:/usr/share/pkgconfig)
# Debian's multiarch library directory; GNUInstallDirs picks it only for native builds.
set(CMAKE_INSTALL_LIBDIR lib/aarch64-linux-gnu)
