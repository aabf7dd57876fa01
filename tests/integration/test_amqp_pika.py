"""AMQP 0-9-1 with python3-pika 1.2, the way services written for RabbitMQ use it (issue 4).

Every test here states RabbitMQ's behaviour and passes against RabbitMQ 3.10: run the file with
SY_AMQP_TARGET=rabbitmq to check a test itself, without it to check the gateway (amqp_target.py).
BlockingConnection for most cases; SelectConnection (the callback style) at the end.
"""

from __future__ import annotations

import contextlib
import decimal
import os
import time

import pika
import pika.exceptions as pe
import pytest
from pika.spec import BasicProperties

# ---------------------------------------------------------------------------------------------
# Helpers


@contextlib.contextmanager
def connected(broker, **params):
    """(connection, channel); the connection is closed at the end if it is still open."""
    conn = broker.connect(**params)
    try:
        yield conn, conn.channel()
    finally:
        if conn.is_open:
            conn.close()


def pump(conn, predicate, timeout: float = 5.0) -> bool:
    """Processes the connection's events until predicate() holds or timeout seconds passed."""
    deadline = time.monotonic() + timeout
    while not predicate():
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return False
        conn.process_data_events(time_limit=min(remaining, 0.1))
    return True


def settle(conn, seconds: float) -> None:
    """Processes events for a while, so that anything the broker would still send arrives."""
    deadline = time.monotonic() + seconds
    while (remaining := deadline - time.monotonic()) > 0:
        conn.process_data_events(time_limit=remaining)


def ready_count(ch, queue: str) -> int:
    """Messages ready in queue, from a passive queue.declare."""
    return ch.queue_declare(queue, passive=True).method.message_count


def get_all(ch, queue: str, limit: int = 1000) -> list[tuple]:
    """basic.get with auto-ack until get-empty: a list of (method, properties, body)."""
    out = []
    for _ in range(limit):
        method, props, body = ch.basic_get(queue, auto_ack=True)
        if method is None:
            return out
        out.append((method, props, body))
    raise AssertionError(f"{queue} still not empty after {limit} basic.get")


def publish(ch, queue: str, *bodies: bytes, **props) -> None:
    for body in bodies:
        ch.basic_publish("", queue, body, BasicProperties(**props) if props else None)


def expect_channel_error(code: int, text: str, action, conn=None):
    """Runs action; the broker must close the channel (only) with code and a reply text starting
    with text, RabbitMQ's constant name. Returns the exception."""
    with pytest.raises(pe.ChannelClosedByBroker) as info:
        action()
    err = info.value
    assert (err.reply_code, err.reply_text.split(" - ")[0]) == (code, text), \
        f"expected channel.close {code} {text}, got {err.reply_code} {err.reply_text!r}"
    if conn is not None:
        assert conn.is_open, f"a channel error ({code}) must not close the connection"
    return err


def expect_connection_error(code: int, text: str, action):
    with pytest.raises(pe.ConnectionClosedByBroker) as info:
        action()
    err = info.value
    assert (err.reply_code, err.reply_text.split(" - ")[0]) == (code, text), \
        f"expected connection.close {code} {text}, got {err.reply_code} {err.reply_text!r}"
    return err


def dead_letter_target(ch, broker) -> tuple[str, str]:
    """A direct exchange and a queue bound to it with key 'dead': (exchange, queue)."""
    dlx, dlq = broker.name("dlx"), broker.name("dlq")
    ch.exchange_declare(dlx, exchange_type="direct", auto_delete=True)
    ch.queue_declare(dlq, auto_delete=False)
    ch.queue_bind(dlq, dlx, routing_key="dead")
    return dlx, dlq


def x_death(props, queue: str, reason: str) -> dict:
    """The x-death entry RabbitMQ adds when it dead-letters a message, checked for reason."""
    deaths = (props.headers or {}).get("x-death")
    assert deaths, f"dead-lettered message has no x-death header: headers={props.headers!r}"
    first = deaths[0]
    assert first.get("reason") == reason, f"x-death reason {first.get('reason')!r}, want {reason}"
    assert first.get("queue") == queue, f"x-death queue {first.get('queue')!r}, want {queue}"
    assert first.get("count") == 1, f"x-death count {first.get('count')!r}, want 1"
    return first


def wait_ready(ch, conn, queue: str, count: int, timeout: float = 5.0) -> int:
    """Waits until queue holds count ready messages; returns the last count seen."""
    seen = [-1]

    def check():
        seen[0] = ready_count(ch, queue)
        return seen[0] >= count

    pump(conn, check, timeout)
    return seen[0]


# ---------------------------------------------------------------------------------------------
# Connection


def test_server_announces_rabbitmq_capabilities(amqp_broker):
    with connected(amqp_broker) as (conn, _):
        props = conn._impl.server_properties
        caps = props.get("capabilities", {})
        wanted = ["publisher_confirms", "consumer_cancel_notify", "basic.nack",
                  "exchange_exchange_bindings", "per_consumer_qos", "connection.blocked",
                  "authentication_failure_close"]
        missing = [c for c in wanted if caps.get(c) is not True]
        assert not missing, f"capabilities not announced as true: {missing}; got {caps}"
        assert props.get("product"), f"no product in server properties: {props}"
        assert conn.publisher_confirms_supported and conn.consumer_cancel_notify_supported


def test_tune_negotiates_frame_and_channel_max(amqp_broker):
    with connected(amqp_broker, frame_max=8192, channel_max=16) as (conn, ch):
        params = conn._impl.params
        assert params.frame_max == 8192, f"negotiated frame_max {params.frame_max}, asked 8192"
        assert params.channel_max == 16, f"negotiated channel_max {params.channel_max}"
        channels = [conn.channel() for _ in range(15)]  # 1 already open: all 16 in use
        assert all(c.is_open for c in channels)
        ch.queue_declare("", exclusive=True)


