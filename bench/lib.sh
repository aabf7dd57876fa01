# Shared by the bench/*.sh scripts; source it, do not run it. The options every script takes,
# brokers on free loopback ports started in a temporary directory and stopped by PID (traps
# included), broker CPU from /proc, and rounds of `switchyard-sim bench` runs collected in
# $work/results.jsonl.
#
# The common options (bench_option) live in bench_* variables that only this file reads.
# shellcheck shell=bash

bench_name=$(basename "$0" .sh)  # the prefix of every message
bench_build_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/build
bench_gateway=  # empty: <build dir>/bin/switchyard
bench_sim=
bench_only=
bench_reps=2
bench_size=100
bench_out=
bench_brokers=()
bench_turn=0
declare -A pid port
sim_pid=
failures=0
run_count=0

# bench_usage SCRIPT: the comment block at the top of SCRIPT.
bench_usage() { sed -n '2,/^set -euo/p' "$1" | sed '$d; s/^# \{0,1\}//'; }

bench_fail() { echo "$bench_name: $*" >&2; }

# bench_parse OWN ARG...: parses a bench script's command line, where every option takes one
# value. The function OWN, called as OWN OPTION VALUE, takes the script's own options and fails
# for any other; bench_option takes the rest. --help prints the script's header. Exits on an
# unknown option.
bench_parse() {
    local own=$1
    shift
    while [[ $# -gt 0 ]]; do
        if [[ $1 == -h || $1 == --help ]]; then
            bench_usage "$0"
            exit 0
        fi
        if [[ $# -lt 2 ]] || ! { "$own" "$1" "$2" || bench_option "$1" "$2"; }; then
            bench_fail "unknown option $1, or no value after it (see --help)"
            exit 2
        fi
        shift 2
    done
}

# bench_option OPTION VALUE: the options every bench script has (see its --help): --build-dir,
# --gateway, --only, --reps, --size, --out. Fails, setting nothing, for any other option. Exits
# on a bad --only.
bench_option() {
    case $1 in
        --build-dir) bench_build_dir=$2 ;;
        --gateway) bench_gateway=$2 ;;
        --only)
            [[ $2 == switchyard || $2 == mosquitto ]] || {
                bench_fail "--only takes switchyard or mosquitto"
                exit 2
            }
            bench_only=$2 ;;
        --reps) bench_reps=$2 ;;
        --size) bench_size=$2 ;;
        --out) bench_out=$2 ;;
        *) return 1 ;;
    esac
}

# bench_wants KIND: whether --only lets brokers of KIND (switchyard or mosquitto) run.
bench_wants() { [[ -z $bench_only || $bench_only == "$1" ]]; }

# bench_init BROKER...: checks that the binaries and tools these brokers need are there (exits if
# not), creates $work and arranges for everything started here to be stopped when the script
# exits. Brokers are named switchyard* or mosquitto*; run_reps runs them all.
bench_init() {
    bench_sim=$bench_build_dir/bin/switchyard-sim
    bench_gateway=${bench_gateway:-$bench_build_dir/bin/switchyard}
    bench_brokers=("$@")
    bench_require "$@"
    work=$(mktemp -d "${TMPDIR:-/tmp}/sy-bench.XXXXXX")
    clk_tck=$(getconf CLK_TCK)
    trap bench_cleanup EXIT
    trap 'exit 130' INT TERM
}

