"""A browser dashboard on @stomp/stompjs over WebSocket (/ws), in headless Chromium, as a
RabbitMQ Web-STOMP user would write it: it sees what devices publish over MQTT, and what it
SENDs reaches MQTT subscribers (issue #5)."""

from __future__ import annotations

from browser_page import BrowserPage
from conftest import MosquittoSub, mosquitto_pub


def stomp_url(gateway) -> str:
    return f"ws://127.0.0.1:{gateway.http_port}/ws"


def test_page_shows_device_temperature(gateway):
    with BrowserPage("stomp.html", url=stomp_url(gateway),
                     destination="/topic/plant.*.temp") as page:
        page.wait_ready()
        mosquitto_pub(gateway.mqtt_port, "plant/1/temp", "21.5", qos=1)
        mosquitto_pub(gateway.mqtt_port, "plant/1/humidity", "40", qos=0)
        mosquitto_pub(gateway.mqtt_port, "plant/2/temp", "caf\u00e9 19.5 \u00b0C", qos=0)
        page.expect("/topic/plant.1.temp 21.5")
        page.expect("/topic/plant.2.temp caf\u00e9 19.5 \u00b0C")
        page.expect_absent("humidity")
        # UTF-8 output goes in text frames, as Web-STOMP's clients expect.
        assert page.frames()["text"] >= 3  # CONNECTED, RECEIPT, MESSAGEs


def test_binary_payload_arrives_in_binary_frames(gateway, tmp_path):
    """A payload that is not UTF-8 would make Chromium fail the connection in a text frame:
    it must come in a binary one, and the page goes on receiving afterwards."""
    raw = tmp_path / "reading.bin"
    raw.write_bytes(b"\xff\x00\x10\xfe")
    with BrowserPage("stomp.html", url=stomp_url(gateway), destination="/topic/plant.*.raw",
                     show="hex") as page:
        page.wait_ready()
        before = page.frames()
        mosquitto_pub(gateway.mqtt_port, "plant/5/raw", None, payload_file=raw, qos=1)
        page.expect("/topic/plant.5.raw ff0010fe")
        mosquitto_pub(gateway.mqtt_port, "plant/6/raw", "ok", qos=1)
        page.expect("/topic/plant.6.raw 6f6b")
        after = page.frames()
        assert after["binary"] > before["binary"]


def test_page_send_reaches_mqtt_subscriber(gateway):
    with MosquittoSub(gateway.mqtt_port, ["plant/+/setpoint"], "-q", "1") as device:
        device.wait_subscribed()
        with BrowserPage("stomp.html", url=stomp_url(gateway),
                         destination="/topic/plant.*.temp") as page:
            page.wait_ready()
            page.send("/topic/plant.4.setpoint", "23.0")
            messages = device.wait_messages(1, timeout=10)
        assert [(m.topic, m.payload) for m in messages] == [("plant/4/setpoint", "23.0")]


def test_page_sees_its_own_send_and_mqtt_together(gateway):
    """Both directions on one page: a SEND on a destination it subscribed to comes back, in
    order with what a device publishes."""
    with BrowserPage("stomp.html", url=stomp_url(gateway),
                     destination="/topic/plant.*.temp") as page:
        page.wait_ready()
        page.send("/topic/plant.7.temp", "from-browser")
        page.expect("/topic/plant.7.temp from-browser")
        mosquitto_pub(gateway.mqtt_port, "plant/7/temp", "from-device", qos=1)
        page.expect("/topic/plant.7.temp from-device")
