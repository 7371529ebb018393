"""Helpers for the live channel tests.

``UvicornServer``: a real uvicorn process serving ``config.asgi:application`` on
127.0.0.1, started with a deadline and always ended by its PID.
"""

import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# Below the kernel's ephemeral range (32768-60999 on Linux), which ``free_port`` draws from.
STABLE_PORTS = range(20000, 30000)


def stable_port():
    """A free port for a server that a test stops and starts again on the same port.

    While it is down, a port from the ephemeral range can be handed to any other process
    that asks for a free one (another suite runs beside this one in CI); one from outside
    that range is only ever taken by a process that chose it on purpose.
    """
    for port in secrets.SystemRandom().sample(STABLE_PORTS, 50):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free port between 20000 and 30000")


class UvicornServer:
    """``with UvicornServer(env={...}) as server: server.ws_url("/ws/live/")``.

    The process runs in its own process group; leaving the block (normally or through an
    exception) sends SIGTERM to that PID's group, then SIGKILL after a grace period.
    Its output goes to a log file that is shown when it fails to start.
    """

    def __init__(self, env, log_path, startup_timeout=20):
        self.port = free_port()
        self.env = {**os.environ, **env}
        self.log_path = Path(log_path)
        self.startup_timeout = startup_timeout
        self.process = None

    @property
    def origin(self):
        return f"http://127.0.0.1:{self.port}"

    def ws_url(self, path):
        return f"ws://127.0.0.1:{self.port}{path}"

    def __enter__(self):
        command = [
            str(Path(sys.executable).parent / "uvicorn"),
            "config.asgi:application",
            "--host",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--no-access-log",
            "--lifespan",
            "off",
            "--timeout-graceful-shutdown",
            "3",  # open sockets do not hold the teardown
        ]
        self._log = self.log_path.open("wb")
        self.process = subprocess.Popen(  # noqa: S603 (fixed command, no shell)
            command,
            cwd=BASE_DIR,
            env=self.env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,  # its own process group, ended by PID below
        )
        try:
            self._wait_until_listening()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc_info):
        self.stop()

    def _wait_until_listening(self):
        deadline = time.monotonic() + self.startup_timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"uvicorn exited with {self.process.returncode}:\n{self.log}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError(f"uvicorn not listening after {self.startup_timeout}s:\n{self.log}")

    @property
    def log(self):
        self._log.flush()
        return self.log_path.read_text(errors="replace")

    def stop(self):
        if self.process is None:
            return
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)
        self._log.close()
        self.process = None
