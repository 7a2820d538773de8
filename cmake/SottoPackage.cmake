# The Debian packages (CPack, one .deb per install component; deploy/package.sh drives it):
#   sotto-gateway        the `gateway` component: binaries, unit, conffiles, maintainer scripts
#                        from deploy/debian/, dependencies from dpkg-shlibdeps
#   libsotto-device-dev  the `sdk` component of this build and of every build tree listed in
#                        SOTTO_PACKAGE_SDK_TREES (the bare-metal flavours, built separately with
#                        their toolchain files)
# The architecture is this build's: amd64 natively, arm64 with cmake/toolchains/aarch64-linux-gnu.cmake.
if(SOTTO_BARE_METAL OR NOT TARGET sottod)
  return()
endif()

set(SOTTO_PACKAGE_SDK_TREES "" CACHE STRING
    "Bare-metal build trees whose sdk component goes into libsotto-device-dev too")

if(CMAKE_LIBRARY_ARCHITECTURE MATCHES "^aarch64")
  set(_sotto_deb_arch arm64)
elseif(CMAKE_LIBRARY_ARCHITECTURE MATCHES "^x86_64")
  set(_sotto_deb_arch amd64)
else()
  message(WARNING "SottoPackage: no Debian architecture for '${CMAKE_LIBRARY_ARCHITECTURE}'; "
                  "cpack will ask dpkg")
endif()

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME sotto)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_VENDOR "sotto")
set(CPACK_PACKAGE_CONTACT "sotto maintainers <sotto@example.org>")
set(CPACK_PACKAGE_HOMEPAGE_URL "https://example.org/sotto")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)  # <name>_<version>-<release>_<arch>.deb
set(CPACK_DEBIAN_PACKAGE_RELEASE 1)
if(_sotto_deb_arch)
  set(CPACK_DEBIAN_PACKAGE_ARCHITECTURE ${_sotto_deb_arch})
endif()
set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_STRIP_FILES ON)  # Debian ships stripped binaries
set(CPACK_COMPONENTS_ALL gateway sdk)
# This tree, then each bare-metal tree: every tree installs its part of each component (the
# bare-metal ones have only sdk).
set(CPACK_INSTALL_CMAKE_PROJECTS ${PROJECT_BINARY_DIR} sotto ALL /)
foreach(_tree ${SOTTO_PACKAGE_SDK_TREES})
  list(APPEND CPACK_INSTALL_CMAKE_PROJECTS ${_tree} sotto ALL /)
endforeach()

set(CPACK_DEBIAN_GATEWAY_PACKAGE_NAME sotto-gateway)
set(CPACK_DEBIAN_GATEWAY_PACKAGE_SECTION net)
set(CPACK_DEBIAN_GATEWAY_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_GATEWAY_PACKAGE_DEPENDS "adduser")  # postinst; shlibdeps adds the libraries
set(CPACK_DEBIAN_GATEWAY_PACKAGE_RECOMMENDS "mosquitto")
set(CPACK_DEBIAN_GATEWAY_PACKAGE_CONTROL_EXTRA
    ${PROJECT_SOURCE_DIR}/deploy/debian/conffiles ${PROJECT_SOURCE_DIR}/deploy/debian/postinst
    ${PROJECT_SOURCE_DIR}/deploy/debian/prerm ${PROJECT_SOURCE_DIR}/deploy/debian/postrm)
set(CPACK_DEBIAN_GATEWAY_PACKAGE_CONTROL_STRICT_PERMISSION ON)
set(CPACK_COMPONENT_GATEWAY_DESCRIPTION
    "sotto gateway: fleet events from MQTT into SQLite, HTTP API, signed model rollouts
sottod collects the compact protobuf events of TinyML device fleets over MQTT 5, stores them
in SQLite before acknowledging them, serves the fleet's state over HTTP and rolls signed
models out in waves. sottoctl is the operator CLI and model compiler, sotto-sim a simulated
fleet running the real device SDK, sotto-model-synth a synthetic model generator.")

set(CPACK_DEBIAN_SDK_PACKAGE_NAME libsotto-device-dev)
set(CPACK_DEBIAN_SDK_PACKAGE_SECTION libdevel)
# The host libraries link Debian's nanopb runtime and mbedTLS.
set(CPACK_DEBIAN_SDK_PACKAGE_DEPENDS "libnanopb-dev, libmbedtls-dev")
set(CPACK_DEBIAN_SDK_PACKAGE_SUGGESTS
    "sotto-gateway, cmake, pkgconf, gcc-arm-none-eabi, libnewlib-arm-none-eabi, gcc-riscv64-unknown-elf, picolibc-riscv64-unknown-elf")
set(CPACK_COMPONENT_SDK_DESCRIPTION
    "sotto device SDK: headers, static libraries, CMake package and pkg-config files
The C API and static libraries of the sotto device SDK (event runtime with store-and-forward
queue, int8 inference engine, signed over-the-air model updates) for the host and for
bare-metal Cortex-M4F, Cortex-M0 and RV32IMC, with find_package(sotto COMPONENTS device)
targets, pkg-config files and port templates (startup code, linker script, port structs).")

include(CPack)
