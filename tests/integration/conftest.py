"""Fixtures and helpers for the integration tests: the real gateway binary, real clients.

Run with Debian's interpreter (it has paho-mqtt and pytest):
    SY_BUILD_DIR=build /usr/bin/python3 -m pytest -q tests/integration

The `gateway` fixture starts `<SY_BUILD_DIR>/bin/switchyard` on free loopback ports with a
temporary data directory and waits for its `ready` line; `gateway_factory` does the same with a
config file or extra flags. Every wait in this suite is bounded, and every process a test starts
is killed when the test ends.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, Sequence

import pytest

REPO = Path(__file__).resolve().parents[2]
BUILD_DIR = Path(os.environ.get("SY_BUILD_DIR") or REPO / "build")
GATEWAY_BIN = BUILD_DIR / "bin" / "switchyard"
HOST = "127.0.0.1"

READY_TIMEOUT = 10.0
STOP_TIMEOUT = 10.0
START_ATTEMPTS = 5

_READY_LINE = re.compile(r"\bready\b", re.IGNORECASE)
_PORT_IN_USE = re.compile(r"in use", re.IGNORECASE)
_SANITIZER_REPORT = re.compile(
    r"ERROR: (Address|Leak|Memory|Thread)Sanitizer|runtime error:|UndefinedBehaviorSanitizer")

# Every process a helper starts, so that the autouse fixture below can kill leftovers.
_children: list[subprocess.Popen] = []


def _spawn(cmd: Sequence[str], **kwargs) -> subprocess.Popen:
    kwargs.setdefault("stdin", subprocess.DEVNULL)
    # A process group of its own: a kill reaches its children too, and the terminal's
    # Ctrl-C does not.
    proc = subprocess.Popen([str(c) for c in cmd], start_new_session=True, **kwargs)
    _children.append(proc)
    return proc


def _kill_group(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


@pytest.fixture(autouse=True)
def _reap_children():
    yield
    while _children:
        proc = _children.pop()
        if proc.poll() is None:
            _kill_group(proc)
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            pass


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    # Lets fixtures see at teardown whether the test itself failed.
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"rep_{report.when}", report)


# ---------------------------------------------------------------------------------------------
# Small helpers


def free_ports(count: int) -> list[int]:
    """Distinct loopback ports that were free a moment ago (bound to port 0, then closed)."""
    socks = []
    try:
        for _ in range(count):
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.bind((HOST, 0))
            socks.append(s)
        return [s.getsockname()[1] for s in socks]
    finally:
        for s in socks:
            s.close()


def run(cmd: Sequence[str], timeout: float = 30.0, check: bool = False,
        input: bytes | None = None, env: dict | None = None,
        cwd: str | os.PathLike | None = None) -> subprocess.CompletedProcess:
    """Runs a command to completion with a hard timeout; stdout and stderr come back as text.

    On timeout the whole process group is killed and the test fails with what it printed.
    """
    cmd = [str(c) for c in cmd]
    proc = _spawn(cmd, stdin=subprocess.PIPE if input is not None else subprocess.DEVNULL,
                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, cwd=cwd)
    try:
        out, err = proc.communicate(input, timeout=timeout)
    except subprocess.TimeoutExpired:
        _kill_group(proc)
        out, err = proc.communicate()
        raise AssertionError(
            f"{' '.join(cmd)} did not finish within {timeout} s\n"
            f"stdout:\n{_text(out)}\nstderr:\n{_text(err)}") from None
    result = subprocess.CompletedProcess(cmd, proc.returncode, _text(out), _text(err))
    if check and result.returncode != 0:
        raise AssertionError(
            f"{' '.join(cmd)} exited with {result.returncode}\n"
            f"stdout:\n{result.stdout}\nstderr:\n{result.stderr}")
    return result


def _text(data: bytes | None) -> str:
    return (data or b"").decode("utf-8", errors="replace")


def wait_until(predicate: Callable[[], bool], timeout: float, interval: float = 0.05) -> bool:
    """Polls predicate until it is true or timeout seconds have passed; returns its last value."""
    deadline = time.monotonic() + timeout
    while True:
        if predicate():
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(interval)


class LineCollector:
    """Reads a pipe line by line on a thread, keeps the lines and lets tests wait for them."""

    def __init__(self, stream, sink=None):
        self.lines: list[str] = []
        self.eof = False
        self._sink = sink
        self._cond = threading.Condition()
        self._thread = threading.Thread(target=self._pump, args=(stream,), daemon=True)
        self._thread.start()

    def _pump(self, stream) -> None:
        try:
            for raw in iter(stream.readline, b""):
                line = raw.decode("utf-8", errors="replace").rstrip("\r\n")
                if self._sink is not None:
                    self._sink.write(line + "\n")
                    self._sink.flush()
                with self._cond:
                    self.lines.append(line)
                    self._cond.notify_all()
        except (OSError, ValueError):
            pass
        finally:
            with self._cond:
                self.eof = True
                self._cond.notify_all()

    def wait_for(self, predicate: Callable[[list[str]], bool], timeout: float) -> bool:
        """Waits until predicate(lines) holds; False on timeout or when the pipe closed first."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while not predicate(self.lines):
                remaining = deadline - time.monotonic()
                if self.eof or remaining <= 0:
                    return predicate(self.lines)
                self._cond.wait(remaining)
            return True

    def wait_eof(self, timeout: float) -> bool:
        self._thread.join(timeout)
        return self.eof

    def snapshot(self) -> list[str]:
        with self._cond:
            return list(self.lines)


