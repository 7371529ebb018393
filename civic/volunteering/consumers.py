"""Live places left and waitlist length on an action page.

Route: ``/ws/agir/<action_id>/``. On connect the server sends one snapshot
``{"event": "shift.snapshot", "payload": {"shifts": [state, …]}}`` from the database,
then ``{"event": "shift.state", "payload": state}`` deltas (see ``live.shift_state``).
The socket only listens; sign-ups go through HTTP (form or API).
"""

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from civic.volunteering import live, rules
from civic.volunteering.models import Action


def _visible_action_id(user, action_id):
    action = Action.objects.filter(pk=action_id).first()
    if action is None or not rules.can_view_action(user, action):
        return None
    return action.pk


class ActionConsumer(AsyncJsonWebsocketConsumer):
    async def connect(self):
        user = self.scope.get("user")
        if user is None:
            await self.close(code=4401)
            return
        action_id = self.scope["url_route"]["kwargs"]["action_id"]
        self.action_id = await database_sync_to_async(_visible_action_id)(user, action_id)
        if self.action_id is None:
            await self.close(code=4404)
            return
        self.group_name = live.action_group(self.action_id)
        await self.channel_layer.group_add(self.group_name, self.channel_name)
        await self.accept()
        states = await database_sync_to_async(live.states_for_action)(self.action_id)
        await self.send_json({"event": "shift.snapshot", "payload": {"shifts": states}})

    async def disconnect(self, code):
        if getattr(self, "group_name", None):
            await self.channel_layer.group_discard(self.group_name, self.channel_name)

    async def receive(self, text_data=None, bytes_data=None, **kwargs):
        # Listen-only socket: answer pings, ignore anything else.
        if text_data and len(text_data) < 256 and '"ping"' in text_data:
            await self.send_json({"event": "pong", "payload": {}})

    async def live_event(self, event):
        await self.send_json({"event": event["event"], "payload": event["payload"]})
