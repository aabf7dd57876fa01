"""switchyard-sim against real brokers: the device fleet (`fleet`), the connection test
(`connect`) and the load generator (`bench`) checked by an independent paho-mqtt observer.

The fleet runs against the gateway over MQTT 3.1.1. The gateway has no MQTT 5 and no TLS yet,
so the MQTT 5 reply path (response topic, correlation data) and TLS client certificates are
checked against Debian's mosquitto, started here on a free port with a throw-away config.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import threading
import time
from collections import defaultdict
from pathlib import Path

import paho.mqtt.client as mqtt
import pytest
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

from conftest import (_SANITIZER_REPORT, BUILD_DIR, HOST, LineCollector, _kill_group, _spawn,
                      free_ports, run, wait_until)

SIM_BIN = BUILD_DIR / "bin" / "switchyard-sim"
TIMEOUT = 10.0

pytestmark = pytest.mark.skipif(not SIM_BIN.exists(), reason=f"{SIM_BIN} is not built")


# ---------------------------------------------------------------------------------------------
# Helpers


class Observer:
    """A paho-mqtt client that records everything it receives, for bounded waits on it."""

    def __init__(self, port: int, topics: list[str], protocol: int = mqtt.MQTTv311):
        self.cond = threading.Condition()
        self.messages: list[tuple[float, mqtt.MQTTMessage]] = []
        self.client = mqtt.Client(protocol=protocol, reconnect_on_failure=False)
        self.client.on_message = self._on_message
        subscribed = threading.Event()
        self.client.on_subscribe = lambda *args: subscribed.set()
        self.client.connect(HOST, port, keepalive=60)
        self.client.loop_start()
        self.client.subscribe([(t, 1) for t in topics])
        assert subscribed.wait(TIMEOUT), "observer: no SUBACK"

    def _on_message(self, client, userdata, msg) -> None:
        with self.cond:
            self.messages.append((time.monotonic(), msg))
            self.cond.notify_all()

    def wait(self, predicate, timeout: float = TIMEOUT) -> bool:
        deadline = time.monotonic() + timeout
        with self.cond:
            while not predicate():
                left = deadline - time.monotonic()
                if left <= 0:
                    return predicate()
                self.cond.wait(left)
            return True

    def on(self, topic: str, since: float = 0.0) -> list[mqtt.MQTTMessage]:
        with self.cond:
            return [m for t, m in self.messages if m.topic == topic and t >= since]

    def latest_status(self) -> dict[str, str]:
        """status/<id> -> the last payload seen for it."""
        with self.cond:
            out = {}
            for _, m in self.messages:
                if m.topic.startswith("status/"):
                    out[m.topic[len("status/"):]] = m.payload.decode()
            return out

    def telemetry_counts(self, since: float, until: float) -> dict[str, int]:
        counts: dict[str, int] = defaultdict(int)
        with self.cond:
            for t, m in self.messages:
                if m.topic.startswith("telemetry/") and since <= t < until:
                    counts[m.topic[len("telemetry/"):]] += 1
        return counts

    def publish(self, topic: str, payload: str, properties: Properties | None = None) -> None:
        info = self.client.publish(topic, payload, qos=1, properties=properties)
        info.wait_for_publish(timeout=TIMEOUT)
        assert info.is_published(), f"observer: publish to {topic} did not complete"

    def close(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()


def retained_statuses(port: int, expected: int) -> dict[str, tuple[str, bool]]:
    """What a fresh subscriber to status/# gets: id -> (payload, retain flag)."""
    obs = Observer(port, ["status/#"])
    try:
        obs.wait(lambda: len(obs.latest_status()) >= expected, timeout=TIMEOUT)
        with obs.cond:
            return {m.topic[len("status/"):]: (m.payload.decode(), bool(m.retain))
                    for _, m in obs.messages}
    finally:
        obs.close()


def device_ids(prefix: str, count: int) -> list[str]:
    width = max(3, len(str(count - 1)))
    return [f"{prefix}{i:0{width}d}" for i in range(count)]


def write_scenario(path: Path, port: int, devices: int, prefix: str, *, interval_ms: int = 1000,
                   duration_s: float = 60, mqtt_version: int = 3, extra: str = "") -> Path:
    path.write_text(f"""
[broker]
host = "{HOST}"
port = {port}
mqtt_version = {mqtt_version}
keepalive_s = 30
[fleet]
devices = {devices}
id_prefix = "{prefix}"
connect_rate = 400
duration_s = {duration_s}
reconnect_min_ms = 300
reconnect_max_ms = 2000
[publish]
interval_ms = {interval_ms}
jitter = 0.1
qos = 0
format = "json"
{extra}
""")
    return path


