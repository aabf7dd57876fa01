#!/usr/bin/env bash
# AMQP 0-9-1 throughput: Switchyard against Debian's RabbitMQ on this machine, the same client.
#
# Starts both brokers on free loopback ports in one run: Switchyard with only its AMQP listener
# on (storage.sync "full" by default: a confirm means the commit is fsynced), and a private
# RabbitMQ node (tests/integration/rabbitmq.py: own ports, own epmd, own Mnesia directory under
# the temporary directory, no plugins). Then runs sy_amqp_load, a librabbitmq client with
# pipelined confirms (bench/amqp_load.c), in two modes, each with 1 and with 4 publishers into
# one queue drained by one consumer (prefetch 1000, acks with multiple=true):
#   transient   non-durable queue, delivery_mode 1, no confirms
#   persistent  durable queue, delivery_mode 2, publisher confirms (window of 1000 per
#               publisher); RabbitMQ confirms a persistent message once it is fsynced, as
#               Switchyard does with sync "full"
# Alternates which broker goes first, keeps the best of the repetitions and prints messages/s
# delivered and published per broker and the Switchyard/RabbitMQ ratio. Builds nothing: it
# expects <build-dir>/bin/switchyard and <build-dir>/bin/sy_amqp_load.
#
#   bench/amqp_throughput.sh [options]
#     --build-dir DIR         where bin/ lives (default: <repo>/build)
#     --gateway FILE          the switchyard binary to run (default: <build-dir>/bin/switchyard)
#     --only BROKER           run one side only: switchyard or rabbitmq
#     --sync LIST             Switchyard storage.sync settings to run (default: full)
#     --modes LIST            transient, persistent or both (default: transient,persistent)
#     --publishers LIST       publisher counts (default: 1,4)
#     --reps N                repetitions per broker and case, best kept (default 2)
#     --transient-msgs N      messages per transient run (default 300000)
#     --persistent-msgs N     messages per persistent run (default 200000)
#     --size BYTES            payload size (default 100, at least 16)
#     --window N              unconfirmed messages per publisher (default 1000)
#     --timeout S             the client gives up after S seconds without progress (default 10)
#     --out FILE              also write every run's JSON result to FILE, one per line
#
# The data directories live under $TMPDIR (default /tmp); on tmpfs an fsync costs nothing.
# Exit status: 0 when every run completed (loss is reported, not fatal), 1 otherwise.
set -euo pipefail

# shellcheck source=SCRIPTDIR/lib.sh disable=SC1091
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
only=
syncs=full
modes=transient,persistent
publisher_counts=1,4
transient_msgs=300000
persistent_msgs=200000
window=1000
load_timeout=10
rabbit_pid=
declare -A beam_pid

own_option() {
    case $1 in
        --only)
            [[ $2 == switchyard || $2 == rabbitmq ]] || {
                bench_fail "--only takes switchyard or rabbitmq"
                exit 2
            }
            only=$2 ;;
        --sync) syncs=$2 ;;
        --modes) modes=$2 ;;
        --publishers) publisher_counts=$2 ;;
        --transient-msgs) transient_msgs=$2 ;;
        --persistent-msgs) persistent_msgs=$2 ;;
        --window) window=$2 ;;
        --timeout) load_timeout=$2 ;;
        *) return 1 ;;
    esac
}
bench_parse own_option "$@"
load=$bench_build_dir/bin/sy_amqp_load
bench_gateway=${bench_gateway:-$bench_build_dir/bin/switchyard}

IFS=, read -ra sync_list <<<"$syncs"
IFS=, read -ra mode_list <<<"$modes"
IFS=, read -ra pub_list <<<"$publisher_counts"
brokers=()
if [[ -z $only || $only == switchyard ]]; then
    for s in "${sync_list[@]}"; do
        [[ $s == full || $s == normal ]] || { bench_fail "--sync takes full or normal"; exit 2; }
        brokers+=("switchyard-$s")
    done
fi
[[ -z $only || $only == rabbitmq ]] && brokers+=(rabbitmq)
for m in "${mode_list[@]}"; do
    [[ $m == transient || $m == persistent ]] || {
        bench_fail "--modes takes transient or persistent"
        exit 2
    }
