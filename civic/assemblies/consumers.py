"""The live session of an assembly, for members' phones, the chair's screen and the
projector.

Route: ``/ws/assemblees/<assembly_id>/`` (Origin checked against ALLOWED_HOSTS and session
user, by ``config.asgi``). Protocol (JSON text frames):

- on connect, one snapshot from the database:
  ``{"event": "assembly.snapshot", "payload": {"state": <public>, "me": <personal>}}``
  (see ``live.public_state`` and ``live.personal_state``);
- then ``{"event": "assembly.state", "payload": <public>}`` after each committed change,
  ``{"event": "me.state", "payload": <personal>}`` when this member's own view changed,
  ``{"event": "motion.votes", "payload": {"motion", "votes_cast"}}`` (coalesced);
- client → server, each with an optional ``"id"`` echoed in the answer:
  ``{"type": "vote", "motion", "option", "for"?}`` (``for``: the id of the member whose
  proxy is held), ``{"type": "floor.request"}``, ``{"type": "floor.withdraw"}``, and for
  the chair ``session.open``, ``session.end``, ``item.go`` (``item``), ``item.next``,
  ``motion.create`` (``question``, ``kind``, ``choices``, ``secret``, ``majority``),
  ``motion.open`` / ``motion.close`` (``motion``), ``floor.give`` (``request``),
  ``floor.next``, ``floor.end``; ``{"type": "ping"}``.
  Answers: ``{"event": "ack", "payload": {"id", "type", …}}`` once the change is
  committed (an acknowledged vote is in the database), or
  ``{"event": "error", "payload": {"id", "code", "message"}}``.

Refusals: a socket without the auth middleware or without a session is closed with 4401;
an assembly that is missing or unpublished, or a person who may not follow it (a resident
of another neighbourhood), gets 4403 — the same for both, nothing sent. Malformed,
oversized or too frequent messages are answered with an error or ignored; the socket and
the server stay up.
"""

import logging
import time

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.db import DatabaseError
from django.utils import translation
from django.utils.translation import gettext as _

from civic import json_input
from civic.assemblies import live, rules, services
from civic.assemblies.models import AgendaItem, Assembly, FloorRequest, Motion
from civic.live.dispatch import DirectGroupEventsMixin
from civic.live.language import language_from_scope

logger = logging.getLogger(__name__)

MAX_MESSAGE_CHARS = 4096
# A member taps a few times a second at most; a burst above this is a script.
RATE_PER_SECOND = 5
RATE_BURST = 20


def _admit(user, assembly_id):
    """(assembly id, is_chair) for a person who may follow the session, else None."""
    assembly = Assembly.objects.filter(pk=assembly_id).first()
    if assembly is None:
        return None
    participant = services.participant_for(user, assembly)
    if not rules.can_follow_live(user, assembly, participant):
        return None
    return assembly.pk, rules.can_chair(user, assembly)


