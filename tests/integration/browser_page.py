"""A test dashboard in headless Chromium, for the browser tests.

Runs tests/browser/driver.mjs (playwright-core driving Debian's /usr/bin/chromium; the npm
packages come from scripts/setup.sh's `npm ci`) and talks to it over its stdin/stdout:

    with BrowserPage("mqtt.html", url=f"ws://127.0.0.1:{gw.http_port}/mqtt") as page:
        page.wait_ready()            # the page's client is connected and subscribed
        ...publish from a device...
        page.expect("plant/1/temp 21.5")   # the page lists that message
        page.send("plant/2/cmd", "on")     # the page's client sends

Every wait is bounded; the driver has its own deadline too, and the conftest reaper kills it
(with Chromium, its process group) when the test ends.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from conftest import REPO, LineCollector, _kill_group, _spawn

DRIVER = REPO / "tests" / "browser" / "driver.mjs"
CHROMIUM = Path("/usr/bin/chromium")
DRIVER_TIMEOUT_S = 90


def missing_prerequisites() -> list[str]:
    missing = []
    if shutil.which("node") is None:
        missing.append("node")
    if not (REPO / "node_modules" / "playwright-core").is_dir():
        missing.append("node_modules (npm ci)")
    if not CHROMIUM.exists():
        missing.append(str(CHROMIUM))
    return missing


class BrowserPage:
    def __init__(self, page: str, **params: str):
        missing = missing_prerequisites()
        assert not missing, f"browser tests need {', '.join(missing)}: run scripts/setup.sh"
        cmd = ["node", str(DRIVER), page] + [f"{k}={v}" for k, v in params.items()]
        cmd.append(f"--timeout={DRIVER_TIMEOUT_S}")
        self.cmd = cmd
        self.proc = _spawn(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, cwd=REPO)
        self.out = LineCollector(self.proc.stdout)
        self.err = LineCollector(self.proc.stderr)
        self._answered = 0  # driver lines consumed so far

    def __enter__(self) -> "BrowserPage":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _next_line(self, timeout: float) -> str:
        index = self._answered
        if not self.out.wait_for(lambda lines: len(lines) > index, timeout):
            raise AssertionError(f"no answer from the browser driver within {timeout} s\n"
                                 f"{self.describe()}")
        self._answered += 1
        line = self.out.snapshot()[index]
        if line.startswith("ERROR"):
            raise AssertionError(f"browser driver: {line}\n{self.describe()}")
        return line

    def _command(self, line: str) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write((line + "\n").encode())
        self.proc.stdin.flush()

    def wait_ready(self, timeout: float = 60.0) -> None:
        """Waits until the page's client is connected and its subscription confirmed."""
        line = self._next_line(timeout)
        assert line == "READY", f"{line}\n{self.describe()}"

    def expect(self, text: str, timeout: float = 20.0) -> None:
        """Asserts that the page lists a message containing text (the driver waits 10 s)."""
        self._command(f"expect {text}")
        line = self._next_line(timeout)
        assert line == f"SEEN {text}", f"page never showed {text!r}\n{self.describe()}"

    def expect_absent(self, text: str, timeout: float = 20.0) -> None:
        """Asserts that no message listed so far contains text."""
        self._command(f"absent {text}")
        line = self._next_line(timeout)
        assert line == f"ABSENT {text}", f"page shows {text!r}\n{self.describe()}"

    def send(self, destination: str, body: str, timeout: float = 20.0) -> None:
        """The page's client sends body to destination (an MQTT topic or STOMP destination)."""
        self._command(f"send {destination} {body}")
        line = self._next_line(timeout)
        assert line == "SENT", f"{line}\n{self.describe()}"

    def frames(self, timeout: float = 20.0) -> dict[str, int]:
        """WebSocket messages the page received so far: {"text": n, "binary": n}."""
        self._command("frames")
        line = self._next_line(timeout)
        assert line.startswith("FRAMES "), f"{line}\n{self.describe()}"
        return {k: int(v) for k, v in (part.split("=") for part in line.split()[1:])}

    def close(self) -> None:
        if self.proc.poll() is None:
            try:
                self._command("quit")
                self.proc.stdin.close()
                self.proc.wait(timeout=15)
            except (OSError, subprocess.TimeoutExpired):
                pass
        if self.proc.poll() is None:
            # playwright closes Chromium (its own process group) on SIGTERM; SIGKILL would
            # leave that to Chromium noticing its devtools pipe closed.
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                _kill_group(self.proc)
                self.proc.wait(timeout=5)
        self.out.wait_eof(2)
        self.err.wait_eof(2)

    def describe(self) -> str:
        return (f"$ {' '.join(self.cmd)}\nstdout:\n" + "\n".join(self.out.snapshot()) +
                "\nstderr:\n" + "\n".join(self.err.snapshot()[-40:]))
