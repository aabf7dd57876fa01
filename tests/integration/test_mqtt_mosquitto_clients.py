"""MQTT 3.1.1 through Mosquitto's own command-line clients: what a Mosquitto user would try
first, with the behaviour Mosquitto has."""

from __future__ import annotations

import time

import pytest

from conftest import MosquittoSub, mosquitto_pub


@pytest.mark.parametrize("qos", [0, 1, 2])
def test_publish_round_trip_each_qos(gateway, qos):
    payload = f"temperature=21.5 unit=°C qos={qos}"
    with MosquittoSub(gateway.mqtt_port, ["site/room1/temp"], "-q", str(qos)) as sub:
        assert sub.wait_subscribed() == [qos]
        mosquitto_pub(gateway.mqtt_port, "site/room1/temp", payload, qos=qos)
        messages = sub.wait_messages(1)
    assert [(m.topic, m.payload) for m in messages] == [("site/room1/temp", payload)]
    assert messages[0].qos == qos
    assert not messages[0].retain


def test_messages_arrive_in_order_with_exact_content(gateway):
    payloads = [f"reading {i:03d}" for i in range(20)]
    with MosquittoSub(gateway.mqtt_port, ["order/test"], "-q", "1") as sub:
        sub.wait_subscribed()
        for payload in payloads:
            mosquitto_pub(gateway.mqtt_port, "order/test", payload, qos=1)
        messages = sub.wait_messages(len(payloads), timeout=10)
    assert [m.payload for m in messages] == payloads


def test_large_payload_round_trip(gateway, tmp_path):
    # 20000 bytes needs a three-byte remaining length.
    payload = ("0123456789abcdef" * 1250)[:20000]
    source = tmp_path / "payload.txt"
    source.write_text(payload)
    with MosquittoSub(gateway.mqtt_port, ["big/blob"], "-q", "1") as sub:
        sub.wait_subscribed()
        mosquitto_pub(gateway.mqtt_port, "big/blob", payload_file=source, qos=1)
        messages = sub.wait_messages(1)
    assert len(messages) == 1
    assert messages[0].payload == payload


def test_retained_message_goes_to_later_subscribers(gateway):
    mosquitto_pub(gateway.mqtt_port, "plant/line1/status", "running", qos=1, retain=True)
    with MosquittoSub(gateway.mqtt_port, ["plant/line1/status"], "-q", "1") as sub:
        sub.wait_subscribed()
        messages = sub.wait_messages(1)
    assert [(m.topic, m.payload, m.retain) for m in messages] == \
        [("plant/line1/status", "running", True)]


def test_retained_message_matches_wildcard_subscriptions(gateway):
    mosquitto_pub(gateway.mqtt_port, "plant/line2/status", "stopped", retain=True)
    mosquitto_pub(gateway.mqtt_port, "plant/line3/status", "running", retain=True)
    with MosquittoSub(gateway.mqtt_port, ["plant/+/status"], "-q", "1") as sub:
        sub.wait_subscribed()
        messages = sub.wait_messages(2)
    assert sorted((m.topic, m.payload, m.retain) for m in messages) == [
        ("plant/line2/status", "stopped", True),
        ("plant/line3/status", "running", True),
    ]


def test_only_the_last_retained_message_is_kept(gateway):
    for value in ["1", "2", "3"]:
        mosquitto_pub(gateway.mqtt_port, "plant/counter", value, qos=1, retain=True)
    with MosquittoSub(gateway.mqtt_port, ["plant/counter"], "-q", "1") as sub:
        sub.wait_subscribed()
        messages = sub.wait_messages(2, timeout=1.5)
    assert [m.payload for m in messages] == ["3"]


