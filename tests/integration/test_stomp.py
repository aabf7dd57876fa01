"""STOMP 1.0/1.1/1.2 over TCP with python3-stomp (stomp.py 8) and a raw socket: every frame
type, each ack mode, transactions, receipts, durable subscriptions, temp queues, error cases,
heart-beats, and MQTT <-> STOMP crossings through amq.topic."""

from __future__ import annotations

import socket
import threading
import time

import pytest
import stomp

from conftest import HOST, MosquittoSub, mosquitto_pub, wait_until

WAIT = 5.0


class Collector(stomp.ConnectionListener):
    """Keeps what a connection receives; every wait is bounded."""

    def __init__(self):
        self.cond = threading.Condition()
        self.messages: list[tuple[dict, bytes]] = []
        self.receipts: list[str] = []
        self.errors: list[tuple[dict, str]] = []
        self.connected: dict | None = None
        self.disconnected = False

    def _add(self, fn):
        with self.cond:
            fn()
            self.cond.notify_all()

    def on_connected(self, frame):
        self._add(lambda: setattr(self, "connected", dict(frame.headers)))

    def on_message(self, frame):
        self._add(lambda: self.messages.append((dict(frame.headers), frame.body)))

    def on_receipt(self, frame):
        self._add(lambda: self.receipts.append(frame.headers["receipt-id"]))

    def on_error(self, frame):
        self._add(lambda: self.errors.append((dict(frame.headers), frame.body)))

    def on_disconnected(self):
        self._add(lambda: setattr(self, "disconnected", True))

    def wait(self, predicate, timeout=WAIT) -> bool:
        with self.cond:
            return self.cond.wait_for(predicate, timeout)

    def wait_messages(self, count, timeout=WAIT):
        self.wait(lambda: len(self.messages) >= count, timeout)
        return list(self.messages)

    def wait_receipt(self, receipt, timeout=WAIT) -> bool:
        return self.wait(lambda: receipt in self.receipts, timeout)


class Client:
    """A stomp.py connection with its collector, connected on construction."""

    CLASSES = {"1.0": stomp.Connection10, "1.1": stomp.Connection11, "1.2": stomp.Connection12}

    def __init__(self, port: int, version: str = "1.2", heartbeats=(0, 0), **headers):
        cls = self.CLASSES[version]
        kwargs = {"timeout": WAIT, "reconnect_attempts_max": 1}
        if version != "1.0":
            kwargs["heartbeats"] = heartbeats
        self.version = version
        self.conn = cls([(HOST, port)], **kwargs)
        self.rx = Collector()
        self.conn.set_listener("collector", self.rx)
        self.conn.connect("guest", "guest", wait=False, headers=headers)
        assert self.rx.wait(lambda: self.rx.connected is not None), "no CONNECTED"

    def ack(self, headers: dict, **kw):
        if self.version == "1.2":
            self.conn.ack(headers["ack"], **kw)
        else:
            self.conn.ack(headers["message-id"], headers["subscription"], **kw)

    def nack(self, headers: dict, **kw):
        if self.version == "1.2":
            self.conn.nack(headers["ack"], **kw)
        else:
            self.conn.nack(headers["message-id"], headers["subscription"], **kw)

    def subscribe(self, destination, sub_id, ack="auto", **headers):
        receipt = f"sub-{sub_id}"
        self.conn.subscribe(destination, sub_id, ack=ack, headers=headers, receipt=receipt)
        assert self.rx.wait_receipt(receipt), f"no receipt for SUBSCRIBE {destination}"

    def close(self):
        if self.conn.is_connected():
            try:
                self.conn.disconnect(receipt="bye")
            except Exception:
                pass
        self.conn.transport.stop()


@pytest.fixture
def gw(gateway_factory):
    return gateway_factory(stomp=True)


@pytest.fixture
def clients(gw):
    made: list[Client] = []

    def make(**kw) -> Client:
        c = Client(gw.stomp_port, **kw)
        made.append(c)
        return c

    yield make
    for c in made:
        c.close()


# ---- raw frames ----------------------------------------------------------------------------


