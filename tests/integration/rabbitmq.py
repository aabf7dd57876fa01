"""A private RabbitMQ (Debian's rabbitmq-server) on loopback, for the AMQP tests and benchmarks.

The AMQP tests run against the gateway by default; with SY_AMQP_TARGET=rabbitmq they run against
this broker instead, which is how the tests themselves are proved right (issue 4: clients written
for RabbitMQ must work unchanged). bench/amqp_throughput.sh uses the command line at the bottom.

Everything the node writes lives under one work directory: its Mnesia database, logs, config,
enabled-plugins file, and HOME (where Erlang puts its cookie). The node listens on free loopback
ports only, with its own epmd on its own port, so it never meets the system's RabbitMQ on 5672 or
another test's node. The harness starts that epmd itself, in the foreground, so that it can stop
it by PID; a node started without one would spawn a detached `epmd -daemon` nobody owns.

It runs as the invoking user, root included: /usr/lib/rabbitmq/bin/rabbitmq-server (unlike the
/usr/sbin wrapper, which switches to user rabbitmq and uses /var/lib/rabbitmq) accepts that,
checked with Debian 12's RabbitMQ 3.10.8 and Erlang 25.

    with RabbitMQ(Path("/tmp/x"), plugins=["rabbitmq_mqtt"]) as rmq:
        pika.BlockingConnection(pika.ConnectionParameters("127.0.0.1", rmq.amqp_port))

    python3 rabbitmq.py serve --workdir DIR [--amqp-port N] [--plugins rabbitmq_mqtt]
        starts a node, prints one line `ready amqp=N ...`, stops it on SIGTERM/SIGINT.

Every wait is bounded: start-up 90 s, SIGTERM shutdown 30 s, then SIGKILL of the process group.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Sequence

HOST = "127.0.0.1"
SERVER = Path("/usr/lib/rabbitmq/bin/rabbitmq-server")
START_TIMEOUT = 90.0
STOP_TIMEOUT = 30.0
_STARTUP_COMPLETE = "Server startup complete"

# Plugin name -> the config key of its listener port.
_PLUGIN_LISTENERS = {
    "rabbitmq_mqtt": "mqtt.listeners.tcp.1",
    "rabbitmq_stomp": "stomp.listeners.tcp.1",
    "rabbitmq_web_stomp": "web_stomp.tcp.port",
}


def free_ports(count: int) -> list[int]:
    """Distinct loopback ports that were free a moment ago."""
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


def accepts(port: int) -> bool:
    try:
        with socket.create_connection((HOST, port), timeout=1):
            return True
    except OSError:
        return False


class RabbitMQError(Exception):
    pass


class RabbitMQ:
    """One private RabbitMQ node. Ports are picked once; restart() and start() after kill() reuse
    them and the same database, as a crash-and-restart test needs.

    Attributes: amqp_port, plugin_ports (plugin -> port), nodename, workdir, log_path.
    """

    def __init__(self, workdir: Path, plugins: Sequence[str] = (), amqp_port: int = 0,
                 plugin_ports: dict[str, int] | None = None):
        unknown = [p for p in plugins if p not in _PLUGIN_LISTENERS]
        if unknown:
            raise ValueError(f"no listener known for plugin(s) {unknown}")
        if not SERVER.exists():
            raise RabbitMQError(f"{SERVER} not found: install Debian's rabbitmq-server")
        self.workdir = Path(workdir).resolve()
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.plugins = list(plugins)
        picked = iter(free_ports(3 + len(self.plugins)))
        self.amqp_port = amqp_port or next(picked)
        self.dist_port = next(picked)
        self.epmd_port = next(picked)
        given = plugin_ports or {}
        self.plugin_ports = {p: given.get(p) or next(picked) for p in self.plugins}
        self.nodename = f"sy-test-{self.amqp_port}@localhost"
        self.log_path = self.workdir / "rabbitmq.log"
        self.proc: subprocess.Popen | None = None
        self.epmd: subprocess.Popen | None = None
        self._log = None
        self._write_files()

    # -- files and environment

    def _write_files(self) -> None:
        for sub in ("home", "mnesia", "log"):
            (self.workdir / sub).mkdir(exist_ok=True)
        lines = [
            f"listeners.tcp.1 = {HOST}:{self.amqp_port}",
            # The tests fill and drain queues on a shared build machine: low free disk or a
            # memory spike must not block publishers in the middle of a functional test.
            "disk_free_limit.absolute = 1MB",
            "vm_memory_high_watermark.relative = 0.8",
            "log.console = true",
            "log.console.level = info",
            "log.file = false",
        ]
        lines += [f"{_PLUGIN_LISTENERS[p]} = {self._listener_value(p)}" for p in self.plugins]
        if "rabbitmq_mqtt" in self.plugins:
            lines += ["mqtt.allow_anonymous = true", "mqtt.vhost = /", "mqtt.exchange = amq.topic"]
        if "rabbitmq_web_stomp" in self.plugins:
            lines.append(f"web_stomp.tcp.ip = {HOST}")
        (self.workdir / "rabbitmq.conf").write_text("\n".join(lines) + "\n")
        (self.workdir / "enabled_plugins").write_text(f"[{','.join(self.plugins)}].\n")
        # The /usr/lib script sources this file; an empty one keeps /etc/rabbitmq out of it.
        (self.workdir / "rabbitmq-env.conf").write_text("")

    def _listener_value(self, plugin: str) -> str:
        port = self.plugin_ports[plugin]
        return str(port) if plugin == "rabbitmq_web_stomp" else f"{HOST}:{port}"

    @property
    def env(self) -> dict[str, str]:
        """The environment rabbitmq-server and rabbitmqctl need to find this node."""
        env = dict(os.environ)
        w = self.workdir
        env.update({
            "HOME": str(w / "home"),
            "RABBITMQ_CONF_ENV_FILE": str(w / "rabbitmq-env.conf"),
            "RABBITMQ_NODENAME": self.nodename,
            "RABBITMQ_NODE_IP_ADDRESS": HOST,
            "RABBITMQ_NODE_PORT": str(self.amqp_port),
            "RABBITMQ_DIST_PORT": str(self.dist_port),
            "ERL_EPMD_PORT": str(self.epmd_port),
            "ERL_EPMD_ADDRESS": HOST,
            "RABBITMQ_MNESIA_BASE": str(w / "mnesia"),
            "RABBITMQ_LOG_BASE": str(w / "log"),
            "RABBITMQ_CONFIG_FILE": str(w / "rabbitmq.conf"),
            "RABBITMQ_ADVANCED_CONFIG_FILE": str(w / "advanced.config"),
            "RABBITMQ_ENABLED_PLUGINS_FILE": str(w / "enabled_plugins"),
            "RABBITMQ_LOGS": "-",
        })
        return env

    # -- life cycle

    def _spawn(self, cmd: list[str]) -> subprocess.Popen:
        # setpriv --pdeathsig: if this Python process dies without stopping the node (SIGKILL of
        # a test run), the node and its epmd get SIGTERM instead of living on.
        if shutil.which("setpriv"):
            cmd = ["setpriv", "--pdeathsig", "TERM", "--"] + cmd
        return subprocess.Popen(cmd, env=self.env, cwd=self.workdir, stdin=subprocess.DEVNULL,
                                stdout=self._log, stderr=subprocess.STDOUT,
                                start_new_session=True)

    def _start_epmd(self) -> None:
        if self.epmd is not None and self.epmd.poll() is None:
            return
        self.epmd = self._spawn(["epmd", "-port", str(self.epmd_port), "-address", HOST])
        deadline = time.monotonic() + 10
        while not accepts(self.epmd_port):
            if self.epmd.poll() is not None or time.monotonic() > deadline:
                raise RabbitMQError(f"epmd on port {self.epmd_port} did not start "
                                    f"(exit {self.epmd.poll()}); see {self.log_path}")
            time.sleep(0.05)

    def start(self, timeout: float = START_TIMEOUT) -> None:
        """Starts the node and waits until it completed start-up and every listener accepts."""
        if self.running():
            return
        if self._log is None:
            self._log = open(self.log_path, "ab")
        self._start_epmd()
        offset = self.log_path.stat().st_size
        self.proc = self._spawn([str(SERVER)])
        ports = [self.amqp_port] + list(self.plugin_ports.values())
        deadline = time.monotonic() + timeout
        while True:
            if self.proc.poll() is not None:
                raise RabbitMQError(f"rabbitmq-server exited with {self.proc.returncode} during "
                                    f"start-up; last lines:\n{self.log_tail()}")
            if self._log_since(offset).find(_STARTUP_COMPLETE) >= 0 and all(map(accepts, ports)):
                return
            if time.monotonic() > deadline:
                self.kill()
                raise RabbitMQError(f"RabbitMQ not ready within {timeout} s; last lines:\n"
                                    f"{self.log_tail()}")
            time.sleep(0.1)

    def _log_since(self, offset: int) -> str:
        with open(self.log_path, "rb") as f:
            f.seek(offset)
            return f.read().decode("utf-8", errors="replace")

    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def stop(self, timeout: float = STOP_TIMEOUT) -> None:
        """A clean shutdown (SIGTERM: Erlang runs init:stop), SIGKILL if it takes too long."""
        if self.running():
            assert self.proc is not None
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.kill()
        self._kill_group(self.proc)

    def kill(self) -> None:
        """SIGKILL of the node's process group, as a crash would; epmd stays up."""
        if self.proc is not None:
            self._kill_group(self.proc)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                pass

    def restart(self) -> None:
        self.stop()
        self.start()

    def close(self) -> None:
        """Stops the node and its epmd; safe to call twice."""
        try:
            self.stop()
        finally:
            if self.epmd is not None and self.epmd.poll() is None:
                self.epmd.terminate()
                try:
                    self.epmd.wait(timeout=5)
                except subprocess.TimeoutExpired:
                    self._kill_group(self.epmd)
                    self.epmd.wait(timeout=5)
            if self._log is not None:
                self._log.close()
                self._log = None

    @staticmethod
    def _kill_group(proc: subprocess.Popen | None) -> None:
        # Also reaches beam's helpers (erl_child_setup, inet_gethost) when beam itself is gone.
        if proc is None:
            return
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass

    def __enter__(self) -> "RabbitMQ":
        try:
            self.start()
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # -- inspection

    def ctl(self, *args: str, timeout: float = 60.0) -> str:
        """Runs rabbitmqctl against this node; returns its stdout, raises on failure."""
        cmd = [str(SERVER.parent / "rabbitmqctl"), "-n", self.nodename, *args]
        try:
            result = subprocess.run(cmd, env=self.env, capture_output=True, text=True,
                                    timeout=timeout, stdin=subprocess.DEVNULL)
        except subprocess.TimeoutExpired:
            raise RabbitMQError(f"{' '.join(cmd)} did not finish within {timeout} s") from None
        if result.returncode != 0:
            raise RabbitMQError(f"{' '.join(cmd)} exited with {result.returncode}:\n"
                                f"{result.stdout}{result.stderr}")
        return result.stdout

    def log_tail(self, count: int = 40) -> str:
        try:
            lines = self.log_path.read_text(errors="replace").splitlines()
        except OSError:
            return ""
        return "\n".join(lines[-count:])

    def describe(self) -> dict:
        return {"amqp": self.amqp_port, "pid": self.proc.pid if self.proc else None,
                "node": self.nodename, "epmd": self.epmd_port,
                **{p.removeprefix("rabbitmq_"): port for p, port in self.plugin_ports.items()}}


