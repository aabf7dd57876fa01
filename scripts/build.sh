#!/usr/bin/env bash
# Configures and builds Switchyard with CMake and Ninja.
#
#   scripts/build.sh [release]   build/       RelWithDebInfo, everything (gateway, sim, tests, bench)
#   scripts/build.sh asan        build-asan/  Debug with AddressSanitizer + UBSan, no benchmarks
#   scripts/build.sh fuzz        build-fuzz/  clang libFuzzer targets only (bin/*_fuzz)
#
# SY_JOBS overrides the parallelism (default 2). Extra arguments after the mode go to cmake's
# configure step, e.g. `scripts/build.sh release -DSY_BUILD_BENCH=OFF`.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

mode=${1:-release}
[[ $# -gt 0 ]] && shift
jobs=${SY_JOBS:-2}

case $mode in
    release)
        dir=build
        args=(-DCMAKE_BUILD_TYPE=RelWithDebInfo)
        ;;
    asan)
        dir=build-asan
        args=(-DCMAKE_BUILD_TYPE=Debug "-DSY_SANITIZE=address,undefined" -DSY_BUILD_BENCH=OFF)
        ;;
    fuzz)
        dir=build-fuzz
        args=(-DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ -DSY_BUILD_FUZZERS=ON
            -DSY_BUILD_BENCH=OFF)
        ;;
    -h | --help)
        sed -n '2,9s/^# \{0,1\}//p' "${BASH_SOURCE[0]}"
        exit 0
        ;;
    *)
        echo "build.sh: unknown mode '$mode' (expected release, asan or fuzz)" >&2
        exit 2
        ;;
esac

# A tree configured earlier with another generator cannot be reused by cmake -G Ninja.
cache=$dir/CMakeCache.txt
if [[ -f $cache ]] && ! grep -qx 'CMAKE_GENERATOR:INTERNAL=Ninja' "$cache"; then
    echo "build.sh: $dir was configured with another generator; reconfiguring from scratch"
    rm -rf "$cache" "$dir/CMakeFiles"
fi

# Configure output goes to a log that is shown only when configuring fails.
mkdir -p "$dir"
if ! cmake -S . -B "$dir" -G Ninja "${args[@]}" "$@" >"$dir/configure.log" 2>&1; then
    cat "$dir/configure.log" >&2
    echo "build.sh: cmake configure of $dir failed" >&2
    exit 1
fi

if [[ $mode == fuzz ]]; then
    # Only the fuzz targets: the rest of the tree need not build with clang's libFuzzer flags.
    mapfile -t targets < <(ninja -C "$dir" -t targets all 2>/dev/null |
        sed -n 's/^\(bin\/[^/:]*_fuzz\): .*/\1/p' | sort -u)
    if [[ ${#targets[@]} -eq 0 ]]; then
        echo "build.sh: no fuzz targets are defined yet"
        exit 0
    fi
    cmake --build "$dir" -j "$jobs" -- "${targets[@]}"
    exit 0
fi

cmake --build "$dir" -j "$jobs"

missing=()
for exe in switchyard switchyard-sim; do
    [[ -x $dir/bin/$exe ]] || missing+=("$dir/bin/$exe")
done
if [[ ${#missing[@]} -gt 0 ]]; then
    echo "build.sh: the build did not produce ${missing[*]}" >&2
    exit 1
fi
