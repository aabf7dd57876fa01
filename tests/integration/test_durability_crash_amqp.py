"""SIGKILL under AMQP load: every message whose publisher confirm (basic.ack) arrived is delivered
after restart (issue 3, the AMQP half of test_durability_crash.py). Two pika publishers with
confirms send 20,000 persistent messages (delivery_mode 2) to a durable queue, each keeping a
window of unconfirmed messages in flight; the broker is SIGKILLed once 25, 60 or 90 % of them are
confirmed, restarted on the same data, and the queue is drained. Lost confirmed messages fail
the test; duplicates, nacks and unconfirmed messages that still arrived are counted and printed.

Proved against RabbitMQ (durable classic queue) with SY_AMQP_TARGET=rabbitmq, where the node is
SIGKILLed and restarted on the same Mnesia directory.
"""

from __future__ import annotations

import threading
import time

import pika
import pika.exceptions as pe
import pytest

TOTAL = 20000
PUBLISHERS = 2
WINDOW = 500  # unconfirmed messages per publisher
QUEUE = "crash-durable"
PERSISTENT = pika.BasicProperties(delivery_mode=2)


class Publisher(threading.Thread):
    """A SelectConnection publisher on its own thread: publishes `count` persistent messages
    with confirms, at most WINDOW unconfirmed, until done or the connection drops."""

    def __init__(self, broker, ident: int, count: int):
        super().__init__(daemon=True, name=f"publisher-{ident}")
        self.broker = broker
        self.number = ident
        self.count = count
        self.next_seq = 0
        self.outstanding: dict[int, int] = {}  # delivery tag -> seq, in publish order
        self.confirmed: list[int] = []  # appended on this thread; read by the test thread
        self.nacked: list[int] = []
        self.tag = 0
        self.close_reason = None
        self.open_error = None

    def run(self) -> None:
        self.conn = pika.SelectConnection(
            self.broker.params(), on_open_callback=self.on_open,
            on_open_error_callback=self.on_open_error, on_close_callback=self.on_close)
        self.conn.ioloop.start()

    def on_open_error(self, conn, error) -> None:
        self.open_error = error
        conn.ioloop.stop()

    def on_close(self, conn, reason) -> None:
        self.close_reason = reason
        conn.ioloop.stop()

    def on_open(self, conn) -> None:
        conn.channel(on_open_callback=self.on_channel)

    def on_channel(self, ch) -> None:
        self.ch = ch
        ch.confirm_delivery(self.on_confirm, callback=lambda frame: self.fill_window())

    def fill_window(self) -> None:
        while self.next_seq < self.count and len(self.outstanding) < WINDOW:
            seq = self.next_seq
            self.ch.basic_publish("", QUEUE, f"{self.number}:{seq}".encode(), PERSISTENT)
            self.tag += 1
            self.outstanding[self.tag] = seq
            self.next_seq += 1
        if self.next_seq == self.count and not self.outstanding and self.conn.is_open:
            self.conn.close()

    def on_confirm(self, frame) -> None:
        method = frame.method
        if method.multiple:
            tags = [t for t in self.outstanding if t <= method.delivery_tag]
        else:
            tags = [method.delivery_tag] if method.delivery_tag in self.outstanding else []
        sink = self.nacked if isinstance(method, pika.spec.Basic.Nack) else self.confirmed
        for t in tags:
            sink.append(self.outstanding.pop(t))
        self.fill_window()

    def sent(self) -> set[str]:
        return {f"{self.number}:{seq}" for seq in range(self.next_seq)}


class OnlineConsumer(threading.Thread):
    """Consumes and acks while the publishers run, until the connection drops."""

    def __init__(self, broker):
        super().__init__(daemon=True, name="consumer")
        self.broker = broker
        self.seen: list[str] = []
        self.ready = threading.Event()

    def run(self) -> None:
        self.conn = pika.SelectConnection(
            self.broker.params(), on_open_callback=lambda c: c.channel(
                on_open_callback=self.on_channel),
            on_open_error_callback=lambda c, e: c.ioloop.stop(),
            on_close_callback=lambda c, r: c.ioloop.stop())
        self.conn.ioloop.start()

    def on_channel(self, ch) -> None:
        ch.basic_qos(prefetch_count=200, callback=lambda f: ch.basic_consume(
            QUEUE, self.on_message, callback=lambda f: self.ready.set()))

    def on_message(self, ch, method, props, body) -> None:
        self.seen.append(body.decode())
        ch.basic_ack(method.delivery_tag)


