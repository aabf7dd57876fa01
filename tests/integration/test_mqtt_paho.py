"""MQTT 3.1.1 conformance with paho-mqtt (Python) and hand-built packets on a raw socket for the
cases no well-behaved client produces. Spec rule ids refer to MQTT 3.1.1 (OASIS, 2014)."""

from __future__ import annotations

import queue
import threading
import time

import paho.mqtt.client as mqtt
import pytest

import mqtt_raw as raw
from conftest import HOST
from mqtt_raw import RawClient

TIMEOUT = 5.0


class PahoClient:
    """A paho-mqtt client on its own network thread, with waits that never block forever."""

    def __init__(self, port: int, client_id: str = "", clean_session: bool = True,
                 protocol: int = mqtt.MQTTv311):
        self.port = port
        self.client = mqtt.Client(client_id=client_id, clean_session=clean_session,
                                  protocol=protocol, reconnect_on_failure=False)
        self.connack = queue.Queue()
        self.subacks: dict[int, queue.Queue] = {}
        self.messages: queue.Queue = queue.Queue()
        self.disconnected = threading.Event()
        self._lock = threading.Lock()
        self.client.on_connect = lambda c, u, flags, rc: self.connack.put(rc)
        self.client.on_message = lambda c, u, msg: self.messages.put(msg)
        self.client.on_subscribe = self._on_subscribe
        self.client.on_disconnect = lambda c, u, rc: self.disconnected.set()

    def _suback_queue(self, mid: int) -> queue.Queue:
        with self._lock:
            return self.subacks.setdefault(mid, queue.Queue())

    def _on_subscribe(self, client, userdata, mid, granted_qos):
        self._suback_queue(mid).put(list(granted_qos))

    def __enter__(self) -> "PahoClient":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def connect(self, keepalive: int = 60) -> int:
        """Connects and returns the CONNACK return code."""
        self.client.connect(HOST, self.port, keepalive=keepalive)
        self.client.loop_start()
        return self.connack.get(timeout=TIMEOUT)

    def subscribe(self, topic: str, qos: int = 0) -> list[int]:
        """Subscribes and returns the granted QoS list from the SUBACK."""
        rc, mid = self.client.subscribe(topic, qos)
        assert rc == mqtt.MQTT_ERR_SUCCESS
        return self._suback_queue(mid).get(timeout=TIMEOUT)

    def publish(self, topic: str, payload: bytes | str, qos: int = 0,
                retain: bool = False) -> None:
        """Publishes and, for QoS 1 and 2, waits for the flow to complete."""
        info = self.client.publish(topic, payload, qos=qos, retain=retain)
        info.wait_for_publish(timeout=TIMEOUT)
        assert info.is_published(), f"publish to {topic} at QoS {qos} did not complete"

    def next_message(self, timeout: float = TIMEOUT) -> mqtt.MQTTMessage:
        return self.messages.get(timeout=timeout)

    def no_message(self, wait: float = 0.5) -> bool:
        try:
            msg = self.messages.get(timeout=wait)
        except queue.Empty:
            return True
        raise AssertionError(f"unexpected message on {msg.topic}: {msg.payload!r}")

    def close(self) -> None:
        try:
            self.client.disconnect()
        finally:
            self.client.loop_stop()


def raw_connected(port: int, client_id: str = "", **kwargs) -> RawClient:
    client = RawClient(port)
    session_present, code = client.connect(client_id, **kwargs)
    assert code == 0, f"CONNACK return code {code}"
    return client


def send_ignoring_reset(client: RawClient, data: bytes) -> None:
    # The server may close as soon as it has seen enough to know the packet is bad.
    try:
        client.send(data)
    except (BrokenPipeError, ConnectionResetError):
        pass


def assert_broker_still_works(port: int, topic: str = "health/check") -> None:
    """A fresh subscriber and publisher still get a message through."""
    with raw_connected(port) as sub, raw_connected(port) as pub:
        assert sub.subscribe([(topic, 0)]) == [0]
        pub.send(raw.publish(topic, b"still alive"))
        flags, body = sub.expect(raw.PUBLISH)
        assert raw.parse_publish(flags, body)[:2] == (topic, b"still alive")