def test_heartbeats_keep_an_idle_connection_open(amqp_broker):
    # pika checks every heartbeat + 5 s that something arrived, and closes the connection with
    # AMQPHeartbeatTimeout otherwise: 8 s idle needs the broker's heartbeat frames.
    with connected(amqp_broker, heartbeat=1) as (conn, ch):
        conn.sleep(8)
        assert conn.is_open, "the connection died while idle with heartbeat=1"
        ch.queue_declare("", exclusive=True)


def test_client_close_with_reply_code(amqp_broker):
    conn = amqp_broker.connect()
    conn.channel().queue_declare("", exclusive=True)
    conn.close(reply_code=200, reply_text="done here")
    assert conn.is_closed
    with connected(amqp_broker) as (again, ch):  # the broker carries on
        ch.queue_declare("", exclusive=True)


def test_unknown_vhost_is_refused_with_530(amqp_broker):
    with pytest.raises(pe.ProbableAccessDeniedError) as info:
        pika.BlockingConnection(amqp_broker.params(virtual_host="no-such-vhost"))
    assert "530" in str(info.value) and "NOT_ALLOWED" in str(info.value), str(info.value)


def test_prefetch_size_is_a_540_connection_error(amqp_broker):
    with connected(amqp_broker) as (conn, ch):
        expect_connection_error(540, "NOT_IMPLEMENTED", lambda: ch.basic_qos(prefetch_size=1))
        assert conn.is_closed


def test_unknown_exchange_type_is_a_503_connection_error(amqp_broker):
    with connected(amqp_broker) as (conn, ch):
        expect_connection_error(503, "COMMAND_INVALID",
                                lambda: ch.exchange_declare(amqp_broker.name("x"), "no-such-type"))
        assert conn.is_closed


def test_channel_flow_off_is_a_540_connection_error(amqp_broker):
    with connected(amqp_broker) as (conn, ch):
        assert ch.flow(True) is True
        expect_connection_error(540, "NOT_IMPLEMENTED", lambda: ch.flow(False))


# ---------------------------------------------------------------------------------------------
# Declarations


def test_queue_declare_kinds_and_passive(amqp_broker):
    with connected(amqp_broker) as (conn, ch):
        durable = amqp_broker.name("durable")
        ok = ch.queue_declare(durable, durable=True)
        assert (ok.method.queue, ok.method.message_count, ok.method.consumer_count) == \
            (durable, 0, 0)
        publish(ch, durable, b"1", b"2", b"3", delivery_mode=2)
        assert wait_ready(ch, conn, durable, 3) == 3
        ch.basic_consume(durable, lambda *a: None)
        passive = ch.queue_declare(durable, passive=True).method
        assert passive.consumer_count == 1, f"consumer_count {passive.consumer_count}"
        # A redeclare with the same properties is fine and reports the same queue.
        assert ch.queue_declare(durable, durable=True).method.queue == durable

        server_named = ch.queue_declare("", exclusive=True).method.queue
        assert server_named.startswith("amq.gen-"), \
            f"server-named queue {server_named!r} lacks RabbitMQ's amq.gen- prefix"
        assert server_named != ch.queue_declare("", exclusive=True).method.queue

        other = conn.channel()
        other.queue_delete(durable)
        expect_channel_error(404, "NOT_FOUND",
                             lambda: other.queue_declare(durable, passive=True), conn)


def test_auto_delete_queue_goes_with_its_last_consumer(amqp_broker):
    with connected(amqp_broker) as (conn, ch):
        q = amqp_broker.name("auto")
        ch.queue_declare(q, auto_delete=True)
        first = ch.basic_consume(q, lambda *a: None)
        second = ch.basic_consume(q, lambda *a: None)
        ch.basic_cancel(first)
        assert ch.queue_declare(q, passive=True).method.consumer_count == 1
        ch.basic_cancel(second)
        expect_channel_error(404, "NOT_FOUND", lambda: ch.queue_declare(q, passive=True), conn)


def test_reserved_amq_prefix_is_refused_with_403(amqp_broker):
    with connected(amqp_broker) as (conn, ch):
        expect_channel_error(403, "ACCESS_REFUSED", lambda: ch.queue_declare("amq.mine"), conn)
        ch = conn.channel()
        expect_channel_error(403, "ACCESS_REFUSED",
                             lambda: ch.exchange_declare("amq.mine", "direct"), conn)
        ch = conn.channel()
        expect_channel_error(403, "ACCESS_REFUSED", lambda: ch.exchange_delete("amq.topic"), conn)


def test_exchange_types_route_as_rabbitmq(amqp_broker):
    with connected(amqp_broker) as (conn, ch):
        names = {t: amqp_broker.name(t) for t in ("direct", "fanout", "topic", "headers")}
        for kind, name in names.items():
            ch.exchange_declare(name, exchange_type=kind, auto_delete=True)
        qa, qb = amqp_broker.name("qa"), amqp_broker.name("qb")
        for q in (qa, qb):
            ch.queue_declare(q, exclusive=True)
        ch.queue_bind(qa, names["direct"], "red")
        ch.queue_bind(qa, names["fanout"])
        ch.queue_bind(qb, names["fanout"])
        ch.queue_bind(qa, names["topic"], "plant.*.temp")
        ch.queue_bind(qb, names["topic"], "plant.#")
        ch.queue_bind(qa, names["headers"], arguments={"x-match": "all", "site": "a", "k": 1})
        ch.queue_bind(qb, names["headers"], arguments={"x-match": "any", "site": "b", "k": 2})

        ch.basic_publish(names["direct"], "red", b"direct-red")
        ch.basic_publish(names["direct"], "blue", b"direct-blue")
        ch.basic_publish(names["fanout"], "ignored", b"fanout")
        ch.basic_publish(names["topic"], "plant.1.temp", b"topic-1")
        ch.basic_publish(names["topic"], "plant.1.2.temp", b"topic-2")
        ch.basic_publish(names["topic"], "plant", b"topic-3")
        for body, headers in [(b"h-all", {"site": "a", "k": 1}), (b"h-partial", {"site": "a"}),
                              (b"h-any", {"k": 2})]:
            ch.basic_publish(names["headers"], "", body, BasicProperties(headers=headers))

        want_a = [b"direct-red", b"fanout", b"topic-1", b"h-all"]
        want_b = [b"fanout", b"topic-1", b"topic-2", b"topic-3", b"h-any"]
        wait_ready(ch, conn, qa, len(want_a))
        wait_ready(ch, conn, qb, len(want_b))
        assert [b for _, _, b in get_all(ch, qa)] == want_a
        assert [b for _, _, b in get_all(ch, qb)] == want_b


