#!/usr/bin/env bash
# Installs the Debian packages Switchyard builds and tests with. Idempotent: when every package
# is present it changes nothing and prints nothing. Needs root (or sudo) only to install.
#
# Debian's mosquitto package starts a broker on port 1883 when installed; the gateway's default
# port is 1883 too, and the tests start their own brokers. So the install runs with a temporary
# policy-rc.d that forbids service starts, and a packaged daemon found running is stopped.
set -euo pipefail

readonly packages=(
    build-essential cmake ninja-build pkg-config git
    clang libclang-rt-14-dev
    libwebsockets-dev libwebsockets-evlib-uv libuv1-dev
    libpaho-mqtt-dev libpaho-mqttpp-dev
    libsqlite3-dev sqlite3 libssl-dev
    libgtest-dev libgmock-dev libbenchmark-dev
    libtomlplusplus-dev libcli11-dev libspdlog-dev libfmt-dev nlohmann-json3-dev
    mosquitto mosquitto-clients
    amqp-tools librabbitmq-dev rabbitmq-server
    python3 python3-paho-mqtt python3-pika python3-stomp python3-pytest python3-pytest-timeout
    chromium
    procps iproute2
)
readonly policy_rc=/usr/sbin/policy-rc.d
readonly mosquitto_pidfile=/run/mosquitto/mosquitto.pid
readonly mosquitto_conf=/etc/mosquitto/mosquitto.conf

log() { printf 'setup: %s\n' "$*"; }
die() { printf 'setup: error: %s\n' "$*" >&2; exit 1; }

is_installed() {
    local status
    status=$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null) || return 1
    [[ $status == "install ok installed" ]]
}

# Runs a command as root: directly when we are root, else through sudo when it exists.
as_root() {
    if [[ $EUID -eq 0 ]]; then
        "$@"
    elif command -v sudo >/dev/null 2>&1; then
        sudo "$@"
    else
        die "root is needed to run: $* (run this script as root)"
    fi
}

policy_rc_created=0
remove_policy_rc() {
    if [[ $policy_rc_created -eq 1 ]]; then
        as_root rm -f "$policy_rc" || true
        policy_rc_created=0
    fi
}

# Forbid maintainer scripts from starting services (exit code 101 = "action forbidden"),
# unless the administrator already has a policy of their own, which we leave alone.
forbid_service_starts() {
    [[ -e $policy_rc ]] && return 0
    trap remove_policy_rc EXIT
    printf '#!/bin/sh\n# Temporary, written by switchyard scripts/setup.sh.\nexit 101\n' |
        as_root tee "$policy_rc" >/dev/null
    as_root chmod 0755 "$policy_rc"
    policy_rc_created=1
}

# Runs an apt-get command with its output in a log that is shown only when it fails.
apt_quiet() {
    local out
    out=$(mktemp)
    if ! as_root env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 "$@" \
        >"$out" 2>&1; then
        tail -n 40 "$out" >&2
        rm -f "$out"
        die "apt-get $* failed"
    fi
    rm -f "$out"
}

