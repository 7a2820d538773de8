# What `cmake --install` puts where, by component (deploy/package.sh packs them with CPack):
#
# sdk         The public headers (include/sotto; lib/sotto/include/sotto for a bare-metal
#             flavour, see below), this build's SDK static libraries, its CMake
#             targets and pkg-config file, the CMake package config (find_package(sotto ...)) and
#             the port templates. A build is one flavour: host (libraries in lib/<multiarch>) or
#             one bare-metal target (SOTTO_TARGET from cmake/toolchains/: lib/sotto/<target>).
#             The package gathers all flavours: each installs its own targets file and .pc next
#             to the shared headers and config.
# gateway     sottod, sottoctl, sotto-sim, sotto-model-synth, the systemd unit, the configuration
#             (/etc/sotto/sottod.toml) and the broker snippet (/etc/mosquitto/conf.d/, disabled
#             until the administrator renames it). Absolute paths: install with DESTDIR.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

set(_sotto_cmake_dir lib/cmake/sotto)  # not lib/<multiarch>: bare-metal consumers search lib*
set(_sotto_templates_dir ${CMAKE_INSTALL_DATADIR}/sotto/templates)
# The headers: <prefix>/include for the host. A bare-metal flavour gets its own copy under
# lib/sotto/include, because a cross compiler given -I/usr/include (or -isystem, as CMake writes
# it for an imported target) would read glibc's <stdint.h> instead of newlib's or picolibc's,
# and pkg-config drops -I/usr/include altogether.
if(SOTTO_BARE_METAL)
  set(_sotto_flavour ${SOTTO_TARGET})
  set(_sotto_libdir lib/sotto/${SOTTO_TARGET})
  set(_sotto_includedir lib/sotto/include)
  set(_sotto_pc_dir ${CMAKE_INSTALL_DATADIR}/pkgconfig)
  set(_sotto_pc_name sotto-${SOTTO_TARGET})
  set(_sotto_pc_prefix "\${pcfiledir}/../..")
