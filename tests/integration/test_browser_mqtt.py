"""A browser dashboard on MQTT.js over WebSocket (/mqtt), in headless Chromium, sees what
devices publish over MQTT on TCP, and what it publishes reaches devices (issue #5)."""

from __future__ import annotations

from browser_page import BrowserPage
from conftest import MosquittoSub, mosquitto_pub


def test_page_shows_device_temperature(gateway):
    url = f"ws://127.0.0.1:{gateway.http_port}/mqtt"
    with BrowserPage("mqtt.html", url=url, filter="plant/+/temp", qos="1") as page:
        page.wait_ready()
        mosquitto_pub(gateway.mqtt_port, "plant/1/temp", "21.5", qos=1)
        mosquitto_pub(gateway.mqtt_port, "plant/2/temp", "19.25", qos=0)
        # Not matched by plant/+/temp: must not show up before the next matching one does.
        mosquitto_pub(gateway.mqtt_port, "plant/1/humidity", "40", qos=0)
        mosquitto_pub(gateway.mqtt_port, "plant/3/temp", "\u00b0C-free 22", qos=1)
        page.expect("plant/1/temp 21.5")
        page.expect("plant/2/temp 19.25")
        page.expect("plant/3/temp \u00b0C-free 22")
        page.expect_absent("plant/1/humidity")
        # MQTT over WebSocket is binary frames only [MQTT-6.0.0-1].
        frames = page.frames()
        assert frames["text"] == 0 and frames["binary"] >= 4, frames


def test_page_publishes_to_device(gateway):
    url = f"ws://127.0.0.1:{gateway.http_port}/mqtt"
    with MosquittoSub(gateway.mqtt_port, ["plant/+/setpoint"], "-q", "1") as device:
        device.wait_subscribed()
        with BrowserPage("mqtt.html", url=url, filter="plant/+/temp") as page:
            page.wait_ready()
            page.send("plant/4/setpoint", "23.0")
        messages = device.wait_messages(1, timeout=10)
        assert [(m.topic, m.payload) for m in messages] == [("plant/4/setpoint", "23.0")]