def test_exchange_redeclare_and_passive_errors(amqp_broker):
    with connected(amqp_broker) as (conn, ch):
        x = amqp_broker.name("x")
        ch.exchange_declare(x, exchange_type="topic", durable=True)
        ch.exchange_declare(x, exchange_type="topic", durable=True)  # same: fine
        ch.exchange_declare(x, passive=True)
        expect_channel_error(406, "PRECONDITION_FAILED",
                             lambda: ch.exchange_declare(x, exchange_type="direct", durable=True),
                             conn)
        ch = conn.channel()
        expect_channel_error(404, "NOT_FOUND",
                             lambda: ch.exchange_declare(amqp_broker.name("nox"), passive=True),
                             conn)
        ch = conn.channel()
        q = amqp_broker.name("q")
        ch.queue_declare(q, exclusive=True)
        ch.queue_bind(q, x, "k")
        expect_channel_error(406, "PRECONDITION_FAILED",
                             lambda: ch.exchange_delete(x, if_unused=True), conn)
        ch = conn.channel()
        ch.exchange_delete(x)
        expect_channel_error(404, "NOT_FOUND", lambda: ch.exchange_declare(x, passive=True), conn)


def test_bind_unbind_queue_and_exchange_to_exchange(amqp_broker):
    with connected(amqp_broker) as (conn, ch):
        src, dst = amqp_broker.name("src"), amqp_broker.name("dst")
        ch.exchange_declare(src, exchange_type="topic")
        ch.exchange_declare(dst, exchange_type="direct")
        q = amqp_broker.name("q")
        ch.queue_declare(q, exclusive=True)
        ch.queue_bind(q, dst, "plant.1.temp")
        ch.exchange_bind(destination=dst, source=src, routing_key="plant.#")
        ch.basic_publish(src, "plant.1.temp", b"via-e2e")       # src -> dst -> q
        ch.basic_publish(src, "plant.1.humidity", b"dropped")   # src -> dst, no queue binding
        ch.basic_publish(dst, "plant.1.temp", b"direct")
        wait_ready(ch, conn, q, 2)
        assert [b for _, _, b in get_all(ch, q)] == [b"via-e2e", b"direct"]

        ch.exchange_unbind(destination=dst, source=src, routing_key="plant.#")
        ch.basic_publish(src, "plant.1.temp", b"after-e2e-unbind")
        ch.queue_bind(q, src, "plant.*.temp")
        ch.basic_publish(src, "plant.2.temp", b"queue-bound")
        ch.queue_unbind(q, src, "plant.*.temp")
        ch.basic_publish(src, "plant.3.temp", b"after-queue-unbind")
        ch.basic_publish(dst, "plant.1.temp", b"marker")
        wait_ready(ch, conn, q, 2)
        settle(conn, 0.3)
        assert [b for _, _, b in get_all(ch, q)] == [b"queue-bound", b"marker"]

        ch.exchange_delete(src)
        ch.exchange_delete(dst)
        expect_channel_error(404, "NOT_FOUND",
                             lambda: ch.queue_bind(q, amqp_broker.name("missing"), "k"), conn)


def test_auto_delete_exchange_goes_with_its_last_binding(amqp_broker):
    with connected(amqp_broker) as (conn, ch):
        x = amqp_broker.name("auto-x")
        ch.exchange_declare(x, exchange_type="fanout", auto_delete=True)
        q1, q2 = amqp_broker.name("q1"), amqp_broker.name("q2")
        for q in (q1, q2):
            ch.queue_declare(q, exclusive=True)
            ch.queue_bind(q, x)
        ch.queue_unbind(q1, x)
        ch.exchange_declare(x, passive=True)  # one binding left
        ch.queue_unbind(q2, x)
        expect_channel_error(404, "NOT_FOUND", lambda: ch.exchange_declare(x, passive=True),
                             conn)


# ---------------------------------------------------------------------------------------------
# Publishing


def test_publish_with_confirms(amqp_broker):
    with connected(amqp_broker) as (conn, ch):
        q = amqp_broker.name("confirmed")
        ch.queue_declare(q, durable=True)
        ch.confirm_delivery()
        for i in range(200):
            ch.basic_publish("", q, f"m{i}".encode(), BasicProperties(delivery_mode=2))
        assert ready_count(ch, q) == 200
        # Not routed and not mandatory: dropped, and still acknowledged.
        ch.basic_publish("amq.direct", "no-binding", b"x")
        with pytest.raises(pe.UnroutableError) as info:
            ch.basic_publish("amq.direct", "no-binding", b"returned", mandatory=True)
        returned = info.value.messages[0]
        assert (returned.method.reply_code, returned.method.reply_text) == (312, "NO_ROUTE")
        assert returned.body == b"returned"
        bodies = [b for _, _, b in get_all(ch, q)]
        assert bodies == [f"m{i}".encode() for i in range(200)]
        ch.queue_delete(q)


def test_mandatory_return_without_confirms(amqp_broker):
    with connected(amqp_broker) as (conn, ch):
        returns = []
        ch.add_on_return_callback(lambda c, method, props, body: returns.append(
            (method, props, body)))
        props = BasicProperties(content_type="text/plain", headers={"k": "v"})
        ch.basic_publish("amq.topic", "nobody.listens", b"back to me", props, mandatory=True)
        assert pump(conn, lambda: returns, 5), "no basic.return for an unroutable mandatory msg"
        method, got_props, body = returns[0]
        assert (method.reply_code, method.reply_text, method.exchange, method.routing_key) == \
            (312, "NO_ROUTE", "amq.topic", "nobody.listens")
        assert body == b"back to me"
        assert (got_props.content_type, got_props.headers) == ("text/plain", {"k": "v"})