else()
  set(_sotto_flavour host)
  set(_sotto_libdir ${CMAKE_INSTALL_LIBDIR})
  set(_sotto_includedir ${CMAKE_INSTALL_INCLUDEDIR})
  set(_sotto_pc_dir ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
  set(_sotto_pc_name sotto)
  file(RELATIVE_PATH _sotto_pc_prefix /${_sotto_pc_dir} /)
  set(_sotto_pc_prefix "\${pcfiledir}/${_sotto_pc_prefix}")
endif()

# ---- sdk ---------------------------------------------------------------------------
# Link order for pkg-config (users first); the CMake targets carry their own dependencies.
set(_sotto_sdk_libraries sotto_ota_model_self_test sotto_ota sotto_identity sotto_mbedcrypto sotto_infer
    sotto_device sotto_core sotto_proto)
set(_sotto_installed)
foreach(_lib ${_sotto_sdk_libraries})
  if(TARGET ${_lib})
    list(APPEND _sotto_installed ${_lib})
  endif()
endforeach()

if(SOTTO_BARE_METAL AND NOT SOTTO_TARGET)
  # A firmware project's own toolchain: nothing names the flavour, and it installs the SDK its way.
  return()
endif()

# Area CMakeLists write plain build-tree include paths (sources, generated code, nanopb); only
# include/ is installed, so an installed consumer sees that and nothing else.
foreach(_lib ${_sotto_installed})
  get_target_property(_dirs ${_lib} INTERFACE_INCLUDE_DIRECTORIES)
  if(_dirs)
    set(_mapped)
    foreach(_dir ${_dirs})
      if(_dir MATCHES "^\\$<")
        list(APPEND _mapped "${_dir}")
      else()
        list(APPEND _mapped "$<BUILD_INTERFACE:${_dir}>")
      endif()
    endforeach()
    set_property(TARGET ${_lib} PROPERTY INTERFACE_INCLUDE_DIRECTORIES "${_mapped}")
  endif()
  string(REGEX REPLACE "^sotto_" "" _export_name ${_lib})
  set_target_properties(${_lib} PROPERTIES EXPORT_NAME ${_export_name})
endforeach()
target_include_directories(sotto_core INTERFACE $<INSTALL_INTERFACE:${_sotto_includedir}>)

install(TARGETS ${_sotto_installed} EXPORT sotto-${_sotto_flavour}-targets
        ARCHIVE DESTINATION ${_sotto_libdir} COMPONENT sdk)
install(EXPORT sotto-${_sotto_flavour}-targets NAMESPACE sotto:: DESTINATION ${_sotto_cmake_dir}
        COMPONENT sdk)
install(DIRECTORY ${PROJECT_SOURCE_DIR}/device-sdk/include/sotto
        DESTINATION ${_sotto_includedir} COMPONENT sdk)
install(DIRECTORY ${PROJECT_SOURCE_DIR}/device-sdk/ports/templates/
        DESTINATION ${_sotto_templates_dir} COMPONENT sdk)

configure_package_config_file(${CMAKE_CURRENT_LIST_DIR}/sottoConfig.cmake.in
                              ${PROJECT_BINARY_DIR}/sottoConfig.cmake
                              INSTALL_DESTINATION ${_sotto_cmake_dir}
                              PATH_VARS _sotto_templates_dir)
# ARCH_INDEPENDENT: one config serves the 64-bit host flavour and the 32-bit bare-metal ones.
write_basic_package_version_file(${PROJECT_BINARY_DIR}/sottoConfigVersion.cmake
                                 COMPATIBILITY SameMinorVersion ARCH_INDEPENDENT)
install(FILES ${PROJECT_BINARY_DIR}/sottoConfig.cmake ${PROJECT_BINARY_DIR}/sottoConfigVersion.cmake
        DESTINATION ${_sotto_cmake_dir} COMPONENT sdk)

# pkg-config: the same flags the CMake targets carry, every library in link order.
set(_sotto_pc_cflags "-fno-short-enums")
set(_sotto_pc_libs "")
foreach(_lib ${_sotto_installed})
  string(APPEND _sotto_pc_libs " -l${_lib}")
endforeach()
if(SOTTO_BARE_METAL)
  string(TOUPPER "SOTTO_SDK_TARGET_${SOTTO_TARGET}" _define)
  string(REPLACE "-" "_" _define ${_define})
  list(JOIN SOTTO_TARGET_CPU_FLAGS " " _cpu)
  string(APPEND _sotto_pc_cflags " -D${_define} ${_cpu}")
  string(APPEND _sotto_pc_libs " ${_cpu}")
  if(SOTTO_TARGET MATCHES "^cortex-m")
    string(APPEND _sotto_pc_libs " -Wl,--no-enum-size-warning")
  endif()
else()
  string(APPEND _sotto_pc_libs " -lprotobuf-nanopb")  # Debian's libnanopb-dev
  if(TARGET sotto_ota)
    string(APPEND _sotto_pc_libs " -lmbedcrypto")  # Debian's libmbedtls-dev
  endif()
endif()
file(CONFIGURE OUTPUT ${PROJECT_BINARY_DIR}/${_sotto_pc_name}.pc @ONLY CONTENT [[
prefix=@_sotto_pc_prefix@
includedir=${prefix}/@_sotto_includedir@
libdir=${prefix}/@_sotto_libdir@

Name: @_sotto_pc_name@
Description: sotto device SDK (@_sotto_flavour@): event runtime, inference engine, OTA updater
Version: @PROJECT_VERSION@
Cflags: -I${includedir} @_sotto_pc_cflags@
Libs: -L${libdir}@_sotto_pc_libs@
]])
install(FILES ${PROJECT_BINARY_DIR}/${_sotto_pc_name}.pc DESTINATION ${_sotto_pc_dir}
        COMPONENT sdk)

# ---- gateway ------------------------------------------------------------------------------
if(SOTTO_BARE_METAL OR NOT TARGET sottod)
  return()
endif()
install(TARGETS sottod sottoctl sotto-sim sotto-model-synth RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR}
        COMPONENT gateway)
# /usr -> /lib/systemd/system and /etc, as Debian 12's own packages do.
if(CMAKE_INSTALL_PREFIX STREQUAL "/usr")
  set(_sotto_unit_dir /lib/systemd/system)
else()
  set(_sotto_unit_dir ${CMAKE_INSTALL_PREFIX}/lib/systemd/system)
endif()
install(FILES ${PROJECT_SOURCE_DIR}/deploy/sottod.service DESTINATION ${_sotto_unit_dir}
        COMPONENT gateway)
install(FILES ${PROJECT_SOURCE_DIR}/deploy/sottod.toml
        DESTINATION ${CMAKE_INSTALL_FULL_SYSCONFDIR}/sotto COMPONENT gateway)
install(FILES ${PROJECT_SOURCE_DIR}/deploy/mosquitto.conf
        DESTINATION ${CMAKE_INSTALL_FULL_SYSCONFDIR}/mosquitto/conf.d RENAME sotto.conf.disabled
        COMPONENT gateway)
install(FILES ${PROJECT_SOURCE_DIR}/README.md
        DESTINATION ${CMAKE_INSTALL_DATADIR}/doc/sotto-gateway COMPONENT gateway)
