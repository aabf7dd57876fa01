"""MQTT 5 with real clients (paho-mqtt v5, mosquitto_pub/sub -V mqttv5): properties across
the broker, request/reply, reason codes, shared subscriptions, session expiry."""

import socket
import threading
import time

import paho.mqtt.client as mqtt
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

from conftest import HOST, MosquittoSub, mosquitto_pub


class V5Client:
    def __init__(self, port, client_id, clean_start=True, expiry=None):
        self.messages = []
        self.acks = {}
        self.cond = threading.Condition()
        self.c = mqtt.Client(client_id=client_id, protocol=mqtt.MQTTv5)
        self.c.on_message = self._on_message
        self.c.on_publish = self._on_publish
        connected = threading.Event()
        self.connack = None

        def on_connect(client, userdata, flags, rc, props=None):
            self.connack = (flags, rc, props)
            connected.set()

        self.c.on_connect = on_connect
        props = None
        if expiry is not None:
            props = Properties(PacketTypes.CONNECT)
            props.SessionExpiryInterval = expiry
        self.c.connect(HOST, port, keepalive=30, clean_start=clean_start, properties=props)
        self.c.loop_start()
        assert connected.wait(10), "no CONNACK"

    def _on_message(self, client, userdata, msg):
        with self.cond:
            self.messages.append(msg)
            self.cond.notify_all()

    def _on_publish(self, client, userdata, mid):
        with self.cond:
            self.acks[mid] = True
            self.cond.notify_all()

    def wait(self, count, timeout=5.0):
        with self.cond:
            self.cond.wait_for(lambda: len(self.messages) >= count, timeout)
            return list(self.messages)

    def subscribe(self, topic, qos=1, **opts):
        done = threading.Event()
        self.c.on_subscribe = lambda *a, **k: done.set()
        self.c.subscribe(topic, options=mqtt.SubscribeOptions(qos=qos, **opts))
        assert done.wait(5), "no SUBACK"

    def close(self):
        self.c.disconnect()
        self.c.loop_stop()


def test_properties_cross_the_broker(gateway):
    sub = V5Client(gateway.mqtt_port, "props-sub")
    sub.subscribe("svc/req/#")
    pub = V5Client(gateway.mqtt_port, "props-pub")
    props = Properties(PacketTypes.PUBLISH)
    props.ContentType = "application/json"
    props.ResponseTopic = "svc/reply/props-pub"
    props.CorrelationData = b"\x00\x01corr"
    props.MessageExpiryInterval = 120
    props.UserProperty = [("site", "north"), ("unit", "C")]
    pub.c.publish("svc/req/temp", b'{"t":21}', qos=1, properties=props).wait_for_publish(5)
    [m] = sub.wait(1)
    got = m.properties
    assert got.ContentType == "application/json"
    assert got.ResponseTopic == "svc/reply/props-pub"
    assert got.CorrelationData == b"\x00\x01corr"
    assert 110 <= got.MessageExpiryInterval <= 120
    assert ("site", "north") in got.UserProperty and ("unit", "C") in got.UserProperty
    sub.close()
    pub.close()


def test_request_reply_with_response_topic(gateway):
    service = V5Client(gateway.mqtt_port, "responder")
    service.subscribe("rpc/add")

    def serve():
        [req] = service.wait(1)
        a, b = map(int, req.payload.split(b","))
        reply = Properties(PacketTypes.PUBLISH)
        reply.CorrelationData = req.properties.CorrelationData
        service.c.publish(req.properties.ResponseTopic, str(a + b).encode(), qos=1,
                          properties=reply)

    t = threading.Thread(target=serve, daemon=True)
    t.start()
    caller = V5Client(gateway.mqtt_port, "caller")
    caller.subscribe("rpc/reply/caller")
    req = Properties(PacketTypes.PUBLISH)
    req.ResponseTopic = "rpc/reply/caller"
    req.CorrelationData = b"req-42"
    caller.c.publish("rpc/add", b"2,40", qos=1, properties=req)
    [answer] = caller.wait(1)
    assert answer.payload == b"42"
    assert answer.properties.CorrelationData == b"req-42"
    t.join(5)
    service.close()
    caller.close()


def test_puback_reason_no_matching_subscribers(gateway):
    # paho 1.6 reports only the message id of a PUBACK, so read the reason code raw.
    s = socket.create_connection((HOST, gateway.mqtt_port), timeout=5)
    s.sendall(bytes([0x10, 13, 0, 4]) + b"MQTT" + bytes([5, 2, 0, 30, 0, 0, 0]))
    assert s.recv(64)[0] == 0x20
    topic = b"nobody/here"
    body = len(topic).to_bytes(2, "big") + topic + (7).to_bytes(2, "big") + b"\x00" + b"x"
    s.sendall(bytes([0x32, len(body)]) + body)
    ack = s.recv(16)
    assert ack[0] == 0x40 and ack[2:4] == (7).to_bytes(2, "big")
    assert ack[4] == 0x10, f"reason {ack[4]:#x}"
    s.close()


def test_shared_subscription_with_mosquitto_clients(gateway):
    subs = [MosquittoSub(gateway.mqtt_port, ["$share/grp/work/#"], "-V", "mqttv5")
            for _ in range(2)]
    for s in subs:
        s.wait_subscribed()
    for i in range(10):
        mosquitto_pub(gateway.mqtt_port, "work/item", f"job-{i}", version="mqttv5")
    time.sleep(1.0)
    counts = [len(s.messages) for s in subs]
    for s in subs:
        s.stop()
    assert sum(counts) == 10, counts
    assert all(c > 0 for c in counts), f"both members should get work: {counts}"


def test_session_expiry_keeps_then_forgets(gateway):
    first = V5Client(gateway.mqtt_port, "expiring", clean_start=True, expiry=2)
    first.subscribe("exp/t")
    first.close()
    mosquitto_pub(gateway.mqtt_port, "exp/t", "while-away", qos=1, version="mqttv5")
    back = V5Client(gateway.mqtt_port, "expiring", clean_start=False, expiry=2)
    assert back.connack[0]["session present"] == 1
    assert [m.payload for m in back.wait(1)] == [b"while-away"]
    back.close()
    time.sleep(3.5)  # longer than the 2 s expiry
    again = V5Client(gateway.mqtt_port, "expiring", clean_start=False, expiry=2)
    assert again.connack[0]["session present"] == 0
    again.close()
