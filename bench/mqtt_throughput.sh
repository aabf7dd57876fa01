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
#     --gateway FILE    the switchyard binary to run (default: <build-dir>/bin/switchyard)
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

# shellcheck source=SCRIPTDIR/lib.sh disable=SC1091
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
qos0_msgs=500000
qos1_msgs=200000
sim_timeout=5

own_option() {
    case $1 in
        --qos0-msgs) qos0_msgs=$2 ;;
        --qos1-msgs) qos1_msgs=$2 ;;
        --timeout) sim_timeout=$2 ;;
        *) return 1 ;;
    esac
}
bench_parse own_option "$@"

brokers=()
bench_wants switchyard && brokers+=(switchyard)
bench_wants mosquitto && brokers+=(mosquitto)
bench_init "${brokers[@]}"

for b in "${brokers[@]}"; do
    if [[ $b == switchyard ]]; then
        start_switchyard switchyard
    else
        # No persistence (Switchyard's MQTT path here keeps nothing on disk either), and a deep
        # per-client queue so that a fast QoS 1 publisher is queued rather than dropped (the
        # default of 1000 drops).
        start_mosquitto mosquitto "persistence false
max_queued_messages 100000"
    fi
done

bench_running "1 publisher -> 1 subscriber"
for qos in 0 1; do
    msgs=$qos0_msgs
    [[ $qos == 1 ]] && msgs=$qos1_msgs
    run_reps "qos $qos" --qos "$qos" --pubs 1 --subs 1 --msgs "$msgs" --timeout "$sim_timeout"
done

bench_report <<'EOF'
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

bench_finish
