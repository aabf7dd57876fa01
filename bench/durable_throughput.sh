#!/usr/bin/env bash
# Durable publish throughput: QoS 1 into a persistent session, Switchyard against Debian's
# Mosquitto with its persistence on, the same client (switchyard-sim) for both.
#
# Starts on free loopback ports, each with its own temporary data directory: Switchyard with
# [storage] sync = "full" (PUBACK once the commit is fsynced), Switchyard with sync = "normal"
# (PUBACK once the commit is in the write-ahead log, not fsynced), and Mosquitto with
# `persistence true` and its default `autosave_interval 1800` (PUBACK with the message in memory
# only; the database is written every 30 minutes and at exit). Then runs `switchyard-sim bench`
# at QoS 1, 1 publisher, 1 subscriber with a persistent session (clean session 0), 100-byte
# payloads, in two modes:
#   online    the subscriber stays connected: publish/s (PUBACKs) and deliver/s, end to end
#   offline   the subscriber subscribes and disconnects, every message is queued for it
#             (publish/s: durable ingest), then it reconnects and drains (deliver/s)
# Alternates which broker goes first, keeps the best of the repetitions and prints msgs/s, the
# Switchyard/Mosquitto ratios, loss and duplicates. Builds nothing: it expects
# build/bin/switchyard and build/bin/switchyard-sim.
#
#   bench/durable_throughput.sh [options]
#     --build-dir DIR   where bin/ lives (default: <repo>/build)
#     --gateway FILE    the switchyard binary to run (default: <build-dir>/bin/switchyard)
#     --only BROKER     run one side only: switchyard or mosquitto
#     --sync LIST       Switchyard storage.sync settings to run (default: full,normal)
#     --modes LIST      online, offline or both (default: online,offline)
#     --reps N          repetitions per broker and mode, best kept (default 2)
#     --msgs N          messages per run (default 300000: 5-15 s a run on a 2-core VM)
#     --size BYTES      payload size (default 100)
#     --timeout S       the simulator gives up after S seconds without progress (default 10)
#     --out FILE        also write every run's JSON result to FILE, one per line
#
# The data directories live under $TMPDIR (default /tmp). On tmpfs an fsync costs nothing, so
# point TMPDIR at a real disk to measure one.
#
# Exit status: 0 when every run completed (loss is reported, not fatal), 1 otherwise.
set -euo pipefail

# shellcheck source=SCRIPTDIR/lib.sh disable=SC1091
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
syncs=full,normal
modes=online,offline
msgs=300000
sim_timeout=10

own_option() {
    case $1 in
        --sync) syncs=$2 ;;
        --modes) modes=$2 ;;
        --msgs) msgs=$2 ;;
        --timeout) sim_timeout=$2 ;;
        *) return 1 ;;
    esac
}
bench_parse own_option "$@"

IFS=, read -ra sync_list <<<"$syncs"
IFS=, read -ra mode_list <<<"$modes"
brokers=()
for s in "${sync_list[@]}"; do
    [[ $s == full || $s == normal ]] || { bench_fail "--sync takes full or normal"; exit 2; }
    bench_wants switchyard && brokers+=("switchyard-$s")
done
bench_wants mosquitto && brokers+=(mosquitto)
for m in "${mode_list[@]}"; do
    [[ $m == online || $m == offline ]] || { bench_fail "--modes takes online or offline"; exit 2; }
done
if [[ ${#brokers[@]} -eq 0 || ${#mode_list[@]} -eq 0 ]]; then
    bench_fail "nothing to run"
    exit 2
fi

bench_init "${brokers[@]}"

for b in "${brokers[@]}"; do
    case $b in
        switchyard-*)
            # No cap on a session's queue, as for Mosquitto below: the offline run queues every
            # message for one subscriber.
            start_switchyard "$b" "[storage]
sync = \"${b#switchyard-}\"
[mqtt]
max_queued_messages = 0" ;;
        mosquitto)
            # Persistence on with its defaults: the in-memory database is saved every
            # autosave_interval seconds and at exit, so a PUBACK does not mean "on disk".
            # max_queued_messages 0 is "no maximum" in Mosquitto 2.0 (the default of 1000 would
            # drop the offline run's messages). max_inflight_messages stays at its default (20),
            # as Switchyard's mqtt.max_inflight does. Started as root, Mosquitto would switch to
            # user mosquitto, who cannot write in our private temporary directory; it runs as the
            # invoking user instead, as Switchyard does.
            settings="persistence true
persistence_location $(bench_data_dir mosquitto)/
autosave_interval 1800
max_queued_messages 0"
            if [[ $EUID -eq 0 ]]; then
                settings+=$'\nuser root'
            fi
            start_mosquitto mosquitto "$settings" ;;
    esac
done

data_dir=$(bench_data_dir "${brokers[0]}")
fs=$(df --output=fstype "$data_dir" | tail -n 1)
# What one small synchronous write costs here: the floor under each of Switchyard's group commits
# with sync = "full". A VM whose host acknowledges flushes from its cache makes it small.
fsync_us=$(python3 - "$data_dir/fsync-probe" <<'EOF'
import os, sys, time
fd = os.open(sys.argv[1], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
start = time.monotonic()
for _ in range(200):
    os.write(fd, b"x" * 4096)
    os.fsync(fd)
print(f"{(time.monotonic() - start) / 200 * 1e6:.0f}")
os.close(fd)
os.unlink(sys.argv[1])
EOF
)
echo "data directories on $fs; a 4 KiB write + fsync takes $fsync_us us there"
if [[ $fs == tmpfs || $fs == ramfs ]]; then
    bench_fail "warning: on $fs an fsync costs nothing; point TMPDIR at a disk"
fi
echo "what a PUBACK means:"
for b in "${brokers[@]}"; do
    case $b in
        switchyard-full) echo "  $b    the commit is fsynced: survives a crash and a power loss" ;;
        switchyard-normal) echo "  $b  the commit is in the WAL, not fsynced: survives a crash" ;;
        mosquitto)
            echo "  $b          in memory only: the database is written every 30 min"
            echo "                     (autosave_interval 1800) and at exit; a crash loses the rest" ;;
    esac
