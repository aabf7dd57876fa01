"""The WebSocket transport under the STOMP endpoint (/ws), without a browser: text frames for
UTF-8 output, binary frames for the rest, and RFC 6455's UTF-8 rule on input. The MQTT side
of the same transport is in test_mqtt_websocket.py, browsers in test_browser_*.py."""

from __future__ import annotations

from conftest import mosquitto_pub
from test_mqtt_websocket import OP_BINARY, OP_TEXT, WsClient, try_upgrade


def stomp_frame(command: str, headers: dict[str, str], body: bytes = b"") -> bytes:
    lines = [command] + [f"{k}:{v}" for k, v in headers.items()]
    return ("\n".join(lines) + "\n\n").encode() + body + b"\x00"


def read_stomp(ws: WsClient) -> tuple[int, bytes]:
    """The next WebSocket message that is not a heart-beat: (opcode, STOMP frame bytes)."""
    while True:
        opcode, payload = ws.read_message()
        if payload.strip(b"\r\n"):
            return opcode, payload


def connect(ws: WsClient) -> None:
    ws.send_message(stomp_frame("CONNECT", {"accept-version": "1.2", "host": "/"}),
                    opcode=OP_TEXT)
    opcode, frame = read_stomp(ws)
    assert frame.startswith(b"CONNECTED\n"), frame
    assert opcode == OP_TEXT, "UTF-8 output goes in text frames"


def test_stomp_subprotocols_and_paths(gateway):
    for offered, chosen in [("v12.stomp", "v12.stomp"), ("v10.stomp, v11.stomp", "v10.stomp"),
                            (None, None)]:
        with WsClient(gateway.http_port, path="/ws", subprotocols=offered) as ws:
            assert ws.protocol == chosen
            connect(ws)
    # MQTT's subprotocol is not taken at /ws, nor STOMP's at /mqtt.
    assert try_upgrade(gateway.http_port, "/ws", "mqtt")[0] == 400
    assert try_upgrade(gateway.http_port, "/mqtt", "v12.stomp")[0] == 400


def test_text_for_utf8_binary_for_the_rest(gateway, tmp_path):
    raw = tmp_path / "raw.bin"
    raw.write_bytes(b"\xff\xfe\x00\x01")
    with WsClient(gateway.http_port, path="/ws", subprotocols="v12.stomp") as ws:
        connect(ws)
        ws.send_message(stomp_frame("SUBSCRIBE", {"id": "0", "destination": "/topic/dev.#",
                                                  "receipt": "r1"}), opcode=OP_TEXT)
        opcode, frame = read_stomp(ws)
        assert frame.startswith(b"RECEIPT\n") and opcode == OP_TEXT
        mosquitto_pub(gateway.mqtt_port, "dev/1", None, payload_file=raw, qos=1)
        opcode, frame = read_stomp(ws)
        assert frame.startswith(b"MESSAGE\n") and frame.endswith(b"\xff\xfe\x00\x01\x00")
        assert opcode == OP_BINARY, "a text frame with bad UTF-8 fails a browser's connection"
        mosquitto_pub(gateway.mqtt_port, "dev/2", "gr\u00fc\u00df dich", qos=1)
        opcode, frame = read_stomp(ws)
        assert frame.endswith("gr\u00fc\u00df dich".encode() + b"\x00")
        assert opcode == OP_TEXT
        # Binary frames are accepted as input too.
        ws.send_message(stomp_frame("SEND", {"destination": "/topic/dev.3",
                                             "content-length": "2"}, b"\x00\xff"),
                        opcode=OP_BINARY)
        opcode, frame = read_stomp(ws)
        assert frame.startswith(b"MESSAGE\n") and b"\x00\xff" in frame
        assert opcode == OP_BINARY


def test_text_frame_with_bad_utf8_is_closed_with_1007(gateway):
    with WsClient(gateway.http_port, path="/ws", subprotocols="v12.stomp") as ws:
        connect(ws)
        ws.send_frame(OP_TEXT, stomp_frame("SEND", {"destination": "/topic/x"}, b"\xff"))
        assert ws.wait_closed() == 1007
