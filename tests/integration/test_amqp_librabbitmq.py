"""librabbitmq (rabbitmq-c) against the AMQP listener: a 10 MiB message spread over many body
frames, every byte checked, plus a headers table with every field type librabbitmq writes
(tests/interop/amqp_large_message.c, built as <build>/bin/sy_amqp_large_message).

Proved against RabbitMQ with SY_AMQP_TARGET=rabbitmq (amqp_target.py).
"""

from __future__ import annotations

import re

import pytest

from amqp_target import HOST
from conftest import BUILD_DIR, run

PROGRAM = BUILD_DIR / "bin" / "sy_amqp_large_message"
TEN_MIB = 10 << 20


@pytest.mark.parametrize("frame_max", [131072, 4096])
def test_ten_mib_message_over_many_frames(amqp_broker, frame_max):
    assert PROGRAM.exists(), f"{PROGRAM} is missing: build the sy_amqp_large_message target"
    result = run([PROGRAM, HOST, amqp_broker.port, TEN_MIB, frame_max], timeout=90)
    assert result.returncode == 0, \
        f"{PROGRAM.name} against {amqp_broker!r} failed:\n{result.stderr}{result.stdout}"
    match = re.search(r"in (\d+) body frames", result.stdout)
    assert match, result.stdout
    frames = int(match.group(1))
    # The broker may cut the body differently from the publisher, but never into fewer frames
    # than frame_max allows.
    assert frames >= TEN_MIB // (frame_max - 8), f"{frames} body frames for 10 MiB"