done

bench_running "QoS 1, 1 publisher -> 1 persistent subscriber, $msgs messages"
declare -A session_flag=([online]=--persistent-subs [offline]=--offline-subs)
for mode in "${mode_list[@]}"; do
    run_reps "$(printf '%-7s' "$mode")" --qos 1 --pubs 1 --subs 1 --msgs "$msgs" \
        --timeout "$sim_timeout" "${session_flag[$mode]}"
done

bench_report <<'EOF'
import json, sys

runs = [json.loads(line) for line in open(sys.argv[1])]
groups = {}
for run in runs:
    mode = "offline" if run["sim"]["offline_subs"] else "online"
    groups.setdefault((mode, run["broker"]), []).append(run)

def summary(group):
    # Each rate is the best of the repetitions; loss and duplicates add up all of them, so that
    # a loss in a run that was not the fastest still shows.
    sims = [run["sim"] for run in group]
    per_msg = [run["broker_cpu_s"] / run["sim"]["received"] * 1e6
               for run in group if run["sim"]["received"]]
    return {
        "publish": max(s["publish_rate"] for s in sims),
        "deliver": max(s["deliver_rate"] for s in sims),
        "lost": sum(s["lost"] for s in sims),
        "dup": sum(s["duplicates"] for s in sims),
        "per_msg": min(per_msg) if per_msg else 0.0,
        "client": max(100.0 * s["client_cpu_s"] / s["active_s"] if s["active_s"] else 0.0
                      for s in sims),
    }

header = (f"{'mode':<9}{'broker':<19}{'publish/s':>11}{'deliver/s':>11}{'lost':>8}{'dup':>6}"
          f"{'broker us/msg':>15}{'client cpu':>12}")
print(header)
print("-" * len(header))
ratio = lambda a, b: f"{a / b:.2f}x" if b else "n/a"
for mode in ("online", "offline"):
    # Switchyard first, then Mosquitto, which the ratios divide by.
    names = sorted((b for m, b in groups if m == mode), key=lambda b: (b == "mosquitto", b))
    rows = {b: summary(groups[(mode, b)]) for b in names}
    for broker, r in rows.items():
        print(f"{mode:<9}{broker:<19}{r['publish']:>11.0f}{r['deliver']:>11.0f}{r['lost']:>8}"
              f"{r['dup']:>6}{r['per_msg']:>15.2f}{r['client']:>11.0f}%")
    m = rows.get("mosquitto")
    for broker, r in rows.items():
        if m and broker.startswith("switchyard-"):
            label = "S/M " + broker.removeprefix("switchyard-")
            print(f"{mode:<9}{label:<19}{ratio(r['publish'], m['publish']):>11}"
                  f"{ratio(r['deliver'], m['deliver']):>11}")
print()
print("online:  publish/s = PUBACKs per second while the persistent subscriber is connected;")
print("         deliver/s = messages it received per second, first to last receive.")
print("offline: publish/s = durable ingest, every message queued for the disconnected subscriber;")
print("         deliver/s = the subscriber draining its stored queue after reconnecting.")
print("Rates are the best of the repetitions; lost and dup add up all of them; broker us/msg is")
print("the broker's CPU per delivered message (lowest); client cpu is switchyard-sim's share of")
print("one core (highest): near 100% means the client may limit the rate (see bench/README.md).")
print("S/M: Switchyard with that storage.sync divided by Mosquitto; above 1 is Switchyard faster.")
print("Mosquitto acknowledges from memory (autosave_interval 1800), Switchyard after its commit.")
EOF

bench_finish
