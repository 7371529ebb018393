"""Live places left and waitlist length on an action page.

Route: ``/ws/agir/<action_id>/`` (Origin checked against ALLOWED_HOSTS and session user, by
``config.asgi``). Protocol (JSON text frames):
- on connect, the server sends one snapshot from the database:
  ``{"event": "shift.snapshot", "payload": {"shifts": [state, …]}}``, every shift of the
  action in the page's order (starts_at, id);
- then ``{"event": "shift.state", "payload": state}`` deltas, after each committed change of
  places on one of the action's shifts. A state is ``civic.volunteering.live.shift_state``:
  figures only, never who signed up;
- client → ``{"type": "ping"}``, server → ``{"event": "pong", "payload": {}}``;
- anything else the client sends is ignored (the socket stays open).

An action the visitor may not see (missing, or unpublished for anyone but Régie staff) gets
its socket closed at once with code 4404, the same for both, and nothing sent. A socket never receives a
state older than one it already has (``version``, see ``live``).

The socket only listens: sign-ups go through HTTP (the form or the API).
"""

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from civic import json_input
from civic.live.dispatch import DirectGroupEventsMixin
from civic.volunteering import live, rules
from civic.volunteering.models import Action

# The only message a client sends is a ping: anything longer is not worth parsing.
MAX_MESSAGE_CHARS = 256


def _visible_action_id(user, action_id):
    action = Action.objects.filter(pk=action_id).only("pk", "is_published").first()
    if action is None or not rules.can_view_action(user, action):
        return None
    return action.pk


class ActionConsumer(DirectGroupEventsMixin, AsyncJsonWebsocketConsumer):
    group_name = None

    async def connect(self):
        user = self.scope.get("user")
        if user is None:
            # Not behind the auth middleware: refuse rather than guess who this is.
            await self.close(code=4401)
            return
        action_id = self.scope["url_route"]["kwargs"]["action_id"]
        self.action_id = await database_sync_to_async(_visible_action_id)(user, action_id)
        if self.action_id is None:
            # Accepted, then closed at once with nothing sent: a browser sees this code (a
            # handshake refusal only shows as 1006), and the page's script stops retrying.
            await self.accept()
            await self.close(code=4404)
            return
        # shift id → version of the last state sent for it (snapshot or delta).
        self.versions = {}
        # In the group before the read: a delta committed meanwhile waits in the channel and
        # arrives after the snapshot, where its version decides whether it is still news.
        self.group_name = live.action_group(self.action_id)
        await self.channel_layer.group_add(self.group_name, self.channel_name)
        await self.accept()
        states = await database_sync_to_async(live.states_for_action)(self.action_id)
        for state in states:
            self.versions[state["id"]] = state["version"]
        await self.send_json({"event": "shift.snapshot", "payload": {"shifts": states}})

    async def disconnect(self, code):
        if self.group_name:
            await self.channel_layer.group_discard(self.group_name, self.channel_name)

    async def receive(self, text_data=None, bytes_data=None, **kwargs):
        # Listen-only socket: answer pings, ignore anything else (binary, empty, oversized
        # or malformed frames included; the parent class would close the socket on some).
        if not text_data or len(text_data) > MAX_MESSAGE_CHARS:
            return
        try:
            content = json_input.loads(text_data, max_length=MAX_MESSAGE_CHARS)
        except json_input.JSONInputError:
            return
        if isinstance(content, dict) and content.get("type") == "ping":
            await self.send_json({"event": "pong", "payload": {}})

    async def live_event(self, event):
        payload = event.get("payload")
        if not isinstance(payload, dict) or payload.get("action") != self.action_id:
            return
        pk = payload.get("id")
        version = payload.get("version", 0)
        if version < self.versions.get(pk, 0):
            return  # older than what this page already shows
        self.versions[pk] = version
        await self.send_json({"event": event["event"], "payload": payload})