done
if [[ ${#brokers[@]} -eq 0 || ${#mode_list[@]} -eq 0 || ${#pub_list[@]} -eq 0 ]]; then
    bench_fail "nothing to run"
    exit 2
fi

# What this script needs, before anything starts.
missing=()
[[ -x $load ]] || missing+=("$load (target sy_amqp_load)")
[[ " ${brokers[*]}" != *" switchyard"* || -x $bench_gateway ]] || missing+=("$bench_gateway")
if [[ ${#missing[@]} -gt 0 ]]; then
    bench_fail "missing ${missing[*]}; build first with: bash scripts/build.sh"
    exit 1
fi
if [[ " ${brokers[*]} " == *" rabbitmq "* && ! -x /usr/lib/rabbitmq/bin/rabbitmq-server ]]; then
    bench_fail "Debian's rabbitmq-server is not installed (scripts/setup.sh)"
    exit 1
fi
for tool in python3 ss; do
    command -v $tool >/dev/null || { bench_fail "needs $tool"; exit 1; }
done

work=$(mktemp -d "${TMPDIR:-/tmp}/sy-bench.XXXXXX")
clk_tck=$(getconf CLK_TCK)

# RabbitMQ's wrapper (rabbitmq.py serve) stops the node cleanly on SIGTERM, which can take longer
# than lib.sh's 5 s; give it 40 s before the common cleanup runs.
amqp_cleanup() {
    if [[ -n $rabbit_pid ]] && kill -0 "$rabbit_pid" 2>/dev/null; then
        kill -TERM "$rabbit_pid" 2>/dev/null || true
        for _ in $(seq 400); do
            kill -0 "$rabbit_pid" 2>/dev/null || break
            sleep 0.1
        done
    fi
    bench_cleanup
}
trap amqp_cleanup EXIT
trap 'exit 130' INT TERM

# start_switchyard_amqp NAME SYNC: a gateway with only its AMQP listener on.
start_switchyard_amqp() {
    local name=$1 sync=$2 data_dir
    port[$name]=$(pick_port)
    data_dir=$(bench_data_dir "$name")
    printf '[storage]\nsync = "%s"\n' "$sync" >"$work/$name.toml"
    "$bench_gateway" --config "$work/$name.toml" --data-dir "$data_dir" --bind 127.0.0.1 \
        --mqtt-port 0 --amqp-port "${port[$name]}" --stomp-port 0 --http-port 0 \
        >"$work/$name.log" 2>&1 &
    pid[$name]=$!
    beam_pid[$name]=${pid[$name]}
    await_broker "$name"
}

# start_rabbitmq: the private node, waited for up to 90 s (a first boot takes 5-10 s here).
start_rabbitmq() {
    local log=$work/rabbitmq.log ready
    port[rabbitmq]=$(pick_port)
    python3 "$repo/tests/integration/rabbitmq.py" serve --workdir "$work/rabbitmq" \
        --amqp-port "${port[rabbitmq]}" >"$log" 2>&1 &
    rabbit_pid=$!
    for _ in $(seq 900); do
        ready=$(grep -m1 '^ready ' "$log" || true)
        [[ -n $ready ]] && break
        if ! kill -0 "$rabbit_pid" 2>/dev/null; then
            bench_fail "RabbitMQ did not start; its log:"
            tail -n 20 "$log" >&2
            exit 1
        fi
        sleep 0.1
    done
    if [[ -z $ready ]]; then
        bench_fail "RabbitMQ not ready after 90 s"
        exit 1
    fi
    # CPU is read from the Erlang VM, a child of the rabbitmq-server script the wrapper runs.
    local script_pid=${ready#* pid=}
    script_pid=${script_pid%% *}
    beam_pid[rabbitmq]=$(pgrep -P "$script_pid" beam.smp | head -n 1 || true)
    [[ -n ${beam_pid[rabbitmq]} ]] || { bench_fail "no beam.smp under pid $script_pid"; exit 1; }
    echo "started rabbitmq $(dpkg-query -W -f '${Version}' rabbitmq-server 2>/dev/null)" \
        "on 127.0.0.1:${port[rabbitmq]} (beam pid ${beam_pid[rabbitmq]})"
}

for b in "${brokers[@]}"; do
    if [[ $b == rabbitmq ]]; then
        start_rabbitmq
    else
        start_switchyard_amqp "$b" "${b#switchyard-}"
    fi
done

data_dir=$work
fs=$(df --output=fstype "$data_dir" | tail -n 1)
echo "data directories on $fs under $work"
if [[ $fs == tmpfs || $fs == ramfs ]]; then
    bench_fail "warning: on $fs an fsync costs nothing; point TMPDIR at a disk"
fi

# run_load BROKER REP LABEL ARGS...: one sy_amqp_load run, appended to $work/results.jsonl as
# {"broker", "rep", "broker_cpu_s", "load": {...}}. A failed run is reported and counted.
run_load() {
    local name=$1 rep=$2 label=$3 before after cpu status=0 json log
    shift 3
    run_count=$((run_count + 1))
    log=$work/run-$run_count.txt
    before=$(cpu_seconds "${beam_pid[$name]}")
    timeout --kill-after=5 900 "$load" --host 127.0.0.1 --port "${port[$name]}" \
        --size "$bench_size" --window "$window" --timeout "$load_timeout" "$@" >"$log" 2>&1 &
    sim_pid=$!
    wait "$sim_pid" || status=$?
    sim_pid=
    after=$(cpu_seconds "${beam_pid[$name]}")
    json=$(grep '^{' "$log" | tail -n 1 || true)
    if [[ $status -ne 0 || -z $json ]]; then
        echo "  $label: FAILED (exit $status)" >&2
        sed 's/^/    /' "$log" | grep -v '^    {' >&2 || true
        failures=$((failures + 1))
        return 0
    fi
    cpu=$(awk -v a="$after" -v b="$before" 'BEGIN { printf "%.3f", a - b }')
    printf '{"broker":"%s","rep":%d,"broker_cpu_s":%s,"load":%s}\n' "$name" "$rep" "$cpu" \
        "$json" >>"$work/results.jsonl"
    python3 - "$label" "$json" <<'EOF'
import json, sys
label, r = sys.argv[1], json.loads(sys.argv[2])
print(f"  {label}: deliver {r['deliver_rate']:>9.0f}/s  publish {r['publish_rate']:>9.0f}/s"
      f"  lost {r['lost']}  dup {r['duplicates']}  nacked {r['nacked']}")
EOF
}

width=0
for b in "${brokers[@]}"; do ((${#b} > width)) && width=${#b}; done
echo "running: 1 queue, 1 consumer, publishers ${publisher_counts}, $bench_size-byte payloads," \
    "best of $bench_reps"
turn=0
n=${#brokers[@]}
for mode in "${mode_list[@]}"; do
    msgs=$transient_msgs
    args=(--queue sy-bench-transient)
    if [[ $mode == persistent ]]; then
        msgs=$persistent_msgs
        args=(--queue sy-bench-persistent --persistent)
    fi
    for pubs in "${pub_list[@]}"; do
        for rep in $(seq "$bench_reps"); do
            for ((i = 0; i < n; i++)); do
                b=${brokers[(i + turn) % n]}
                run_load "$b" "$rep" "$(printf '%-*s %s %sp run %s' "$width" "$b" "$mode" \
                    "$pubs" "$rep")" --msgs "$msgs" --publishers "$pubs" "${args[@]}"
            done
            turn=$((turn + 1))
        done
    done
done

bench_report <<'EOF'
import json, sys

runs = [json.loads(line) for line in open(sys.argv[1])]
best = {}
for run in runs:
    r = run["load"]
    key = (r["mode"], r["publishers"], run["broker"])
    if key not in best or r["deliver_rate"] > best[key]["load"]["deliver_rate"]:
        best[key] = run

header = (f"{'mode':<11}{'pubs':>4}  {'broker':<19}{'deliver/s':>11}{'publish/s':>11}"
          f"{'p50 ms':>9}{'p99 ms':>9}{'lost':>7}{'dup':>6}{'broker us/msg':>15}"
          f"{'client cpu':>12}")
print(header)
print("-" * len(header))
cases = sorted({(m, p) for m, p, _ in best}, key=lambda c: (c[0] != "transient", c[1]))
for mode, pubs in cases:
    rows = {b: best[(m, p, b)] for m, p, b in best if (m, p) == (mode, pubs)}
    for broker in sorted(rows, key=lambda b: (b == "rabbitmq", b)):
        run, r = rows[broker], rows[broker]["load"]
        per_msg = run["broker_cpu_s"] / r["received"] * 1e6 if r["received"] else 0.0
        client = 100.0 * r["client_cpu_s"] / r["active_s"] if r["active_s"] else 0.0
        print(f"{mode:<11}{pubs:>4}  {broker:<19}{r['deliver_rate']:>11.0f}"
              f"{r['publish_rate']:>11.0f}{r['p50_us'] / 1000:>9.1f}{r['p99_us'] / 1000:>9.1f}"
              f"{r['lost']:>7}{r['duplicates']:>6}{per_msg:>15.2f}{client:>11.0f}%")
    rabbit = rows.get("rabbitmq")
    for broker, run in sorted(rows.items()):
        if rabbit is None or broker == "rabbitmq":
            continue
        s, q = run["load"], rabbit["load"]
        ratio = lambda a, b: f"{a / b:.2f}x" if b else "n/a"
        print(f"{mode:<11}{pubs:>4}  {'S/R ' + broker.removeprefix('switchyard-'):<19}"
              f"{ratio(s['deliver_rate'], q['deliver_rate']):>11}"
              f"{ratio(s['publish_rate'], q['publish_rate']):>11}")
print()
print("deliver/s: messages the consumer received per second, first to last receive.")
print("publish/s: publishes completed per second, first publish to last completion")
print("           (transient: written to the socket; persistent: confirmed by basic.ack).")
print("p50/p99: publish to receive. Publishers run flat out, so this is mostly queueing time.")
print("broker us/msg: the broker's CPU (all threads; RabbitMQ's Erlang VM) per delivered message.")
print("client cpu: sy_amqp_load's CPU as a share of one core; it should stay well below 100%.")
print("S/R: Switchyard with that storage.sync divided by RabbitMQ; issue 4's target is 2x.")
EOF

bench_finish