class Sim:
    """switchyard-sim in its own process group, its stdout collected line by line."""

    def __init__(self, *args: str):
        env = dict(os.environ)
        # Third-party leaks in Paho's TLS path (see lsan_sim.supp); ours are still reported.
        env["LSAN_OPTIONS"] = f"suppressions={Path(__file__).parent / 'lsan_sim.supp'}"
        self.proc = _spawn([SIM_BIN, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           env=env)
        self.out = LineCollector(self.proc.stdout)
        self.err = LineCollector(self.proc.stderr)

    def kill(self) -> None:
        _kill_group(self.proc)
        self.proc.wait(timeout=10)

    def wait_exit(self, timeout: float) -> int:
        try:
            code = self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            raise AssertionError(f"switchyard-sim still running after {timeout} s\n"
                                 f"{self.describe()}") from None
        self.out.wait_eof(5)
        self.err.wait_eof(5)
        reports = [l for l in self.err.snapshot() if _SANITIZER_REPORT.search(l)]
        assert not reports, f"sanitizer report from switchyard-sim:\n{self.describe()}"
        return code

    def final_json(self) -> dict:
        lines = [l for l in self.out.snapshot() if l.startswith("{")]
        assert lines, f"no JSON line\n{self.describe()}"
        return json.loads(lines[-1])

    def describe(self) -> str:
        return ("stdout:\n" + "\n".join(self.out.snapshot()[-30:]) +
                "\nstderr:\n" + "\n".join(self.err.snapshot()[-30:]))


# ---------------------------------------------------------------------------------------------
# The fleet against the gateway


FLEET = 200
WINDOW_S = 8.0


def test_fleet_of_200_online_publishing_obeying_and_leaving_wills(gateway, tmp_path):
    ids = device_ids("fl-", FLEET)
    obs = Observer(gateway.mqtt_port, ["status/#", "telemetry/#", "cmd/+/reply"])
    scenario = write_scenario(tmp_path / "fleet.toml", gateway.mqtt_port, FLEET, "fl-",
                              duration_s=300)
    sim = Sim("fleet", "--scenario", str(scenario), "--progress", "2")
    try:
        # Every device online, and the broker keeps it retained.
        assert obs.wait(lambda: all(obs.latest_status().get(i) == "online" for i in ids), 30), \
            f"not all online: {sorted(i for i in ids if obs.latest_status().get(i) != 'online')[:10]}" \
            f"\n{sim.describe()}"
        retained = retained_statuses(gateway.mqtt_port, FLEET)
        assert all(retained.get(i) == ("online", True) for i in ids), \
            [(i, retained.get(i)) for i in ids if retained.get(i) != ("online", True)][:5]

        # Readings at about one per second per device (generous bounds: a loaded CI machine).
        start = time.monotonic()
        time.sleep(WINDOW_S)
        counts = obs.telemetry_counts(start, start + WINDOW_S)
        slow = {i: counts.get(i, 0) for i in ids if counts.get(i, 0) < WINDOW_S * 0.5}
        assert not slow, f"devices below half the expected rate: {list(slow.items())[:10]}"
        assert sum(counts.values()) <= FLEET * WINDOW_S * 1.5
        sample = json.loads(obs.on(f"telemetry/{ids[0]}")[-1].payload)
        assert set(sample) == {"temp", "hum", "battery", "ts"}

        check_reboot(obs, ids[7])
        check_interval_change(obs, ids[11])

        # A device that loses power: SIGKILL, no DISCONNECT, so the broker publishes every will.
        killed_at = time.monotonic()
        sim.kill()
        assert obs.wait(lambda: all(obs.latest_status().get(i) == "offline" for i in ids), 15), \
            f"wills missing: {[i for i in ids if obs.latest_status().get(i) != 'offline'][:10]}"
        assert all(len(obs.on(f"status/{i}", since=killed_at)) >= 1 for i in ids)
        retained = retained_statuses(gateway.mqtt_port, FLEET)
        assert all(retained.get(i) == ("offline", True) for i in ids)
        assert gateway.running()
    finally:
        obs.close()


def check_reboot(obs: Observer, dev: str) -> None:
    sent_at = time.monotonic()
    obs.publish(f"cmd/{dev}/reboot", '{"id": "r1"}')
    assert obs.wait(lambda: obs.on(f"cmd/{dev}/reply", since=sent_at)), "no reply to reboot"
    reply = json.loads(obs.on(f"cmd/{dev}/reply", since=sent_at)[0].payload)
    assert reply == {"cmd": "reboot", "ok": True, "id": "r1"}

    def statuses():
        return [m.payload.decode() for m in obs.on(f"status/{dev}", since=sent_at)]

    # A clean reboot: it says "offline" itself, disconnects, and comes back after its backoff.
    assert obs.wait(lambda: statuses()[-2:] == ["offline", "online"], 15), statuses()
    back_at = time.monotonic()
    assert obs.wait(lambda: len(obs.on(f"telemetry/{dev}", since=back_at)) >= 2, 10), \
        "no readings after the reboot"


def check_interval_change(obs: Observer, dev: str) -> None:
    sent_at = time.monotonic()
    obs.publish(f"cmd/{dev}/interval", '{"interval_ms": 250, "id": 2}')
    assert obs.wait(lambda: obs.on(f"cmd/{dev}/reply", since=sent_at)), "no reply to interval"
    reply = json.loads(obs.on(f"cmd/{dev}/reply", since=sent_at)[0].payload)
    assert reply == {"cmd": "interval", "ok": True, "id": 2, "interval_ms": 250}
    time.sleep(1.0)  # the first reading on the new interval
    start = time.monotonic()
    time.sleep(4.0)
    got = len([m for m in obs.on(f"telemetry/{dev}", since=start)])
    # 16 expected at 250 ms; at the old 1 s interval it would be about 4.
    assert got >= 9, f"{got} readings in 4 s after interval_ms=250"


def test_fleet_stops_cleanly_on_sigterm_and_reports(gateway, tmp_path):
    ids = device_ids("st-", 5)
    obs = Observer(gateway.mqtt_port, ["status/#", "cmd/+/reply"])
    scenario = write_scenario(tmp_path / "stop.toml", gateway.mqtt_port, 5, "st-",
                              interval_ms=200)
    sim = Sim("fleet", "--scenario", str(scenario), "--progress", "0")
    try:
        assert obs.wait(lambda: all(obs.latest_status().get(i) == "online" for i in ids), 15)
        obs.publish(f"cmd/{ids[0]}/fault", '{"kind": "melt"}')
        obs.wait(lambda: obs.on(f"cmd/{ids[0]}/reply"))
        refused = json.loads(obs.on(f"cmd/{ids[0]}/reply")[0].payload)
        assert refused["ok"] is False and "kind" in refused["error"]
        time.sleep(1)
        sim.proc.send_signal(signal.SIGTERM)
        assert sim.wait_exit(15) == 0, sim.describe()
        report = sim.final_json()
        assert report["devices"] == 5 and report["online"] == 5
        assert report["interrupted"] is True
        assert report["readings_sent"] >= 5
        assert report["commands_refused"] == 1
        assert report["errors"] == 0 and report["unfinished_stops"] == 0
        # A clean stop says "offline" itself (no will needed).
        assert obs.wait(lambda: all(obs.latest_status().get(i) == "offline" for i in ids), 5)
    finally:
        obs.close()


def test_readings_taken_offline_are_flushed_after_a_broker_restart(gateway, tmp_path):
    ids = device_ids("ob-", 5)
    obs = Observer(gateway.mqtt_port, ["status/#"])
    scenario = write_scenario(tmp_path / "offline.toml", gateway.mqtt_port, 5, "ob-",
                              interval_ms=200)
    # Slow reconnects, so that the devices stay offline for a few readings.
    text = scenario.read_text().replace("reconnect_min_ms = 300", "reconnect_min_ms = 2000")
    scenario.write_text(text.replace("reconnect_max_ms = 2000", "reconnect_max_ms = 4000"))
    sim = Sim("fleet", "--scenario", str(scenario), "--progress", "0")
    try:
        assert obs.wait(lambda: all(obs.latest_status().get(i) == "online" for i in ids), 15)
        obs.close()
        gateway.stop()
        time.sleep(2)
        gateway.start()
        obs = Observer(gateway.mqtt_port, ["status/#", "telemetry/#"])
        assert obs.wait(lambda: all(obs.latest_status().get(i) == "online" for i in ids), 20), \
            sim.describe()
        time.sleep(1)
        sim.proc.send_signal(signal.SIGTERM)
        assert sim.wait_exit(15) == 0, sim.describe()
        report = sim.final_json()
        assert report["reconnects"] >= 5 and report["connection_losses"] >= 5
        # At a reading every 200 ms, two seconds and more offline make several per device.
        assert report["readings_buffered"] >= 5 * 5
        assert report["readings_pending"] == 0 and report["readings_dropped"] == 0
        assert all(obs.on(f"telemetry/{i}") for i in ids)
    finally:
        obs.close()


def test_fleet_with_bad_scenario_exits_2(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text("[fleet]\ndevicez = 3\n")
    result = run([SIM_BIN, "fleet", "--scenario", bad], timeout=10)
    assert result.returncode == 2
    assert "unknown setting 'fleet.devicez'" in result.stderr


# ---------------------------------------------------------------------------------------------
# The connection test and the bench against the gateway


def test_connect_mode_reports_percentiles_and_broker_memory(gateway):
    result = run([SIM_BIN, "connect", "--port", gateway.mqtt_port, "--count", "300",
                  "--rate", "300", "--gateway-pid", gateway.proc.pid, "--timeout", "20"],
                 timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr
    assert not _SANITIZER_REPORT.search(result.stderr), result.stderr
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["connected"] == 300 and report["failed"] == 0 and report["dropped"] == 0
    assert 0 < report["connect_p50_ms"] <= report["connect_p99_ms"] <= report["connect_max_ms"]
    assert report["connect_p50_ms"] < 100, "a loopback connect should take well under 100 ms"
    assert report["broker_rss_before_kib"] > 0 and report["broker_rss_after_kib"] > 0
    assert report["broker_bytes_per_connection"] is not None
    assert gateway.running()


def test_bench_counts_match_an_independent_subscriber(gateway):
    topic = f"sy-bench-it/{os.getpid()}"
    msgs = 2000
    obs = Observer(gateway.mqtt_port, [f"{topic}/+"])
    try:
        result = run([SIM_BIN, "bench", "--port", gateway.mqtt_port, "--qos", "1", "--pubs", "1",
                      "--subs", "1", "--msgs", msgs, "--size", "64", "--topic", topic,
                      "--timeout", "20"], timeout=90)
        assert result.returncode == 0, result.stdout + result.stderr
        assert not _SANITIZER_REPORT.search(result.stderr), result.stderr
        report = json.loads(result.stdout.strip().splitlines()[-1])
        assert report["sent"] == msgs and report["unsent"] == 0
        # The bench's own subscriber and ours see the same stream.
        assert report["received"] - report["duplicates"] == msgs - report["lost"]
        assert obs.wait(lambda: len(obs.messages) >= report["sent"], 10)
        with obs.cond:
            ours = len(obs.messages)
        assert ours == report["sent"]
        assert report["lost"] == 0
    finally:
        obs.close()


# ---------------------------------------------------------------------------------------------
# MQTT 5 and TLS against mosquitto


@pytest.fixture
def mosquitto(tmp_path):
    """Starts Debian's mosquitto; returns start(extra_config) -> (plain_port, extra_ports)."""
    exe = shutil.which("mosquitto") or "/usr/sbin/mosquitto"
    if not Path(exe).exists():
        pytest.skip("mosquitto is not installed")
    procs = []

    def start(extra: str = "", extra_ports: int = 0):
        plain, *others = free_ports(1 + extra_ports)
        conf = tmp_path / f"mosquitto{len(procs)}.conf"
        # user root: mosquitto started as root otherwise drops to its own user, which cannot
        # read the test's private temp directory.
        conf.write_text(f"user root\nper_listener_settings false\nallow_anonymous true\n"
                        f"persistence false\nlog_dest stderr\n"
                        f"listener {plain} {HOST}\n" + extra.format(*others))
        proc = _spawn([exe, "-c", conf], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        procs.append(proc)
        assert wait_until(lambda: _accepts(plain), 10), "mosquitto did not start"
        return plain, others

    yield start
    for proc in procs:
        _kill_group(proc)
        proc.wait(timeout=5)


def _accepts(port: int) -> bool:
    import socket
    try:
        with socket.create_connection((HOST, port), timeout=0.5):
            return True
    except OSError:
        return False


def test_mqtt5_replies_go_to_the_response_topic_with_correlation_data(mosquitto, tmp_path):
    port, _ = mosquitto()
    ids = device_ids("v5-", 3)
    obs = Observer(port, ["status/#", "resp/#", "cmd/+/reply"], protocol=mqtt.MQTTv5)
    scenario = write_scenario(tmp_path / "v5.toml", port, 3, "v5-", mqtt_version=5)
    sim = Sim("fleet", "--scenario", str(scenario), "--progress", "0")
    try:
        assert obs.wait(lambda: all(obs.latest_status().get(i) == "online" for i in ids), 15), \
            sim.describe()
        props = Properties(PacketTypes.PUBLISH)
        props.ResponseTopic = "resp/caller-1"
        props.CorrelationData = b"\x00\x01corr"
        obs.publish(f"cmd/{ids[1]}/interval", '{"interval_ms": 500}', properties=props)
        assert obs.wait(lambda: obs.on("resp/caller-1")), "no reply on the response topic"
        reply = obs.on("resp/caller-1")[0]
        assert reply.properties.CorrelationData == b"\x00\x01corr"
        assert json.loads(reply.payload) == {"cmd": "interval", "ok": True, "interval_ms": 500}
        # Without a response topic the reply goes to cmd/<id>/reply.
        obs.publish(f"cmd/{ids[2]}/firmware", '{"version": "2.0.0", "duration_s": 1, "steps": 2}')
        assert obs.wait(lambda: len(obs.on(f"cmd/{ids[2]}/reply")) >= 3, 10)
        states = [json.loads(m.payload)["state"] for m in obs.on(f"cmd/{ids[2]}/reply")]
        assert states[:3] == ["accepted", "downloading", "installed"]
        # An installed update reboots the device: offline, then online again.
        assert obs.wait(lambda: [m.payload for m in obs.on(f"status/{ids[2]}")][-2:] ==
                        [b"offline", b"online"], 15)
        sim.kill()
        assert obs.wait(lambda: all(obs.latest_status().get(i) == "offline" for i in ids), 10)
    finally:
        obs.close()


def _openssl(*args: str, cwd: Path) -> None:
    run(["openssl", *args], cwd=cwd, timeout=30, check=True)


def make_certificates(d: Path, clients: list[str]) -> None:
    """A CA, a server certificate for 127.0.0.1 and a client certificate per device id."""
    _openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out",
             "ca.crt", "-days", "2", "-subj", "/CN=sy-test-ca", cwd=d)
    (d / "san.ext").write_text("subjectAltName=IP:127.0.0.1,DNS:localhost\n")
    names = [("server", "127.0.0.1")] + [(c, c) for c in clients]
    for name, cn in names:
        _openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", f"{name}.key", "-out",
                 f"{name}.csr", "-subj", f"/CN={cn}", cwd=d)
        ext = ["-extfile", "san.ext"] if name == "server" else []
        _openssl("x509", "-req", "-in", f"{name}.csr", "-CA", "ca.crt", "-CAkey", "ca.key",
                 "-CAcreateserial", "-out", f"{name}.crt", "-days", "2", *ext, cwd=d)


def test_tls_client_certificates_per_device(mosquitto, tmp_path):
    if not shutil.which("openssl"):
        pytest.skip("openssl is not installed")
    ids = device_ids("tls-", 3)
    certs = tmp_path / "certs"
    certs.mkdir()
    make_certificates(certs, ids)
    # Devices on a TLS listener that demands a client certificate; the observer on plain TCP.
    plain, (tls_port,) = mosquitto(
        "listener {0} 127.0.0.1\n"
        f"cafile {certs}/ca.crt\ncertfile {certs}/server.crt\nkeyfile {certs}/server.key\n"
        "require_certificate true\nuse_identity_as_username true\n", extra_ports=1)
    obs = Observer(plain, ["status/#", "telemetry/#"])
    scenario = write_scenario(tmp_path / "tls.toml", tls_port, 3, "tls-", extra=f"""
[tls]
enabled = true
ca_file = "{certs}/ca.crt"
cert_file = "{certs}/{{id}}.crt"
key_file = "{certs}/{{id}}.key"
""")
    sim = Sim("fleet", "--scenario", str(scenario), "--progress", "0")
    try:
        assert obs.wait(lambda: all(obs.latest_status().get(i) == "online" for i in ids), 20), \
            sim.describe()
        assert obs.wait(lambda: all(obs.on(f"telemetry/{i}") for i in ids), 10)
        sim.proc.send_signal(signal.SIGINT)
        assert sim.wait_exit(20) == 0, sim.describe()
        assert sim.final_json()["errors"] == 0
    finally:
        obs.close()
