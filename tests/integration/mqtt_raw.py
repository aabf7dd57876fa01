"""Hand-built MQTT 3.1.1 packets over a plain socket, for what real clients never send.

Packet layouts follow the MQTT 3.1.1 specification (OASIS, 2014), section 2 (fixed header,
remaining length) and section 3 (one section per control packet).
"""

from __future__ import annotations

import select
import socket
import struct
import time

HOST = "127.0.0.1"

CONNECT, CONNACK, PUBLISH, PUBACK, PUBREC, PUBREL, PUBCOMP = 1, 2, 3, 4, 5, 6, 7
SUBSCRIBE, SUBACK, UNSUBSCRIBE, UNSUBACK, PINGREQ, PINGRESP, DISCONNECT = 8, 9, 10, 11, 12, 13, 14

PINGREQ_PACKET = b"\xc0\x00"
DISCONNECT_PACKET = b"\xe0\x00"


def varint(value: int) -> bytes:
    """The remaining-length encoding, section 2.2.3."""
    out = bytearray()
    while True:
        byte = value % 128
        value //= 128
        if value:
            byte |= 0x80
        out.append(byte)
        if not value:
            return bytes(out)


def string(value: str | bytes) -> bytes:
    """A length-prefixed UTF-8 string (section 1.5.3); bytes are sent as they are."""
    data = value.encode() if isinstance(value, str) else value
    return struct.pack("!H", len(data)) + data


def packet(first_byte: int, body: bytes) -> bytes:
    return bytes([first_byte]) + varint(len(body)) + body


def connect(client_id: str | bytes = "", clean: bool = True, keepalive: int = 60,
            protocol: bytes = b"MQTT", level: int = 4,
            will: tuple[str, bytes, int, bool] | None = None) -> bytes:
    """CONNECT (3.1). will is (topic, payload, qos, retain)."""
    flags = 0x02 if clean else 0
    payload = string(client_id)
    if will is not None:
        topic, message, qos, retain = will
        flags |= 0x04 | (qos << 3) | (0x20 if retain else 0)
        payload += string(topic) + string(message)
    body = string(protocol) + bytes([level, flags]) + struct.pack("!H", keepalive) + payload
    return packet(0x10, body)


def publish(topic: str | bytes, payload: bytes = b"", qos: int = 0, retain: bool = False,
            packet_id: int = 1, dup: bool = False) -> bytes:
    """PUBLISH (3.3); the packet identifier is present only for QoS 1 and 2."""
    first = 0x30 | (0x08 if dup else 0) | (qos << 1) | (0x01 if retain else 0)
    body = string(topic)
    if qos:
        body += struct.pack("!H", packet_id)
    return packet(first, body + payload)


def subscribe(packet_id: int, filters: list[tuple[str | bytes, int]],
              first_byte: int = 0x82) -> bytes:
    """SUBSCRIBE (3.8); its fixed-header flags must be 0010 [MQTT-3.8.1-1]."""
    body = struct.pack("!H", packet_id)
    for topic_filter, qos in filters:
        body += string(topic_filter) + bytes([qos])
    return packet(first_byte, body)


def ack(packet_type: int, packet_id: int) -> bytes:
    """PUBACK, PUBREC, PUBREL (flags 0010) or PUBCOMP."""
    first = (packet_type << 4) | (0x02 if packet_type == PUBREL else 0)
    return packet(first, struct.pack("!H", packet_id))


class ConnectionClosed(Exception):
    pass