class AssemblyConsumer(DirectGroupEventsMixin, AsyncJsonWebsocketConsumer):
    group_name = None

    async def connect(self):
        user = self.scope.get("user")
        if user is None:
            await self.close(code=4401)
            return
        if not user.is_authenticated:
            await self.accept()
            await self.close(code=4401)
            return
        admitted = await database_sync_to_async(_admit)(
            user, self.scope["url_route"]["kwargs"]["assembly_id"]
        )
        if admitted is None:
            await self.accept()
            await self.close(code=4403)
            return
        self.assembly_id, self.is_chair = admitted
        self.user = user
        self.language = language_from_scope(self.scope)
        self.version = 0
        self.votes_cast = {}
        self.allowance = RATE_BURST
        self.last_check = time.monotonic()
        # Join before reading: a change committed meanwhile arrives after the snapshot, where
        # its version says whether it is news.
        self.group_name = live.assembly_group(self.assembly_id)
        await self.channel_layer.group_add(self.group_name, self.channel_name)
        await self.accept()
        state, me = await database_sync_to_async(self._snapshot)()
        self.version = state["version"] if state else 0
        self._remember_me(me)
        await self.send_json({"event": "assembly.snapshot", "payload": {"state": state, "me": me}})

    def _snapshot(self):
        with translation.override(self.language):
            return (
                live.public_state(self.assembly_id),
                live.personal_state(self.assembly_id, self.user, is_chair=self.is_chair),
            )

    def _personal(self):
        with translation.override(self.language):
            return live.personal_state(self.assembly_id, self.user, is_chair=self.is_chair)

    def _remember_me(self, me):
        participant = me.get("participant") if me else None
        self.participant_id = participant["id"] if participant else None

    async def disconnect(self, code):
        if self.group_name:
            await self.channel_layer.group_discard(self.group_name, self.channel_name)

    # --- Messages from the room ---------------------------------------------------------------

    async def live_event(self, event):
        """Forward a group event: never writes, never reads unless this member's own view
        changed."""
        kind, payload = event.get("event"), event.get("payload") or {}
        if kind == "assembly.state":
            version = payload.get("version", 0)
            if version >= self.version and payload.get("text"):
                self.version = version
                await self.send(text_data=payload["text"])  # already encoded, once
            concerned = (
                self.participant_id is not None
                and self.participant_id in payload.get("participants", ())
            ) or self.user.pk in payload.get("users", ())
            if concerned:
                me = await database_sync_to_async(self._personal)()
                self._remember_me(me)
                await self.send_json({"event": "me.state", "payload": me})
        elif kind == "motion.votes":
            motion, count = payload.get("motion"), payload.get("votes_cast", 0)
            if count > self.votes_cast.get(motion, -1):
                self.votes_cast[motion] = count
                await self.send_json({"event": "motion.votes", "payload": payload})

    # --- Messages from this socket --------------------------------------------------------------

    def _within_rate(self):
        now = time.monotonic()
        self.allowance = min(RATE_BURST, self.allowance + (now - self.last_check) * RATE_PER_SECOND)
        self.last_check = now
        if self.allowance < 1:
            return False
        self.allowance -= 1
        return True

    async def receive(self, text_data=None, bytes_data=None, **kwargs):
        if not text_data or len(text_data) > MAX_MESSAGE_CHARS:
            return await self._error(None, "bad_message", _("Message illisible."))
        try:
            content = json_input.loads(text_data, max_length=MAX_MESSAGE_CHARS)
        except json_input.JSONInputError:
            return await self._error(None, "bad_message", _("Message illisible."))
        if not isinstance(content, dict):
            return await self._error(None, "bad_message", _("Message illisible."))
        request_id = content.get("id")
        if not isinstance(request_id, (str, int)) or isinstance(request_id, bool):
            request_id = None
        kind = content.get("type")
        if kind == "ping":
            return await self.send_json({"event": "pong", "payload": {}})
        if not self._within_rate():
            return await self._error(request_id, "too_fast", _("Trop de messages : patientez."))
        handler = self.HANDLERS.get(kind) if isinstance(kind, str) else None
        if handler is None:
            return await self._error(request_id, "unknown_type", _("Action inconnue."))
        try:
            extra = await database_sync_to_async(self._run)(handler, content)
        except PermissionDenied:
            return await self._error(request_id, "forbidden", _("Action réservée à la présidence."))
        except ValidationError as error:
            code = getattr(error, "code", None) or "invalid"
            return await self._error(request_id, code, " ".join(error.messages))
        except ObjectDoesNotExist:
            return await self._error(
                request_id, "not_found", _("Introuvable dans cette assemblée.")
            )
        except (TypeError, ValueError, LookupError, OverflowError):
            return await self._error(request_id, "bad_message", _("Message illisible."))
        except DatabaseError:
            # A lock timeout or a restart of the database: this request failed (rolled back),
            # the socket stays open and the member may try again.
            logger.exception("Assembly %s: %s failed", self.assembly_id, kind)
            return await self._error(
                request_id, "unavailable", _("Un problème passager : réessayez.")
            )
        if kind == "vote":
            motion_id, votes_cast = extra.pop("votes_cast")
            live.schedule_votes_cast(self.channel_layer, self.assembly_id, motion_id, votes_cast)
        await self.send_json(
            {"event": "ack", "payload": {"id": request_id, "type": kind, **(extra or {})}}
        )

    async def _error(self, request_id, code, message):
        await self.send_json(
            {"event": "error", "payload": {"id": request_id, "code": code, "message": message}}
        )

    def _run(self, handler, content):
        with translation.override(self.language):
            return handler(self, content)

    # Each handler runs in a worker thread, inside the service's transaction; what it returns
    # is added to the acknowledgement.

    def _assembly(self):
        return Assembly.objects.get(pk=self.assembly_id)

    def _motion(self, content):
        return Motion.objects.select_related("assembly").get(
            pk=int(content["motion"]), assembly_id=self.assembly_id
        )

    def _vote(self, content):
        motion = self._motion(content)
        on_behalf_of = content.get("for")
        ballot, votes_cast = services.cast_vote(
            actor=self.user,
            motion=motion,
            option_id=int(content["option"]),
            on_behalf_of=int(on_behalf_of) if on_behalf_of not in (None, "") else None,
        )
        return {
            "motion": motion.pk,
            "option": ballot.option_id,
            "for": ballot.voter_id,
            "votes_cast": (motion.pk, votes_cast),
        }

    def _chair_only(self):
        if not self.is_chair:
            raise PermissionDenied

    def _session_open(self, content):
        self._chair_only()
        services.open_session(actor=self.user, assembly=self._assembly())

    def _session_end(self, content):
        self._chair_only()
        services.end_session(actor=self.user, assembly=self._assembly())

    def _item_go(self, content):
        self._chair_only()
        item = AgendaItem.objects.get(pk=int(content["item"]), assembly_id=self.assembly_id)
        services.go_to_item(actor=self.user, assembly=self._assembly(), item=item)

    def _item_next(self, content):
        self._chair_only()
        services.next_item(actor=self.user, assembly=self._assembly())

    def _motion_create(self, content):
        self._chair_only()
        choices = content.get("choices") or []
        if not isinstance(choices, list) or not all(isinstance(c, str) for c in choices):
            raise ValueError("choices")
        question = content.get("question")
        if not isinstance(question, str):
            raise ValueError("question")
        motion = services.create_motion(
            actor=self.user,
            assembly=self._assembly(),
            question=question,
            kind=str(content.get("kind") or "for_against"),
            choices=choices,
            is_secret=content.get("secret") is True,
            majority=content.get("majority") or None,
        )
        return {"motion": motion.pk}

    def _motion_open(self, content):
        self._chair_only()
        services.open_motion(actor=self.user, motion=self._motion(content))

    def _motion_close(self, content):
        self._chair_only()
        motion = services.close_motion(actor=self.user, motion=self._motion(content))
        return {"motion": motion.pk}

    def _floor_request(self, content):
        services.request_floor(actor=self.user, assembly=self._assembly())

    def _floor_withdraw(self, content):
        services.withdraw_floor_request(actor=self.user, assembly=self._assembly())

    def _floor_give(self, content):
        self._chair_only()
        request = FloorRequest.objects.select_related("assembly").get(
            pk=int(content["request"]), assembly_id=self.assembly_id
        )
        services.give_floor(actor=self.user, request=request)

    def _floor_next(self, content):
        self._chair_only()
        services.give_floor_to_next(actor=self.user, assembly=self._assembly())

    def _floor_end(self, content):
        self._chair_only()
        services.end_floor(actor=self.user, assembly=self._assembly())

    HANDLERS = {
        "vote": _vote,
        "session.open": _session_open,
        "session.end": _session_end,
        "item.go": _item_go,
        "item.next": _item_next,
        "motion.create": _motion_create,
        "motion.open": _motion_open,
        "motion.close": _motion_close,
        "floor.request": _floor_request,
        "floor.withdraw": _floor_withdraw,
        "floor.give": _floor_give,
        "floor.next": _floor_next,
        "floor.end": _floor_end,
    }
