#!/usr/bin/env bash
# Durable queue memory and recovery: a persistent MQTT session that is offline while 1,000,000
# QoS 1 messages of 100 bytes queue up for it.
#
# Starts build/bin/switchyard on a free loopback port with a temporary data directory, creates
# the session (mosquitto_sub -c, QoS 1 subscription) and disconnects it, publishes the messages
# with `switchyard-sim bench` (1 publisher, no subscribers of its own), and reports the gateway's
# resident memory (VmRSS, and the peak VmHWM, from /proc/PID/status) with everything queued.
# Then it stops the gateway with SIGTERM, starts it again on the same data directory, and
# reports the time from start to its `ready` line (recovery) and the memory after recovery.
# Last, the session reconnects and drains the queue; the script checks the count and the order
# (each payload carries the publisher's sequence number) and reports the memory peak.
# Builds nothing: it expects <build-dir>/bin/switchyard and switchyard-sim.
#
#   bench/durable_memory.sh [options]
#     --build-dir DIR   where bin/ lives (default: <repo>/build)
#     --sim PATH        the switchyard-sim to publish with (default: <build-dir>/bin/...)
#     --msgs N          messages to queue (default 1000000)
#     --size BYTES      payload size, at least 24 (default 100)
#     --limit N         storage.queue_memory_limit (default 10000; 0 keeps all in memory)
#     --sync MODE       storage.sync: full or normal (default full)
#     --window N        publishes in flight (default 1000)
#     --timeout S       give up on a stalled phase after S seconds (default 60)
#     --keep            keep the temporary directory (data, logs, config)
#
# Exit status: 0 when every phase completed and the drain got every message once, in order.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build_dir=$repo/build
msgs=1000000
size=100
limit=10000
sync_mode=full
window=1000
timeout_s=60
keep=0
sim=

usage() { sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'; }

while [[ $# -gt 0 ]]; do
    case $1 in
        --build-dir) build_dir=$2; shift 2 ;;
        --sim) sim=$2; shift 2 ;;
        --msgs) msgs=$2; shift 2 ;;
        --size) size=$2; shift 2 ;;
        --limit) limit=$2; shift 2 ;;
        --sync) sync_mode=$2; shift 2 ;;
        --window) window=$2; shift 2 ;;
        --timeout) timeout_s=$2; shift 2 ;;
        --keep) keep=1; shift ;;
        -h|--help) usage; exit 0 ;;
        *) echo "durable_memory: unknown option $1 (see --help)" >&2; exit 2 ;;
    esac
done

gateway=$build_dir/bin/switchyard
sim=${sim:-$build_dir/bin/switchyard-sim}
for f in "$gateway" "$sim"; do
    [[ -x $f ]] || { echo "durable_memory: missing $f (build first)" >&2; exit 1; }
done
for tool in mosquitto_sub python3; do
    command -v $tool >/dev/null || { echo "durable_memory: needs $tool" >&2; exit 1; }
done