install_missing() {
    local missing=() pkg
    for pkg in "${packages[@]}"; do
        is_installed "$pkg" || missing+=("$pkg")
    done
    # Node.js may come from elsewhere than Debian (NodeSource's nodejs conflicts with Debian's
    # npm): take Debian's only when there is no npm at all.
    if ! command -v npm >/dev/null 2>&1; then
        is_installed nodejs || missing+=(nodejs)
        missing+=(npm)
    fi
    [[ ${#missing[@]} -eq 0 ]] && return 0

    forbid_service_starts
    apt_quiet update -q
    apt_quiet install -y -q --no-install-recommends "${missing[@]}"
    remove_policy_rc
    log "installed ${#missing[@]} package(s): ${missing[*]}"
}

# Prints the pids of mosquitto daemons started from the package: the one its pid file names,
# and any started with the package's configuration file. Test brokers are left alone.
packaged_mosquitto_pids() {
    local pid
    if [[ -r $mosquitto_pidfile ]]; then
        pid=$(tr -dc '0-9' <"$mosquitto_pidfile")
        if [[ -n $pid && $(cat "/proc/$pid/comm" 2>/dev/null) == mosquitto ]] && alive "$pid"; then
            echo "$pid"
        fi
    fi
    command -v pgrep >/dev/null 2>&1 || return 0
    { pgrep -x mosquitto || true; } | while read -r pid; do
        if alive "$pid" && tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null |
            grep -q -- "-c $mosquitto_conf"; then
            echo "$pid"
        fi
    done
}

# True while the process runs (a zombie has exited already).
alive() {
    local stat
    stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
    stat=${stat##*) }
    [[ ${stat:0:1} != Z ]]
}

systemd_running() {
    [[ -d /run/systemd/system ]] && command -v systemctl >/dev/null 2>&1
}

# Keeps port 1883 free: stops a running packaged broker and keeps it from starting at boot.
quiet_system_mosquitto() {
    is_installed mosquitto || return 0
    if systemd_running && systemctl is-enabled --quiet mosquitto 2>/dev/null; then
        as_root systemctl disable --quiet mosquitto >/dev/null 2>&1 || true
    fi

    local pids
    pids=$(packaged_mosquitto_pids | sort -u | tr '\n' ' ')
    [[ -z ${pids// /} ]] && return 0

    if systemd_running; then
        as_root systemctl stop mosquitto >/dev/null 2>&1 || true
    elif command -v service >/dev/null 2>&1; then
        as_root service mosquitto stop >/dev/null 2>&1 || true
    fi
    local pid tries
    for pid in $pids; do
        alive "$pid" || continue
        as_root kill -TERM "$pid" 2>/dev/null || true
        for ((tries = 0; tries < 50; tries++)); do
            alive "$pid" || break
            sleep 0.1
        done
        if alive "$pid"; then as_root kill -KILL "$pid" 2>/dev/null || true; fi
    done
    log "stopped the system mosquitto service (pid ${pids% }) so port 1883 stays free"
}

# Keeps port 5672 free the same way: Debian's rabbitmq-server starts a broker there. The
# benchmarks start their own RabbitMQ on other ports.
quiet_system_rabbitmq() {
    is_installed rabbitmq-server || return 0
    if systemd_running && systemctl is-enabled --quiet rabbitmq-server 2>/dev/null; then
        as_root systemctl disable --quiet rabbitmq-server >/dev/null 2>&1 || true
    fi
    command -v pgrep >/dev/null 2>&1 || return 0
    local pids
    pids=$({ pgrep -u rabbitmq -f 'beam.*rabbit' || true; } | tr '\n' ' ')
    [[ -z ${pids// /} ]] && return 0
    if systemd_running; then
        as_root systemctl stop rabbitmq-server >/dev/null 2>&1 || true
    elif command -v service >/dev/null 2>&1; then
        as_root service rabbitmq-server stop >/dev/null 2>&1 || true
    fi
    local pid
    for pid in $pids; do
        alive "$pid" && as_root kill -TERM "$pid" 2>/dev/null || true
    done
    log "stopped the system rabbitmq-server (pid ${pids% }) so port 5672 stays free"
}

# The browser tests' npm packages (playwright-core, @stomp/stompjs, mqtt), exactly as
# package-lock.json pins them. `npm ci` only when node_modules is missing or older than the
# lock file; never a browser download: the tests drive Debian's chromium.
install_node_modules() {
    local root out
    root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
    [[ -f $root/package-lock.json ]] || return 0
    if [[ -d $root/node_modules && $root/node_modules -nt $root/package-lock.json ]]; then
        return 0
    fi
    out=$(mktemp)
    if ! (cd "$root" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund) \
        >"$out" 2>&1; then
        tail -n 40 "$out" >&2
        rm -f "$out"
        die "npm ci failed"
    fi
    rm -f "$out"
    # npm ci may keep the folder's old timestamp; the check above compares against it.
    touch "$root/node_modules"
    log "installed the npm packages of package-lock.json into node_modules/"
}

install_missing
install_node_modules
quiet_system_mosquitto
quiet_system_rabbitmq
