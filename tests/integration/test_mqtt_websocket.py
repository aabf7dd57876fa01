"""MQTT over WebSocket at /mqtt on the HTTP listener, without a browser: paho-mqtt's websocket
transport for what real clients do, and a hand-built RFC 6455 client for the framing cases
(fragments, text frames, garbage, no subprotocol) that paho never produces.

MQTT over WebSocket is MQTT 3.1.1 section 6; framing is RFC 6455 section 5.
"""

from __future__ import annotations

import base64
import os
import queue
import select
import socket
import struct
import time

import paho.mqtt.client as mqtt
import pytest

import mqtt_raw as raw
from conftest import HOST, MosquittoSub, mosquitto_pub

TIMEOUT = 5.0

OP_CONT, OP_TEXT, OP_BINARY, OP_CLOSE, OP_PING, OP_PONG = 0x0, 0x1, 0x2, 0x8, 0x9, 0xA


# ---------------------------------------------------------------------------------------------
# A minimal RFC 6455 client


class WsClosed(Exception):
    """The server closed: code is the close frame's status (None when the TCP just ended)."""

    def __init__(self, code: int | None):
        super().__init__(f"closed with {code}")
        self.code = code


def handshake_request(path: str, subprotocols: str | None) -> bytes:
    key = base64.b64encode(os.urandom(16)).decode()
    lines = [f"GET {path} HTTP/1.1", f"Host: {HOST}", "Upgrade: websocket",
             "Connection: Upgrade", f"Sec-WebSocket-Key: {key}", "Sec-WebSocket-Version: 13"]
    if subprotocols is not None:
        lines.append(f"Sec-WebSocket-Protocol: {subprotocols}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def try_upgrade(port: int, path: str, subprotocols: str | None) -> tuple[int | None, dict]:
    """Sends an upgrade request; returns (HTTP status or None if the server just closed,
    response headers with lower-case names)."""
    with socket.create_connection((HOST, port), timeout=TIMEOUT) as s:
        s.sendall(handshake_request(path, subprotocols))
        data = b""
        while b"\r\n\r\n" not in data:
            try:
                chunk = s.recv(4096)
            except ConnectionResetError:
                chunk = b""
            if not chunk:
                break
            data += chunk
    if b"\r\n\r\n" not in data:
        return None, {}
    head = data.split(b"\r\n\r\n", 1)[0].decode("latin-1").split("\r\n")
    status = int(head[0].split()[1])
    headers = {}
    for line in head[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return status, headers


class WsClient:
    """One WebSocket connection with frame-level control: masked client frames as given,
    server frames read one by one or reassembled into messages."""

    def __init__(self, port: int, path: str = "/mqtt", subprotocols: str | None = "mqtt"):
        self.sock = socket.create_connection((HOST, port), timeout=TIMEOUT)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.sock.sendall(handshake_request(path, subprotocols))
        self._buf = bytearray()
        head = self._read_until(b"\r\n\r\n", time.monotonic() + TIMEOUT)
        status_line = head.split(b"\r\n", 1)[0]
        assert b" 101 " in status_line, f"upgrade refused: {head!r}"
        self.protocol = None
        for line in head.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"sec-websocket-protocol":
                self.protocol = value.strip().decode()
        self.frames: list[tuple[bool, int, int]] = []  # (fin, opcode, length) of data frames
        self._stream = bytearray()  # MQTT bytes received, for read_packet

    def __enter__(self) -> "WsClient":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        try:
            self.sock.close()
        except OSError:
            pass

    def _fill(self, deadline: float) -> None:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError("nothing from the server before the deadline")
        ready, _, _ = select.select([self.sock], [], [], remaining)
        if not ready:
            raise TimeoutError("nothing from the server before the deadline")
        try:
            chunk = self.sock.recv(1 << 20)
        except ConnectionResetError:
            chunk = b""
        if not chunk:
            raise WsClosed(None)
        self._buf += chunk

    def _read_until(self, marker: bytes, deadline: float) -> bytes:
        while marker not in self._buf:
            self._fill(deadline)
        head, _, rest = bytes(self._buf).partition(marker)
        self._buf = bytearray(rest)
        return head

    def _take(self, n: int, deadline: float) -> bytes:
        while len(self._buf) < n:
            self._fill(deadline)
        out = bytes(self._buf[:n])
        del self._buf[:n]
        return out

    def send_frame(self, opcode: int, payload: bytes, fin: bool = True) -> None:
        header = bytearray([(0x80 if fin else 0) | opcode])
        n = len(payload)
        if n < 126:
            header.append(0x80 | n)
        elif n < 65536:
            header += bytes([0x80 | 126]) + struct.pack("!H", n)
        else:
            header += bytes([0x80 | 127]) + struct.pack("!Q", n)
        mask = os.urandom(4)
        masked = bytes(b ^ mask[i & 3] for i, b in enumerate(payload)) if n < 4096 else \
            _mask_fast(payload, mask)
        self.sock.sendall(bytes(header) + mask + masked)

    def send_message(self, payload: bytes, fragment: int | None = None,
                     opcode: int = OP_BINARY) -> None:
        """One message, in fragments of `fragment` bytes when given."""
        if not fragment or len(payload) <= fragment:
            self.send_frame(opcode, payload)
            return
        chunks = [payload[i:i + fragment] for i in range(0, len(payload), fragment)]
        for i, chunk in enumerate(chunks):
            self.send_frame(opcode if i == 0 else OP_CONT, chunk, fin=i == len(chunks) - 1)

    def read_frame(self, timeout: float = TIMEOUT) -> tuple[bool, int, bytes]:
        deadline = time.monotonic() + timeout
        b0, b1 = self._take(2, deadline)
        assert not b1 & 0x80, "server frames must not be masked (RFC 6455 5.1)"
        n = b1 & 0x7F
        if n == 126:
            n = struct.unpack("!H", self._take(2, deadline))[0]
        elif n == 127:
            n = struct.unpack("!Q", self._take(8, deadline))[0]
        return bool(b0 & 0x80), b0 & 0x0F, self._take(n, deadline)

    def read_message(self, timeout: float = TIMEOUT) -> tuple[int, bytes]:
        """(opcode, payload) of the next data message; raises WsClosed on a close frame."""
        deadline = time.monotonic() + timeout
        opcode, parts = None, []
        while True:
            fin, op, payload = self.read_frame(max(0.0, deadline - time.monotonic()))
            if op == OP_CLOSE:
                code = struct.unpack("!H", payload[:2])[0] if len(payload) >= 2 else None
                # Answer it, as RFC 6455 5.5.1 asks; the server then drops the TCP connection.
                try:
                    self.send_frame(OP_CLOSE, payload[:2])
                except OSError:
                    pass
                raise WsClosed(code)
            if op == OP_PING:
                self.send_frame(OP_PONG, payload)
                continue
            if op == OP_PONG:
                continue
            self.frames.append((fin, op, len(payload)))
            if opcode is None:
                assert op in (OP_TEXT, OP_BINARY), f"message starts with opcode {op}"
                opcode = op
            else:
                assert op == OP_CONT, f"opcode {op} inside a fragmented message"
            parts.append(payload)
            if fin:
                return opcode, b"".join(parts)

    def read_packet(self, timeout: float = TIMEOUT) -> tuple[int, int, bytes]:
        """The next MQTT packet (type, flags, body), from however many messages it takes."""
        deadline = time.monotonic() + timeout
        while True:
            parsed = _take_mqtt_packet(self._stream)
            if parsed is not None:
                return parsed
            opcode, payload = self.read_message(max(0.0, deadline - time.monotonic()))
            assert opcode == OP_BINARY, "MQTT must come in binary frames [MQTT-6.0.0-1]"
            self._stream += payload

    def expect(self, packet_type: int, timeout: float = TIMEOUT) -> bytes:
        kind, _, body = self.read_packet(timeout)
        assert kind == packet_type, f"expected packet type {packet_type}, got {kind}"
        return body

    def mqtt_connect(self, client_id: str) -> None:
        self.send_message(raw.connect(client_id))
        body = self.expect(raw.CONNACK)
        assert body == b"\x00\x00", f"CONNACK {body!r}"

    def wait_closed(self, timeout: float = TIMEOUT) -> int | None:
        """Reads until the server closes; returns the close code (None: TCP closed)."""
        deadline = time.monotonic() + timeout
        try:
            while True:
                self.read_message(max(0.0, deadline - time.monotonic()))
        except WsClosed as closed:
            return closed.code
        except TimeoutError:
            raise AssertionError(f"connection still open after {timeout} s") from None


def _mask_fast(payload: bytes, mask: bytes) -> bytes:
    key = int.from_bytes((mask * ((len(payload) + 3) // 4))[:len(payload)], "big")
    return (int.from_bytes(payload, "big") ^ key).to_bytes(len(payload), "big")


def _take_mqtt_packet(buf: bytearray) -> tuple[int, int, bytes] | None:
    if len(buf) < 2:
        return None
    length, multiplier, index = 0, 1, 1
    while True:
        if index >= len(buf):
            return None
        byte = buf[index]
        length += (byte & 0x7F) * multiplier
        multiplier *= 128
        index += 1
        if not byte & 0x80:
            break
    if len(buf) < index + length:
        return None
    first = buf[0]
    body = bytes(buf[index:index + length])
    del buf[:index + length]
    return first >> 4, first & 0x0F, body


# ---------------------------------------------------------------------------------------------
# paho-mqtt on either transport


class Paho:
    def __init__(self, port: int, client_id: str, websockets: bool, path: str = "/mqtt"):
        self.client = mqtt.Client(client_id=client_id, reconnect_on_failure=False,
                                  transport="websockets" if websockets else "tcp")
        if websockets:
            self.client.ws_set_options(path=path)
        self.port = port
        self.connack: queue.Queue = queue.Queue()
        self.subacks: queue.Queue = queue.Queue()
        self.messages: queue.Queue = queue.Queue()
        self.client.on_connect = lambda c, u, flags, rc: self.connack.put(rc)
        self.client.on_subscribe = lambda c, u, mid, granted: self.subacks.put(list(granted))
        self.client.on_message = lambda c, u, msg: self.messages.put(msg)

    def __enter__(self) -> "Paho":
        self.client.connect(HOST, self.port, keepalive=30)
        self.client.loop_start()
        assert self.connack.get(timeout=TIMEOUT) == 0
        return self

    def __exit__(self, *exc) -> None:
        self.client.disconnect()
        self.client.loop_stop()

    def subscribe(self, topic: str, qos: int) -> None:
        self.client.subscribe(topic, qos)
        assert self.subacks.get(timeout=TIMEOUT) == [qos]

    def publish(self, topic: str, payload: bytes, qos: int) -> None:
        info = self.client.publish(topic, payload, qos=qos)
        info.wait_for_publish(timeout=TIMEOUT * 2)
        assert info.is_published()

    def next_message(self, timeout: float = TIMEOUT) -> mqtt.MQTTMessage:
        return self.messages.get(timeout=timeout)


# ---------------------------------------------------------------------------------------------
# Round trips


@pytest.mark.parametrize("qos", [0, 1])
def test_tcp_publisher_reaches_websocket_subscriber(gateway, qos):
    with Paho(gateway.http_port, "ws-sub", websockets=True) as sub:
        sub.subscribe("plant/+/temp", qos)
        mosquitto_pub(gateway.mqtt_port, "plant/1/temp", "21.5", qos=qos)
        msg = sub.next_message()
        assert (msg.topic, msg.payload, msg.qos) == ("plant/1/temp", b"21.5", qos)


@pytest.mark.parametrize("qos", [0, 1])
def test_websocket_publisher_reaches_tcp_subscriber(gateway, qos):
    with MosquittoSub(gateway.mqtt_port, ["plant/#"], "-q", str(qos)) as sub:
        sub.wait_subscribed()
        with Paho(gateway.http_port, "ws-pub", websockets=True) as pub:
            pub.publish("plant/2/temp", b"19.0", qos)
        messages = sub.wait_messages(1)
        assert [(m.topic, m.payload, m.qos) for m in messages] == [("plant/2/temp", "19.0", qos)]


def test_websocket_to_websocket_and_same_sessions_as_tcp(gateway):
    """A persistent session made over WebSocket is resumed over TCP: one session registry."""
    with Paho(gateway.http_port, "ws-a", websockets=True) as a, \
            Paho(gateway.http_port, "ws-b", websockets=True) as b:
        b.subscribe("x/y", 1)
        a.publish("x/y", b"hello", 1)
        assert b.next_message().payload == b"hello"
    with WsClient(gateway.http_port) as ws:
        ws.send_message(raw.connect("shared-id", clean=False))
        assert ws.expect(raw.CONNACK) == b"\x00\x00"
        ws.send_message(raw.subscribe(1, [("kept/#", 1)]))
        assert ws.expect(raw.SUBACK)[2:] == b"\x01"
        ws.send_message(raw.DISCONNECT_PACKET)
        assert ws.wait_closed() == 1000
    mosquitto_pub(gateway.mqtt_port, "kept/1", "while-away", qos=1)
    with raw.RawClient(gateway.mqtt_port) as tcp:
        present, rc = tcp.connect("shared-id", clean=False)
        assert (present, rc) == (True, 0)
        _, body = tcp.expect(raw.PUBLISH)
        assert body.endswith(b"while-away")


# ---------------------------------------------------------------------------------------------
# The upgrade


def test_subprotocols_and_no_subprotocol_are_accepted(gateway):
    for offered, chosen in [("mqtt", "mqtt"), ("mqttv3.1", "mqttv3.1"),
                            ("other, mqtt", "mqtt"), (None, None)]:
        with WsClient(gateway.http_port, subprotocols=offered) as ws:
            assert ws.protocol == chosen, offered
            ws.mqtt_connect(f"sp-{chosen}")
            ws.send_message(raw.PINGREQ_PACKET)
            ws.expect(raw.PINGRESP)


def test_bad_path_or_subprotocol_is_refused(gateway):
    port = gateway.http_port
    assert try_upgrade(port, "/nope", "mqtt")[0] == 404
    assert try_upgrade(port, "/nope", None)[0] == 404
    assert try_upgrade(port, "/mqtt/", "mqtt")[0] == 404
    # A subprotocol no endpoint speaks: lws refuses before any endpoint is consulted.
    assert try_upgrade(port, "/mqtt", "v12.stomp")[0] in (None, 400)
    assert try_upgrade(port, "/mqtt", "bogus")[0] in (None, 400)
    # The name lws binds protocol-less upgrades to is not a subprotocol a client may offer.
    assert try_upgrade(port, "/mqtt", "switchyard-no-subprotocol")[0] == 400
    # paho's own connect fails the same way, and the gateway goes on serving.
    bad = mqtt.Client(client_id="bad-path", transport="websockets", reconnect_on_failure=False)
    bad.ws_set_options(path="/not-here")
    with pytest.raises((OSError, ValueError, mqtt.WebsocketConnectionError)):
        bad.connect(HOST, port, keepalive=10)
    with Paho(port, "after-refusals", websockets=True) as ok:
        ok.subscribe("t", 0)
    # Plain HTTP on the same listener still answers.
    status, _ = try_upgrade_plain(port, "/metrics")
    assert status == 200


def test_upgrade_beyond_max_connections_gets_503(gateway_factory):
    gw = gateway_factory(config="[listeners]\nmax_connections = 2\n")
    first, second = WsClient(gw.http_port), WsClient(gw.http_port)
    try:
        assert try_upgrade(gw.http_port, "/mqtt", "mqtt")[0] == 503
        first.close()
        # The count drops once the gateway has seen the close.
        deadline = time.monotonic() + TIMEOUT
        while try_upgrade(gw.http_port, "/mqtt", "mqtt")[0] != 101:
            assert time.monotonic() < deadline, "a freed slot was never reused"
            time.sleep(0.1)
    finally:
        first.close()
        second.close()


def try_upgrade_plain(port: int, path: str) -> tuple[int, bytes]:
    with socket.create_connection((HOST, port), timeout=TIMEOUT) as s:
        s.sendall(f"GET {path} HTTP/1.1\r\nHost: {HOST}\r\nConnection: close\r\n\r\n".encode())
        data = b""
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
    return int(data.split(b" ", 2)[1]), data


# ---------------------------------------------------------------------------------------------
# Misbehaving clients


def test_garbage_closes_only_that_client(gateway):
    with Paho(gateway.http_port, "bystander-ws", websockets=True) as ws_sub, \
            Paho(gateway.mqtt_port, "bystander-tcp", websockets=False) as tcp_sub:
        ws_sub.subscribe("g/#", 1)
        tcp_sub.subscribe("g/#", 1)
        with WsClient(gateway.http_port) as bad:
            bad.send_message(b"\xff\xff\xff\xff garbage that is no CONNECT")
            bad.wait_closed()
        with WsClient(gateway.http_port) as bad:
            bad.mqtt_connect("garbage-after-connect")
            bad.send_message(b"\x00\x01\x02")  # packet type 0 is reserved
            bad.wait_closed()
        mosquitto_pub(gateway.mqtt_port, "g/1", "still-here", qos=1)
        assert ws_sub.next_message().payload == b"still-here"
        assert tcp_sub.next_message().payload == b"still-here"


def test_text_frame_is_refused_with_1003(gateway):
    """[MQTT-6.0.0-1]: MQTT must travel in binary frames; a text frame closes."""
    with WsClient(gateway.http_port) as ws:
        ws.mqtt_connect("texter")
        # Valid UTF-8 (a QoS 0 PUBLISH to "a" is all ASCII), so only the frame type is wrong.
        packet = raw.publish("a", b"x")
        assert packet.decode("ascii")
        ws.send_frame(OP_TEXT, packet)
        assert ws.wait_closed() == 1003


def test_text_frame_with_bad_utf8_is_closed_with_1007(gateway):
    with WsClient(gateway.http_port) as ws:
        ws.mqtt_connect("bad-text")
        ws.send_frame(OP_TEXT, raw.PINGREQ_PACKET)  # 0xC0 never starts UTF-8
        assert ws.wait_closed() == 1007


def test_silent_websocket_client_expires_and_its_will_goes_out(gateway):
    """Keepalive over WebSocket is the session's, as on TCP: 1.5 x keepalive of silence ends
    the connection (abort: no flush, no Close handshake to wait for) and publishes the will."""
    with MosquittoSub(gateway.mqtt_port, ["plant/+/status"], "-q", "1") as watcher:
        watcher.wait_subscribed()
        with WsClient(gateway.http_port) as ws:
            ws.send_message(raw.connect("sleepy", keepalive=1,
                                        will=("plant/8/status", b"offline", 1, False)))
            assert ws.expect(raw.CONNACK) == b"\x00\x00"
            start = time.monotonic()
            ws.wait_closed(timeout=6)
            assert time.monotonic() - start < 4
        messages = watcher.wait_messages(1, timeout=5)
        assert [(m.topic, m.payload) for m in messages] == [("plant/8/status", "offline")]


def test_disconnect_closes_with_1000(gateway):
    """DISCONNECT: the server's Close carries 1000, and once the client answers it the TCP
    connection ends at once (not at the flush timeout)."""
    with WsClient(gateway.http_port) as ws:
        ws.mqtt_connect("polite")
        ws.send_message(raw.DISCONNECT_PACKET)
        assert ws.wait_closed() == 1000
        start = time.monotonic()
        with pytest.raises(WsClosed):
            ws.read_frame(timeout=4)
        assert time.monotonic() - start < 2, "server kept the socket after the Close handshake"


def test_client_initiated_close_is_answered(gateway):
    with WsClient(gateway.http_port) as ws:
        ws.mqtt_connect("closer")
        ws.send_frame(OP_CLOSE, struct.pack("!H", 1000))
        fin, op, payload = ws.read_frame()
        assert (op, payload[:2]) == (OP_CLOSE, struct.pack("!H", 1000))
        with pytest.raises(WsClosed):
            ws.read_frame(timeout=4)


# ---------------------------------------------------------------------------------------------
# Framing and big messages


def test_packets_split_and_joined_across_messages(gateway):
    """Packets need not align with WebSocket messages [MQTT-6.0.0-2]: several in one message,
    one across several, one in a fragmented message."""
    with Paho(gateway.mqtt_port, "split-sub", websockets=False) as sub:
        sub.subscribe("s/#", 0)
        with WsClient(gateway.http_port) as ws:
            connect = raw.connect("splitter")
            ws.send_message(connect[:3])
            ws.send_message(connect[3:])
            assert ws.expect(raw.CONNACK) == b"\x00\x00"
            joined = raw.publish("s/1", b"one") + raw.publish("s/2", b"two")
            ws.send_message(joined + raw.publish("s/3", b"three")[:4])
            ws.send_message(raw.publish("s/3", b"three")[4:])
            ws.send_message(raw.publish("s/4", b"four" * 100), fragment=7)
            got = [sub.next_message() for _ in range(4)]
        assert [(m.topic, m.payload) for m in got] == [
            ("s/1", b"one"), ("s/2", b"two"), ("s/3", b"three"), ("s/4", b"four" * 100)]


def parse_publish(flags: int, body: bytes) -> tuple[str, int | None, bytes]:
    """(topic, packet id or None at QoS 0, payload) of a PUBLISH body."""
    topic_len = struct.unpack("!H", body[:2])[0]
    topic = body[2:2 + topic_len].decode()
    rest = body[2 + topic_len:]
    if (flags >> 1) & 0x03:
        return topic, struct.unpack("!H", rest[:2])[0], rest[2:]
    return topic, None, rest


def test_one_mebibyte_messages_both_ways(gateway):
    payload = os.urandom(1 << 20)
    with Paho(gateway.mqtt_port, "big-tcp-sub", websockets=False) as tcp_sub, \
            WsClient(gateway.http_port) as ws:
        tcp_sub.subscribe("big/#", 1)
        ws.mqtt_connect("big-ws")
        ws.send_message(raw.subscribe(1, [("big/#", 1)]))
        assert ws.expect(raw.SUBACK)[2:] == b"\x01"
        # In: one PUBLISH in 37 KiB fragments of a single message. The WebSocket subscriber
        # gets its own copy back, fragmented by the gateway, and the PUBACK, in either order.
        ws.send_message(raw.publish("big/in", payload, qos=1, packet_id=7), fragment=37 * 1024)
        got_ack, copy = False, None
        while not (got_ack and copy is not None):
            kind, flags, body = ws.read_packet(timeout=10)
            if kind == raw.PUBACK:
                assert body == b"\x00\x07"
                got_ack = True
            else:
                assert kind == raw.PUBLISH
                topic, packet_id, copy = parse_publish(flags, body)
                assert topic == "big/in"
                ws.send_message(raw.ack(raw.PUBACK, packet_id))
        assert copy == payload
        assert all(op in (OP_BINARY, OP_CONT) for _, op, _ in ws.frames)
        assert max(length for _, _, length in ws.frames) <= 256 * 1024
        assert any(not fin for fin, _, _ in ws.frames), "1 MiB should come fragmented"
        msg = tcp_sub.next_message(timeout=10)
        assert (msg.topic, msg.payload) == ("big/in", payload)
        # And from TCP to WebSocket.
        tcp_sub.publish("big/out", payload[::-1], 1)
        assert tcp_sub.next_message(timeout=10).topic == "big/out"
        kind, flags, body = ws.read_packet(timeout=10)
        assert kind == raw.PUBLISH
        topic, packet_id, data = parse_publish(flags, body)
        assert (topic, data) == ("big/out", payload[::-1])
        ws.send_message(raw.ack(raw.PUBACK, packet_id))


def test_slow_websocket_reader_gets_everything(gateway):
    """Back-pressure: a subscriber that stops reading holds the session at the output high-water
    mark; when it reads again every message arrives, in order."""
    count, size = 320, 64 * 1024
    with WsClient(gateway.http_port) as ws:
        ws.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 64 * 1024)
        ws.mqtt_connect("slow-reader")
        ws.send_message(raw.subscribe(1, [("slow/#", 0)]))
        assert ws.expect(raw.SUBACK)[2:] == b"\x00"
        with Paho(gateway.mqtt_port, "fast-writer", websockets=False) as pub:
            for i in range(count):
                pub.publish(f"slow/{i}", bytes([i % 251]) * size, 1)
        time.sleep(0.5)
        seen = []
        while len(seen) < count:
            kind, flags, body = ws.read_packet(timeout=20)
            assert kind == raw.PUBLISH
            topic, _, data = parse_publish(flags, body)
            seen.append(int(topic.split("/")[1]))
            assert data == bytes([seen[-1] % 251]) * size
        assert seen == list(range(count))


def test_many_websocket_clients_at_once(gateway):
    clients = [WsClient(gateway.http_port) for _ in range(20)]
    try:
        for i, ws in enumerate(clients):
            ws.mqtt_connect(f"many-{i}")
            ws.send_message(raw.subscribe(1, [("fan/out", 0)]))
            ws.expect(raw.SUBACK)
        mosquitto_pub(gateway.mqtt_port, "fan/out", "to-all")
        for ws in clients:
            kind, _, body = ws.read_packet()
            assert kind == raw.PUBLISH and body.endswith(b"to-all")
    finally:
        for ws in clients:
            ws.close()
    # The gateway survives twenty abrupt TCP closes.
    with Paho(gateway.http_port, "after-many", websockets=True) as ok:
        ok.subscribe("t", 0)


def test_gateway_stops_cleanly_with_websocket_clients_connected(gateway):
    """SIGTERM with WebSocket connections open, one of them halfway through a fragmented
    message and one with output queued that it does not read: the gateway exits 0 at once
    (the fixture also checks the exit code and sanitizer reports)."""
    idle = WsClient(gateway.http_port)
    idle.mqtt_connect("idle")
    halfway = WsClient(gateway.http_port)
    halfway.mqtt_connect("halfway")
    halfway.send_frame(OP_BINARY, raw.publish("h/1", b"x" * 1000)[:500], fin=False)
    stuck = WsClient(gateway.http_port)
    stuck.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    stuck.mqtt_connect("stuck")
    stuck.send_message(raw.subscribe(1, [("big/#", 0)]))
    stuck.expect(raw.SUBACK)
    with Paho(gateway.mqtt_port, "filler", websockets=False) as pub:
        for i in range(20):
            pub.publish(f"big/{i}", b"y" * (256 * 1024), 1)
    try:
        start = time.monotonic()
        assert gateway.stop() == 0
        assert time.monotonic() - start < 5
        for ws in (idle, halfway):
            ws.wait_closed()  # a Close frame or the TCP end, not a hang
    finally:
        for ws in (idle, halfway, stuck):
            ws.close()