class Raw:
    """A plain socket speaking STOMP bytes, for what a client library will not send."""

    def __init__(self, port: int):
        self.sock = socket.create_connection((HOST, port), timeout=WAIT)
        self.buf = b""

    def send(self, data: bytes):
        self.sock.sendall(data)

    def frame(self, timeout=WAIT) -> tuple[str, dict, bytes] | None:
        """The next frame (heart-beat EOLs skipped), or None when the server closed."""
        deadline = time.monotonic() + timeout
        while True:
            self.buf = self.buf.lstrip(b"\r\n")
            if b"\0" in self.buf and b"\n\n" in self.buf:
                head, _, rest = self.buf.partition(b"\n\n")
                lines = head.decode().split("\n")
                headers = {}
                for line in lines[1:]:
                    k, _, v = line.partition(":")
                    headers.setdefault(k, v)
                if "content-length" in headers:
                    n = int(headers["content-length"])
                    if len(rest) > n:
                        body, self.buf = rest[:n], rest[n + 1:]
                        return lines[0], headers, body
                else:
                    body, _, self.buf = rest.partition(b"\0")
                    return lines[0], headers, body
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(f"no frame within {timeout} s; have {self.buf!r}")
            self.sock.settimeout(left)
            chunk = self.sock.recv(65536)
            if not chunk:
                return None
            self.buf += chunk

    def closed(self, timeout=WAIT) -> bool:
        """True once the server has closed the socket (after any frames still queued)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.sock.settimeout(max(0.01, deadline - time.monotonic()))
            try:
                chunk = self.sock.recv(65536)
            except socket.timeout:
                return False
            except ConnectionResetError:
                return True
            if not chunk:
                return True
            self.buf += chunk
        return False

    def connect(self, version="1.2", extra=b"") -> dict:
        self.send(b"CONNECT\naccept-version:" + version.encode() + b"\nhost:/\n" + extra +
                  b"\n\0")
        cmd, headers, _ = self.frame()
        assert cmd == "CONNECTED", (cmd, headers)
        return headers

    def close(self):
        self.sock.close()


@pytest.fixture
def raw(gw):
    made: list[Raw] = []

    def make() -> Raw:
        r = Raw(gw.stomp_port)
        made.append(r)
        return r

    yield make
    for r in made:
        r.close()


# ---- connection ----------------------------------------------------------------------------


@pytest.mark.parametrize("version", ["1.0", "1.1", "1.2"])
def test_connect_each_version(clients, version):
    c = clients(version=version)
    assert c.rx.connected["version"] == version
    assert c.rx.connected["server"].startswith("Switchyard/")
    assert c.rx.connected["session"]


def test_version_negotiation_picks_highest_and_refuses_unknown(raw):
    r = raw()
    headers = r.connect("1.1,1.0,1.2")
    assert headers["version"] == "1.2"
    r2 = raw()
    r2.send(b"CONNECT\naccept-version:2.0\n\n\0")
    cmd, headers, body = r2.frame()
    assert cmd == "ERROR"
    assert headers["version"] == "1.0,1.1,1.2"
    assert r2.closed()


def test_connect_without_accept_version_is_1_0(raw):
    r = raw()
    r.send(b"CONNECT\nlogin:a\npasscode:b\n\n\0")
    cmd, headers, _ = r.frame()
    assert cmd == "CONNECTED" and headers["version"] == "1.0"


def test_disconnect_receipt_then_close(raw):
    r = raw()
    r.connect()
    r.send(b"DISCONNECT\nreceipt:77\n\n\0")
    assert r.frame()[:2] == ("RECEIPT", {"receipt-id": "77"})
    assert r.closed()


# ---- send / subscribe ----------------------------------------------------------------------


def test_topic_round_trip_with_headers(clients):
    c = clients()
    c.subscribe("/topic/plant.*.temp", "1")
    c.conn.send("/topic/plant.line1.temp", "21.5", content_type="text/plain",
                headers={"correlation-id": "c-1", "x-site": "north", "priority": "5",
                         "expiration": "60000", "message-id": "forged"})
    (headers, body), = c.rx.wait_messages(1)
    assert body == "21.5"
    assert headers["destination"] == "/topic/plant.line1.temp"
    assert headers["subscription"] == "1"
    assert headers["content-type"] == "text/plain"
    assert headers["correlation-id"] == "c-1"
    assert headers["x-site"] == "north"
    assert headers["priority"] == "5"
    assert headers["expiration"] == "60000"
    assert headers["message-id"] != "forged"  # server-set headers win


def test_topic_without_subscribers_is_dropped(clients):
    c = clients()
    c.conn.send("/topic/nobody.listens", "x", receipt="r1")
    assert c.rx.wait_receipt("r1")
    c.subscribe("/topic/nobody.listens", "1")
    assert c.rx.wait_messages(1, timeout=0.5) == []


def test_binary_body_exact_over_raw_socket(raw):
    r = raw()
    r.connect()
    r.send(b"SUBSCRIBE\nid:1\ndestination:/queue/bin\n\n\0")
    payload = b"\x00\x01\xff\x00end"
    r.send(b"SEND\ndestination:/queue/bin\ncontent-length:%d\n\n" % len(payload) + payload +
           b"\0")
    cmd, headers, body = r.frame()
    assert cmd == "MESSAGE" and body == payload


def test_queue_round_trip_and_persistence_across_restart(gateway_factory):
    gw = gateway_factory(stomp=True)
    c = Client(gw.stomp_port)
    c.conn.send("/queue/jobs", "job-1", persistent="true", receipt="p1")
    assert c.rx.wait_receipt("p1")
    c.close()
    gw.restart()
    c = Client(gw.stomp_port)
    try:
        c.subscribe("/queue/jobs", "1")
        (headers, body), = c.rx.wait_messages(1)
        assert body == "job-1"
        assert headers["destination"] == "/queue/jobs"
        assert headers["persistent"] == "true"
    finally:
        c.close()


def test_queue_delivers_each_message_once_across_subscribers(clients):
    a, b = clients(), clients()
    a.subscribe("/queue/work", "a")
    b.subscribe("/queue/work", "b")
    for i in range(10):
        a.conn.send("/queue/work", f"m{i}")
    assert wait_until(lambda: len(a.rx.messages) + len(b.rx.messages) >= 10, WAIT)
    time.sleep(0.2)
    bodies = sorted(m[1] for m in a.rx.messages + b.rx.messages)
    assert bodies == sorted(f"m{i}" for i in range(10))
    assert a.rx.messages and b.rx.messages  # round-robin


def test_amq_queue_existing_only(clients):
    c = clients()
    c.conn.send("/queue/made-here", "x", receipt="r")
    assert c.rx.wait_receipt("r")
    c.subscribe("/amq/queue/made-here", "1")
    (_, body), = c.rx.wait_messages(1)
    assert body == "x"
    d = clients()
    d.conn.subscribe("/amq/queue/missing", "2")
    assert d.rx.wait(lambda: d.rx.errors)
    assert d.rx.errors[0][0]["message"] == "not_found"


def test_exchange_destination(clients):
    c = clients()
    c.subscribe("/exchange/amq.direct/alarm", "1")
    c.conn.send("/exchange/amq.direct/alarm", "fire")
    c.conn.send("/exchange/amq.direct/other", "no")
    (headers, body), = c.rx.wait_messages(1)
    assert body == "fire"
    assert headers["destination"] == "/exchange/amq.direct/alarm"
    time.sleep(0.3)
    assert len(c.rx.messages) == 1


def test_unsubscribe_stops_delivery(clients):
    c = clients()
    c.subscribe("/topic/unsub.test", "1")
    c.conn.send("/topic/unsub.test", "one")
    assert len(c.rx.wait_messages(1)) == 1
    c.conn.unsubscribe("1", receipt="u1")
    assert c.rx.wait_receipt("u1")
    c.conn.send("/topic/unsub.test", "two", receipt="s2")
    assert c.rx.wait_receipt("s2")
    time.sleep(0.2)
    assert [m[1] for m in c.rx.messages] == ["one"]


# ---- acks ----------------------------------------------------------------------------------


@pytest.mark.parametrize("version", ["1.1", "1.2"])
def test_client_individual_ack_and_nack_redelivers(clients, version):
    c = clients(version=version)
    c.subscribe("/queue/indiv", "1", ack="client-individual")
    c.conn.send("/queue/indiv", "a")
    c.conn.send("/queue/indiv", "b")
    msgs = c.rx.wait_messages(2)
    assert [m[1] for m in msgs] == ["a", "b"]
    c.ack(msgs[1][0], receipt="ack-b")
    assert c.rx.wait_receipt("ack-b")
    c.nack(msgs[0][0], receipt="nack-a")
    assert c.rx.wait_receipt("nack-a")
    msgs = c.rx.wait_messages(3)
    assert msgs[2][1] == "a"
    assert msgs[2][0]["redelivered"] == "true"
    c.ack(msgs[2][0], receipt="ack-a")
    assert c.rx.wait_receipt("ack-a")


def test_client_ack_is_cumulative(gw, clients):
    c = clients()
    c.subscribe("/queue/cumul", "1", ack="client")
    for i in range(3):
        c.conn.send("/queue/cumul", f"m{i}")
    msgs = c.rx.wait_messages(3)
    # Acking the last acknowledges all three: nothing comes back after the connection ends.
    c.ack(msgs[2][0], receipt="all")
    assert c.rx.wait_receipt("all")
    c.close()
    d = clients()
    d.subscribe("/queue/cumul", "2")
    assert d.rx.wait_messages(1, timeout=0.5) == []


def test_unacked_messages_return_to_the_queue_on_disconnect(clients):
    c = clients()
    c.subscribe("/queue/unacked", "1", ack="client")
    c.conn.send("/queue/unacked", "keep-me")
    assert len(c.rx.wait_messages(1)) == 1
    c.close()
    d = clients()
    d.subscribe("/queue/unacked", "2")
    (headers, body), = d.rx.wait_messages(1)
    assert body == "keep-me" and headers["redelivered"] == "true"


def test_prefetch_count_limits_unacked(clients):
    c = clients()
    c.subscribe("/queue/prefetch", "1", ack="client-individual", **{"prefetch-count": "2"})
    for i in range(5):
        c.conn.send("/queue/prefetch", f"m{i}")
    assert len(c.rx.wait_messages(2)) == 2
    time.sleep(0.3)
    assert len(c.rx.messages) == 2
    c.ack(c.rx.messages[0][0])
    assert len(c.rx.wait_messages(3)) == 3


def test_nack_without_requeue_drops(clients):
    c = clients()
    c.subscribe("/queue/drop", "1", ack="client-individual")
    c.conn.send("/queue/drop", "bad")
    (headers, _), = c.rx.wait_messages(1)
    c.conn.nack(headers["ack"], requeue="false", receipt="n")
    assert c.rx.wait_receipt("n")
    time.sleep(0.3)
    assert len(c.rx.messages) == 1


def test_unknown_ack_id_is_an_error(clients):
    c = clients()
    c.conn.ack("999", receipt="x")
    assert c.rx.wait(lambda: c.rx.errors)
    headers, _ = c.rx.errors[0]
    assert headers["message"] == "Unknown message id"
    assert headers["receipt-id"] == "x"


# ---- transactions --------------------------------------------------------------------------


def test_transaction_commit_and_abort(clients):
    c = clients()
    c.subscribe("/queue/tx", "1")
    tx = c.conn.begin()
    c.conn.send("/queue/tx", "in-tx", transaction=tx)
    time.sleep(0.3)
    assert c.rx.messages == []  # not before COMMIT
    c.conn.commit(tx)
    assert [m[1] for m in c.rx.wait_messages(1)] == ["in-tx"]
    tx2 = c.conn.begin()
    c.conn.send("/queue/tx", "aborted", transaction=tx2)
    c.conn.abort(tx2)
    c.conn.send("/queue/tx", "after", receipt="after")
    assert c.rx.wait_receipt("after")
    assert [m[1] for m in c.rx.wait_messages(2)] == ["in-tx", "after"]


def test_transactional_ack_applies_on_commit_only(clients):
    c = clients()
    c.subscribe("/queue/txack", "1", ack="client-individual")
    c.conn.send("/queue/txack", "m")
    (headers, _), = c.rx.wait_messages(1)
    tx = c.conn.begin()
    c.conn.ack(headers["ack"], transaction=tx)
    c.conn.abort(tx)  # the ack is dropped: the message is still ours to ack
    tx = c.conn.begin()
    c.conn.ack(headers["ack"], transaction=tx)
    c.conn.commit(tx, receipt="c")  # now it is applied
    assert c.rx.wait_receipt("c")
    c.close()
    d = clients()
    d.subscribe("/queue/txack", "2")
    assert d.rx.wait_messages(1, timeout=0.5) == []


def test_transaction_dropped_on_disconnect(clients):
    c = clients()
    tx = c.conn.begin()
    c.conn.send("/queue/txgone", "never", transaction=tx)
    c.close()
    d = clients()
    d.conn.send("/queue/txgone", "marker", receipt="m")
    assert d.rx.wait_receipt("m")
    d.subscribe("/queue/txgone", "1")
    assert [m[1] for m in d.rx.wait_messages(1)] == ["marker"]
    time.sleep(0.2)
    assert len(d.rx.messages) == 1


def test_commit_of_unknown_transaction_is_an_error(clients):
    c = clients()
    c.conn.commit("nope")
    assert c.rx.wait(lambda: c.rx.errors)
    assert c.rx.errors[0][0]["message"] == "Invalid transaction"


# ---- durable subscriptions and temp queues -------------------------------------------------


def test_durable_topic_subscription_survives_reconnect_and_restart(gateway_factory):
    gw = gateway_factory(stomp=True)
    sub = {"durable": "true", "auto-delete": "false"}
    c = Client(gw.stomp_port, **{"client-id": "dash-1"})
    c.subscribe("/topic/alerts.#", "d1", **sub)
    c.close()
    p = Client(gw.stomp_port)
    p.conn.send("/topic/alerts.boiler", "while-away", persistent="true", receipt="r")
    assert p.rx.wait_receipt("r")
    p.close()
    c = Client(gw.stomp_port, **{"client-id": "dash-1"})
    c.subscribe("/topic/alerts.#", "d1", **sub)
    assert [m[1] for m in c.rx.wait_messages(1)] == ["while-away"]
    c.close()
    p = Client(gw.stomp_port)
    p.conn.send("/topic/alerts.pump", "before-restart", persistent="true", receipt="r")
    assert p.rx.wait_receipt("r")
    p.close()
    gw.restart()
    c = Client(gw.stomp_port, **{"client-id": "dash-1"})
    try:
        c.subscribe("/topic/alerts.#", "d1", **sub)
        assert [m[1] for m in c.rx.wait_messages(1)] == ["before-restart"]
        # UNSUBSCRIBE with durable:true ends it for good.
        c.conn.unsubscribe("d1", headers=sub, receipt="gone")
        assert c.rx.wait_receipt("gone")
    finally:
        c.close()


def test_temp_queue_request_reply(clients):
    service = clients()
    service.subscribe("/queue/rpc", "svc")
    caller = clients()
    caller.conn.send("/queue/rpc", "ping", headers={"reply-to": "/temp-queue/answers"})
    (req_headers, body), = service.rx.wait_messages(1)
    assert body == "ping"
    reply_to = req_headers["reply-to"]
    assert reply_to.startswith("/reply-queue/")
    service.conn.send(reply_to, "pong")
    (headers, body), = caller.rx.wait_messages(1)
    assert body == "pong"
    assert headers["subscription"] == "/temp-queue/answers"


# ---- errors --------------------------------------------------------------------------------


@pytest.mark.parametrize("data,message", [
    (b"SEND\n\nno destination\0", "Missing destination"),
    (b"SEND\ndestination:/nowhere/x\n\n\0", "Unknown destination"),
    (b"SEND\ndestination:/exchange/no.such.exchange/k\n\n\0", "not_found"),
    (b"SUBSCRIBE\ndestination:/topic/a\n\n\0", "Missing id"),
    (b"SUBSCRIBE\nid:1\ndestination:/topic/a\nack:sometimes\n\n\0", "Invalid ack mode"),
    (b"BOGUS\n\n\0", "Malformed frame"),
    (b"SEND\ndestination:/topic/a\nbad\\tescape:1\n\n\0", "Malformed frame"),
    (b"CONNECT\n\n\0", "Already connected"),
    (b"MESSAGE\n\n\0", "Bad command"),
])
def test_error_frame_then_close(raw, data, message):
    r = raw()
    r.connect()
    r.send(data)
    cmd, headers, body = r.frame()
    assert cmd == "ERROR"
    assert headers["message"] == message
    assert body  # a human-readable detail
    assert r.closed()


def test_frame_before_connect_is_an_error(raw):
    r = raw()
    r.send(b"SEND\ndestination:/topic/a\nreceipt:9\n\nx\0")
    cmd, headers, _ = r.frame()
    assert cmd == "ERROR" and headers["receipt-id"] == "9"
    assert r.closed()


def test_frame_too_large(raw):
    r = raw()
    r.connect()
    r.send(b"SEND\ndestination:/topic/a\ncontent-length:999999999\n\n")
    cmd, headers, _ = r.frame()
    assert cmd == "ERROR" and headers["message"] == "Frame too large"
    assert r.closed()


# ---- heart-beats ---------------------------------------------------------------------------


def test_server_sends_heart_beats(raw):
    r = raw()
    headers = r.connect(extra=b"heart-beat:0,1000\n")
    assert headers["heart-beat"] == "1000,0"
    r.sock.settimeout(3)
    assert r.sock.recv(16).strip(b"\r") == b"\n"


def test_silent_client_is_closed_after_twice_its_heart_beat(raw):
    r = raw()
    headers = r.connect(extra=b"heart-beat:1000,0\n")
    assert headers["heart-beat"] == "0,1000"
    started = time.monotonic()
    assert r.closed(timeout=6)
    assert time.monotonic() - started >= 1.5


def test_heart_beating_client_stays(raw):
    r = raw()
    r.connect(extra=b"heart-beat:1000,0\n")
    for _ in range(6):
        time.sleep(0.5)
        r.send(b"\n")
    assert not r.closed(timeout=0.2)


def test_stomp_py_heart_beats_keep_the_connection(clients):
    c = clients(heartbeats=(1000, 1000))
    assert c.rx.connected["heart-beat"] == "1000,1000"
    time.sleep(3.5)
    c.subscribe("/topic/hb", "1")
    assert c.conn.is_connected()


# ---- MQTT crossings ------------------------------------------------------------------------


def test_mqtt_publish_reaches_stomp_topic_wildcard(gw, clients):
    c = clients()
    c.subscribe("/topic/plant.*.temp", "t")
    mosquitto_pub(gw.mqtt_port, "plant/line1/temp", "22.5", qos=1)
    mosquitto_pub(gw.mqtt_port, "plant/line1/pressure", "1.2", qos=1)
    (headers, body), = c.rx.wait_messages(1)
    assert body == "22.5"
    assert headers["destination"] == "/topic/plant.line1.temp"
    time.sleep(0.3)
    assert len(c.rx.messages) == 1


def test_stomp_send_reaches_mqtt_subscriber(gw, clients):
    c = clients()
    with MosquittoSub(gw.mqtt_port, ["plant/+/cmd"], "-q", "1") as sub:
        sub.wait_subscribed()
        c.conn.send("/topic/plant.line2.cmd", "stop", persistent="true", receipt="r")
        assert c.rx.wait_receipt("r")
        messages = sub.wait_messages(1)
    assert [(m.topic, m.payload, m.qos) for m in messages] == [("plant/line2/cmd", "stop", 1)]
