"""What the concurrency and live tests share: threads released together at the service
call, a database pool wide enough for them, and a channel layer of the test's own."""

import threading
import uuid
from contextlib import contextmanager

from django.db import connection

JOIN_TIMEOUT = 60  # seconds; a deadlock fails the test instead of hanging it


class Outcome:
    """What one call returned, or the exception it raised (``value, error = outcome``)."""

    def __init__(self, value=None, error=None):
        self.value, self.error = value, error

    @property
    def ok(self):
        return self.error is None

    def __iter__(self):
        return iter((self.value, self.error))

    def __repr__(self):
        return f"Outcome({self.value!r}, {self.error!r})"


def run_together(calls, timeout=JOIN_TIMEOUT):
    """Run each callable in its own thread, all released at once; one Outcome per call,
    in order.

    Each thread opens its database session before the barrier (so that the race is at the
    service call, not at connecting) and closes it at the end.
    """
    barrier = threading.Barrier(len(calls))
    outcomes = [None] * len(calls)

    def worker(index, call):
        try:
            connection.ensure_connection()
            barrier.wait(timeout=timeout)
            outcomes[index] = Outcome(value=call())
        except Exception as exc:  # reported per call, asserted by the test
            outcomes[index] = Outcome(error=exc)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=worker, args=(i, call), daemon=True) for i, call in enumerate(calls)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout)
    assert not any(thread.is_alive() for thread in threads), "threads still running: deadlock?"
    return outcomes


@contextmanager
def widened_pool(size):
    """One pooled session per thread (the default pool of 10 would queue them)."""
    options = connection.settings_dict["OPTIONS"]
    original = options.get("pool")
    if not original:
        yield
        return
    connection.close()
    connection.close_pool()
    options["pool"] = {**original, "min_size": 1, "max_size": size, "timeout": 30}
    try:
        yield
    finally:
        connection.close()
        connection.close_pool()
        options["pool"] = original


def channel_layer_of_its_own(settings, prefix="qc-test"):
    """A fresh channel layer for this test; on Redis, a prefix no other test run shares
    (pub/sub channels are global to a Redis server, whatever the database number)."""
    layers = {alias: dict(conf) for alias, conf in settings.CHANNEL_LAYERS.items()}
    config = dict(layers["default"].get("CONFIG", {}))
    if "hosts" in config:
        config["prefix"] = f"{prefix}-{uuid.uuid4().hex[:10]}"
    layers["default"]["CONFIG"] = config
    settings.CHANNEL_LAYERS = layers  # setting_changed makes Channels rebuild the layer
