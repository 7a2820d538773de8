# onnx.proto's C++ classes, generated here from the schema Debian's libonnx-dev ships
# (/usr/include/onnx/onnx.proto) with the host's protoc, and compiled for the target.
# Why not link Debian's libonnx_proto: its arm64 package cannot be installed beside the amd64 one
# (libonnxifi:arm64 and :amd64 both own /usr/lib/libonnxifi.so), so the arm64 gateway could not be
# cross-built; the schema file is architecture-independent and protobuf is multiarch. The importer
# only reads ModelProto, so the non-ML schema is enough (unknown fields are skipped on parse).
find_package(Protobuf REQUIRED)
# The generator runs on the build machine, also when cross-compiling.
find_program(SOTTO_PROTOC protoc NO_CMAKE_FIND_ROOT_PATH
             DOC "protoc of the build machine (Debian: protobuf-compiler)")
set(SOTTO_ONNX_PROTO /usr/include/onnx/onnx.proto CACHE FILEPATH
    "onnx.proto to generate the ONNX importer's classes from (Debian: libonnx-dev)")
if(NOT SOTTO_PROTOC)
  message(FATAL_ERROR "protoc not found: install protobuf-compiler (deploy/install-deps.sh)")
endif()
if(NOT EXISTS "${SOTTO_ONNX_PROTO}")
  message(FATAL_ERROR "SOTTO_ONNX_PROTO=${SOTTO_ONNX_PROTO} does not exist: install libonnx-dev "
                      "(deploy/install-deps.sh) or point SOTTO_ONNX_PROTO at onnx.proto")
endif()

set(onnx_gen_dir ${CMAKE_CURRENT_BINARY_DIR}/onnx-gen)
get_filename_component(onnx_proto_dir ${SOTTO_ONNX_PROTO} DIRECTORY)
add_custom_command(
  OUTPUT ${onnx_gen_dir}/onnx.pb.cc ${onnx_gen_dir}/onnx.pb.h
  COMMAND ${CMAKE_COMMAND} -E make_directory ${onnx_gen_dir}
  COMMAND ${SOTTO_PROTOC} --proto_path=${onnx_proto_dir} --cpp_out=${onnx_gen_dir} ${SOTTO_ONNX_PROTO}
  DEPENDS ${SOTTO_ONNX_PROTO}
  COMMENT "Generating the ONNX importer's classes from ${SOTTO_ONNX_PROTO}")
add_library(sotto_onnx_proto STATIC ${onnx_gen_dir}/onnx.pb.cc)
# Generated code: not ours to warn about.
target_compile_options(sotto_onnx_proto PRIVATE -w)
set_target_properties(sotto_onnx_proto PROPERTIES POSITION_INDEPENDENT_CODE ON)
target_include_directories(sotto_onnx_proto SYSTEM PUBLIC ${onnx_gen_dir})
target_link_libraries(sotto_onnx_proto PUBLIC protobuf::libprotobuf)
