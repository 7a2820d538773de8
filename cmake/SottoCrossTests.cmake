# Cross trees only (deferred from SottoCross.cmake to the end of the root directory, when every
# SDK library exists): the on-target test images of every tests/<dir>/target.cmake, included
# with SOTTO_TARGET_TEST_SOURCE_DIR set to its folder (deferred code cannot add subdirectories).
set(SOTTO_TARGET_TEST_DIRS "" CACHE STRING
    "tests/<dir> folders whose target.cmake the cross trees build (empty: every folder)")
set(SOTTO_CROSS_SKIP_AREAS "" CACHE STRING
    "device-sdk/src areas (sotto_<area>) left out of the cross trees, with their tests/<area>")
foreach(_area ${SOTTO_CROSS_SKIP_AREAS})
  if(TARGET sotto_${_area})
    set_target_properties(sotto_${_area} PROPERTIES EXCLUDE_FROM_ALL ON)
  endif()
  message(STATUS "cross ${SOTTO_TARGET}: sotto_${_area} and tests/${_area}/target.cmake skipped "
                 "(SOTTO_CROSS_SKIP_AREAS)")
endforeach()
if(SOTTO_TARGET_TEST_DIRS)
  set(_sotto_target_cmakes)
  foreach(_dir ${SOTTO_TARGET_TEST_DIRS})
    list(APPEND _sotto_target_cmakes ${CMAKE_SOURCE_DIR}/tests/${_dir}/target.cmake)
  endforeach()
else()
  file(GLOB _sotto_target_cmakes ${CMAKE_SOURCE_DIR}/tests/*/target.cmake)
endif()
foreach(_file ${_sotto_target_cmakes})
  get_filename_component(_dir ${_file} DIRECTORY)
  get_filename_component(_name ${_dir} NAME)
  if(NOT _name IN_LIST SOTTO_CROSS_SKIP_AREAS)
    set(SOTTO_TARGET_TEST_SOURCE_DIR ${_dir})
    include(${_file})
  endif()
endforeach()