# ---------------------------------------------------------------------------------------------
# CONNECT and CONNACK


def test_paho_v311_connects_and_round_trips(gateway):
    with PahoClient(gateway.mqtt_port, "paho-311") as client:
        assert client.connect() == 0
        assert client.subscribe("paho/echo", 1) == [1]
        client.publish("paho/echo", b"\x00\x01binary\xff", qos=1)
        msg = client.next_message()
    assert (msg.topic, msg.payload, msg.qos) == ("paho/echo", b"\x00\x01binary\xff", 1)


def test_mqtt31_protocol_name_is_accepted(gateway):
    # MQTT 3.1 clients send protocol name "MQIsdp" with level 3; Mosquitto accepts them.
    with RawClient(gateway.mqtt_port) as client:
        assert client.connect("legacy-raw", protocol=b"MQIsdp", level=3) == (False, 0)
        client.ping()
    with PahoClient(gateway.mqtt_port, "legacy-paho", protocol=mqtt.MQTTv31) as client:
        assert client.connect() == 0
        assert client.subscribe("legacy/t", 0) == [0]
        client.publish("legacy/t", "hello")
        assert client.next_message().payload == b"hello"


@pytest.mark.parametrize("level", [2, 6, 7])
def test_unsupported_protocol_level_is_refused_with_0x01(gateway, level):
    # [MQTT-3.1.2-2]: CONNACK 0x01 (unacceptable protocol version), then disconnect.
    with RawClient(gateway.mqtt_port) as client:
        client.send(raw.connect("bad-level", level=level))
        flags, body = client.expect(raw.CONNACK)
        assert body == b"\x00\x01"
        client.wait_closed(TIMEOUT)


def test_empty_client_id_without_clean_session_is_refused_with_0x02(gateway):
    # [MQTT-3.1.3-8]: CONNACK 0x02 (identifier rejected), then close.
    with RawClient(gateway.mqtt_port) as client:
        client.send(raw.connect("", clean=False))
        flags, body = client.expect(raw.CONNACK)
        assert body == b"\x00\x02"
        client.wait_closed(TIMEOUT)


def test_empty_client_id_with_clean_session_is_accepted(gateway):
    # [MQTT-3.1.3-6]: the server assigns an identifier.
    with RawClient(gateway.mqtt_port) as first, RawClient(gateway.mqtt_port) as second:
        assert first.connect("") == (False, 0)
        assert second.connect("") == (False, 0)
        first.ping()
        second.ping()


def test_session_present_flag(gateway):
    with raw_connected(gateway.mqtt_port, "sp-client", clean=False) as client:
        client.subscribe([("sp/topic", 1)])
        client.send(raw.DISCONNECT_PACKET)
        client.wait_closed(TIMEOUT)
    # [MQTT-3.2.2-2]: clean session 0 and a stored session -> session present 1.
    with RawClient(gateway.mqtt_port) as client:
        assert client.connect("sp-client", clean=False) == (True, 0)
        client.send(raw.DISCONNECT_PACKET)
    # [MQTT-3.2.2-1]: clean session 1 -> session present 0.
    with RawClient(gateway.mqtt_port) as client:
        assert client.connect("sp-client", clean=True) == (False, 0)


def test_second_connection_with_same_client_id_takes_over(gateway):
    # [MQTT-3.1.4-2]: the server disconnects the existing client with that id.
    with RawClient(gateway.mqtt_port) as first:
        assert first.connect("takeover-id") == (False, 0)
        with PahoClient(gateway.mqtt_port, "takeover-id") as second:
            assert second.connect() == 0
            first.wait_closed(TIMEOUT)
            assert second.subscribe("takeover/t", 1) == [1]
            second.publish("takeover/t", "mine", qos=1)
            assert second.next_message().payload == b"mine"
            assert not second.disconnected.is_set()


