"""What is durable comes back after a restart, clean (SIGTERM) or not (SIGKILL): retained
messages, persistent MQTT sessions with their subscriptions and queued messages, and the
generated ids keep growing."""

import pytest

from conftest import MosquittoSub, mosquitto_pub


def restart(gateway, how: str) -> None:
    if how == "sigterm":
        assert gateway.stop() == 0
    else:
        gateway.kill()
    gateway.start()


@pytest.mark.parametrize("how", ["sigterm", "sigkill"])
def test_retained_messages_survive_restart(gateway, how):
    mosquitto_pub(gateway.mqtt_port, "status/dev1", "online", qos=1, retain=True)
    mosquitto_pub(gateway.mqtt_port, "status/dev2", "online", qos=1, retain=True)
    mosquitto_pub(gateway.mqtt_port, "status/dev2", qos=1, retain=True)  # cleared
    restart(gateway, how)
    sub = MosquittoSub(gateway.mqtt_port, ["status/+"], "-C", "1", "-W", "5")
    assert sub.wait_exit(timeout=10) == 0, sub.describe()
    [message] = sub.messages
    assert (message.topic, message.payload, message.retain) == ("status/dev1", "online", True)


@pytest.mark.parametrize("how", ["sigterm", "sigkill"])
def test_persistent_session_and_its_queue_survive_restart(gateway, how):
    client = ["-c", "-i", "survivor", "-q", "1"]
    first = MosquittoSub(gateway.mqtt_port, ["fleet/+/cmd"], *client)
    first.wait_subscribed()
    assert first.stop() == 0
    mosquitto_pub(gateway.mqtt_port, "fleet/dev1/cmd", "before", qos=1)
    restart(gateway, how)
    # The subscription came back with the session: this one is routed to it while offline.
    mosquitto_pub(gateway.mqtt_port, "fleet/dev2/cmd", "after", qos=1)
    # mosquitto_sub insists on a topic; subscribing again to the same filter is harmless.
    second = MosquittoSub(gateway.mqtt_port, ["fleet/+/cmd"], *client, "-C", "2", "-W", "10")
    assert second.wait_exit(timeout=15) == 0, second.describe()
    assert [m.payload for m in second.messages] == ["before", "after"]
    assert all(m.qos == 1 for m in second.messages)


def test_clean_session_leaves_nothing_after_restart(gateway):
    first = MosquittoSub(gateway.mqtt_port, ["gone/#"], "-c", "-i", "shortlived", "-q", "1")
    first.wait_subscribed()
    assert first.stop() == 0
    # A clean-session connection with the same id ends the stored session.
    ender = MosquittoSub(gateway.mqtt_port, ["unrelated"], "-i", "shortlived")
    ender.wait_subscribed()
    assert ender.stop() == 0
    restart(gateway, "sigterm")
    mosquitto_pub(gateway.mqtt_port, "gone/x", "nobody home", qos=1)
    again = MosquittoSub(gateway.mqtt_port, ["gone/#"], "-c", "-i", "shortlived", "-q", "1",
                         "-C", "1", "-W", "2")
    assert again.wait_exit(timeout=10) != 0, "no message may arrive: the session was gone"
    assert again.messages == []