def test_live_delivery_of_a_retained_publish_has_retain_clear(gateway):
    # [MQTT-3.3.1-9]: a message published to a subscription that already exists is delivered
    # with RETAIN 0, even if it was published with RETAIN 1.
    with MosquittoSub(gateway.mqtt_port, ["plant/live"], "-q", "1") as sub:
        sub.wait_subscribed()
        mosquitto_pub(gateway.mqtt_port, "plant/live", "on", qos=1, retain=True)
        messages = sub.wait_messages(1)
    assert [(m.payload, m.retain) for m in messages] == [("on", False)]


def test_empty_retained_publish_clears_the_retained_message(gateway):
    mosquitto_pub(gateway.mqtt_port, "plant/line4/status", "running", qos=1, retain=True)
    mosquitto_pub(gateway.mqtt_port, "plant/line4/status", None, qos=1, retain=True)
    with MosquittoSub(gateway.mqtt_port, ["plant/line4/status"], "-q", "1") as sub:
        sub.wait_subscribed()
        # The first message must be this live marker, not a retained leftover.
        mosquitto_pub(gateway.mqtt_port, "plant/line4/status", "marker", qos=1)
        messages = sub.wait_messages(1)
        time.sleep(0.3)
        messages = sub.messages
    assert [(m.payload, m.retain) for m in messages] == [("marker", False)]


def test_will_is_published_when_the_client_drops(gateway):
    with MosquittoSub(gateway.mqtt_port, ["devices/+/state"], "-q", "1") as watcher:
        watcher.wait_subscribed()
        device = MosquittoSub(gateway.mqtt_port, ["devices/dev17/cmd"], "-i", "dev17",
                              "--will-topic", "devices/dev17/state", "--will-payload", "offline",
                              "--will-qos", "1")
        device.wait_subscribed()
        device.kill()  # no DISCONNECT: the server must publish the will
        messages = watcher.wait_messages(1, timeout=5)
    assert [(m.topic, m.payload) for m in messages] == [("devices/dev17/state", "offline")]


def test_will_is_not_published_on_clean_disconnect(gateway):
    with MosquittoSub(gateway.mqtt_port, ["devices/+/state", "devices/marker"]) as watcher:
        watcher.wait_subscribed()
        device = MosquittoSub(gateway.mqtt_port, ["devices/dev18/cmd"], "-i", "dev18",
                              "--will-topic", "devices/dev18/state",
                              "--will-payload", "offline")
        device.wait_subscribed()
        device.stop()  # SIGTERM: mosquitto_sub sends DISCONNECT, so the will is discarded
        assert any("sending DISCONNECT" in line for line in device.stdout.snapshot()), \
            device.describe()
        time.sleep(0.5)
        mosquitto_pub(gateway.mqtt_port, "devices/marker", "done", qos=1)
        watcher.wait_messages(1)
        time.sleep(0.5)
        messages = watcher.messages
    assert [(m.topic, m.payload) for m in messages] == [("devices/marker", "done")]


def test_retained_will_reaches_later_subscribers(gateway):
    device = MosquittoSub(gateway.mqtt_port, ["devices/dev19/cmd"], "-i", "dev19",
                          "--will-topic", "devices/dev19/state", "--will-payload", "lost",
                          "--will-retain")
    device.wait_subscribed()
    device.kill()
    time.sleep(0.5)
    with MosquittoSub(gateway.mqtt_port, ["devices/dev19/state"]) as late:
        late.wait_subscribed()
        messages = late.wait_messages(1)
    assert [(m.payload, m.retain) for m in messages] == [("lost", True)]


def test_wildcard_filters(gateway):
    plus = MosquittoSub(gateway.mqtt_port, ["sensors/+/temp", "marker"])
    hash_ = MosquittoSub(gateway.mqtt_port, ["building/#", "marker"])
    with plus, hash_:
        plus.wait_subscribed()
        hash_.wait_subscribed()
        for topic in ["sensors/a/temp", "sensors/a/b/temp", "sensors/temp", "sensors//temp",
                      "building", "building/", "building/1/2/3", "buildings/x", "marker"]:
            mosquitto_pub(gateway.mqtt_port, topic, topic, qos=1)
        plus_got = plus.wait_messages(3)
        hash_got = hash_.wait_messages(4)
        time.sleep(0.3)
        plus_got, hash_got = plus.messages, hash_.messages
    # "+" matches exactly one level, an empty one included.
    assert [m.topic for m in plus_got] == ["sensors/a/temp", "sensors//temp", "marker"]
    # "x/#" matches x itself and everything below it [MQTT-4.7.1-2].
    assert [m.topic for m in hash_got] == ["building", "building/", "building/1/2/3", "marker"]


