"""A file-size limit (ulimit -f) hit while the gateway writes: like a tiny filesystem, every
write past it fails. Confirmed AMQP publishers get basic.nack for what could not be stored,
never an ack; the gateway says so in its log, keeps running, and every acknowledged message
can still be consumed."""

import os
import resource

import pika
import pytest

FILE_HEADROOM = 1 << 20  # bytes the store may still grow by once the limit is set
PAYLOAD = 64 * 1024


def largest_file(directory):
    sizes = [os.path.getsize(os.path.join(directory, f)) for f in os.listdir(directory)]
    return max(sizes, default=0)


def test_file_size_limit_nacks_publishes_and_keeps_serving(gateway_factory):
    gw = gateway_factory(amqp=True)
    conn = pika.BlockingConnection(pika.ConnectionParameters("127.0.0.1", gw.amqp_port,
                                                             heartbeat=0))
    try:
        ch = conn.channel()
        ch.queue_declare("limited", durable=True)
        ch.confirm_delivery()
        ch.basic_publish("", "limited", b"warm-up",
                         pika.BasicProperties(delivery_mode=2))

        limit = largest_file(gw.data_dir) + FILE_HEADROOM
        # RLIMIT_FSIZE of the running gateway: as `ulimit -f` before its start, minus the wait.
        resource.prlimit(gw.proc.pid, resource.RLIMIT_FSIZE, (limit, limit))

        acked, nacked = [b"warm-up"], 0
        for i in range(400):  # 25 MiB: far past the limit
            body = f"{i:06d}".encode() + b"x" * (PAYLOAD - 6)
            try:
                ch.basic_publish("", "limited", body, pika.BasicProperties(delivery_mode=2))
                acked.append(body)
            except pika.exceptions.NackError:
                nacked += 1
                if nacked >= 3:
                    break
        assert nacked >= 3, f"no negative ack after {len(acked)} acked 64 KiB publishes"
        assert len(acked) > 1, "the limit left no room at all; the test proves nothing"
        assert gw.running(), "the gateway died at the file-size limit"

        # Consumers keep draining: every acknowledged message is there, in order.
        seen = []
        while True:
            method, _, body = ch.basic_get("limited", auto_ack=True)
            if method is None:
                break
            seen.append(body)
        missing = [b[:6] for b in acked if b not in set(seen)]
        assert not missing, f"acknowledged messages missing: {missing[:10]}"
    finally:
        if conn.is_open:
            conn.close()
        try:
            resource.prlimit(gw.proc.pid, resource.RLIMIT_FSIZE,
                             (resource.RLIM_INFINITY, resource.RLIM_INFINITY))
        except (ProcessLookupError, PermissionError):
            pass
    assert any("sqlite" in line.lower() and "failed" in line.lower() for line in gw.lines), \
        "no log line about the failed write"
