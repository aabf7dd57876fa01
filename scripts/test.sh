#!/usr/bin/env bash
# Runs every test Switchyard has, the way CI does:
#   1. the release build (build/) and ctest on it: unit tests and the integration tests
#      (pytest against the real binary, registered in ctest with the label "integration");
#   2. the same tests on the AddressSanitizer + UBSan build (build-asan/);
#   3. when clang is installed, each libFuzzer target (build-fuzz/bin/*_fuzz) for a short run
#      seeded from tests/fuzz/corpus/<name>/.
# It keeps going after a failing stage (except a failed release build), exits non-zero if
# anything failed, and ends with one line: "N passed, N failed".
#
# Knobs: SY_FUZZ_SECONDS (default 30 per fuzzer), SY_SKIP_ASAN=1, SY_SKIP_FUZZ=1,
# SY_JOBS (parallelism, default 2).
set -uo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.." || exit 1

readonly jobs=${SY_JOBS:-2}
readonly fuzz_seconds=${SY_FUZZ_SECONDS:-30}
passed=0
failed=0
failures=()

workdir=$(mktemp -d "${TMPDIR:-/tmp}/sy-test.XXXXXX")
trap 'rm -rf "$workdir"' EXIT

# Stage headers carry the time elapsed so far, to keep an eye on CI's time budget.
stage() { printf '\n==> [%dm%02ds] %s\n' $((SECONDS / 60)) $((SECONDS % 60)) "$*"; }

record_failure() {
    failed=$((failed + 1))
    failures+=("$1")
}

finish() {
    printf '\n'
    if [[ ${#failures[@]} -gt 0 ]]; then
        printf 'failed: %s\n' "${failures[@]}"
    fi
    echo "$passed passed, $failed failed"
    [[ $failed -eq 0 ]]
    exit
}

# run_ctest NAME BUILD_DIR [VAR=VALUE...]: runs ctest on BUILD_DIR and adds its totals.
run_ctest() {
    local name=$1 dir=$2
    shift 2
    local log=$workdir/ctest-$name.log rc summary total bad
    stage "ctest ($name, $dir)"
    env "$@" ctest --test-dir "$dir" --output-on-failure --no-tests=error -j "$jobs" \
        --timeout 600 2>&1 | tee "$log"
    rc=${PIPESTATUS[0]}
    # ctest's summary: "100% tests passed, 0 tests failed out of 42".
    summary=$(grep -Eo '[0-9]+ tests? failed out of [0-9]+' "$log" | tail -n 1)
    if [[ -z $summary ]]; then
        record_failure "ctest $name: no test summary (exit code $rc)"
        return
    fi
    bad=${summary%% *}
    total=${summary##* }
    passed=$((passed + total - bad))
    failed=$((failed + bad))
    if [[ $bad -gt 0 ]]; then
        failures+=("ctest $name: $bad of $total tests")
    elif [[ $rc -ne 0 ]]; then
        record_failure "ctest $name: exit code $rc"
    fi
}

# fuzz_corpus NAME: the seed corpus folder of a fuzzer, e.g. sy_mqtt_codec_fuzz -> mqtt.
fuzz_corpus() {
    local name=${1%_fuzz}
    name=${name#sy_}
    name=${name//_codec/}
    echo "tests/fuzz/corpus/$name"
}

# start_fuzzer PATH: runs one fuzzer in the background on a scratch copy of its corpus.
start_fuzzer() {
    local fuzzer=$1 name corpus work artifacts
    name=$(basename "$fuzzer")
    corpus=$(fuzz_corpus "$name")
    work=$workdir/corpus-$name
    artifacts=build-fuzz/artifacts/$name
    mkdir -p "$work" "$artifacts"
    if [[ -d $corpus ]]; then
        cp -R "$corpus/." "$work/"
    fi
    UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
        "$fuzzer" -max_total_time="$fuzz_seconds" -timeout=10 -rss_limit_mb=2048 \
        -print_final_stats=1 -artifact_prefix="$artifacts/" "$work" \
        >"$workdir/fuzz-$name.log" 2>&1 &
    fuzz_pids+=("$!")
    fuzz_names+=("$name")
}

# wait_fuzzers: waits for the started fuzzers and adds one pass or failure per fuzzer.
wait_fuzzers() {
    local i rc name log execs
    for i in "${!fuzz_pids[@]}"; do
        wait "${fuzz_pids[$i]}"
        rc=$?
        name=${fuzz_names[$i]}
        log=$workdir/fuzz-$name.log
        execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
        if [[ $rc -eq 0 ]]; then
            passed=$((passed + 1))
            echo "fuzz $name: ok (${execs:-?} runs in ${fuzz_seconds}s, corpus $(fuzz_corpus "$name"))"
        else
            tail -n 40 "$log"
            echo "fuzz $name: FAILED (exit code $rc; artifacts in build-fuzz/artifacts/$name/)"
            record_failure "fuzz $name"
        fi
    done
    fuzz_pids=()
    fuzz_names=()
}

run_fuzzers() {
    local fuzzers fuzzer
    stage "fuzz build (build-fuzz/, clang)"
    if ! bash scripts/build.sh fuzz; then
        record_failure "fuzz build"
        return
    fi
    mapfile -t fuzzers < <(find build-fuzz/bin -maxdepth 1 -type f -executable -name '*_fuzz' \
        2>/dev/null | sort)
    if [[ ${#fuzzers[@]} -eq 0 ]]; then
        echo "no fuzzers built; skipping the fuzz run"
        return
    fi
    stage "fuzz ${#fuzzers[@]} target(s), ${fuzz_seconds}s each, $jobs at a time"
    fuzz_pids=()
    fuzz_names=()
    for fuzzer in "${fuzzers[@]}"; do
        start_fuzzer "$fuzzer"
        if [[ ${#fuzz_pids[@]} -ge $jobs ]]; then
            wait_fuzzers
        fi
    done
    wait_fuzzers
}

stage "setup"
if ! bash scripts/setup.sh; then
    record_failure "setup"
    finish
fi

stage "release build (build/)"
if ! bash scripts/build.sh release; then
    record_failure "release build"
    finish
fi
run_ctest release build

if [[ ${SY_SKIP_ASAN:-0} != 1 ]]; then
    stage "sanitizer build (build-asan/, address + undefined)"
    if bash scripts/build.sh asan; then
        run_ctest asan build-asan ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
            UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
    else
        record_failure "asan build"
    fi
fi

if [[ ${SY_SKIP_FUZZ:-0} != 1 ]]; then
    if command -v clang++ >/dev/null 2>&1; then
        run_fuzzers
    else
        stage "fuzz: clang++ not installed, skipped"
    fi
fi

finish