def test_publish_to_missing_exchange_closes_the_channel_only(amqp_broker):
    with connected(amqp_broker) as (conn, ch):
        other = conn.channel()
        ch.basic_publish(amqp_broker.name("missing"), "k", b"x")
        expect_channel_error(404, "NOT_FOUND", lambda: ch.queue_declare("", exclusive=True),
                             conn)
        other.queue_declare("", exclusive=True)  # the connection's other channel is fine


def test_properties_and_headers_survive_the_round_trip(amqp_broker):
    headers = {
        "str": "text é", "int": 42, "neg": -7, "big": 2 ** 40, "bool": True, "off": False,
        # pika 1.2 cannot encode Python floats; decimals are its fractional type. librabbitmq's
        # large-message test covers doubles.
        "dec": decimal.Decimal("3.14"),
        "nested": {"inner": {"level": 3, "list": [1, "two", False, {"k": "v"}]}},
        "bytes": b"\x00\xff", "void": None,
    }
    props = BasicProperties(
        content_type="application/json", content_encoding="gzip", headers=headers,
        delivery_mode=2, priority=5, correlation_id="corr-1", reply_to="replies.here",
        expiration="60000", message_id="msg-1", timestamp=1700000000, type="reading",
        user_id="guest", app_id="sensor-svc")
    with connected(amqp_broker) as (conn, ch):
        q = amqp_broker.name("props")
        ch.queue_declare(q, exclusive=True)
        ch.basic_publish("", q, b'{"t": 21.5}', props)
        ch.basic_publish("", q, b"")  # no properties, empty body
        deliveries = []
        ch.basic_consume(q, lambda c, m, p, b: deliveries.append((m, p, b)), auto_ack=True)
        assert pump(conn, lambda: len(deliveries) == 2, 5), f"got {len(deliveries)} of 2"
        _, got, body = deliveries[0]
        assert body == b'{"t": 21.5}'
        for field in ("content_type", "content_encoding", "delivery_mode", "priority",
                      "correlation_id", "reply_to", "expiration", "message_id", "timestamp",
                      "type", "user_id", "app_id"):
            assert getattr(got, field) == getattr(props, field), \
                f"{field}: sent {getattr(props, field)!r}, got {getattr(got, field)!r}"
        assert got.headers == headers
        _, bare, empty = deliveries[1]
        assert empty == b"" and bare.headers is None and bare.content_type is None


@pytest.mark.parametrize("frame_max,size", [(4096, 1 << 20), (131072, 4 << 20)])
def test_large_messages_across_frames(amqp_broker, frame_max, size):
    body = os.urandom(size)
    with connected(amqp_broker, frame_max=frame_max) as (conn, ch):
        assert conn._impl.params.frame_max == frame_max
        q = amqp_broker.name("large")
        ch.queue_declare(q, exclusive=True)
        ch.confirm_delivery()
        ch.basic_publish("", q, body)
        ch.basic_publish("", q, b"after")
        got = []
        ch.basic_consume(q, lambda c, m, p, b: got.append(b), auto_ack=True)
        assert pump(conn, lambda: len(got) == 2, 30), f"received {len(got)} of 2 messages"
        assert len(got[0]) == size, f"body of {len(got[0])} bytes, sent {size}"
        assert got[0] == body, "large body corrupted"
        assert got[1] == b"after"


# ---------------------------------------------------------------------------------------------
# Consuming


def test_prefetch_window_holds(amqp_broker):
    with connected(amqp_broker) as (conn, ch):
        q = amqp_broker.name("window")
        ch.queue_declare(q, exclusive=True)
        publish(ch, q, *[str(i).encode() for i in range(20)])
        ch.basic_qos(prefetch_count=5)
        got = []
        ch.basic_consume(q, lambda c, m, p, b: got.append((m, b)))
        assert pump(conn, lambda: len(got) >= 5, 5), f"only {len(got)} deliveries of 5"
        settle(conn, 1.0)
        assert len(got) == 5, f"{len(got)} unacked deliveries with prefetch_count=5"

        ch.basic_ack(got[0][0].delivery_tag)
        assert pump(conn, lambda: len(got) >= 6, 5), "no delivery after an ack freed a slot"
        settle(conn, 0.5)
        assert len(got) == 6, f"one ack let {len(got) - 5} more through"

        ch.basic_ack(got[-1][0].delivery_tag, multiple=True)
        assert pump(conn, lambda: len(got) >= 11, 5)
        settle(conn, 0.5)
        assert len(got) == 11, f"after acking all, {len(got) - 6} arrived, want 5"
        assert [b for _, b in got] == [str(i).encode() for i in range(11)]
        assert not any(m.redelivered for m, _ in got)


def test_prefetch_per_consumer_and_per_channel(amqp_broker):
    with connected(amqp_broker) as (conn, ch):
        qa, qb = amqp_broker.name("qa"), amqp_broker.name("qb")
        for q in (qa, qb):
            ch.queue_declare(q, exclusive=True)
            publish(ch, q, *[b"x"] * 10)
        # RabbitMQ: global=False limits each new consumer, global=True the channel as a whole.
        ch.basic_qos(prefetch_count=2, global_qos=False)
        got = {qa: 0, qb: 0}

        def counter(q):
            def on_message(c, m, p, b):
                got[q] += 1
            return on_message

        for q in (qa, qb):
            ch.basic_consume(q, counter(q))
        pump(conn, lambda: sum(got.values()) >= 4, 5)
        settle(conn, 0.8)
        assert got == {qa: 2, qb: 2}, f"per-consumer prefetch 2: {got}"

        ch2 = conn.channel()
        qc, qd = amqp_broker.name("qc"), amqp_broker.name("qd")
        for q in (qc, qd):
            ch2.queue_declare(q, exclusive=True)
            publish(ch2, q, *[b"x"] * 10)
        ch2.basic_qos(prefetch_count=3, global_qos=True)
        got.update({qc: 0, qd: 0})
        for q in (qc, qd):
            ch2.basic_consume(q, counter(q))
        pump(conn, lambda: got[qc] + got[qd] >= 3, 5)
        settle(conn, 0.8)
        assert got[qc] + got[qd] == 3, f"per-channel prefetch 3 over two consumers: {got}"


