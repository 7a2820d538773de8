# libFuzzer targets, built with clang in a sub-build (<build>/fuzz, tests/fuzz/project) because
# the host build may use gcc, which has no -fsanitize=fuzzer. Included by SottoCross.cmake on
# host builds, before tests/ so every tests/<dir> can call:
#
#   sotto_add_fuzz_target([NAME] <name> [SOURCES] <file>... LIBS|LIBRARIES <target>...
#                         [RUNS <n>] [MAX_LEN <bytes>] [SEEDS <kind>])
#     Builds <name> from the sources (relative to the calling folder; they define
#     LLVMFuzzerTestOneInput) linked with the SDK targets, with
#     -fsanitize=fuzzer,address,undefined, and registers ctest `fuzz.<name>`: a bounded run
#     (-runs=<n>, default 200000, a few seconds; -seed=1; -max_len default 512) over a fresh
#     corpus. SEEDS <kind> fills the corpus
#     first with valid encodings written by <build>/bin/sotto_fuzz_seeds <kind> DIR (kinds:
#     event, health, message, ota, envelope, keys); without it libFuzzer starts from empty input.
#     A harness that tests also call directly guards LLVMFuzzerTestOneInput with
#     #ifdef SOTTO_FUZZ_ENTRY (defined for every fuzz executable).
# tests/fuzz/CMakeLists.txt turns the recorded targets into the sub-build once all tests/<dir>
# were read.

set_property(GLOBAL PROPERTY SOTTO_FUZZ_TARGETS "")

function(sotto_add_fuzz_target)
  cmake_parse_arguments(arg "" "NAME;RUNS;MAX_LEN;SEEDS" "SOURCES;LIBS;LIBRARIES" ${ARGN})
  set(positional ${arg_UNPARSED_ARGUMENTS})
  if(arg_NAME)
    set(name ${arg_NAME})
  else()
    list(POP_FRONT positional name)
  endif()
  set(sources ${arg_SOURCES} ${positional})
  set(libs ${arg_LIBS} ${arg_LIBRARIES})
  if(NOT sources)
    message(FATAL_ERROR "sotto_add_fuzz_target(${name}): no SOURCES")
  endif()
  set(abs_sources)
  foreach(source ${sources})
    get_filename_component(source ${source} ABSOLUTE BASE_DIR ${CMAKE_CURRENT_SOURCE_DIR})
    list(APPEND abs_sources ${source})
  endforeach()
  if(NOT arg_RUNS)
    set(arg_RUNS 200000)
  endif()
  if(NOT arg_MAX_LEN)
    set(arg_MAX_LEN 512)
  endif()
  string(REPLACE ";" "|" abs_sources "${abs_sources}")
  string(REPLACE ";" "|" libs "${libs}")
  # One list element per target: name@sources@libs (fields split again in the sub-build).
  set_property(GLOBAL APPEND PROPERTY SOTTO_FUZZ_TARGETS "${name}@${abs_sources}@${libs}")
  if(NOT SOTTO_FUZZ_ENABLED)
    return()
  endif()
  set(seed_command)
  if(arg_SEEDS)
    set(seed_command $<TARGET_FILE:sotto_fuzz_seeds> ${arg_SEEDS})
  endif()
  add_test(NAME fuzz.${name}
           COMMAND sh ${PROJECT_SOURCE_DIR}/tests/fuzz/run_fuzz.sh
                   ${CMAKE_BINARY_DIR}/fuzz/bin/${name} ${CMAKE_CURRENT_BINARY_DIR}/${name}-corpus
                   ${arg_RUNS} ${arg_MAX_LEN} ${seed_command})
  set_tests_properties(fuzz.${name} PROPERTIES TIMEOUT 300 LABELS fuzz)
endfunction()

find_program(SOTTO_CLANG clang)
find_program(SOTTO_CLANGXX clang++)
option(SOTTO_FUZZ "Build the libFuzzer targets with clang and run them in ctest" ON)
if(SOTTO_FUZZ AND SOTTO_CLANG AND SOTTO_CLANGXX)
  set(SOTTO_FUZZ_ENABLED ON)
else()
  set(SOTTO_FUZZ_ENABLED OFF)
endif()
