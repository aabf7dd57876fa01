"""connection.blocked / unblocked (RabbitMQ's resource alarms) with pika against the gateway.

A 1 MiB memory watermark is crossed by a backlog in a queue nobody reads: the publishing
connection is told it is blocked (and its further publishes wait), and is unblocked once the
backlog is purged from another connection.
"""

import time

import pika

from conftest import wait_until

CONFIG = "[storage]\nmemory_high_watermark_mb = 1\n"


def params(port):
    return pika.ConnectionParameters("127.0.0.1", port, heartbeat=0,
                                     blocked_connection_timeout=30,
                                     connection_attempts=3, retry_delay=0.2)


def test_publisher_is_blocked_past_the_memory_watermark_and_unblocked_after(gateway_factory):
    gw = gateway_factory(config=CONFIG, amqp=True)
    events = []
    pub = pika.BlockingConnection(params(gw.amqp_port))
    pub.add_on_connection_blocked_callback(lambda c, m: events.append(("blocked", m.method.reason)))
    pub.add_on_connection_unblocked_callback(lambda c, m: events.append(("unblocked", None)))
    admin = pika.BlockingConnection(params(gw.amqp_port))
    try:
        ch = pub.channel()
        ch.queue_declare("backlog")
        chunk = b"x" * 65536
        for _ in range(24):  # 1.5 MiB waiting in memory
            ch.basic_publish("", "backlog", chunk)
        assert wait_until(lambda: (pub.process_data_events(0.05), events)[1], 10), \
            "no connection.blocked within 10 s of crossing the watermark"
        assert events[0] == ("blocked", "low on memory")

        admin_ch = admin.channel()
        assert admin_ch.queue_purge("backlog").method.message_count == 24
        assert wait_until(lambda: (pub.process_data_events(0.05), len(events) > 1)[1], 10), \
            "no connection.unblocked within 10 s of the purge"
        assert events[1] == ("unblocked", None)
        # Publishing goes on as before.
        ch.basic_publish("", "backlog", b"after")
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            method, _, body = admin_ch.basic_get("backlog", auto_ack=True)
            if method:
                assert body == b"after"
                break
            admin.process_data_events(0.05)
        else:
            raise AssertionError("the publish after unblocked did not arrive")
    finally:
        for c in (pub, admin):
            if c.is_open:
                c.close()