def test_ack_nack_reject_multiple_and_requeue(amqp_broker):
    with connected(amqp_broker) as (conn, ch):
        q = amqp_broker.name("acks")
        ch.queue_declare(q, exclusive=True)
        publish(ch, q, *[f"m{i}".encode() for i in range(1, 7)])
        got = []
        tag = ch.basic_consume(q, lambda c, m, p, b: got.append((m, b)))
        assert pump(conn, lambda: len(got) == 6, 5)
        tags = {b: m.delivery_tag for m, b in got}
        ch.basic_cancel(tag)  # requeued messages stay in the queue for basic.get below

        ch.basic_ack(tags[b"m1"])
        ch.basic_nack(tags[b"m3"], multiple=True, requeue=True)   # m2, m3 back
        ch.basic_reject(tags[b"m4"], requeue=False)                # m4 dropped
        ch.basic_nack(tags[b"m5"], multiple=False, requeue=False)  # m5 dropped
        ch.basic_reject(tags[b"m6"], requeue=True)                 # m6 back
        back = get_all(ch, q)
        assert [b for _, _, b in back] == [b"m2", b"m3", b"m6"], \
            f"requeued messages (in queue order) {[b for _, _, b in back]}"
        assert all(m.redelivered for m, _, _ in back), "requeued messages lack redelivered"

        expect_channel_error(406, "PRECONDITION_FAILED", lambda: (
            ch.basic_ack(tags[b"m1"]), ch.queue_declare(q, passive=True)), conn)


def test_basic_get_and_get_empty(amqp_broker):
    with connected(amqp_broker) as (conn, ch):
        q = amqp_broker.name("get")
        ch.queue_declare(q, exclusive=True)
        assert ch.basic_get(q) == (None, None, None), "basic.get on an empty queue"
        publish(ch, q, b"a", b"b", b"c")
        wait_ready(ch, conn, q, 3)
        method, _, body = ch.basic_get(q)
        assert (body, method.message_count, method.redelivered, method.routing_key,
                method.exchange) == (b"a", 2, False, q, "")
        ch.basic_reject(method.delivery_tag, requeue=True)
        method, _, body = ch.basic_get(q, auto_ack=True)
        assert (body, method.redelivered) == (b"a", True)
        method, _, body = ch.basic_get(q)
        ch.basic_ack(method.delivery_tag)
        assert body == b"b"
        assert [b for _, _, b in get_all(ch, q)] == [b"c"]
        assert ch.basic_get(q) == (None, None, None)


def test_basic_recover_redelivers_unacked(amqp_broker):
    with connected(amqp_broker) as (conn, ch):
        q = amqp_broker.name("recover")
        ch.queue_declare(q, exclusive=True)
        publish(ch, q, b"1", b"2")
        got = []
        ch.basic_consume(q, lambda c, m, p, b: got.append((m, b)))
        assert pump(conn, lambda: len(got) == 2, 5)
        ch.basic_recover(requeue=True)
        assert pump(conn, lambda: len(got) == 4, 5), f"{len(got) - 2} redeliveries of 2"
        assert sorted(b for _, b in got[2:]) == [b"1", b"2"]
        assert all(m.redelivered for m, _ in got[2:])


def test_unacked_messages_return_when_the_channel_closes(amqp_broker):
    with connected(amqp_broker) as (conn, ch):
        q = amqp_broker.name("requeue")
        ch.queue_declare(q, exclusive=True)
        publish(ch, q, b"1", b"2", b"3")
        consumer = conn.channel()
        got = []
        consumer.basic_consume(q, lambda c, m, p, b: got.append(b))
        assert pump(conn, lambda: len(got) == 3, 5)
        consumer.close()
        back = get_all(ch, q)
        assert [b for _, _, b in back] == [b"1", b"2", b"3"]
        assert all(m.redelivered for m, _, _ in back)


def test_exclusive_consumer_and_no_ack(amqp_broker):
    with connected(amqp_broker) as (conn, ch):
        q = amqp_broker.name("excl-consumer")
        ch.queue_declare(q, auto_delete=False)
        got = []
        tag = ch.basic_consume(q, lambda c, m, p, b: got.append(m), auto_ack=True,
                               exclusive=True, consumer_tag="my-tag")
        assert tag == "my-tag"
        other = conn.channel()
        expect_channel_error(403, "ACCESS_REFUSED",
                             lambda: other.basic_consume(q, lambda *a: None), conn)
        publish(ch, q, b"1", b"2")
        assert pump(conn, lambda: len(got) == 2, 5)
        assert [m.consumer_tag for m in got] == ["my-tag", "my-tag"]
        settle(conn, 0.2)
        assert ready_count(ch, q) == 0, "no-ack deliveries must not wait for an ack"
        ch.queue_delete(q)


def test_consumer_cancelled_by_server_when_queue_deleted(amqp_broker):
    with connected(amqp_broker) as (conn, ch):
        q = amqp_broker.name("doomed")
        ch.queue_declare(q, auto_delete=False)
        cancels = []
        ch.add_on_cancel_callback(lambda frame: cancels.append(frame.method.consumer_tag))
        tag = ch.basic_consume(q, lambda *a: None)
        conn.channel().queue_delete(q)
        assert pump(conn, lambda: cancels, 5), "no basic.cancel from the broker (the " \
            "consumer_cancel_notify capability) after the consumed queue was deleted"
        assert cancels == [tag]
        assert ch.is_open, "basic.cancel from the broker must leave the channel open"
        ch.queue_declare("", exclusive=True)


# ---------------------------------------------------------------------------------------------
# Dead-lettering and limits (arguments from issue 3)