work=$(mktemp -d "${TMPDIR:-/tmp}/sy-durable.XXXXXX")
gw_pid=
cleanup() {
    if [[ -n $gw_pid ]] && kill -0 "$gw_pid" 2>/dev/null; then
        kill -TERM "$gw_pid" 2>/dev/null || true
        for _ in $(seq 50); do kill -0 "$gw_pid" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$gw_pid" 2>/dev/null || true
    fi
    if [[ $keep == 1 ]]; then echo "kept $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
topic=sy-durable/$$
client=sy-durable-$$
cat > "$work/switchyard.toml" <<EOF
[storage]
sync = "$sync_mode"
queue_memory_limit = $limit
[mqtt]
max_queued_messages = 0
sys_interval = 0
EOF

now() { date +%s.%N; }
elapsed() { python3 -c "print(f'{$2 - $1:.2f}')"; }
status_kb() { awk -v k="$2:" '$1 == k { print $2 }' "/proc/$1/status"; }
mib() { python3 -c "print(f'{$1 / 1024:.1f}')"; }

# Starts the gateway and waits for its ready line; sets gw_pid and started_s.
start_gateway() {
    local log=$1
    started_s=$(now)
    "$gateway" --config "$work/switchyard.toml" --data-dir "$work/data" --bind 127.0.0.1 \
        --mqtt-port "$port" --amqp-port 0 --stomp-port 0 --http-port 0 > "$log" 2>&1 &
    gw_pid=$!
    local deadline=$((SECONDS + timeout_s))
    until grep -q "switchyard ready" "$log" 2>/dev/null; do
        if ! kill -0 "$gw_pid" 2>/dev/null; then
            echo "durable_memory: the gateway exited:" >&2; cat "$log" >&2; exit 1
        fi
        if ((SECONDS > deadline)); then echo "durable_memory: no ready line" >&2; exit 1; fi
        sleep 0.01
    done
    ready_s=$(now)
}

stop_gateway() {
    kill -TERM "$gw_pid"
    local deadline=$((SECONDS + timeout_s))
    while kill -0 "$gw_pid" 2>/dev/null; do
        if ((SECONDS > deadline)); then echo "durable_memory: gateway did not stop" >&2; exit 1; fi
        sleep 0.05
    done
    wait "$gw_pid" 2>/dev/null || true
    gw_pid=
}

echo "durable_memory: $msgs messages of $size bytes, queue_memory_limit $limit, sync $sync_mode"
start_gateway "$work/gateway-1.log"
base_rss=$(status_kb "$gw_pid" VmRSS)

# The persistent session: subscribe at QoS 1, then go away.
mosquitto_sub -h 127.0.0.1 -p "$port" -i "$client" -c -q 1 -t "$topic/#" -E

pub_start=$(now)
"$sim" bench --host 127.0.0.1 --port "$port" --qos 1 --pubs 1 --subs 0 --size "$size" \
    --msgs "$msgs" --window "$window" --topic "$topic" --timeout "$timeout_s" \
    > "$work/publish.txt" 2>&1 || { cat "$work/publish.txt" >&2; exit 1; }
pub_s=$(elapsed "$pub_start" "$(now)")
sent=$(tail -n 1 "$work/publish.txt" | python3 -c 'import json,sys; print(json.load(sys.stdin)["sent"])')
[[ $sent == "$msgs" ]] || { echo "durable_memory: only $sent of $msgs publishes acknowledged" >&2; exit 1; }
sleep 1  # let the last commits' completions run
queued_rss=$(status_kb "$gw_pid" VmRSS)
queued_hwm=$(status_kb "$gw_pid" VmHWM)
db_bytes=$(du -cb "$work/data" | tail -n 1 | cut -f1)

stop_start=$(now)
stop_gateway
stop_s=$(elapsed "$stop_start" "$(now)")

start_gateway "$work/gateway-2.log"
recovery_s=$(elapsed "$started_s" "$ready_s")
recovered_rss=$(status_kb "$gw_pid" VmRSS)

# Drain: the session comes back; every payload's sequence number must appear once, in order.
drain_start=$(now)
mosquitto_sub -h 127.0.0.1 -p "$port" -i "$client" -c -q 1 -t "$topic/#" -C "$msgs" \
    -W "$timeout_s" -F '%x' 2>"$work/drain.err" | python3 -c '
import sys
count, expected, bad = 0, 0, 0
for line in sys.stdin:
    seq = int.from_bytes(bytes.fromhex(line[16:32]), "little")
    bad += seq != expected
    expected = seq + 1
    count += 1
print(count, bad)
' > "$work/drain.txt" || true
drain_s=$(elapsed "$drain_start" "$(now)")
read -r drained out_of_order < "$work/drain.txt" || { drained=0; out_of_order=0; }
drained_rss=$(status_kb "$gw_pid" VmRSS)
drained_hwm=$(status_kb "$gw_pid" VmHWM)
stop_gateway

pub_rate=$(python3 -c "print(f'{$msgs / $pub_s:.0f}')")
cat <<EOF

phase                          figure
-----------------------------  ------------------------------
idle gateway                   RSS $(mib "$base_rss") MiB
publish (QoS 1, window $window)  ${pub_s} s, ${pub_rate} msg/s
$msgs queued                   RSS $(mib "$queued_rss") MiB, peak $(mib "$queued_hwm") MiB
database + WAL on disk         $(mib $((db_bytes / 1024))) MiB
SIGTERM to exit                ${stop_s} s
recovery (start to ready)      ${recovery_s} s
after recovery                 RSS $(mib "$recovered_rss") MiB
drain                          ${drain_s} s, ${drained} received, ${out_of_order} out of order
after drain                    RSS $(mib "$drained_rss") MiB, peak since restart $(mib "$drained_hwm") MiB
EOF
if [[ $drained != "$msgs" || $out_of_order != 0 ]]; then
    echo "durable_memory: the drain did not get all $msgs messages in order" >&2
    exit 1
fi
