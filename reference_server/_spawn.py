"""Start the reference server in a child process and learn its URL.

A separate process keeps the server off the suite's GIL, which matters on 2 cores.
The child ignores the terminal's Ctrl-C (SIGINT) and hang-up (SIGHUP): they are meant
for the suite, which still needs the server to clean up before it stops it.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from types import TracebackType

__all__ = ["RunningServer", "spawn"]

_READY = "listening on "


@dataclass
class RunningServer:
    url: str
    username: str
    password: str
    process: subprocess.Popen[str] = field(repr=False)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def __enter__(self) -> RunningServer:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()


def _ignore_terminal_signals() -> None:
    """Runs in the child before exec; ignored signals stay ignored in the new interpreter."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGHUP, signal.SIG_IGN)


def spawn(
    *args: str,
    username: str = "admin@kestra.local",
    password: str = "Admin1234",
    timeout: float = 20.0,
    kestra_version: str | None = None,
) -> RunningServer:
    """Start `python -m reference_server --port 0 ARGS...` and wait until it listens.

    `kestra_version` ("2", "2.0.1") makes it play that Kestra EE version (`--kestra-version`).
    """
    if kestra_version is not None:
        args = ("--kestra-version", kestra_version, *args)
    command = [
        sys.executable,
        "-m",
        "reference_server",
        "--port",
        "0",
        "--username",
        username,
        "--password",
        password,
        *args,
    ]
    process = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, preexec_fn=_ignore_terminal_signals
    )
    assert process.stdout is not None
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            break
        if _READY in line:
            url = line.split(_READY, 1)[1].strip()
            return RunningServer(url, username, password, process)
    process.kill()
    _, stderr = process.communicate()
    raise RuntimeError(f"reference server did not start: {stderr.strip().splitlines()[-1:] or 'no output'}")