# ---------------------------------------------------------------------------------------------
# The gateway under test


class PortInUse(Exception):
    pass


class GatewayStartError(Exception):
    pass


class Gateway:
    """One switchyard process with fixed ports and a data directory that survive restart().

    .mqtt_port and .http_port are always on; .amqp_port and .stomp_port hold a port when the
    test asked for that listener and 0 (off) otherwise.
    """

    def __init__(self, workdir: Path, config: str | None = None,
                 extra_args: Iterable[str] = (), amqp: bool = False, stomp: bool = False):
        self.workdir = workdir
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.data_dir = workdir / "data"
        self.data_dir.mkdir(exist_ok=True)
        self.log_path = workdir / "gateway.log"
        self.config_path: Path | None = None
        if config is not None:
            self.config_path = workdir / "gateway.toml"
            self.config_path.write_text(config)
        self.extra_args = list(extra_args)
        mqtt, amqp_port, stomp_port, http = free_ports(4)
        self.mqtt_port = mqtt
        self.amqp_port = amqp_port if amqp else 0
        self.stomp_port = stomp_port if stomp else 0
        self.http_port = http
        self.proc: subprocess.Popen | None = None
        self.output: LineCollector | None = None
        self.problems: list[str] = []  # unclean exits seen during the test
        self._log = None

    @property
    def command(self) -> list[str]:
        cmd = [str(GATEWAY_BIN), "--data-dir", str(self.data_dir), "--bind", HOST,
               "--mqtt-port", str(self.mqtt_port), "--amqp-port", str(self.amqp_port),
               "--stomp-port", str(self.stomp_port), "--http-port", str(self.http_port)]
        if self.config_path is not None:
            cmd += ["--config", str(self.config_path)]
        return cmd + self.extra_args

    @property
    def lines(self) -> list[str]:
        """Everything the current process printed (stdout and stderr, interleaved)."""
        return self.output.snapshot() if self.output else []

    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def start(self) -> None:
        if not GATEWAY_BIN.exists():
            raise GatewayStartError(f"{GATEWAY_BIN} does not exist; build it first")
        if self._log is None:
            self._log = open(self.log_path, "a", encoding="utf-8")
        self._log.write(f"$ {' '.join(self.command)}\n")
        self.proc = _spawn(self.command, cwd=self.workdir, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT)
        self.output = LineCollector(self.proc.stdout, sink=self._log)
        ready = self.output.wait_for(
            lambda lines: any(_READY_LINE.search(line) for line in lines), READY_TIMEOUT)
        if ready:
            return
        _kill_group(self.proc)
        self.proc.wait(timeout=5)
        self.output.wait_eof(2)
        text = "\n".join(self.lines)
        if _PORT_IN_USE.search(text):
            raise PortInUse(text)
        raise GatewayStartError(
            f"no line containing 'ready' within {READY_TIMEOUT} s "
            f"(exit code {self.proc.returncode}); output:\n{text}")

    def stop(self, timeout: float = STOP_TIMEOUT) -> int | None:
        """SIGTERM, then SIGKILL if it is still running after timeout s; returns the exit code."""
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.problems.append(f"still running {timeout} s after SIGTERM; killed")
                _kill_group(self.proc)
                self.proc.wait(timeout=5)
        self._finish_process(expect_clean=True)
        return self.proc.returncode

    def kill(self) -> int | None:
        """SIGKILL, as a crash or power cut would; returns the exit code."""
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            _kill_group(self.proc)
            self.proc.wait(timeout=5)
        self._finish_process(expect_clean=False)
        return self.proc.returncode

    def restart(self) -> None:
        """A clean stop, then a start on the same ports and data directory."""
        self.stop()
        self.start()

    def _finish_process(self, expect_clean: bool) -> None:
        assert self.proc is not None and self.output is not None
        self.output.wait_eof(5)
        code = self.proc.returncode
        if expect_clean and code != 0:
            self.problems.append(f"exited with code {code}")
        reports = [line for line in self.lines if _SANITIZER_REPORT.search(line)]
        if reports:
            self.problems.append("sanitizer report: " + reports[0])

    def close(self) -> list[str]:
        """Stops the process if it still runs; returns the problems seen during the test."""
        if self.running():
            self.stop()
        if self._log is not None:
            self._log.close()
            self._log = None
        return self.problems

    def log_tail(self, count: int = 60) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-count:])
        except OSError:
            return ""


