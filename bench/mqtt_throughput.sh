#!/usr/bin/env bash
# MQTT throughput: Switchyard against Debian's Mosquitto on this machine.
#
# Starts both brokers on free loopback ports, runs `switchyard-sim bench` (1 publisher,
# 1 subscriber, 100-byte payloads) at QoS 0 and QoS 1 against each, alternating which broker goes
# first, keeps the best of the repetitions and prints a table with the Switchyard/Mosquitto ratio.
# Builds nothing: it expects build/bin/switchyard and build/bin/switchyard-sim.
#
#   bench/mqtt_throughput.sh [options]
#     --build-dir DIR   where bin/ lives (default: <repo>/build)
#     --only BROKER     run one side only: switchyard or mosquitto
#     --reps N          repetitions per broker and QoS, best kept (default 2)
#     --qos0-msgs N     messages at QoS 0 (default 500000)
#     --qos1-msgs N     messages at QoS 1 (default 200000)
#     --size BYTES      payload size (default 100)
#     --timeout S       the simulator gives up after S seconds without progress (default 5)
#     --out FILE        also write every run's JSON result to FILE, one per line
#
# Exit status: 0 when every run completed (loss is reported, not fatal), 1 otherwise.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build_dir=$repo/build
only=
reps=2
qos0_msgs=500000
qos1_msgs=200000
size=100
sim_timeout=5
out_file=

usage() { sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'; }

while [[ $# -gt 0 ]]; do
    case $1 in
        --build-dir) build_dir=$2; shift 2 ;;
        --only) only=$2; shift 2 ;;
        --reps) reps=$2; shift 2 ;;
        --qos0-msgs) qos0_msgs=$2; shift 2 ;;
        --qos1-msgs) qos1_msgs=$2; shift 2 ;;
        --size) size=$2; shift 2 ;;
        --timeout) sim_timeout=$2; shift 2 ;;
        --out) out_file=$2; shift 2 ;;
        -h|--help) usage; exit 0 ;;
        *) echo "mqtt_throughput: unknown option $1 (see --help)" >&2; exit 2 ;;
    esac
done

case $only in
    ''|switchyard|mosquitto) ;;
    *) echo "mqtt_throughput: --only takes switchyard or mosquitto" >&2; exit 2 ;;
esac
brokers=()
[[ $only != mosquitto ]] && brokers+=(switchyard)
[[ $only != switchyard ]] && brokers+=(mosquitto)

