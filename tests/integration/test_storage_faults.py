"""Storage faults: the gateway refuses what it cannot store, says so in one log line, keeps
running, and never acknowledges what is not on disk."""

import threading
import time

import paho.mqtt.client as mqtt

from conftest import GATEWAY_BIN, HOST, MosquittoSub, free_ports, run, wait_until


def test_database_size_cap_refuses_publishes_without_acking(gateway_factory):
    gw = gateway_factory(config="[storage]\nmax_size_mb = 1\n")
    # A persistent session makes every QoS 1 message go to disk.
    sub = MosquittoSub(gw.mqtt_port, ["fill/#"], "-c", "-i", "filler-sub", "-q", "1")
    sub.wait_subscribed()
    assert sub.stop() == 0

    acked: list[int] = []
    disconnected = threading.Event()
    pub = mqtt.Client(client_id="filler", clean_session=True, protocol=mqtt.MQTTv311)
    pub.on_publish = lambda c, u, mid: acked.append(mid)
    pub.on_disconnect = lambda c, u, rc: disconnected.set()
    pub.max_inflight_messages_set(20)
    pub.connect(HOST, gw.mqtt_port, keepalive=30)
    pub.loop_start()
    try:
        payload = b"x" * 16384
        mids = [pub.publish("fill/data", payload, qos=1).mid for _ in range(400)]  # ~6.4 MiB
        assert disconnected.wait(30), "the publisher was never refused"
    finally:
        pub.loop_stop()
    assert 0 < len(acked) < len(mids), f"{len(acked)} of {len(mids)} acked"
    assert any("full" in line.lower() or "storage" in line.lower() for line in gw.lines), \
        "no log line about the failed write"

    # Still alive: a subscriber drains what was acknowledged.
    drain = MosquittoSub(gw.mqtt_port, ["fill/#"], "-c", "-i", "filler-sub", "-q", "1",
                         "-C", str(len(acked)), "-W", "20")
    assert drain.wait_exit(timeout=30) == 0, drain.describe()
    assert len(drain.messages) >= len(acked)
    assert gw.running()


def _second_start(data_dir):
    """Starts a gateway on data_dir with fresh ports; it is expected to refuse and exit."""
    mqtt_port, http_port = free_ports(2)
    return run([GATEWAY_BIN, "--data-dir", data_dir, "--bind", HOST, "--mqtt-port", mqtt_port,
                "--amqp-port", 0, "--stomp-port", 0, "--http-port", http_port], timeout=20)


def test_a_database_in_use_by_another_gateway_is_refused(gateway):
    result = _second_start(gateway.data_dir)
    assert result.returncode != 0, "a second gateway opened a database in use"
    assert "another process" in result.stderr and len(result.stderr.strip().splitlines()) == 1, \
        result.stderr
    assert gateway.running(), "the first gateway suffered from the second one's attempt"


def test_a_file_that_is_not_a_database_is_refused_with_one_line(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    (data / "switchyard.db").write_bytes(bytes(range(256)) * 400)
    result = _second_start(data)
    assert result.returncode != 0
    assert "not a database" in result.stderr and len(result.stderr.strip().splitlines()) == 1, \
        result.stderr