class RawClient:
    """A TCP connection that sends bytes as given and reads whole MQTT packets back."""

    def __init__(self, port: int, host: str = HOST, timeout: float = 5.0):
        self.sock = socket.create_connection((host, port), timeout=timeout)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self._buffer = bytearray()

    def __enter__(self) -> "RawClient":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        try:
            self.sock.close()
        except OSError:
            pass

    def send(self, data: bytes) -> None:
        self.sock.sendall(data)

    def _fill(self, deadline: float) -> None:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError("no complete packet before the deadline")
        ready, _, _ = select.select([self.sock], [], [], remaining)
        if not ready:
            raise TimeoutError("no complete packet before the deadline")
        try:
            chunk = self.sock.recv(65536)
        except ConnectionResetError:
            chunk = b""
        if not chunk:
            raise ConnectionClosed()
        self._buffer += chunk

    def read_packet(self, timeout: float = 5.0) -> tuple[int, int, bytes]:
        """Returns (packet type, fixed-header flags, body). Raises ConnectionClosed on EOF and
        TimeoutError when no whole packet arrived within timeout seconds."""
        deadline = time.monotonic() + timeout
        while True:
            parsed = self._take_packet()
            if parsed is not None:
                return parsed
            self._fill(deadline)

    def _take_packet(self) -> tuple[int, int, bytes] | None:
        buf = self._buffer
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
            if index > 4:
                raise ValueError("server sent a remaining length longer than 4 bytes")
        if len(buf) < index + length:
            return None
        first = buf[0]
        body = bytes(buf[index:index + length])
        del buf[:index + length]
        return first >> 4, first & 0x0F, body

    def expect(self, packet_type: int, timeout: float = 5.0) -> tuple[int, bytes]:
        """Reads the next packet, checks its type; returns (flags, body)."""
        kind, flags, body = self.read_packet(timeout)
        assert kind == packet_type, f"expected packet type {packet_type}, got {kind}: {body!r}"
        return flags, body

    def connect(self, client_id: str | bytes = "", **kwargs) -> tuple[bool, int]:
        """Sends CONNECT, waits for CONNACK; returns (session present, return code)."""
        self.send(connect(client_id, **kwargs))
        _, body = self.expect(CONNACK)
        assert len(body) == 2, f"CONNACK body must be 2 bytes, got {body!r}"
        return bool(body[0] & 0x01), body[1]

    def subscribe(self, filters: list[tuple[str | bytes, int]], packet_id: int = 1,
                  timeout: float = 5.0) -> list[int]:
        """Sends SUBSCRIBE and returns the SUBACK return codes."""
        self.send(subscribe(packet_id, filters))
        _, body = self.expect(SUBACK, timeout)
        assert body[:2] == struct.pack("!H", packet_id), f"SUBACK for another id: {body!r}"
        return list(body[2:])

    def ping(self, timeout: float = 5.0) -> None:
        self.send(PINGREQ_PACKET)
        self.expect(PINGRESP, timeout)

    def wait_closed(self, timeout: float = 5.0) -> float:
        """Waits for the server to close the connection, discarding packets that arrive first.
        Returns the seconds it took; raises AssertionError if it stayed open."""
        start = time.monotonic()
        deadline = start + timeout
        while True:
            try:
                self._buffer.clear()
                self._fill(deadline)
            except ConnectionClosed:
                return time.monotonic() - start
            except TimeoutError:
                raise AssertionError(f"connection still open after {timeout} s") from None
            except OSError:
                # e.g. EPIPE or a reset on a connection the server already dropped
                return time.monotonic() - start

    def is_open(self) -> bool:
        """True if the server has not closed the connection (nothing pending to read)."""
        ready, _, _ = select.select([self.sock], [], [], 0)
        if not ready:
            return True
        try:
            return bool(self.sock.recv(1, socket.MSG_PEEK))
        except OSError:
            return False


def parse_publish(flags: int, body: bytes) -> tuple[str, bytes, int, bool, int | None]:
    """Returns (topic, payload, qos, retain, packet id) of a PUBLISH body."""
    qos = (flags >> 1) & 0x03
    (topic_len,) = struct.unpack("!H", body[:2])
    topic = body[2:2 + topic_len].decode()
    rest = body[2 + topic_len:]
    packet_id = None
    if qos:
        (packet_id,) = struct.unpack("!H", rest[:2])
        rest = rest[2:]
    return topic, rest, qos, bool(flags & 0x01), packet_id
