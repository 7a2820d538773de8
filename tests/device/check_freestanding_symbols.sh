#!/bin/sh
# Fails when a device library needs a symbol beyond the freestanding allowance: memcpy, memset,
# memmove, strlen, the SDK's own (sotto_*, sotto:: and nanopb pb_*) and sanitizer hooks.
# Catches a stray printf, operator new, __cxa_* (exceptions/guards) or typeinfo (RTTI).
set -eu
nm_tool="$1"
shift
bad=$("$nm_tool" -u --format=just-symbols "$@" | sort -u | grep -v '^$' |
  grep -vE '^(memcpy|memset|memmove|strlen|sotto_[a-z0-9_]+|_ZN5sotto[A-Za-z0-9_]+|pb_[a-z_]+)$' |
  grep -vE '^(__asan|__ubsan|__sanitizer|__aeabi_)' || true)
if [ -n "$bad" ]; then
  echo "device code needs symbols outside the freestanding allowance:"
  echo "$bad"
  exit 1
fi
echo "freestanding symbols ok"