sim=$build_dir/bin/switchyard-sim
gateway=$build_dir/bin/switchyard
missing=()
[[ -x $sim ]] || missing+=("$sim")
[[ $only == mosquitto || -x $gateway ]] || missing+=("$gateway")
if [[ ${#missing[@]} -gt 0 ]]; then
    echo "mqtt_throughput: missing ${missing[*]}" >&2
    echo "mqtt_throughput: build first with: bash scripts/build.sh" >&2
    exit 1
fi
if [[ $only != switchyard ]] && ! command -v mosquitto >/dev/null; then
    echo "mqtt_throughput: mosquitto not found; install Debian's mosquitto (scripts/setup.sh)" >&2
    exit 1
fi
for tool in python3 ss; do
    command -v $tool >/dev/null || { echo "mqtt_throughput: needs $tool" >&2; exit 1; }
done

work=$(mktemp -d "${TMPDIR:-/tmp}/sy-bench.XXXXXX")
declare -A pid port
clk_tck=$(getconf CLK_TCK)

stop_broker() {
    local p=$1
    kill -TERM "$p" 2>/dev/null || return 0
    for _ in $(seq 50); do
        kill -0 "$p" 2>/dev/null || { wait "$p" 2>/dev/null || true; return 0; }
        sleep 0.1
    done
    echo "mqtt_throughput: pid $p ignored SIGTERM for 5 s, killing it" >&2
    kill -KILL "$p" 2>/dev/null || true
    wait "$p" 2>/dev/null || true
}

sim_pid=

cleanup() {
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
trap cleanup EXIT
trap 'exit 130' INT TERM

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
    echo "mqtt_throughput: no free port found" >&2
    return 1
}

accepts() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# Waits up to 20 s for the broker to accept connections (and, for Switchyard, to print `ready`).
await_broker() {
    local name=$1 log=$work/$1.log
    for _ in $(seq 200); do
        if ! kill -0 "${pid[$name]}" 2>/dev/null; then
            echo "mqtt_throughput: $name exited during startup; its log:" >&2
            tail -n 20 "$log" >&2
            return 1
        fi
        if [[ $name != switchyard ]] || grep -q ready "$log"; then
            accepts "${port[$name]}" && return 0
        fi
        sleep 0.1
    done
    echo "mqtt_throughput: $name not ready after 20 s; its log:" >&2
    tail -n 20 "$log" >&2
    return 1
}

start_switchyard() {
    port[switchyard]=$(pick_port)
    mkdir -p "$work/switchyard-data"
    "$gateway" --data-dir "$work/switchyard-data" --bind 127.0.0.1 \
        --mqtt-port "${port[switchyard]}" --amqp-port 0 --stomp-port 0 --http-port 0 \
        >"$work/switchyard.log" 2>&1 &
    pid[switchyard]=$!
    await_broker switchyard
}

start_mosquitto() {
    port[mosquitto]=$(pick_port)
    # Defaults except: no persistence (Switchyard's MQTT path here keeps nothing on disk either),
    # a deep per-client queue so a fast QoS 1 publisher is queued rather than dropped (the
    # default of 1000 drops), and Nagle off, as Switchyard's transport sets TCP_NODELAY.
    cat >"$work/mosquitto.conf" <<EOF
listener ${port[mosquitto]} 127.0.0.1
allow_anonymous true
persistence false
max_queued_messages 100000
set_tcp_nodelay true
log_type error
log_type warning
EOF
    mosquitto -c "$work/mosquitto.conf" >"$work/mosquitto.log" 2>&1 &
    pid[mosquitto]=$!
    await_broker mosquitto
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

failures=0

# run_one BROKER QOS MSGS REP: one simulator run, appended to results.jsonl.
run_one() {
    local name=$1 qos=$2 msgs=$3 rep=$4 before after status=0 json
    local log=$work/run-$name-q$qos-$rep.txt
    before=$(cpu_seconds "${pid[$name]}")
    # In the background so that a SIGTERM to the script is handled at once, not after the run.
    timeout --kill-after=5 900 "$sim" bench --host 127.0.0.1 --port "${port[$name]}" \
        --protocol mqtt --qos "$qos" --pubs 1 --subs 1 --size "$size" --msgs "$msgs" \
        --timeout "$sim_timeout" >"$log" 2>&1 &
    sim_pid=$!
    wait "$sim_pid" || status=$?
    sim_pid=
    after=$(cpu_seconds "${pid[$name]}")
    json=$(grep '^{' "$log" | tail -n 1 || true)
    if [[ $status -ne 0 || -z $json ]]; then
        echo "  $name qos $qos run $rep: FAILED (exit $status)" >&2
        sed 's/^/    /' "$log" | grep -v '^    {' >&2 || true
        failures=$((failures + 1))
        return 0
    fi
    printf '{"broker":"%s","rep":%d,"broker_cpu_s":%s,"sim":%s}\n' \
        "$name" "$rep" "$(awk -v a="$after" -v b="$before" 'BEGIN { printf "%.3f", a - b }')" "$json" \
        >>"$work/results.jsonl"
    python3 - "$name" "$qos" "$rep" "$json" <<'EOF'
import json, sys
name, qos, rep, r = sys.argv[1], sys.argv[2], sys.argv[3], json.loads(sys.argv[4])
print(f"  {name:<10} qos {qos} run {rep}: deliver {r['deliver_rate']:>9.0f}/s  "
      f"publish {r['publish_rate']:>9.0f}/s  lost {r['lost']}  dup {r['duplicates']}")
EOF
}

for b in "${brokers[@]}"; do
    "start_$b"
    echo "started $b on 127.0.0.1:${port[$b]} (pid ${pid[$b]})"
done

echo "running: 1 publisher -> 1 subscriber, $size-byte payloads, best of $reps"
turn=0
for qos in 0 1; do
    msgs=$qos0_msgs
    [[ $qos == 1 ]] && msgs=$qos1_msgs
    for rep in $(seq "$reps"); do
        # Alternate which broker goes first so neither always runs on a warmer (or busier) box.
        order=("${brokers[@]}")
        if (( turn % 2 == 1 && ${#brokers[@]} == 2 )); then
            order=("${brokers[1]}" "${brokers[0]}")
        fi
        turn=$((turn + 1))
        for b in "${order[@]}"; do
            run_one "$b" "$qos" "$msgs" "$rep"
        done
    done
done

if [[ -n $out_file && -s $work/results.jsonl ]]; then
    cp "$work/results.jsonl" "$out_file"
fi

echo
if [[ -s $work/results.jsonl ]]; then
    python3 - "$work/results.jsonl" <<'EOF'
import json, sys

runs = [json.loads(line) for line in open(sys.argv[1])]
best = {}
for run in runs:
    key = (run["sim"]["qos"], run["broker"])
    if key not in best or run["sim"]["deliver_rate"] > best[key]["sim"]["deliver_rate"]:
        best[key] = run

header = (f"{'qos':<4}{'broker':<12}{'deliver/s':>11}{'publish/s':>11}{'p50 us':>10}"
          f"{'p99 us':>10}{'lost':>8}{'dup':>6}{'broker us/msg':>15}{'client cpu':>12}")
print(header)
print("-" * len(header))
for qos in sorted({q for q, _ in best}):
    rows = {b: best[(q, b)] for q, b in best if q == qos}
    for broker in ("switchyard", "mosquitto"):
        if broker not in rows:
            continue
        run, r = rows[broker], rows[broker]["sim"]
        # Broker CPU per delivered message: a cost figure that holds even when the client, not
        # the broker, limits the rate.
        per_msg = run["broker_cpu_s"] / r["received"] * 1e6 if r["received"] else 0.0
        client = 100.0 * r["client_cpu_s"] / r["active_s"] if r["active_s"] else 0.0
        print(f"{qos:<4}{broker:<12}{r['deliver_rate']:>11.0f}{r['publish_rate']:>11.0f}"
              f"{r['p50_us']:>10.0f}{r['p99_us']:>10.0f}{r['lost']:>8}{r['duplicates']:>6}"
              f"{per_msg:>15.2f}{client:>11.0f}%")
    if len(rows) == 2:
        s, m = rows["switchyard"]["sim"], rows["mosquitto"]["sim"]
        ratio = lambda a, b: f"{a / b:.2f}x" if b else "n/a"
        print(f"{qos:<4}{'S/M ratio':<12}{ratio(s['deliver_rate'], m['deliver_rate']):>11}"
              f"{ratio(s['publish_rate'], m['publish_rate']):>11}")
print()
print("deliver/s: messages received per second by the subscriber, first to last receive.")
print("publish/s: publishes completed per second (QoS 0: written; QoS 1: PUBACKed).")
print("client cpu: switchyard-sim's CPU as a share of one core; near or above 100% means the")
print("client may be what limits the rates (see bench/README.md).")
EOF
fi

if (( failures > 0 )); then
    echo "mqtt_throughput: $failures run(s) failed" >&2
    exit 1
fi
