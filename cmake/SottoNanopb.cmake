# Generates nanopb C code from proto/ at build time with Debian's nanopb generator.
find_program(NANOPB_GENERATOR nanopb_generator.py REQUIRED
             PATHS ${SOTTO_NANOPB_SOURCE_DIR}/generator)  # Debian's nanopb first, else the sources'

# sotto_nanopb_generate(<out-sources-var> <proto-root> <proto files relative to proto-root>...)
# Writes <build>/proto-gen/<path>.pb.{c,h}; the .options file beside each .proto is picked up.
function(sotto_nanopb_generate out_sources proto_root)
  set(gen_dir ${PROJECT_BINARY_DIR}/proto-gen)
  set(sources)
  foreach(proto ${ARGN})
    string(REGEX REPLACE "\\.proto$" "" stem ${proto})
    set(options_file ${proto_root}/${stem}.options)
    set(depends ${proto_root}/${proto})
    if(EXISTS ${options_file})
      list(APPEND depends ${options_file})
    endif()
    add_custom_command(
      OUTPUT ${gen_dir}/${stem}.pb.c ${gen_dir}/${stem}.pb.h
      COMMAND ${CMAKE_COMMAND} -E make_directory ${gen_dir}
      COMMAND ${NANOPB_GENERATOR} -q -I ${proto_root} -D ${gen_dir} ${proto}
      WORKING_DIRECTORY ${proto_root}
      DEPENDS ${depends}
      COMMENT "nanopb: ${proto}")
    list(APPEND sources ${gen_dir}/${stem}.pb.c)
  endforeach()
  set(${out_sources} ${sources} PARENT_SCOPE)
endfunction()
