#!/usr/bin/env bash
# Builds the libFuzzer targets listed in tests/fuzz/targets.txt with clang, ASan and UBSan:
# every src/*.cpp once into <out>/obj/ (archived as <out>/obj/libcore.a), then one binary per
# target, <out>/<name>_fuzz, from tests/fuzz/<name>_fuzz.cpp and that archive.
# Usage: tests/fuzz/build.sh [out-dir (default build/fuzz)] [target...]   CXX overrides clang++.
set -euo pipefail
cd "$(dirname "$0")/../.."

out=${1:-build/fuzz}
shift || true
cxx=${CXX:-clang++}
jobs=$(nproc 2>/dev/null || echo 2)
flags=(-std=c++17 -Isrc -O1 -gline-tables-only -fno-omit-frame-pointer
       -fsanitize=address,undefined -fno-sanitize-recover=all)

names=$(grep -v '^[[:space:]]*\(#\|$\)' tests/fuzz/targets.txt | awk '{print $1}')
if [ $# -gt 0 ]; then
  for t in "$@"; do
    grep -qx "$t" <<<"$names" || { echo "fuzz build: unknown target '$t'" >&2; exit 2; }
  done
  names=$(printf '%s\n' "$@")
fi

mkdir -p "$out/obj"
# Objects built with other flags or another compiler are thrown away.
flag_line="$cxx ${flags[*]}"
if [ ! -f "$out/obj/flags" ] || [ "$(cat "$out/obj/flags")" != "$flag_line" ]; then
  rm -f "$out"/obj/*.o "$out/obj/libcore.a"
  echo "$flag_line" >"$out/obj/flags"
fi

# An object is stale when older than its source, any header it may include, or this script.
stale() {  # stale <object> <source> [more dependencies...]
  [ -f "$1" ] || return 0
  local object=$1 source=$2 dep
  shift 2
  for dep in "$source" src/*.h tests/fuzz/build.sh "$@"; do
    [ "$dep" -nt "$object" ] && return 0
  done
  return 1
}

core_objects=()
compile=()  # "object source" pairs
for source in src/*.cpp; do
  object="$out/obj/core_$(basename "$source" .cpp).o"
  core_objects+=("$object")
  if stale "$object" "$source"; then compile+=("$object $source"); fi
done
# Objects of sources that are gone must not stay in the archive.
for object in "$out"/obj/core_*.o; do
  [ -e "$object" ] || continue
  name=$(basename "$object" .o)
  [ -f "src/${name#core_}.cpp" ] || rm -f "$object" "$out/obj/libcore.a"
done
for name in $names; do
  if stale "$out/obj/${name}_fuzz.o" "tests/fuzz/${name}_fuzz.cpp" tests/fuzz/*.h; then
    compile+=("$out/obj/${name}_fuzz.o tests/fuzz/${name}_fuzz.cpp")
  fi
done

# Compilations still running when the script is stopped are stopped with it.
stop_jobs() {
  local pid
  for pid in $(jobs -p); do kill "$pid" 2>/dev/null || true; done
  rm -f "$out"/obj/*."$$".tmp
}
trap stop_jobs EXIT
trap 'exit 143' INT TERM

if [ ${#compile[@]} -gt 0 ]; then
  echo "fuzz build: compiling ${#compile[@]} file(s) with $cxx"
  for pair in "${compile[@]}"; do
    read -r object source <<<"$pair"
    rm -f "$object"
    "$cxx" "${flags[@]}" -fsanitize=fuzzer-no-link -c "$source" -o "$object.$$.tmp" &
    while [ "$(jobs -rp | wc -l)" -ge "$jobs" ]; do wait -n || true; done
  done
  wait
  # An object is put in place only when it compiled (so a failed one is not taken as current).
  for pair in "${compile[@]}"; do
    read -r object source <<<"$pair"
    [ -s "$object.$$.tmp" ] || { rm -f "$object.$$.tmp"; echo "fuzz build: compiling $source failed" >&2; exit 1; }
  done
  for pair in "${compile[@]}"; do
    read -r object source <<<"$pair"
    mv "$object.$$.tmp" "$object"
  done
fi

archive="$out/obj/libcore.a"
rebuild=0
[ -f "$archive" ] || rebuild=1
for object in "${core_objects[@]}"; do [ "$object" -nt "$archive" ] && rebuild=1; done
if [ $rebuild = 1 ]; then
  rm -f "$archive"
  ar rcs "$archive" "${core_objects[@]}"
fi

for name in $names; do
  binary="$out/${name}_fuzz"
  if [ ! -f "$binary" ] || [ "$out/obj/${name}_fuzz.o" -nt "$binary" ] || [ "$archive" -nt "$binary" ]; then
    "$cxx" "${flags[@]}" -fsanitize=fuzzer "$out/obj/${name}_fuzz.o" "$archive" -o "$binary"
  fi
done
echo "fuzz build: $(wc -w <<<"$names") target(s) in $out/"