def test_dead_letter_on_reject_and_nack(amqp_broker):
    with connected(amqp_broker) as (conn, ch):
        dlx, dlq = dead_letter_target(ch, amqp_broker)
        q = amqp_broker.name("src")
        ch.queue_declare(q, exclusive=True, arguments={
            "x-dead-letter-exchange": dlx, "x-dead-letter-routing-key": "dead"})
        publish(ch, q, b"rejected", b"nacked", b"requeued", content_type="text/plain")
        wait_ready(ch, conn, q, 3)
        for verdict in ("reject", "nack", "requeue"):
            method, _, _ = ch.basic_get(q)
            if verdict == "reject":
                ch.basic_reject(method.delivery_tag, requeue=False)
            elif verdict == "nack":
                ch.basic_nack(method.delivery_tag, requeue=False)
            else:
                ch.basic_reject(method.delivery_tag, requeue=True)  # requeued, not dead
        assert wait_ready(ch, conn, dlq, 2) == 2
        dead = get_all(ch, dlq)
        assert [b for _, _, b in dead] == [b"rejected", b"nacked"]
        for method, props, _ in dead:
            x_death(props, q, "rejected")
            assert props.content_type == "text/plain"
            assert method.routing_key == "dead", "x-dead-letter-routing-key not applied"
        assert [b for _, _, b in get_all(ch, q)] == [b"requeued"]
        ch.queue_delete(dlq)


def test_dead_letter_on_queue_and_message_ttl(amqp_broker):
    with connected(amqp_broker) as (conn, ch):
        dlx, dlq = dead_letter_target(ch, amqp_broker)
        q = amqp_broker.name("ttl")
        ch.queue_declare(q, exclusive=True, arguments={
            "x-message-ttl": 300, "x-dead-letter-exchange": dlx,
            "x-dead-letter-routing-key": "dead"})
        publish(ch, q, b"queue-ttl")
        q2 = amqp_broker.name("msg-ttl")
        ch.queue_declare(q2, exclusive=True, arguments={
            "x-dead-letter-exchange": dlx, "x-dead-letter-routing-key": "dead"})
        publish(ch, q2, b"message-ttl", expiration="200")
        assert wait_ready(ch, conn, dlq, 2, timeout=10) == 2, "expired messages not dead-lettered"
        dead = {b: props for _, props, b in get_all(ch, dlq)}
        assert set(dead) == {b"queue-ttl", b"message-ttl"}
        x_death(dead[b"queue-ttl"], q, "expired")
        x_death(dead[b"message-ttl"], q2, "expired")
        assert ready_count(ch, q) == 0 and ready_count(ch, q2) == 0
        ch.queue_delete(dlq)


def test_message_ttl_without_dead_letter_exchange_drops(amqp_broker):
    with connected(amqp_broker) as (conn, ch):
        q = amqp_broker.name("ttl-drop")
        ch.queue_declare(q, exclusive=True, arguments={"x-message-ttl": 1500})
        publish(ch, q, b"queue-ttl")
        publish(ch, q, b"message-ttl", expiration="1000")
        assert wait_ready(ch, conn, q, 2, timeout=1) == 2, "messages not queued before their TTL"
        assert pump(conn, lambda: ready_count(ch, q) == 0, 5), "expired messages still queued"
        assert ch.basic_get(q) == (None, None, None)


def test_max_length_drop_head_dead_letters_oldest(amqp_broker):
    with connected(amqp_broker) as (conn, ch):
        dlx, dlq = dead_letter_target(ch, amqp_broker)
        q = amqp_broker.name("maxlen")
        ch.queue_declare(q, exclusive=True, arguments={
            "x-max-length": 3, "x-dead-letter-exchange": dlx,
            "x-dead-letter-routing-key": "dead"})
        publish(ch, q, *[f"m{i}".encode() for i in range(1, 6)])
        assert wait_ready(ch, conn, dlq, 2) == 2
        assert [b for _, _, b in get_all(ch, q)] == [b"m3", b"m4", b"m5"]
        dead = get_all(ch, dlq)
        assert [b for _, _, b in dead] == [b"m1", b"m2"]
        for _, props, _ in dead:
            x_death(props, q, "maxlen")
        ch.queue_delete(dlq)


def test_max_length_bytes_drops_head(amqp_broker):
    with connected(amqp_broker) as (conn, ch):
        q = amqp_broker.name("maxbytes")
        ch.queue_declare(q, exclusive=True, arguments={"x-max-length-bytes": 10})
        publish(ch, q, b"aaaa", b"bbbb", b"cccc")
        wait_ready(ch, conn, q, 2)
        settle(conn, 0.2)
        assert [b for _, _, b in get_all(ch, q)] == [b"bbbb", b"cccc"]


def test_max_length_reject_publish_nacks_the_publisher(amqp_broker):
    with connected(amqp_broker) as (conn, ch):
        q = amqp_broker.name("reject-publish")
        ch.queue_declare(q, exclusive=True,
                         arguments={"x-max-length": 2, "x-overflow": "reject-publish"})
        ch.confirm_delivery()
        ch.basic_publish("", q, b"1")
        ch.basic_publish("", q, b"2")
        with pytest.raises(pe.NackError):
            ch.basic_publish("", q, b"3")
        assert [b for _, _, b in get_all(ch, q)] == [b"1", b"2"]
        ch.basic_publish("", q, b"4")  # room again: acked
        assert [b for _, _, b in get_all(ch, q)] == [b"4"]


def test_queue_expires_when_unused(amqp_broker):
    with connected(amqp_broker) as (conn, ch):
        q = amqp_broker.name("expiring")
        ch.queue_declare(q, arguments={"x-expires": 300})
        # Checked every 0.5 s: even a broker that counted a passive declare as a use would
        # expire the queue between two checks.
        deadline = time.monotonic() + 5
        while True:
            settle(conn, 0.5)
            try:
                ch.queue_declare(q, passive=True)
            except pe.ChannelClosedByBroker as exc:
                assert exc.reply_code == 404, f"passive declare: {exc!r}"
                break
            assert time.monotonic() < deadline, "queue with x-expires=300 still there after 5 s"
        assert conn.is_open


