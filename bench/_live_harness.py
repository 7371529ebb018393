"""Pieces for live benchmarks: uvicorn servers as subprocesses, and WebSocket members.

- ``Server``: ``uvicorn config.asgi:application`` on 127.0.0.1 and a free port (the command
  of ``scripts/serve.sh``), in its own process group, ended by its PID (SIGTERM, then
  SIGKILL); its output goes to a log file shown when something fails.
- ``Member``: one WebSocket connection (``websockets`` asyncio client) with a reader task
  that reads every frame as it arrives, so the server's send buffers never fill, and
  stamps each frame with ``time.perf_counter()`` before anything else is done with it.
- ``percentile``: linear interpolation between closest ranks.
"""

import asyncio
import contextlib
import json
import math
import os
import resource
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def raise_open_files(needed):
    """Raise the soft limit on open files (inherited by the servers); returns it."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != resource.RLIM_INFINITY and soft < needed:
        target = needed if hard == resource.RLIM_INFINITY else min(needed, hard)
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
        soft = target
    return soft


def percentile(values, q):
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = (len(ordered) - 1) * q / 100
    low = math.floor(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


# --- Servers -----------------------------------------------------------------------------------


class Server:
    def __init__(self, name, env, log_dir, *, app="config.asgi:application", startup_timeout=60):
        self.name, self.app = name, app
        self.port = free_port()
        self.env = {**os.environ, **env}
        self.log_path = Path(log_dir) / f"{name}.log"
        self.startup_timeout = startup_timeout
        self.process = None
        self._log = None

    @property
    def origin(self):
        return f"http://127.0.0.1:{self.port}"

    def ws_url(self, path):
        return f"ws://127.0.0.1:{self.port}{path}"

    def start(self):
        command = [
            sys.executable,
            "-m",
            "uvicorn",
            self.app,
            "--host",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--ws",
            "websockets-sansio",
            "--lifespan",
            "off",
            "--no-access-log",
            "--log-level",
            "warning",
            "--timeout-graceful-shutdown",
            "3",  # sockets still open do not hold the teardown
        ]
        self._log = self.log_path.open("wb")
        self.process = subprocess.Popen(  # noqa: S603 (fixed command, no shell)
            command,
            cwd=BASE_DIR,
            env=self.env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,  # its own process group, ended by PID in stop()
        )
        return self

    def wait_ready(self, deadline):
        """Poll an HTTP URL until Django answers (any status, a 404 included)."""
        until = min(time.monotonic() + self.startup_timeout, deadline)
        url = f"{self.origin}/__bench_ready__/"
        while time.monotonic() < until:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"{self.name}: uvicorn exited with {self.process.returncode}\n{self.tail()}"
                )
            try:
                with urllib.request.urlopen(url, timeout=2):  # noqa: S310 (loopback)
                    return
            except urllib.error.HTTPError:
                return  # Django answered
            except OSError:
                time.sleep(0.2)
        raise RuntimeError(f"{self.name}: not answering on {url}\n{self.tail()}")

    def tail(self, lines=30):
        if self._log is None:
            return ""
        self._log.flush()
        text = self.log_path.read_text(errors="replace").splitlines()
        return "\n".join(f"    | {line}" for line in text[-lines:])

    def errors_logged(self):
        if self._log is None or not self.log_path.exists():
            return []
        self._log.flush()
        text = self.log_path.read_text(errors="replace").splitlines()
        return [line for line in text if "Traceback" in line or " ERROR " in line]

    def stop(self):
        if self.process is None:
            return
        if self.process.poll() is None:
            try:
                os.killpg(self.process.pid, signal.SIGTERM)
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)
            except ProcessLookupError:
                pass
        if self._log is not None:
            self._log.close()
        self.process = None


# --- WebSocket members -----------------------------------------------------------------------------


class Member:
    """One connection. ``request()`` sends a message with an ``id`` and waits for its ack;
    ``watch`` is called by the reader with (receive time, message) for every frame."""

    def __init__(self, index, url, origin, cookie, *, compression="deflate"):
        self.index, self.url, self.origin, self.cookie = index, url, origin, cookie
        self.compression = compression
        self.ws = None
        self.reader = None
        self.snapshot = None
        self.snapshot_at = None
        self.errors = []
        self.pending = {}
        self.closed_with = None
        self.watch = None

    async def connect(self, timeout):
        from websockets.asyncio.client import connect

        loop = asyncio.get_running_loop()
        self.snapshot = loop.create_future()
        self.ws = await connect(
            self.url,
            origin=self.origin,
            additional_headers={"Cookie": f"sessionid={self.cookie}"},
            compression=self.compression,
            open_timeout=timeout,
            ping_interval=None,  # the bench measures; keepalives would only add noise
            close_timeout=2,
            max_size=2**20,
        )
        self.reader = asyncio.create_task(self._read())
        await asyncio.wait_for(asyncio.shield(self.snapshot), timeout)

    async def _read(self):
        from websockets.exceptions import ConnectionClosed

        try:
            async for raw in self.ws:
                at = time.perf_counter()
                message = json.loads(raw)
                event, payload = message.get("event"), message.get("payload") or {}
                if event == "assembly.snapshot" and not self.snapshot.done():
                    self.snapshot_at = at
                    self.snapshot.set_result(payload)
                elif event in ("ack", "error"):
                    if event == "error":
                        self.errors.append(payload)
                    waiter = self.pending.pop(payload.get("id"), None)
                    if waiter is not None and not waiter.done():
                        waiter.set_result((at, event, payload))
                if self.watch is not None:
                    self.watch(self, at, event, payload)
        except ConnectionClosed as closed:
            self.closed_with = closed.rcvd.code if closed.rcvd else 1006
        except asyncio.CancelledError:
            raise
        except Exception as error:  # shown in the report, never hidden
            self.errors.append({"code": "client", "message": repr(error)})
        else:
            self.closed_with = self.ws.close_code
        finally:
            if not self.snapshot.done():
                self.snapshot.set_exception(
                    ConnectionError(f"closed before the snapshot ({self.closed_with})")
                )
            for waiter in self.pending.values():
                if not waiter.done():
                    waiter.set_exception(ConnectionError(f"closed ({self.closed_with})"))

    async def send(self, message):
        """Send; returns (sent at, future of (received at, "ack"|"error", payload))."""
        waiter = asyncio.get_running_loop().create_future()
        self.pending[message["id"]] = waiter
        sent_at = time.perf_counter()
        await self.ws.send(json.dumps(message))
        return sent_at, waiter

    async def request(self, message, timeout):
        sent_at, waiter = await self.send(message)
        received_at, event, payload = await asyncio.wait_for(waiter, timeout)
        return sent_at, received_at, event, payload

    async def close(self):
        if self.ws is not None:
            # Already gone or stuck: the reader is cancelled below.
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self.ws.close(), 3)
        if self.reader is not None and not self.reader.done():
            self.reader.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self.reader


async def connect_all(members, *, batch, timeout):
    """Connect in batches of ``batch``, each waiting for its snapshot; returns the failures
    as (member, error) pairs."""
    failures = []
    for start in range(0, len(members), batch):
        group = members[start : start + batch]
        outcomes = await asyncio.gather(
            *(member.connect(timeout) for member in group), return_exceptions=True
        )
        failures += [(m, o) for m, o in zip(group, outcomes, strict=True) if o is not None]
    return failures


async def close_all(members, batch=200):
    for start in range(0, len(members), batch):
        await asyncio.gather(*(m.close() for m in members[start : start + batch]))
