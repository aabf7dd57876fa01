"""The gateway's command-line contract (DESIGN.md, "Command line and defaults"): flags, the
`ready` line, clean stops on signals, and a one-line reason on stderr when it cannot start."""

from __future__ import annotations

import signal
import socket
import time

import pytest

from conftest import GATEWAY_BIN, HOST, free_ports, run

FLAGS = ["--config", "--data-dir", "--bind", "--mqtt-port", "--amqp-port", "--stomp-port",
         "--http-port"]


def gateway_command(tmp_path, mqtt_port: int, http_port: int, config: str | None = None,
                    config_name: str = "gateway.toml") -> list[str]:
    data = tmp_path / "data"
    data.mkdir(exist_ok=True)
    cmd = [str(GATEWAY_BIN), "--data-dir", str(data), "--bind", HOST,
           "--mqtt-port", str(mqtt_port), "--amqp-port", "0", "--stomp-port", "0",
           "--http-port", str(http_port)]
    if config is not None:
        path = tmp_path / config_name
        path.write_text(config)
        cmd += ["--config", str(path)]
    return cmd


def run_failing_start(cmd: list[str], cwd) -> tuple[str, float]:
    """Runs a start that must fail; returns its single stderr line and how long it took."""
    started = time.monotonic()
    result = run(cmd, timeout=15, cwd=cwd)
    elapsed = time.monotonic() - started
    assert result.returncode != 0, \
        f"exit code 0 for a start that must fail\nstdout:\n{result.stdout}"
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, f"expected a one-line reason on stderr, got:\n{result.stderr}"
    return lines[0], elapsed


def test_help_lists_every_flag():
    result = run([GATEWAY_BIN, "--help"], timeout=10)
    assert result.returncode == 0, result.stderr
    for flag in FLAGS:
        assert flag in result.stdout, f"{flag} missing from --help:\n{result.stdout}"


def test_ready_line_and_listeners_accept(gateway):
    ready = [line for line in gateway.lines if "ready" in line.lower()]
    assert len(ready) == 1, gateway.lines
    # "ready" means every listener accepts connections.
    for port in (gateway.mqtt_port, gateway.http_port):
        with socket.create_connection((HOST, port), timeout=2):
            pass


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_signal_stops_cleanly_within_5_seconds(gateway, signum):
    with socket.create_connection((HOST, gateway.mqtt_port), timeout=2):
        started = time.monotonic()
        gateway.proc.send_signal(signum)
        gateway.proc.wait(timeout=10)
        elapsed = time.monotonic() - started
    # stop() on an exited process collects its exit code and output for the teardown checks.
    assert gateway.stop() == 0
    assert elapsed < 5.0, f"took {elapsed:.1f} s to stop"


def test_restart_reuses_ports_and_data_dir(gateway):
    gateway.restart()
    assert gateway.running()
    with socket.create_connection((HOST, gateway.mqtt_port), timeout=2):
        pass


@pytest.mark.parametrize("listener", ["mqtt", "http"])
def test_port_in_use_exits_nonzero_with_one_line(tmp_path, listener):
    mqtt_port, http_port = free_ports(2)
    taken = mqtt_port if listener == "mqtt" else http_port
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as holder:
        holder.bind((HOST, taken))
        holder.listen()
        line, elapsed = run_failing_start(gateway_command(tmp_path, mqtt_port, http_port),
                                          tmp_path)
    assert elapsed < 5.0, f"took {elapsed:.1f} s to give up"
    assert "in use" in line.lower() or str(taken) in line, line


@pytest.mark.parametrize("config,mentions", [
    pytest.param("[mqtt\nmax_packet_size = \n", None, id="invalid_toml"),
    pytest.param("[mqtt]\nno_such_key = 1\n", "no_such_key", id="unknown_key"),
    pytest.param("[no_such_section]\nanswer = 42\n", "no_such_section", id="unknown_section"),
    pytest.param("[mqtt]\nmax_packet_size = \"large\"\n", "max_packet_size", id="wrong_type"),
])
def test_bad_config_exits_nonzero_with_one_line(tmp_path, config, mentions):
    mqtt_port, http_port = free_ports(2)
    cmd = gateway_command(tmp_path, mqtt_port, http_port, config=config)
    line, elapsed = run_failing_start(cmd, tmp_path)
    assert elapsed < 5.0
    if mentions:
        assert mentions in line, line


def test_missing_config_file_exits_nonzero_with_one_line(tmp_path):
    mqtt_port, http_port = free_ports(2)
    cmd = gateway_command(tmp_path, mqtt_port, http_port)
    cmd += ["--config", str(tmp_path / "does-not-exist.toml")]
    line, _ = run_failing_start(cmd, tmp_path)
    assert "does-not-exist.toml" in line, line


def test_bad_flag_value_exits_nonzero(tmp_path):
    result = run([GATEWAY_BIN, "--mqtt-port", "not-a-port"], timeout=10, cwd=tmp_path)
    assert result.returncode != 0
    assert result.stderr.strip(), "the reason belongs on stderr"