def start_gateway(workdir: Path, **kwargs) -> Gateway:
    """Starts a gateway, trying fresh ports when another process took one meanwhile."""
    last = None
    for attempt in range(START_ATTEMPTS):
        gw = Gateway(workdir / f"try{attempt}", **kwargs)
        try:
            gw.start()
            return gw
        except PortInUse as exc:
            gw.close()
            last = exc
    raise GatewayStartError(f"ports in use on {START_ATTEMPTS} attempts; last output:\n{last}")


@pytest.fixture
def gateway_factory(tmp_path, request):
    """Returns start(config=None, extra_args=(), amqp=False, stomp=False) -> Gateway.

    config is the text of a TOML file passed with --config. At teardown each gateway gets
    SIGTERM; an exit code other than 0, a SIGTERM that did not stop it within 10 s or a
    sanitizer report fails the test.
    """
    started: list[Gateway] = []

    def start(config: str | None = None, extra_args: Iterable[str] = (),
              amqp: bool = False, stomp: bool = False) -> Gateway:
        gw = start_gateway(tmp_path / f"gateway{len(started)}", config=config,
                           extra_args=extra_args, amqp=amqp, stomp=stomp)
        started.append(gw)
        return gw

    yield start

    problems = []
    for gw in started:
        problems += [f"gateway on mqtt port {gw.mqtt_port}: {p}" for p in gw.close()]
    test_failed = getattr(request.node, "rep_call", None) is not None and \
        request.node.rep_call.failed
    if problems or test_failed:
        for gw in started:
            print(f"--- last lines of {gw.log_path}:\n{gw.log_tail()}")
    if problems and not test_failed:
        pytest.fail("\n".join(problems))


@pytest.fixture
def gateway(gateway_factory) -> Gateway:
    """A gateway with the default configuration: MQTT and HTTP on, AMQP and STOMP off."""
    return gateway_factory()


