"""Live support counts and statuses for the proposal list and detail pages.

Protocol (JSON text frames):
- client → ``{"type": "subscribe", "ids": [1, 2, 3]}`` (the proposals shown on the page;
  sent on every (re)connect, and again when the page shows other ideas);
- server → ``{"event": "proposal.snapshot", "payload": {"proposals": [state, …]}}`` with the
  current state from the database, one per subscribed id, then
  ``{"event": "proposal.state", "payload": state}`` deltas for those ids only.
  A state is ``civic.proposals.live.state_payload``: an idea that is not public (or does
  not exist) is only ``{"id", "visible": false, "version"}``;
- client → ``{"type": "ping"}``, server → ``{"event": "pong", "payload": {}}``;
- anything else: ``{"event": "error", "payload": {"code": …}}`` and the socket stays open.

Ids are positive integers; other values in ``ids`` are ignored, and only the first
MAX_SUBSCRIBED ids count. A socket never receives a state older than one it already has.

The socket never writes: supports go through the HTTP form or the API.
"""

import time
from collections import deque

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.utils import translation

from civic import json_input
from civic.live.dispatch import DirectGroupEventsMixin
from civic.live.language import language_from_scope
from civic.proposals import live
from civic.proposals.lifecycle import Status

MAX_SUBSCRIBED = live.MAX_IDS
MAX_MESSAGE_BYTES = 8 * 1024
MAX_ID = 2**63 - 1  # bigint primary keys; larger integers cannot name a proposal
# Each subscribe reads the database: a socket gets a few per window, then an error.
SUBSCRIBE_BURST = 10
SUBSCRIBE_WINDOW = 10.0  # seconds


def clean_ids(ids):
    """The valid, distinct ids of a subscribe message, in order, at most MAX_SUBSCRIBED."""
    clean = {}
    for value in ids:
        if type(value) is int and 0 < value <= MAX_ID:  # not bool, not float, not str
            clean[value] = None
            if len(clean) == MAX_SUBSCRIBED:
                break
    return list(clean)


class ProposalConsumer(DirectGroupEventsMixin, AsyncJsonWebsocketConsumer):
    async def connect(self):
        if self.scope.get("user") is None:
            # Not behind the auth middleware: refuse rather than guess who this is.
            await self.close(code=4401)
            return
        # id → version of the last state sent for it (snapshot or delta).
        self.subscribed = {}
        self.recent_subscribes = deque()
        self.language = language_from_scope(self.scope)
        await self.channel_layer.group_add(live.GROUP, self.channel_name)
        await self.accept()

    async def disconnect(self, code):
        await self.channel_layer.group_discard(live.GROUP, self.channel_name)

    async def error(self, code):
        await self.send_json({"event": "error", "payload": {"code": code}})

    async def receive(self, text_data=None, bytes_data=None, **kwargs):
        # The parent raises on binary or empty frames, which would close the socket.
        if not text_data:
            await self.error("bad_message")
            return
        if len(text_data) > MAX_MESSAGE_BYTES or len(text_data.encode()) > MAX_MESSAGE_BYTES:
            await self.error("too_large")
            return
        await self.receive_json(await self.decode_json(text_data), **kwargs)

    @classmethod
    async def decode_json(cls, text_data):
        try:
            return json_input.loads(text_data, max_length=MAX_MESSAGE_BYTES)
        except json_input.JSONInputError:
            # Malformed, or nested too deep: answered with bad_message.
            return None

    async def receive_json(self, content, **kwargs):
        kind = content.get("type") if isinstance(content, dict) else None
        if kind == "ping":
            await self.send_json({"event": "pong", "payload": {}})
            return
        if kind != "subscribe" or not isinstance(content.get("ids"), list):
            await self.error("bad_message")
            return
        if not self.allow_subscribe():
            await self.error("rate_limited")
            return
        ids = clean_ids(content["ids"])
        # Subscribed before the read: a delta committed meanwhile waits in the channel and
        # arrives after the snapshot, where its version decides whether it is still news.
        self.subscribed = dict.fromkeys(ids, 0)
        states = await database_sync_to_async(live.snapshot_for)(ids) if ids else []
        for state in states:
            self.subscribed[state["id"]] = state["version"]
        states = [self.localise(state) for state in states]
        await self.send_json({"event": "proposal.snapshot", "payload": {"proposals": states}})

    def allow_subscribe(self):
        now = time.monotonic()
        while self.recent_subscribes and now - self.recent_subscribes[0] > SUBSCRIBE_WINDOW:
            self.recent_subscribes.popleft()
        if len(self.recent_subscribes) >= SUBSCRIBE_BURST:
            return False
        self.recent_subscribes.append(now)
        return True

    async def live_event(self, event):
        payload = event["payload"]
        pk = payload.get("id")
        if pk not in self.subscribed:
            return
        version = payload.get("version", 0)
        if version < self.subscribed[pk]:
            return  # older than what this page already shows
        self.subscribed[pk] = version
        await self.send_json({"event": event["event"], "payload": self.localise(payload)})

    def localise(self, state):
        """Status labels in the page's language (a broadcast is built once, in none)."""
        if "status" not in state:
            return state
        with translation.override(self.language):
            return {**state, "status_label": str(Status(state["status"]).label)}
