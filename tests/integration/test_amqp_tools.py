"""Debian's amqp-tools (librabbitmq's command-line clients) against the AMQP listener (issue 4):
amqp-declare-queue, amqp-publish, amqp-consume and amqp-get, cross-checked with pika.

Proved against RabbitMQ with SY_AMQP_TARGET=rabbitmq (amqp_target.py).
"""

from __future__ import annotations

import subprocess
import time

import pika.exceptions as pe
import pytest
from pika.spec import BasicProperties

from amqp_target import HOST
from conftest import LineCollector, _spawn, run


def tool(broker, name: str, *args: str, input: bytes | None = None, timeout: float = 15.0,
         check: bool = True) -> subprocess.CompletedProcess:
    cmd = [name, "--server", HOST, "--port", str(broker.port), *args]
    return run(cmd, timeout=timeout, input=input, check=check)


def consume(broker, *args: str, count: int, timeout: float = 15.0) -> list[str]:
    """amqp-consume -c count, each message's body followed by a '|' line: the bodies."""
    result = tool(broker, "amqp-consume", "-c", str(count), *args, "--",
                  "sh", "-c", "cat; echo '|'", timeout=timeout)
    return result.stdout.split("|\n")[:-1]


def test_declare_publish_consume_round_trip(amqp_broker):
    q = amqp_broker.name("tools")
    declared = tool(amqp_broker, "amqp-declare-queue", "-q", q, "-d")
    assert declared.stdout.strip() == q, f"amqp-declare-queue printed {declared.stdout!r}"
    tool(amqp_broker, "amqp-publish", "-r", q, "-b", "hello from amqp-publish", "-p",
         "-C", "text/plain", "-E", "identity", "-t", "replies.tools",
         "-H", "site: plant-1", "-H", "unit: C")
    with amqp_broker.connect() as conn:
        ch = conn.channel()
        assert ch.queue_declare(q, passive=True, durable=True).method.message_count == 1
        method, props, body = ch.basic_get(q)
        assert body == b"hello from amqp-publish"
        assert (props.content_type, props.content_encoding, props.reply_to,
                props.delivery_mode) == ("text/plain", "identity", "replies.tools", 2)
        assert props.headers == {"site": "plant-1", "unit": "C"}, props.headers
        ch.basic_reject(method.delivery_tag, requeue=True)
    assert consume(amqp_broker, "-q", q, count=1) == ["hello from amqp-publish"]
    assert tool(amqp_broker, "amqp-get", "-q", q, check=False).returncode != 0, \
        "amqp-get found a message after amqp-consume acked the only one"
    tool(amqp_broker, "amqp-delete-queue", "-q", q)


def test_server_named_queue_and_many_lines(amqp_broker):
    name = tool(amqp_broker, "amqp-declare-queue", "-q", "").stdout.strip()
    assert name.startswith("amq.gen-"), f"server-named queue {name!r}"
    lines = "".join(f"reading {i}\n" for i in range(200)).encode()
    tool(amqp_broker, "amqp-publish", "-r", name, "-l", input=lines)
    bodies = consume(amqp_broker, "-q", name, "-p", "10", count=200, timeout=30)
    assert [b.strip() for b in bodies] == [f"reading {i}" for i in range(200)]
    with amqp_broker.connect() as conn:
        ch = conn.channel()
        assert ch.queue_declare(name, passive=True).method.message_count == 0
        ch.queue_delete(name)


def test_pika_publish_amqp_get(amqp_broker):
    q = amqp_broker.name("tools-get")
    with amqp_broker.connect() as conn:
        ch = conn.channel()
        ch.queue_declare(q)
        ch.confirm_delivery()
        ch.basic_publish("", q, b"first", BasicProperties(content_type="text/plain"))
        ch.basic_publish("", q, b"second")
    assert tool(amqp_broker, "amqp-get", "-q", q).stdout == "first"
    assert tool(amqp_broker, "amqp-get", "-q", q).stdout == "second"
    assert tool(amqp_broker, "amqp-get", "-q", q, check=False).returncode != 0
    tool(amqp_broker, "amqp-delete-queue", "-q", q)


def test_consume_bound_to_amq_topic_while_publishing(amqp_broker):
    q = amqp_broker.name("tools-topic")
    cmd = ["amqp-consume", "--server", HOST, "--port", str(amqp_broker.port), "-q", q, "-x",
           "-e", "amq.topic", "-r", "plant.*.temp", "-c", "2", "--",
           "sh", "-c", "cat; echo '|'"]
    proc = _spawn(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    out = LineCollector(proc.stdout)
    with amqp_broker.connect() as conn:
        # The consumer's exclusive queue exists once a passive declare no longer says 404.
        deadline = time.monotonic() + 10
        while True:
            ch = conn.channel()
            try:
                ch.queue_declare(q, passive=True)
                break
            except pe.ChannelClosedByBroker as exc:
                if exc.reply_code != 404:
                    break  # 405: it exists, owned by amqp-consume's connection
            assert time.monotonic() < deadline, \
                f"amqp-consume did not declare {q} within 10 s: {out.snapshot()}"
            time.sleep(0.1)
        pub = conn.channel()
        pub.basic_publish("amq.topic", "plant.1.temp", b"21.5")
        pub.basic_publish("amq.topic", "plant.1.humidity", b"no")
        pub.basic_publish("amq.topic", "plant.2.temp", b"19.0")
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        pytest.fail(f"amqp-consume did not get 2 messages within 10 s: {out.snapshot()}")
    out.wait_eof(2)
    assert proc.returncode == 0, out.snapshot()
    assert out.snapshot() == ["21.5|", "19.0|"]
