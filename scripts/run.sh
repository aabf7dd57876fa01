#!/usr/bin/env bash
# Installs what is missing, builds the release tree and runs the gateway in the foreground on
# its embedded defaults (data in ./data, 127.0.0.1, MQTT 1883, AMQP 5672, STOMP 61613,
# dashboard http://127.0.0.1:8080/). Arguments go to the gateway, e.g. `--mqtt-port 1884`.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

bash scripts/setup.sh
bash scripts/build.sh release
mkdir -p data
exec build/bin/switchyard "$@"