# ---------------------------------------------------------------------------------------------
# Keep alive


def test_keepalive_expiry_closes_a_silent_connection(gateway):
    # [MQTT-3.1.2-24]: no packet within one and a half keep-alive periods -> disconnect.
    with RawClient(gateway.mqtt_port) as client:
        assert client.connect("sleepy", keepalive=1) == (False, 0)
        elapsed = client.wait_closed(timeout=4.0)
    assert 1.0 <= elapsed <= 3.0, f"closed after {elapsed:.2f} s, expected about 1.5 s"


def test_keepalive_is_honoured_while_pings_arrive(gateway):
    with RawClient(gateway.mqtt_port) as client:
        assert client.connect("pinger", keepalive=1) == (False, 0)
        deadline = time.monotonic() + 3.0
        while time.monotonic() < deadline:
            client.ping()
            time.sleep(0.5)
        assert client.is_open()


def test_keepalive_zero_means_no_timeout(gateway):
    with RawClient(gateway.mqtt_port) as client:
        assert client.connect("no-keepalive", keepalive=0) == (False, 0)
        time.sleep(2.5)
        assert client.is_open()
        client.ping()


# ---------------------------------------------------------------------------------------------
# SUBSCRIBE and QoS


def test_invalid_filters_get_suback_0x80_and_valid_ones_work(gateway):
    # [MQTT-3.9.3-2] failure return code 0x80; wildcard rules in section 4.7.1.
    with raw_connected(gateway.mqtt_port, "filters") as client:
        codes = client.subscribe([("valid/+/x", 1), ("a/#/b", 1), ("a/b#", 0), ("c/+x", 0),
                                  ("d/#", 2)])
        assert codes == [1, 0x80, 0x80, 0x80, 2]
        client.ping()
        client.send(raw.publish("valid/y/x", b"ok"))
        flags, body = client.expect(raw.PUBLISH)
        assert raw.parse_publish(flags, body)[:2] == ("valid/y/x", b"ok")


@pytest.mark.parametrize("sub_qos,pub_qos,expected", [
    (1, 2, 1),
    (0, 2, 0),
    (0, 1, 0),
    (2, 1, 1),
    (2, 0, 0),
    (2, 2, 2),
])
def test_delivered_qos_is_the_minimum_of_publish_and_subscription(gateway, sub_qos, pub_qos,
                                                                    expected):
    # Section 3.8.4: the server downgrades to the granted QoS and never upgrades.
    with PahoClient(gateway.mqtt_port, "qos-sub") as sub, \
            PahoClient(gateway.mqtt_port, "qos-pub") as pub:
        assert sub.connect() == 0 and pub.connect() == 0
        assert sub.subscribe("qos/t", sub_qos) == [sub_qos]
        pub.publish("qos/t", f"sub{sub_qos}-pub{pub_qos}", qos=pub_qos)
        msg = sub.next_message()
    assert (msg.payload, msg.qos) == (f"sub{sub_qos}-pub{pub_qos}".encode(), expected)


def test_qos2_is_delivered_exactly_once_when_the_publisher_resends(gateway):
    # Section 4.3.3: a re-sent PUBLISH (DUP) before PUBREL must not be delivered again.
    with raw_connected(gateway.mqtt_port, "exactly-once-sub") as sub, \
            raw_connected(gateway.mqtt_port, "exactly-once-pub") as pub:
        assert sub.subscribe([("once/t", 0)]) == [0]
        pub.send(raw.publish("once/t", b"one", qos=2, packet_id=7))
        assert pub.expect(raw.PUBREC)[1] == b"\x00\x07"
        pub.send(raw.publish("once/t", b"one", qos=2, packet_id=7, dup=True))
        assert pub.expect(raw.PUBREC)[1] == b"\x00\x07"
        pub.send(raw.ack(raw.PUBREL, 7))
        assert pub.expect(raw.PUBCOMP)[1] == b"\x00\x07"
        flags, body = sub.expect(raw.PUBLISH)
        assert raw.parse_publish(flags, body)[:2] == ("once/t", b"one")
        with pytest.raises(TimeoutError):
            sub.read_packet(timeout=0.7)


