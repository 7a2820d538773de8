#!/usr/bin/python3
"""Checks every message under proto/ for fields that could carry raw sensor data.

Events are decisions, not data: outside the downlink messages of OTA updates and key rotations
no message may have a repeated numeric field or a bytes field, and a repeated message field must be bounded to at most
three elements by its .options file. Exits non-zero and names each offending field.
"""
import pathlib
import re
import subprocess
import sys
import tempfile

from google.protobuf import descriptor_pb2

FieldDescriptor = descriptor_pb2.FieldDescriptorProto
NUMERIC_TYPES = {
    FieldDescriptor.TYPE_DOUBLE, FieldDescriptor.TYPE_FLOAT, FieldDescriptor.TYPE_INT64,
    FieldDescriptor.TYPE_UINT64, FieldDescriptor.TYPE_INT32, FieldDescriptor.TYPE_FIXED64,
    FieldDescriptor.TYPE_FIXED32, FieldDescriptor.TYPE_BOOL, FieldDescriptor.TYPE_UINT32,
    FieldDescriptor.TYPE_ENUM, FieldDescriptor.TYPE_SFIXED32, FieldDescriptor.TYPE_SFIXED64,
    FieldDescriptor.TYPE_SINT32, FieldDescriptor.TYPE_SINT64,
}
MAX_REPEATED_MESSAGES = 3
# Downlink and transfer messages of over-the-air updates and key rotations may carry bytes (models,
# keys, signatures); the device's own uplink status report may not.
DOWNLINK_FILES = {"sotto/v1/ota.proto", "sotto/v1/key_rotation.proto"}
UPLINK_MESSAGES = {"OtaStatus"}


def load_descriptors(proto_root: pathlib.Path):
    protos = sorted(str(p.relative_to(proto_root)) for p in proto_root.rglob("*.proto"))
    if not protos:
        sys.exit(f"no .proto files under {proto_root}")
    with tempfile.NamedTemporaryFile(suffix=".pb") as out:
        subprocess.run(["protoc", f"-I{proto_root}", f"--descriptor_set_out={out.name}", *protos],
                       check=True)
        descriptor_set = descriptor_pb2.FileDescriptorSet()
        descriptor_set.ParseFromString(pathlib.Path(out.name).read_bytes())
    return descriptor_set.file


def max_counts(proto_root: pathlib.Path):
    bounds = {}
    for options in proto_root.rglob("*.options"):
        for line in options.read_text().splitlines():
            match = re.match(r"\s*([\w.]+)\s+.*max_count:(\d+)", line)
            if match:
                bounds[match.group(1)] = int(match.group(2))
    return bounds


def walk(messages, prefix):
    for message in messages:
        name = f"{prefix}.{message.name}"
        yield name, message
        yield from walk(message.nested_type, name)


def problems(proto_root: pathlib.Path):
    bounds = max_counts(proto_root)
    for file in load_descriptors(proto_root):
        for full_name, message in walk(file.message_type, file.package):
            if file.name in DOWNLINK_FILES and message.name not in UPLINK_MESSAGES:
                continue
            for field in message.field:
                where = f"{file.name}: {full_name}.{field.name}"
                repeated = field.label == FieldDescriptor.LABEL_REPEATED
                if field.type == FieldDescriptor.TYPE_BYTES:
                    yield f"{where} is a bytes field"
                elif repeated and field.type in NUMERIC_TYPES:
                    yield f"{where} is a repeated numeric field"
                elif repeated and field.type == FieldDescriptor.TYPE_STRING:
                    yield f"{where} is a repeated string field"
                elif repeated:
                    bound = bounds.get(f"{full_name}.{field.name}")
                    if bound is None or bound > MAX_REPEATED_MESSAGES:
                        yield (f"{where} is repeated with max_count {bound}, expected a bound "
                               f"of at most {MAX_REPEATED_MESSAGES} in its .options file")


def main():
    found = list(problems(pathlib.Path(sys.argv[1]).resolve()))
    for problem in found:
        print(problem)
    print(f"{len(found)} fields could carry raw samples")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