# ---------------------------------------------------------------------------------------------
# Command line, for the shell benchmarks


def _serve(args: argparse.Namespace) -> int:
    plugins = [p if p.startswith("rabbitmq_") else f"rabbitmq_{p}"
               for p in (args.plugins.split(",") if args.plugins else [])]
    stop = {"signal": None}

    def on_signal(signum, _frame):
        stop["signal"] = signum

    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(sig, on_signal)
    rmq = RabbitMQ(Path(args.workdir), plugins=plugins, amqp_port=args.amqp_port)
    try:
        rmq.start()
        info = rmq.describe()
        print("ready " + " ".join(f"{k}={v}" for k, v in info.items()), flush=True)
        if args.info_file:
            Path(args.info_file).write_text(json.dumps(info) + "\n")
        while stop["signal"] is None and rmq.running():
            time.sleep(0.2)
        if stop["signal"] is None:
            print(f"rabbitmq-server exited by itself; last lines:\n{rmq.log_tail()}",
                  file=sys.stderr)
            return 1
        return 0
    except RabbitMQError as exc:
        print(f"rabbitmq.py: {exc}", file=sys.stderr)
        return 1
    finally:
        rmq.close()


def main(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="start a node, stop it on SIGTERM/SIGINT")
    serve.add_argument("--workdir", required=True, help="directory for all of the node's files")
    serve.add_argument("--amqp-port", type=int, default=0, help="default: a free port")
    serve.add_argument("--plugins", default="", help="comma-separated, e.g. mqtt,web_stomp")
    serve.add_argument("--info-file", help="also write the ports and PID there as JSON")
    args = parser.parse_args(argv)
    return _serve(args)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