# ---------------------------------------------------------------------------------------------
# Mosquitto command-line clients


@dataclass
class Message:
    topic: str
    payload: str
    qos: int
    retain: bool
    dup: bool


# mosquitto_sub -d: "Client x received PUBLISH (d0, q1, r0, m1, 'a/b', ... (5 bytes))"
_PUBLISH_LINE = re.compile(
    r"^Client .* received PUBLISH \(d(\d), q(\d), r(\d), m\d+, '(.*)', \.\.\. \(\d+ bytes\)\)$")
_SUBSCRIBED_LINE = re.compile(r"^Subscribed \(mid: \d+\): (.*)$")


def _line_buffered(cmd: list[str]) -> list[str]:
    # mosquitto_sub writes to a pipe through stdio; stdbuf makes every line arrive at once.
    return ["stdbuf", "-oL"] + cmd if _has_stdbuf() else cmd


def _has_stdbuf() -> bool:
    return any((Path(d) / "stdbuf").exists() for d in os.environ.get("PATH", "").split(":"))


class MosquittoSub:
    """mosquitto_sub running in the background with -v -d, its output parsed as it arrives.

        with MosquittoSub(gw.mqtt_port, ["a/#"], "-q", "1") as sub:
            sub.wait_subscribed()
            ...
            messages = sub.wait_messages(2, timeout=5)

    Messages carry topic, payload, and the QoS/retain/dup flags from the debug lines.
    """

    def __init__(self, port: int, topics: Sequence[str], *args: str,
                 version: str = "mqttv311"):
        cmd = ["mosquitto_sub", "-h", HOST, "-p", str(port), "-V", version, "-v", "-d"]
        for topic in topics:
            cmd += ["-t", topic]
        cmd += list(args)
        self.cmd = cmd
        self.proc = _spawn(_line_buffered(cmd), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self.stdout = LineCollector(self.proc.stdout)
        self.stderr = LineCollector(self.proc.stderr)

    def __enter__(self) -> "MosquittoSub":
        return self

    def __exit__(self, *exc) -> None:
        self.kill()

    @property
    def lines(self) -> list[str]:
        """The message lines ("topic payload"), without the debug lines."""
        return [f"{m.topic} {m.payload}" for m in self.messages]

    @property
    def messages(self) -> list[Message]:
        return self._parse(self.stdout.snapshot())

    @staticmethod
    def _parse(lines: list[str]) -> list[Message]:
        messages = []
        pending = None
        for line in lines:
            match = _PUBLISH_LINE.match(line)
            if match:
                pending = match
                continue
            if line.startswith("Client ") or _SUBSCRIBED_LINE.match(line) or pending is None:
                continue
            dup, qos, retain, topic = pending.groups()
            payload = line[len(topic) + 1:] if line.startswith(topic + " ") else line
            if payload == "(null)":
                payload = ""
            messages.append(Message(topic, payload, int(qos), retain == "1", dup == "1"))
            pending = None
        return messages

    def wait_subscribed(self, timeout: float = 5.0) -> list[int]:
        """Waits for the SUBACK; returns the granted QoS values (128 = failure)."""
        def granted(lines):
            return next((m for m in map(_SUBSCRIBED_LINE.match, lines) if m), None)
        if not self.stdout.wait_for(lambda lines: granted(lines) is not None, timeout):
            raise AssertionError(f"no SUBACK within {timeout} s\n{self.describe()}")
        match = granted(self.stdout.snapshot())
        return [int(v) for v in match.group(1).split(",")]

    def wait_connected(self, timeout: float = 5.0) -> None:
        if not self.stdout.wait_for(
                lambda lines: any("received CONNACK" in line for line in lines), timeout):
            raise AssertionError(f"no CONNACK within {timeout} s\n{self.describe()}")

    def wait_messages(self, count: int, timeout: float = 5.0) -> list[Message]:
        """Waits until count messages arrived or timeout passed; returns all received so far."""
        self.stdout.wait_for(lambda lines: len(self._parse(lines)) >= count, timeout)
        return self.messages

    def wait_exit(self, timeout: float = 10.0) -> int:
        try:
            code = self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            raise AssertionError(f"mosquitto_sub still running after {timeout} s\n"
                                 f"{self.describe()}") from None
        self._drain()
        return code

    def stop(self, timeout: float = 5.0) -> int | None:
        """SIGTERM: mosquitto_sub sends DISCONNECT and exits, a clean disconnect."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                _kill_group(self.proc)
                self.proc.wait(timeout=5)
        self._drain()
        return self.proc.returncode

    def kill(self) -> int | None:
        """SIGKILL: the connection drops without DISCONNECT, as when a device loses power."""
        if self.proc.poll() is None:
            _kill_group(self.proc)
            self.proc.wait(timeout=5)
        self._drain()
        return self.proc.returncode

    def _drain(self) -> None:
        self.stdout.wait_eof(2)
        self.stderr.wait_eof(2)

    def describe(self) -> str:
        return (f"$ {' '.join(self.cmd)}\nstdout:\n" + "\n".join(self.stdout.snapshot()) +
                "\nstderr:\n" + "\n".join(self.stderr.snapshot()))


def mosquitto_pub(port: int, topic: str, message: str | None = None, *args: str,
                  qos: int = 0, retain: bool = False, version: str = "mqttv311",
                  payload_file: str | os.PathLike | None = None,
                  timeout: float = 10.0) -> subprocess.CompletedProcess:
    """Publishes one message with mosquitto_pub and checks that it succeeded.

    The payload is message, else the content of payload_file; with neither it is empty (-n),
    which with retain=True clears the retained message of the topic.
    """
    cmd = ["mosquitto_pub", "-h", HOST, "-p", str(port), "-V", version, "-t", topic,
           "-q", str(qos)]
    if message is not None:
        cmd += ["-m", message]
    elif payload_file is not None:
        cmd += ["-f", str(payload_file)]
    else:
        cmd.append("-n")
    if retain:
        cmd.append("-r")
    cmd += list(args)
    return run(cmd, timeout=timeout, check=True)


# ---------------------------------------------------------------------------------------------
# AMQP brokers: the gateway, or with SY_AMQP_TARGET=rabbitmq a private RabbitMQ that proves the
# tests themselves (amqp_target.py, rabbitmq.py).


@pytest.fixture(scope="session")
def _shared_rabbitmq(tmp_path_factory):
    from amqp_target import rabbitmq_broker

    broker = rabbitmq_broker(tmp_path_factory.mktemp("rabbitmq"))
    yield broker
    broker.rabbitmq.close()


@pytest.fixture
def amqp_broker(request, gateway_factory):
    """The AMQP broker under test (an amqp_target.AmqpBroker): a gateway with its AMQP listener
    on, or with SY_AMQP_TARGET=rabbitmq one RabbitMQ node shared by the whole session (tests
    name their queues with AmqpBroker.name() so that they do not meet)."""
    from amqp_target import TARGET, gateway_broker

    if TARGET == "rabbitmq":
        return request.getfixturevalue("_shared_rabbitmq")
    return gateway_broker(gateway_factory(amqp=True))


@pytest.fixture
def amqp_broker_factory(tmp_path, gateway_factory):
    """Returns start(config=None) -> an AmqpBroker of the test's own, which it may kill() and
    start() again on the same ports and data (a gateway, or a RabbitMQ node)."""
    from amqp_target import TARGET, gateway_broker, rabbitmq_broker

    nodes = []

    def start(config: str | None = None):
        if TARGET == "rabbitmq":
            broker = rabbitmq_broker(tmp_path / f"rabbitmq{len(nodes)}", plugins=())
            nodes.append(broker.rabbitmq)
            return broker
        return gateway_broker(gateway_factory(config=config, amqp=True))

    yield start
    for node in nodes:
        node.close()
