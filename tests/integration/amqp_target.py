"""What an AMQP test talks to: the gateway under test, or a private RabbitMQ that proves the test.

SY_AMQP_TARGET selects it:
    unset or "switchyard"  build/bin/switchyard with its AMQP listener on (the conftest Gateway)
    "rabbitmq"             Debian's RabbitMQ 3.10 on private loopback ports (rabbitmq.py)

Issue 4 asks that a client written for RabbitMQ work against Switchyard unchanged, so every AMQP
test is written against RabbitMQ's behaviour and must pass on both. Run them both ways:
    SY_BUILD_DIR=build /usr/bin/python3 -m pytest -q test_amqp_pika.py
    SY_AMQP_TARGET=rabbitmq /usr/bin/python3 -m pytest -q test_amqp_pika.py

The fixtures (amqp_broker, amqp_broker_factory) live in conftest.py and build on this module.
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import pika
import pika.exceptions

HOST = "127.0.0.1"
TARGET = os.environ.get("SY_AMQP_TARGET") or "switchyard"
if TARGET not in ("switchyard", "rabbitmq"):
    raise RuntimeError(f"SY_AMQP_TARGET={TARGET!r}: expected 'switchyard' or 'rabbitmq'")

# RabbitMQ's MQTT plugin: the cross-protocol tests need MQTT next to AMQP on the same node.
RABBITMQ_PLUGINS = ("rabbitmq_mqtt",)


class AmqpBroker:
    """One broker as the tests see it: ports, connection helpers, and crash controls.

    kind is "switchyard" or "rabbitmq"; port the AMQP port; mqtt_port the MQTT port of the same
    broker. gateway / rabbitmq hold the process handle (the other one is None).
    """

    def __init__(self, kind: str, port: int, mqtt_port: int, gateway=None, rabbitmq=None):
        self.kind = kind
        self.port = port
        self.mqtt_port = mqtt_port
        self.gateway = gateway
        self.rabbitmq = rabbitmq

    def __repr__(self) -> str:
        return f"<{self.kind} amqp={HOST}:{self.port} mqtt={self.mqtt_port}>"

    @staticmethod
    def name(stem: str) -> str:
        """A queue or exchange name no other test uses (the RabbitMQ node is shared)."""
        return f"{stem}-{uuid.uuid4().hex[:10]}"

    def params(self, **overrides) -> pika.ConnectionParameters:
        settings = dict(host=HOST, port=self.port, connection_attempts=1, socket_timeout=5,
                        stack_timeout=10, blocked_connection_timeout=30,
                        client_properties={"connection_name": "switchyard-test"})
        settings.update(overrides)
        return pika.ConnectionParameters(**settings)

    def connect(self, **overrides) -> pika.BlockingConnection:
        """A BlockingConnection; a failure to connect says which broker could not be reached."""
        try:
            return pika.BlockingConnection(self.params(**overrides))
        except pika.exceptions.AMQPConnectionError as exc:
            raise AssertionError(
                f"could not open an AMQP connection to {self!r}: {exc!r}"
                f"{self._hint()}") from exc

    def _hint(self) -> str:
        if self.gateway is not None:
            return f"\nlast lines of the gateway's log:\n{self.gateway.log_tail(20)}"
        if self.rabbitmq is not None:
            return f"\nlast lines of RabbitMQ's log:\n{self.rabbitmq.log_tail(20)}"
        return ""

    # Crash controls, for the durability tests: same ports and data directory after start().

    def kill(self) -> None:
        (self.gateway or self.rabbitmq).kill()

    def start(self) -> None:
        (self.gateway or self.rabbitmq).start()

    def log_tail(self, count: int = 40) -> str:
        return (self.gateway or self.rabbitmq).log_tail(count)


def rabbitmq_broker(workdir: Path, plugins=RABBITMQ_PLUGINS):
    """Starts a private RabbitMQ node and wraps it; the caller closes broker.rabbitmq."""
    from rabbitmq import RabbitMQ  # only needed in this mode

    node = RabbitMQ(workdir, plugins=plugins)
    try:
        node.start()
    except BaseException:
        node.close()
        raise
    return AmqpBroker("rabbitmq", node.amqp_port, node.plugin_ports.get("rabbitmq_mqtt", 0),
                      rabbitmq=node)


def gateway_broker(gateway) -> AmqpBroker:
    return AmqpBroker("switchyard", gateway.amqp_port, gateway.mqtt_port, gateway=gateway)
