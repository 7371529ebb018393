"""The embedded (single-process) channel layer, fit for a room of a thousand phones."""

import time

from channels.layers import InMemoryChannelLayer


class RoomSizedInMemoryChannelLayer(InMemoryChannelLayer):
    """Channels' in-memory layer, with its expiry sweep run at most once a second.

    The stock layer sweeps every queue of every socket on each receive: with N sockets, a
    broadcast to all of them costs N² steps (at 1,000 members, most of the server's CPU in
    bench/assemblies.py). Expired messages only matter for sockets that went away; finding
    them a second later changes nothing for anyone.
    """

    SWEEP_INTERVAL = 1.0  # seconds

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._last_sweep = 0.0

    def _clean_expired(self):
        now = time.monotonic()
        if now - self._last_sweep < self.SWEEP_INTERVAL:
            return
        self._last_sweep = now
        super()._clean_expired()
