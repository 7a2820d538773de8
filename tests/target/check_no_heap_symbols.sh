#!/bin/sh
# Fails when a cross tree's sotto archives reference, or its linked images contain, the heap
# (malloc/free/calloc/realloc/_sbrk), operator new/delete, the C++ ABI runtime (__cxa_*) or
# unwinding. (The linker scripts refuse most of these too; this names the offending file.)
# Usage: check_no_heap_symbols.sh NM CROSS_BUILD_DIR
set -eu
nm_tool=$1
dir=$2
pattern='((_?malloc(_r)?|_?free(_r)?|_?calloc(_r)?|_?realloc(_r)?|_sbrk(_r)?)$|_Zn[wa]|_Zd[la]|__cxa_|__gxx_personality|_Unwind_)'
archives=$(find "$dir" -path "$dir/CMakeFiles" -prune -o -name 'libsotto_*.a' -print | sort)
images=$(find "$dir/bin" -name '*.elf' 2>/dev/null | sort)
[ -n "$archives" ] || { echo "no sotto archives under $dir"; exit 1; }
[ -n "$images" ] || { echo "no images under $dir/bin"; exit 1; }
bad=0
for archive in $archives; do
  hits=$("$nm_tool" -u "$archive" 2>/dev/null | grep -E " U $pattern" || true)
  if [ -n "$hits" ]; then
    echo "$archive references:"; echo "$hits"; bad=1
  fi
done
for image in $images; do
  hits=$("$nm_tool" "$image" | grep -E " [A-Za-z] $pattern" || true)
  if [ -n "$hits" ]; then
    echo "$image contains:"; echo "$hits"; bad=1
  fi
done
[ "$bad" -eq 0 ] || exit 1
echo "no heap symbols in $(echo "$archives" | wc -l) archives and $(echo "$images" | wc -l) images"
