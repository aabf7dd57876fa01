"""SIGKILL under load: every message whose PUBACK the publisher received is delivered after
restart (LESSONS.md 1: Mosquitto loses most of them). Several kill points, with the consumer
offline (everything queued on disk) and online (messages acked and removed while publishing).
"""

import threading
import time

import paho.mqtt.client as mqtt
import pytest

from conftest import HOST

TOTAL = 20000
TOPIC = "crash/data"
SUBSCRIBER = "crash-sub"


class Collector:
    """A persistent-session subscriber that records every sequence number it receives."""

    def __init__(self, port: int):
        self.seen: list[int] = []
        self.lock = threading.Lock()
        self.connected = threading.Event()
        self.client = mqtt.Client(client_id=SUBSCRIBER, clean_session=False,
                                  protocol=mqtt.MQTTv311)
        self.client.on_message = self._on_message
        self.client.on_connect = lambda c, u, f, rc: self.connected.set() if rc == 0 else None
        self.client.connect(HOST, port, keepalive=30)
        self.client.loop_start()
        assert self.connected.wait(10), "subscriber could not connect"

    def _on_message(self, client, userdata, msg):
        with self.lock:
            self.seen.append(int(msg.payload))

    def subscribe(self):
        result, mid = self.client.subscribe("crash/#", qos=1)
        assert result == mqtt.MQTT_ERR_SUCCESS

    def count(self) -> int:
        with self.lock:
            return len(self.seen)

    def drain(self, quiet: float = 2.0, limit: float = 90.0) -> None:
        """Waits until nothing new arrived for `quiet` seconds (bounded by `limit`)."""
        deadline = time.monotonic() + limit
        last, last_change = -1, time.monotonic()
        while time.monotonic() < deadline:
            n = self.count()
            if n != last:
                last, last_change = n, time.monotonic()
            elif time.monotonic() - last_change >= quiet:
                return
            time.sleep(0.1)

    def close(self):
        self.client.loop_stop()
        try:
            self.client.disconnect()
        except Exception:
            pass


def publish_until_killed(gateway, kill_after: int) -> set[int]:
    """Publishes TOTAL QoS 1 messages and SIGKILLs the gateway once kill_after are acked.

    Returns the sequence numbers whose PUBACK arrived before the kill.
    """
    acked_mids: list[int] = []  # appended by paho's thread; list.append is atomic
    pub = mqtt.Client(client_id="crash-pub", clean_session=True, protocol=mqtt.MQTTv311)
    pub.max_inflight_messages_set(200)
    pub.max_queued_messages_set(0)
    pub.on_publish = lambda client, userdata, mid: acked_mids.append(mid)
    pub.connect(HOST, gateway.mqtt_port, keepalive=30)
    pub.loop_start()
    mid_to_seq: dict[int, int] = {}
    try:
        # TOTAL stays below 65536, so paho's message ids do not wrap.
        for seq in range(TOTAL):
            mid_to_seq[pub.publish(TOPIC, str(seq).encode(), qos=1).mid] = seq
        deadline = time.monotonic() + 60
        while len(acked_mids) < kill_after and time.monotonic() < deadline:
            time.sleep(0.002)
        snapshot = list(acked_mids)
        gateway.kill()
    finally:
        pub.loop_stop()
    assert len(snapshot) >= kill_after, f"only {len(snapshot)} acks before the deadline"
    return {mid_to_seq[mid] for mid in snapshot}


@pytest.mark.parametrize("kill_fraction,consumer_online", [
    (0.25, False),
    (0.6, True),
    (0.9, False),
])
def test_sigkill_loses_no_acknowledged_message(gateway, kill_fraction, consumer_online):
    setup = Collector(gateway.mqtt_port)
    setup.subscribe()
    time.sleep(0.3)
    if not consumer_online:
        setup.close()
        time.sleep(0.3)
    before = setup
    acked = publish_until_killed(gateway, int(TOTAL * kill_fraction))
    before.close()
    received_before = set(before.seen)

    gateway.start()
    after = Collector(gateway.mqtt_port)  # same client id, clean session 0: resumes
    after.drain()
    after.close()

    received = received_before | set(after.seen)
    lost = sorted(acked - received)
    duplicates = len(before.seen) + len(after.seen) - len(set(before.seen) | set(after.seen))
    print(f"kill at {kill_fraction:.0%} (consumer {'online' if consumer_online else 'offline'}):"
          f" acked {len(acked)}, received {len(received)}, lost {len(lost)},"
          f" duplicates {duplicates}")
    assert not lost, f"{len(lost)} acknowledged messages lost, first: {lost[:10]}"