# ---------------------------------------------------------------------------------------------
# Exclusivity and errors


def test_exclusive_queue_locked_then_freed_on_disconnect(amqp_broker):
    owner = amqp_broker.connect()
    q = amqp_broker.name("exclusive")
    owner.channel().queue_declare(q, exclusive=True)
    with connected(amqp_broker) as (conn, ch):
        for action in (lambda c: c.queue_declare(q, passive=True),
                       lambda c: c.queue_declare(q, exclusive=True),
                       lambda c: c.basic_consume(q, lambda *a: None),
                       lambda c: c.basic_get(q),
                       lambda c: c.queue_delete(q)):
            channel = conn.channel()
            expect_channel_error(405, "RESOURCE_LOCKED", lambda: action(channel), conn)
        owner.close()
        ch = conn.channel()
        expect_channel_error(404, "NOT_FOUND", lambda: ch.queue_declare(q, passive=True), conn)
        ch = conn.channel()
        ok = ch.queue_declare(q, exclusive=True)
        assert ok.method.queue == q


def test_channel_errors_leave_the_connection_working(amqp_broker):
    with connected(amqp_broker) as (conn, ch):
        bystander = conn.channel()
        missing = amqp_broker.name("missing")
        err = expect_channel_error(404, "NOT_FOUND",
                                   lambda: ch.queue_declare(missing, passive=True), conn)
        assert missing in err.reply_text
        assert ch.is_closed and bystander.is_open

        ch = conn.channel()
        q = amqp_broker.name("args")
        ch.queue_declare(q, exclusive=True, arguments={"x-max-length": 3})
        expect_channel_error(406, "PRECONDITION_FAILED",
                             lambda: ch.queue_declare(q, exclusive=True,
                                                      arguments={"x-max-length": 4}), conn)
        ch = conn.channel()
        expect_channel_error(406, "PRECONDITION_FAILED",
                             lambda: ch.queue_declare(q, exclusive=True, durable=True), conn)
        ch = conn.channel()
        expect_channel_error(406, "PRECONDITION_FAILED",
                             lambda: (ch.basic_ack(99), ch.queue_declare(q, passive=True)), conn)

        ch = conn.channel()
        publish(ch, q, b"still fine")
        assert [b for _, _, b in get_all(ch, q)] == [b"still fine"]
        bystander.queue_declare("", exclusive=True)


def test_queue_purge_and_conditional_delete(amqp_broker):
    with connected(amqp_broker) as (conn, ch):
        q = amqp_broker.name("purge")
        ch.queue_declare(q, auto_delete=False)
        publish(ch, q, b"1", b"2", b"3")
        wait_ready(ch, conn, q, 3)
        assert ch.queue_purge(q).method.message_count == 3
        assert ready_count(ch, q) == 0

        publish(ch, q, b"4")
        wait_ready(ch, conn, q, 1)
        expect_channel_error(406, "PRECONDITION_FAILED",
                             lambda: ch.queue_delete(q, if_empty=True), conn)
        ch = conn.channel()
        tag = ch.basic_consume(q, lambda *a: None)
        expect_channel_error(406, "PRECONDITION_FAILED",
                             lambda: conn.channel().queue_delete(q, if_unused=True), conn)
        ch.basic_cancel(tag)  # back in the queue: the unacked message
        assert pump(conn, lambda: ready_count(ch, q) == 1, 5)
        assert ch.queue_delete(q, if_unused=True).method.message_count == 1
        expect_channel_error(404, "NOT_FOUND", lambda: ch.queue_purge(q), conn)


def test_transactions_commit_and_rollback(amqp_broker):
    with connected(amqp_broker) as (conn, ch):
        q = amqp_broker.name("tx")
        ch.queue_declare(q, auto_delete=False)
        ch.tx_select()
        publish(ch, q, b"rolled-back-1", b"rolled-back-2")
        ch.tx_rollback()
        settle(conn, 0.2)
        assert ready_count(ch, q) == 0, "rolled-back publishes reached the queue"
        publish(ch, q, b"committed")
        settle(conn, 0.2)
        assert ready_count(ch, q) == 0, "a publish inside a transaction is visible before commit"
        ch.tx_commit()
        assert ready_count(ch, q) == 1

        # Acks are transactional too: a rolled-back ack leaves the message unacked.
        method, _, body = ch.basic_get(q)
        assert body == b"committed"
        ch.basic_ack(method.delivery_tag)
        ch.tx_rollback()
        ch.close()  # unacked -> requeued
        ch = conn.channel()
        method, _, body = ch.basic_get(q)
        assert (body, method.redelivered) == (b"committed", True), \
            "a rolled-back ack removed the message"
        ch.tx_select()
        ch.basic_ack(method.delivery_tag)
        ch.tx_commit()
        ch.close()
        ch = conn.channel()
        assert ready_count(ch, q) == 0, "a committed ack did not remove the message"
        ch.queue_delete(q)


def test_tx_commit_without_select_is_a_channel_error(amqp_broker):
    with connected(amqp_broker) as (conn, ch):
        expect_channel_error(406, "PRECONDITION_FAILED", ch.tx_commit, conn)


# ---------------------------------------------------------------------------------------------
# SelectConnection: the asynchronous adapter


class AsyncRun:
    """Drives a SelectConnection until done() or fail(); a timer bounds the whole run."""

    def __init__(self, broker, timeout: float = 20.0, **params):
        self.error: str | None = None
        self.finished = False
        self.closed_reason = None
        self.conn = pika.SelectConnection(
            broker.params(**params), on_open_callback=self.on_open,
            on_open_error_callback=lambda c, e: self.fail(
                f"could not connect to {broker!r}: {e!r}"),
            on_close_callback=self._on_close)
        self.conn.ioloop.call_later(timeout, lambda: self.fail(f"not done within {timeout} s"))

    def on_open(self, conn):
        raise NotImplementedError

    def fail(self, message: str) -> None:
        if not self.finished:
            self.error = message
            self.done()

    def done(self) -> None:
        self.finished = True
        if self.conn.is_open:
            self.conn.close()
        elif not self.conn.is_closing:
            self.conn.ioloop.stop()

    def _on_close(self, conn, reason):
        self.closed_reason = reason
        if not self.finished:
            self.error = f"connection closed unexpectedly: {reason!r}"
            self.finished = True
        conn.ioloop.stop()

    def run(self) -> None:
        self.conn.ioloop.start()
        assert self.error is None, self.error
        assert isinstance(self.closed_reason, pe.ConnectionClosedByClient), \
            f"connection closed by {self.closed_reason!r}, not by the client"


