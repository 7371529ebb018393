"""The public live channel: pushes "a news article was published" to open pages.

The socket only forwards events; it never writes to the database.
"""

from channels.generic.websocket import AsyncJsonWebsocketConsumer

from civic import json_input
from civic.live.dispatch import DirectGroupEventsMixin
from civic.live.groups import groups_for_user

# Clients only send pings here: anything longer is not worth parsing.
MAX_MESSAGE_CHARS = 256


class LiveConsumer(DirectGroupEventsMixin, AsyncJsonWebsocketConsumer):
    async def connect(self):
        user = self.scope.get("user")
        if user is None:
            # Not behind the auth middleware: refuse rather than guess who this is.
            await self.close(code=4401)
            return
        self.group_names = groups_for_user(user)
        for name in self.group_names:
            await self.channel_layer.group_add(name, self.channel_name)
        await self.accept()
        await self.send_json({"event": "hello", "payload": {"groups": len(self.group_names)}})

    async def disconnect(self, code):
        for name in getattr(self, "group_names", []):
            await self.channel_layer.group_discard(name, self.channel_name)

    async def receive(self, text_data=None, bytes_data=None, **kwargs):
        # The parent raises on binary or empty frames, which would kill the socket:
        # anything that is not a JSON text frame is ignored instead.
        if text_data:
            await self.receive_json(await self.decode_json(text_data), **kwargs)

    async def receive_json(self, content, **kwargs):
        # Clients only listen on this channel; answer pings so they can check the link.
        if isinstance(content, dict) and content.get("type") == "ping":
            await self.send_json({"event": "pong", "payload": {}})

    async def live_event(self, event):
        await self.send_json({"event": event["event"], "payload": event["payload"]})

    @classmethod
    async def decode_json(cls, text_data):
        try:
            return json_input.loads(text_data, max_length=MAX_MESSAGE_CHARS)
        except json_input.JSONInputError:
            # Malformed, too long or nested too deep: ignored, the socket stays open.
            return None