def test_qos1_is_redelivered_to_a_reconnecting_persistent_session(gateway):
    # Section 4.4: unacknowledged QoS 1 messages are re-sent, with DUP, on reconnect.
    with raw_connected(gateway.mqtt_port, "redeliver", clean=False) as sub:
        assert sub.subscribe([("redo/t", 1)]) == [1]
        with raw_connected(gateway.mqtt_port, "redo-pub") as pub:
            pub.send(raw.publish("redo/t", b"again", qos=1, packet_id=3))
            pub.expect(raw.PUBACK)
        flags, body = sub.expect(raw.PUBLISH)
        assert raw.parse_publish(flags, body)[:2] == ("redo/t", b"again")
        # no PUBACK: drop the connection
    with RawClient(gateway.mqtt_port) as sub:
        assert sub.connect("redeliver", clean=False) == (True, 0)
        flags, body = sub.expect(raw.PUBLISH)
        topic, payload, qos, retain, packet_id = raw.parse_publish(flags, body)
        assert (topic, payload, qos) == ("redo/t", b"again", 1)
        assert flags & 0x08, "a redelivered PUBLISH carries DUP [MQTT-4.4.0-1]"
        sub.send(raw.ack(raw.PUBACK, packet_id))
        sub.ping()


def test_unsubscribe_stops_delivery(gateway):
    with PahoClient(gateway.mqtt_port, "unsub") as client:
        assert client.connect() == 0
        assert client.subscribe("unsub/t", 1) == [1]
        client.publish("unsub/t", "before", qos=1)
        assert client.next_message().payload == b"before"
        rc, mid = client.client.unsubscribe("unsub/t")
        assert rc == mqtt.MQTT_ERR_SUCCESS
        time.sleep(0.3)
        client.publish("unsub/t", "after", qos=1)
        assert client.no_message(0.7)


# ---------------------------------------------------------------------------------------------
# Malformed input: the offending connection is closed and everyone else carries on.

MALFORMED_AFTER_CONNECT = {
    # Remaining length of five bytes; section 2.2.3 allows at most four.
    "remaining_length_too_long": b"\x30\xff\xff\xff\xff\x01",
    # QoS 3 is reserved [MQTT-3.3.1-4].
    "publish_qos_3": bytes([0x36]) + raw.publish("a/b", b"x", qos=1)[1:],
    # SUBSCRIBE fixed-header flags must be 0010 [MQTT-3.8.1-1].
    "subscribe_reserved_flags": raw.subscribe(1, [("a/b", 0)], first_byte=0x80),
    # Topic names are UTF-8 [MQTT-1.5.3-1]; 0xff never occurs in UTF-8.
    "invalid_utf8_topic": raw.publish(b"a/\xff\xfe", b"x"),
    # U+0000 is not allowed in a UTF-8 string [MQTT-1.5.3-2].
    "nul_in_topic": raw.publish(b"a/\x00/b", b"x"),
    # Wildcards are not allowed in a topic name [MQTT-3.3.2-2].
    "wildcard_in_publish_topic": raw.publish("a/+/b", b"x"),
    # QoS > 0 needs a non-zero packet identifier [MQTT-2.3.1-1].
    "publish_packet_id_zero": raw.publish("a/b", b"x", qos=1, packet_id=0),
    # A SUBSCRIBE needs at least one filter [MQTT-3.8.3-3].
    "subscribe_without_filters": raw.subscribe(1, []),
    # A second CONNECT is a protocol violation [MQTT-3.1.0-2].
    "second_connect": raw.connect("again"),
    # Packet types 0 and 15 are reserved.
    "reserved_packet_type_0": b"\x00\x00",
    "reserved_packet_type_15": b"\xf0\x00",
    # A remaining length that claims more bytes than the body it frames.
    "subscribe_truncated_filter": raw.packet(0x82, b"\x00\x01\x00\x10a/b"),
}