def drain(broker, quiet: float = 2.0, limit: float = 60.0) -> list[str]:
    """Consumes QUEUE after the restart until nothing new arrived for `quiet` seconds."""
    seen: list[str] = []
    with broker.connect() as conn:
        ch = conn.channel()
        try:
            ch.queue_declare(QUEUE, passive=True)
        except pe.ChannelClosedByBroker as exc:
            raise AssertionError(f"the durable queue did not survive the restart: {exc!r}")
        ch.basic_qos(prefetch_count=1000)
        last_tag = [0]

        def on_message(c, method, props, body):
            seen.append(body.decode())
            last_tag[0] = method.delivery_tag
            if method.delivery_tag % 200 == 0:
                c.basic_ack(method.delivery_tag, multiple=True)

        ch.basic_consume(QUEUE, on_message)
        deadline = time.monotonic() + limit
        count, changed = -1, time.monotonic()
        while time.monotonic() < deadline:
            conn.process_data_events(time_limit=0.1)
            if len(seen) != count:
                count, changed = len(seen), time.monotonic()
            elif time.monotonic() - changed >= quiet:
                break
        if last_tag[0]:
            ch.basic_ack(last_tag[0], multiple=True)
    return seen


def publish_until_killed(broker, kill_after: int) -> list[Publisher]:
    pubs = [Publisher(broker, i, TOTAL // PUBLISHERS) for i in range(PUBLISHERS)]
    for p in pubs:
        p.start()
    deadline = time.monotonic() + 60
    while sum(len(p.confirmed) for p in pubs) < kill_after and time.monotonic() < deadline:
        problems = [p for p in pubs if not p.is_alive()]
        if problems:
            p = problems[0]
            raise AssertionError(f"publisher {p.number} stopped before the kill: open error "
                                 f"{p.open_error!r}, close reason {p.close_reason!r}\n"
                                 f"{broker.log_tail(20)}")
        time.sleep(0.002)
    confirmed_at_kill = sum(len(p.confirmed) for p in pubs)
    broker.kill()
    for p in pubs:
        p.join(timeout=15)
        assert not p.is_alive(), f"publisher {p.number} still running 15 s after the kill"
    assert confirmed_at_kill >= kill_after, \
        f"only {confirmed_at_kill} of {kill_after} confirms within 60 s"
    return pubs


@pytest.mark.parametrize("kill_fraction,consumer_online", [
    (0.25, False),
    (0.6, True),
    (0.9, False),
])
def test_sigkill_loses_no_confirmed_message(amqp_broker_factory, kill_fraction,
                                            consumer_online):
    broker = amqp_broker_factory()
    with broker.connect() as conn:
        conn.channel().queue_declare(QUEUE, durable=True)
    if broker.kind == "rabbitmq":
        # RabbitMQ 3.10 writes its Mnesia log with a delay: a durable queue declared about 2 s
        # before a SIGKILL came back missing in 2 of 9 runs here (its messages with it). A clean
        # restart puts the declaration on disk, so that what is checked is the messages. The
        # gateway gets no such help: its declare-ok must mean the queue is on disk (issue 3).
        broker.rabbitmq.restart()
    consumer = None
    if consumer_online:
        consumer = OnlineConsumer(broker)
        consumer.start()
        assert consumer.ready.wait(10), "the online consumer could not start consuming"

    pubs = publish_until_killed(broker, int(TOTAL * kill_fraction))
    if consumer is not None:
        consumer.join(timeout=15)
    before = list(consumer.seen) if consumer else []

    broker.start()
    after = drain(broker)

    confirmed = {f"{p.number}:{s}" for p in pubs for s in p.confirmed}
    nacked = {f"{p.number}:{s}" for p in pubs for s in p.nacked}
    sent = set().union(*(p.sent() for p in pubs))
    received = set(before) | set(after)
    lost = sorted(confirmed - received)
    duplicates = len(before) + len(after) - len(received)
    unconfirmed = sent - confirmed - nacked
    strangers = received - sent
    print(f"kill at {kill_fraction:.0%} (consumer {'online' if consumer_online else 'offline'}) "
          f"on {broker.kind}: sent {len(sent)}, confirmed {len(confirmed)}, nacked "
          f"{len(nacked)}, unconfirmed {len(unconfirmed)} ({len(unconfirmed & received)} of "
          f"them delivered anyway), received {len(received)} ({len(before)} before the kill), "
          f"lost {len(lost)}, duplicates {duplicates}")
    assert not strangers, f"received messages nobody sent: {sorted(strangers)[:10]}"
    assert not lost, f"{len(lost)} confirmed messages lost, first: {lost[:10]}"