bench_require() {
    local missing=() tool
    [[ -x $bench_sim ]] || missing+=("$bench_sim")
    [[ " $* " != *" switchyard"* || -x $bench_gateway ]] || missing+=("$bench_gateway")
    if [[ ${#missing[@]} -gt 0 ]]; then
        bench_fail "missing ${missing[*]}"
        bench_fail "build first with: bash scripts/build.sh"
        exit 1
    fi
    if [[ " $* " == *" mosquitto"* ]] && ! command -v mosquitto >/dev/null; then
        bench_fail "mosquitto not found; install Debian's mosquitto (scripts/setup.sh)"
        exit 1
    fi
    for tool in python3 ss; do
        command -v $tool >/dev/null || { bench_fail "needs $tool"; exit 1; }
    done
}

stop_broker() {
    local p=$1
    kill -TERM "$p" 2>/dev/null || return 0
    for _ in $(seq 50); do
        kill -0 "$p" 2>/dev/null || { wait "$p" 2>/dev/null || true; return 0; }
        sleep 0.1
    done
    bench_fail "pid $p ignored SIGTERM for 5 s, killing it"
    kill -KILL "$p" 2>/dev/null || true
    wait "$p" 2>/dev/null || true
}

bench_cleanup() {
    local b
    if [[ -n $sim_pid ]]; then
        kill -TERM "$sim_pid" 2>/dev/null || true
        wait "$sim_pid" 2>/dev/null || true
    fi
    for b in "${!pid[@]}"; do
        stop_broker "${pid[$b]}"
    done
    rm -rf "$work"
}

# A port nothing listens on now. Another process could still take it before the broker binds;
# the broker then fails to start and the script says so.
pick_port() {
    local used candidate
    used=$(ss -Htan | awk '{ sub(/.*:/, "", $4); print $4 }' | sort -u)
    for _ in $(seq 100); do
        candidate=$((20000 + RANDOM % 40000))
        if ! grep -qx "$candidate" <<<"$used" && [[ " ${port[*]} " != *" $candidate "* ]]; then
            echo "$candidate"
            return 0
        fi
    done
    bench_fail "no free port found"
    return 1
}

accepts() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# await_broker NAME: waits up to 20 s for the broker to accept connections (and, for a
# Switchyard, to print `ready`), then says where it runs.
await_broker() {
    local name=$1 log=$work/$1.log
    for _ in $(seq 200); do
        if ! kill -0 "${pid[$name]}" 2>/dev/null; then
            bench_fail "$name exited during startup; its log:"
            tail -n 20 "$log" >&2
            return 1
        fi
        if [[ $name != switchyard* ]] || grep -q ready "$log"; then
            if accepts "${port[$name]}"; then
                echo "started $name on 127.0.0.1:${port[$name]} (pid ${pid[$name]})"
                return 0
            fi
        fi
        sleep 0.1
    done
    bench_fail "$name not ready after 20 s; its log:"
    tail -n 20 "$log" >&2
    return 1
}

# bench_data_dir NAME: creates and prints a directory under $work for broker NAME's files.
bench_data_dir() {
    mkdir -p "$work/$1-data"
    echo "$work/$1-data"
}

# start_switchyard NAME [TOML]: a gateway with its own data directory under $work and, when TOML
# is given, that configuration file. NAME must start with "switchyard".
start_switchyard() {
    local name=$1 toml=${2:-} config=() data_dir
    port[$name]=$(pick_port)
    data_dir=$(bench_data_dir "$name")
    if [[ -n $toml ]]; then
        printf '%s\n' "$toml" >"$work/$name.toml"
        config=(--config "$work/$name.toml")
    fi
    "$bench_gateway" "${config[@]}" --data-dir "$data_dir" --bind 127.0.0.1 \
        --mqtt-port "${port[$name]}" --amqp-port 0 --stomp-port 0 --http-port 0 \
        >"$work/$name.log" 2>&1 &
    pid[$name]=$!
    await_broker "$name"
}

# start_mosquitto NAME SETTINGS: Debian's Mosquitto on loopback, anonymous, Nagle off (as
# Switchyard's transport sets TCP_NODELAY; Mosquitto's default adds about 40 ms to the first
# messages of a burst), plus SETTINGS (mosquitto.conf lines).
start_mosquitto() {
    local name=$1 settings=$2
    port[$name]=$(pick_port)
    cat >"$work/$name.conf" <<EOF
listener ${port[$name]} 127.0.0.1
allow_anonymous true
set_tcp_nodelay true
log_type error
log_type warning
$settings
EOF
    mosquitto -c "$work/$name.conf" >"$work/$name.log" 2>&1 &
    pid[$name]=$!
    await_broker "$name"
}

# CPU seconds (user + system, all threads) the process has used so far.
cpu_seconds() {
    local stat
    stat=$(<"/proc/$1/stat")
    stat=${stat##*) }  # drop "pid (comm) ", comm may hold spaces
    # shellcheck disable=SC2086
    set -- $stat
    awk -v u="${12}" -v s="${13}" -v hz="$clk_tck" 'BEGIN { printf "%.3f", (u + s) / hz }'
}

# bench_running TEXT: says what the runs will be, adding the payload size and repetitions.
bench_running() {
    echo "running: $*, $bench_size-byte payloads, best of $bench_reps"
}

# run_reps TAG SIM_ARGS...: --reps rounds of run_sim with --size, each round one run per broker.
# The order rotates from round to round (across calls too), so that no broker always runs first,
# on a warmer or busier machine. TAG goes into the runs' labels.
run_reps() {
    local tag=$1 rep i b n=${#bench_brokers[@]} width=0
    shift
    for b in "${bench_brokers[@]}"; do
        ((${#b} > width)) && width=${#b}
    done
    for rep in $(seq "$bench_reps"); do
        for ((i = 0; i < n; i++)); do
            b=${bench_brokers[(i + bench_turn) % n]}
            run_sim "$b" "$rep" "$(printf '%-*s %s run %s' "$width" "$b" "$tag" "$rep")" \
                --size "$bench_size" "$@"
        done
        bench_turn=$((bench_turn + 1))
    done
}

# run_sim BROKER REP LABEL SIM_ARGS...: one `switchyard-sim bench` against BROKER, appended to
# $work/results.jsonl as {"broker", "rep", "broker_cpu_s", "sim": {...}} and summed up on one
# line. A failed run is reported and counted in $failures; the script goes on.
run_sim() {
    local name=$1 rep=$2 label=$3 before after cpu status=0 json log
    shift 3
    run_count=$((run_count + 1))
    log=$work/run-$run_count.txt
    before=$(cpu_seconds "${pid[$name]}")
    # In the background so that a SIGTERM to the script is handled at once, not after the run.
    timeout --kill-after=5 900 "$bench_sim" bench --host 127.0.0.1 --port "${port[$name]}" \
        --protocol mqtt "$@" >"$log" 2>&1 &
    sim_pid=$!
    wait "$sim_pid" || status=$?
    sim_pid=
    after=$(cpu_seconds "${pid[$name]}")
    json=$(grep '^{' "$log" | tail -n 1 || true)
    if [[ $status -ne 0 || -z $json ]]; then
        echo "  $label: FAILED (exit $status)" >&2
        sed 's/^/    /' "$log" | grep -v '^    {' >&2 || true
        failures=$((failures + 1))
        return 0
    fi
    cpu=$(awk -v a="$after" -v b="$before" 'BEGIN { printf "%.3f", a - b }')
    printf '{"broker":"%s","rep":%d,"broker_cpu_s":%s,"sim":%s}\n' "$name" "$rep" "$cpu" "$json" \
        >>"$work/results.jsonl"
    python3 - "$label" "$json" <<'EOF'
import json, sys
label, r = sys.argv[1], json.loads(sys.argv[2])
print(f"  {label}: deliver {r['deliver_rate']:>9.0f}/s  "
      f"publish {r['publish_rate']:>9.0f}/s  lost {r['lost']}  dup {r['duplicates']}")
EOF
}

# bench_report: saves the results to the --out file (when given), then, after a blank line, runs
# the Python program on stdin with the results file as its argument. Nothing when no run produced
# a result.
bench_report() {
    [[ -s $work/results.jsonl ]] || return 0
    if [[ -n $bench_out ]]; then
        cp "$work/results.jsonl" "$bench_out"
    fi
    echo
    python3 - "$work/results.jsonl"
}

# bench_finish: exits 1 if a run failed.
bench_finish() {
    if ((failures > 0)); then
        bench_fail "$failures run(s) failed"
        exit 1
    fi
}