@pytest.mark.parametrize("case", sorted(MALFORMED_AFTER_CONNECT))
def test_malformed_packet_closes_the_connection(gateway, case):
    with raw_connected(gateway.mqtt_port, "bystander") as bystander:
        assert bystander.subscribe([("health/#", 0)]) == [0]
        with raw_connected(gateway.mqtt_port, f"bad-{case}") as bad:
            send_ignoring_reset(bad, MALFORMED_AFTER_CONNECT[case])
            bad.wait_closed(TIMEOUT)
        bystander.ping()
        with raw_connected(gateway.mqtt_port, "publisher") as pub:
            pub.send(raw.publish("health/after", case.encode()))
            flags, body = bystander.expect(raw.PUBLISH)
        assert raw.parse_publish(flags, body)[:2] == ("health/after", case.encode())
    assert_broker_still_works(gateway.mqtt_port)


MALFORMED_FIRST_PACKET = {
    # The first packet from a client must be CONNECT [MQTT-3.1.0-1].
    "publish_before_connect": raw.publish("a/b", b"x"),
    "pingreq_before_connect": raw.PINGREQ_PACKET,
    # The reserved CONNECT flag must be zero [MQTT-3.1.2-3].
    "connect_reserved_flag": raw.packet(0x10, raw.string("MQTT") + b"\x04\x03\x00\x3c" +
                                        raw.string("reserved")),
    # CONNECT's fixed-header flags are reserved (0000).
    "connect_header_flags": bytes([0x12]) + raw.connect("flags")[1:],
    # A client id that is not UTF-8.
    "connect_invalid_utf8_client_id": raw.connect(b"\xc3\x28"),
}


@pytest.mark.parametrize("case", sorted(MALFORMED_FIRST_PACKET))
def test_malformed_first_packet_closes_the_connection(gateway, case):
    with RawClient(gateway.mqtt_port) as bad:
        send_ignoring_reset(bad, MALFORMED_FIRST_PACKET[case])
        bad.wait_closed(TIMEOUT)
    assert_broker_still_works(gateway.mqtt_port)


def test_garbage_bytes_close_the_connection(gateway):
    with RawClient(gateway.mqtt_port) as bad:
        send_ignoring_reset(bad, b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        bad.wait_closed(TIMEOUT)
    assert_broker_still_works(gateway.mqtt_port)


def test_packet_over_max_packet_size_closes_the_connection(gateway_factory):
    gw = gateway_factory(config="[mqtt]\nmax_packet_size = 1024\n")
    with raw_connected(gw.mqtt_port, "size-sub") as sub, \
            raw_connected(gw.mqtt_port, "size-pub") as pub:
        assert sub.subscribe([("size/#", 0)]) == [0]
        small = b"s" * 512
        pub.send(raw.publish("size/small", small))
        flags, body = sub.expect(raw.PUBLISH)
        assert raw.parse_publish(flags, body)[:2] == ("size/small", small)

        send_ignoring_reset(pub, raw.publish("size/big", b"b" * 2000))
        pub.wait_closed(TIMEOUT)
        with pytest.raises(TimeoutError):
            sub.read_packet(timeout=0.5)
        sub.ping()
    assert_broker_still_works(gw.mqtt_port)


# ---------------------------------------------------------------------------------------------
# $SYS


def test_sys_topics_are_published_every_sys_interval(gateway_factory):
    gw = gateway_factory(config="[mqtt]\nsys_interval = 1\n")
    with PahoClient(gw.mqtt_port, "sys-watcher") as client:
        assert client.connect() == 0
        client.subscribe("$SYS/broker/uptime", 0)
        client.subscribe("$SYS/broker/clients/connected", 0)
        msg = client.next_message(timeout=3.0)
    assert msg.topic in ("$SYS/broker/uptime", "$SYS/broker/clients/connected")
    assert msg.payload, "a $SYS value is never empty"