def test_hash_alone_matches_everything_but_dollar_topics(gateway_factory):
    gw = gateway_factory(config="[mqtt]\nsys_interval = 1\n")
    everything = MosquittoSub(gw.mqtt_port, ["#"])
    plus_first = MosquittoSub(gw.mqtt_port, ["+/broker/#"])
    sys_topics = MosquittoSub(gw.mqtt_port, ["$SYS/#"])
    with everything, plus_first, sys_topics:
        for sub in (everything, plus_first, sys_topics):
            sub.wait_subscribed()
        mosquitto_pub(gw.mqtt_port, "a/b/c", "one", qos=1)
        mosquitto_pub(gw.mqtt_port, "x/broker/y", "two", qos=1)
        # Wait for the next $SYS round so that $SYS messages were really published.
        sys_got = sys_topics.wait_messages(1, timeout=3)
        assert sys_got, "no $SYS message within 3 s with sys_interval = 1"
        everything.wait_messages(2)
        plus_first.wait_messages(1)
        time.sleep(0.3)
        everything_got, plus_got = everything.messages, plus_first.messages
    # [MQTT-4.7.2-1]: filters starting with a wildcard do not match topics starting with $.
    assert [m.topic for m in everything_got] == ["a/b/c", "x/broker/y"]
    assert [m.topic for m in plus_got] == ["x/broker/y"]
    assert all(m.topic.startswith("$SYS/") for m in sys_got)


def test_persistent_session_receives_messages_sent_while_offline(gateway):
    client = ["-c", "-i", "fixedid", "-q", "1"]
    first = MosquittoSub(gateway.mqtt_port, ["fleet/dev1/cmd"], *client)
    first.wait_subscribed()
    assert first.stop() == 0
    assert any("sending DISCONNECT" in line for line in first.stdout.snapshot())

    for i in range(3):
        mosquitto_pub(gateway.mqtt_port, "fleet/dev1/cmd", f"cmd-{i}", qos=1)

    second = MosquittoSub(gateway.mqtt_port, ["fleet/dev1/cmd"], *client, "-C", "3", "-W", "10")
    assert second.wait_exit(timeout=15) == 0, second.describe()
    messages = second.messages
    assert [m.payload for m in messages] == ["cmd-0", "cmd-1", "cmd-2"]
    assert all(m.qos == 1 for m in messages)


def test_clean_session_discards_the_old_session(gateway):
    persistent = ["-c", "-i", "cleanid", "-q", "1"]
    first = MosquittoSub(gateway.mqtt_port, ["fleet/dev2/cmd"], *persistent)
    first.wait_subscribed()
    first.stop()
    mosquitto_pub(gateway.mqtt_port, "fleet/dev2/cmd", "queued", qos=1)

    # Reconnecting with clean session drops the queued message and the subscription.
    with MosquittoSub(gateway.mqtt_port, ["other/topic"], "-i", "cleanid", "-q", "1") as clean:
        clean.wait_subscribed()
        time.sleep(0.5)
        assert clean.messages == []
    # Had the old subscription survived, this would be queued for the next session.
    mosquitto_pub(gateway.mqtt_port, "fleet/dev2/cmd", "after", qos=1)
    with MosquittoSub(gateway.mqtt_port, ["other/topic"], *persistent) as third:
        third.wait_subscribed()
        time.sleep(0.5)
        assert third.messages == []
