"""Paho MQTT C++ against the gateway: 10,000 QoS 1 messages, in order, none lost, none twice."""

from conftest import BUILD_DIR, run

PAHO_BIN = BUILD_DIR / "bin" / "sy_paho_qos1_order"


def test_paho_cpp_10000_qos1_in_order(gateway):
    result = run([PAHO_BIN, "127.0.0.1", gateway.mqtt_port, 10000], timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "lost=0 duplicates=0 out_of_order=0" in result.stdout
    assert "received=10000" in result.stdout
