"""Storage faults: the gateway refuses what it cannot store, says so in one log line, keeps
running, and never acknowledges what is not on disk."""

import threading
import time

import paho.mqtt.client as mqtt

from conftest import HOST, MosquittoSub, wait_until


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