class ConfirmAndConsume(AsyncRun):
    """Publishes COUNT messages with pipelined confirms plus one unroutable mandatory message,
    then consumes them back with prefetch 10, acking in batches from a timer."""

    COUNT = 300
    UNROUTABLE_AT = 150
    PREFETCH = 10

    def __init__(self, broker):
        super().__init__(broker)
        self.events: list[tuple] = []
        self.confirmed: set[int] = set()
        self.next_tag = 0
        self.received: list[bytes] = []
        self.acked_upto = 0
        self.max_unacked = 0

    def on_open(self, conn):
        conn.channel(on_open_callback=self.on_channel)

    def on_channel(self, ch):
        self.ch = ch
        ch.add_on_close_callback(lambda c, reason: self.fail(f"channel closed: {reason!r}"))
        ch.add_on_return_callback(lambda c, m, p, b: self.events.append(("return", b)))
        ch.confirm_delivery(self.on_confirm, callback=lambda frame: ch.queue_declare(
            "", exclusive=True, callback=self.on_declared))

    def on_declared(self, frame):
        self.queue = frame.method.queue
        for i in range(self.COUNT):  # no waiting between publishes: confirms come in a stream
            if i == self.UNROUTABLE_AT:
                self.ch.basic_publish("amq.direct", "nobody", b"unroutable", mandatory=True)
                self.next_tag += 1
                self.unroutable_tag = self.next_tag
            self.ch.basic_publish("", self.queue, f"m{i}".encode(),
                                  pika.BasicProperties(delivery_mode=2), mandatory=True)
            self.next_tag += 1

    def on_confirm(self, frame):
        method = frame.method
        if isinstance(method, pika.spec.Basic.Nack):
            return self.fail(f"broker nacked {method.delivery_tag}")
        tags = range(1, method.delivery_tag + 1) if method.multiple else [method.delivery_tag]
        new = set(tags) - self.confirmed
        if not new:
            return self.fail(f"basic.ack {method.delivery_tag} confirms nothing new")
        self.confirmed |= new
        self.events.append(("ack", method.delivery_tag, method.multiple))
        if len(self.confirmed) == self.next_tag == self.COUNT + 1:
            self.ch.basic_qos(prefetch_count=self.PREFETCH, callback=lambda f: (
                self.ch.basic_consume(self.queue, self.on_message)))

    def on_message(self, ch, method, props, body):
        self.received.append(body)
        tag = method.delivery_tag
        self.max_unacked = max(self.max_unacked, tag - self.acked_upto)
        if len(self.received) == self.COUNT:
            self.ack_upto(tag)
            ch.basic_cancel(method.consumer_tag, callback=lambda f: self.done())
        elif len(self.received) % 5 == 0:
            # From a timer, so that more deliveries can arrive meanwhile: the window must hold.
            self.conn.ioloop.call_later(0.002, lambda: self.ack_upto(tag))

    def ack_upto(self, tag):
        if tag > self.acked_upto and self.ch.is_open:
            self.ch.basic_ack(tag, multiple=True)
            self.acked_upto = tag


def test_select_connection_confirms_return_and_consume(amqp_broker):
    run = ConfirmAndConsume(amqp_broker)
    run.run()
    assert run.received == [f"m{i}".encode() for i in range(run.COUNT)]
    assert run.max_unacked <= run.PREFETCH, \
        f"{run.max_unacked} unacked deliveries with prefetch {run.PREFETCH}"
    returns = [i for i, e in enumerate(run.events) if e[0] == "return"]
    assert len(returns) == 1 and run.events[returns[0]][1] == b"unroutable"
    # The basic.return comes before the basic.ack that covers the returned message.
    covering = next(i for i, e in enumerate(run.events) if e[0] == "ack" and (
        e[1] == run.unroutable_tag or (e[2] and e[1] >= run.unroutable_tag)))
    assert returns[0] < covering, f"basic.return after its ack: {run.events[:10]}"


class ChannelErrorRecovery(AsyncRun):
    """A 404 on one channel; a second channel carries on; the connection closes cleanly."""

    def on_open(self, conn):
        self.first_close = None
        conn.channel(on_open_callback=self.on_first)

    def on_first(self, ch):
        ch.add_on_close_callback(self.on_first_closed)
        ch.queue_declare("no-such-queue-" + os.urandom(4).hex(), passive=True,
                         callback=lambda f: self.fail("passive declare of a missing queue"
                                                      " succeeded"))

    def on_first_closed(self, ch, reason):
        self.first_close = reason
        self.conn.channel(on_open_callback=self.on_second)

    def on_second(self, ch):
        self.second = ch
        ch.queue_declare("", exclusive=True, callback=self.on_declared)

    def on_declared(self, frame):
        queue = frame.method.queue
        self.second.basic_publish("", queue, b"after the error")
        self.second.basic_get(queue, callback=self.on_get, auto_ack=True)

    def on_get(self, ch, method, props, body):
        self.body = body
        self.done()


def test_select_connection_channel_error_recovery(amqp_broker):
    run = ChannelErrorRecovery(amqp_broker)
    run.run()
    reason = run.first_close
    assert isinstance(reason, pe.ChannelClosedByBroker), f"first channel closed by {reason!r}"
    assert reason.reply_code == 404 and reason.reply_text.startswith("NOT_FOUND"), repr(reason)
    assert run.body == b"after the error"
