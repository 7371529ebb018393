"""WebSockets while the channel layer (Redis) is unreachable.

A consumer needs the layer from its first step (its own channel name, then its groups):
with Redis down it raised a connection error before answering the handshake, and the
browser waited until the server gave up. Here the socket is accepted and closed at once
with 1013 "try again later"; the page's script reconnects with its usual backoff, and every
page keeps working without its live updates (forms post as usual). The same close ends a
socket whose layer fails while it is open.
"""

import asyncio
import logging
import time

from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

TRY_AGAIN_LATER = 1013
# What the layer raises when Redis cannot be reached (OSError: refused or reset sockets),
# or answers wrongly while it comes back (any RedisError: loading, a half-read reply).
LAYER_UNREACHABLE = (RedisError, OSError, TimeoutError)
# Logged once per this many seconds at most: a room of 500 phones reconnects together.
LOG_INTERVAL = 10.0
HANDSHAKE_WAIT = 5.0

_last_logged = 0.0


def _log_once(scope, error):
    global _last_logged
    now = time.monotonic()
    if now - _last_logged > LOG_INTERVAL:
        _last_logged = now
        logger.warning(
            "Live channel unreachable (%s) on %s: sockets closed with %s until it answers",
            type(error).__name__,
            scope.get("path"),
            TRY_AGAIN_LATER,
        )


class ChannelLayerOutageGuard:
    """ASGI middleware around the WebSocket routes."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        state = {"connect_received": False, "accepted": False, "closed": False}

        async def tracking_receive():
            message = await receive()
            if message["type"] == "websocket.connect":
                state["connect_received"] = True
            return message

        async def tracking_send(message):
            if message["type"] == "websocket.accept":
                state["accepted"] = True
            elif message["type"] == "websocket.close":
                state["closed"] = True
            await send(message)

        try:
            return await self.app(scope, tracking_receive, tracking_send)
        except LAYER_UNREACHABLE as error:
            _log_once(scope, error)
            if state["closed"]:
                return None
            if not state["accepted"]:
                if not state["connect_received"] and not await _handshake(receive):
                    return None
                await send({"type": "websocket.accept"})
            await send({"type": "websocket.close", "code": TRY_AGAIN_LATER})
        return None


async def _handshake(receive):
    """Wait for the browser's handshake; False if it left instead."""
    try:
        message = await asyncio.wait_for(receive(), HANDSHAKE_WAIT)
    except TimeoutError:
        return False
    return message["type"] == "websocket.connect"
