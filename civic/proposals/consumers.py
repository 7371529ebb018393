"""Live support counts and statuses for the proposal list and detail pages.

Protocol (JSON):
- client → ``{"type": "subscribe", "ids": [1, 2, 3]}`` (the proposals shown on the page;
  sent on every (re)connect);
- server → ``{"event": "proposal.snapshot", "payload": {"proposals": [state, …]}}`` with the
  current state from the database, then ``{"event": "proposal.state", "payload": state}``
  deltas for those ids only. A state is ``civic.proposals.live.state_payload``.

The socket never writes: supports go through the HTTP form or the API.
"""

import json

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from civic.proposals import live

MAX_SUBSCRIBED = 200
MAX_MESSAGE_BYTES = 8 * 1024


class ProposalConsumer(AsyncJsonWebsocketConsumer):
    async def connect(self):
        if self.scope.get("user") is None:
            await self.close(code=4401)
            return
        self.subscribed = set()
        await self.channel_layer.group_add(live.GROUP, self.channel_name)
        await self.accept()

    async def disconnect(self, code):
        await self.channel_layer.group_discard(live.GROUP, self.channel_name)

    async def receive(self, text_data=None, bytes_data=None, **kwargs):
        if text_data is None or len(text_data) > MAX_MESSAGE_BYTES:
            await self.send_json({"event": "error", "payload": {"code": "too_large"}})
            return
        await super().receive(text_data=text_data, bytes_data=bytes_data, **kwargs)

    @classmethod
    async def decode_json(cls, text_data):
        try:
            return json.loads(text_data)
        except ValueError:
            return None

    async def receive_json(self, content, **kwargs):
        if not isinstance(content, dict) or content.get("type") != "subscribe":
            await self.send_json({"event": "error", "payload": {"code": "bad_message"}})
            return
        ids = content.get("ids")
        if not isinstance(ids, list):
            await self.send_json({"event": "error", "payload": {"code": "bad_message"}})
            return
        clean = {i for i in ids[:MAX_SUBSCRIBED] if isinstance(i, int) and not isinstance(i, bool)}
        self.subscribed = clean
        states = await database_sync_to_async(live.states_for)(clean)
        await self.send_json({"event": "proposal.snapshot", "payload": {"proposals": states}})

    async def live_event(self, event):
        payload = event["payload"]
        if payload.get("id") in self.subscribed:
            await self.send_json({"event": event["event"], "payload": payload})
