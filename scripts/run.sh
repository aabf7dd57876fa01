#!/usr/bin/env bash
# Installs what is missing, builds the release tree and runs the gateway in the foreground on
# its embedded defaults (data in ./data, 127.0.0.1, MQTT 1883, AMQP 5672, STOMP 61613,
# dashboard http://127.0.0.1:8080/). Arguments go to the gateway, e.g. `--mqtt-port 1884`.
# SY_DEMO=1 also starts the demo device fleet (etc/sim-demo.toml) against it, so that the
# dashboard shows live data; Ctrl-C stops both.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

bash scripts/setup.sh
bash scripts/build.sh release
mkdir -p data
if [[ ${SY_DEMO:-0} != 1 ]]; then
    exec build/bin/switchyard "$@"
fi

mqtt_port=1883
args=("$@")
for ((i = 0; i < ${#args[@]}; i++)); do
    case ${args[i]} in
        --mqtt-port) mqtt_port=${args[i + 1]:-1883} ;;
        --mqtt-port=*) mqtt_port=${args[i]#--mqtt-port=} ;;
    esac
done
build/bin/switchyard "$@" &
gateway=$!
fleet=
trap 'kill $gateway $fleet 2>/dev/null || true; wait' EXIT
for _ in $(seq 50); do
    (exec 3<>"/dev/tcp/127.0.0.1/$mqtt_port") 2>/dev/null && break
    kill -0 "$gateway" 2>/dev/null || exit 1
    sleep 0.2
done
build/bin/switchyard-sim fleet --scenario etc/sim-demo.toml --port "$mqtt_port" --progress 60 &
fleet=$!
wait "$gateway"
