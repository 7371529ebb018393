"""The live session of an assembly (/ws/assemblees/<id>/), end to end in process: the real
ASGI application (Origin validator, session auth, routing, AssemblyConsumer), the real
services in worker threads (row locks, transaction.on_commit), and the configured channel
layer (in memory, or Redis pub/sub when REDIS_URL is set).

Every socket keeps a log of everything it received, so that a test can say what nobody was
ever told (the secret ballot).
"""

import asyncio
import json
import math
import time
from contextlib import asynccontextmanager

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.db import connection
from django.test import Client

from civic.assemblies import live, services
from civic.assemblies.consumers import RATE_BURST, RATE_PER_SECOND, AssemblyConsumer
from civic.assemblies.models import Ballot, Motion
from config.asgi import application
from tests.assemblies_factories import (
    make_assembly,
    make_chair,
    make_motion,
    present_member,
    register_member,
    resident_of,
)
from tests.harness import channel_layer_of_its_own

pytestmark = pytest.mark.django_db(transaction=True)

ALLOWED_ORIGIN = "http://testserver"
TIMEOUT = 3


@pytest.fixture(autouse=True)
def isolated_channel_layer(settings):
    channel_layer_of_its_own(settings)


@pytest.fixture(autouse=True)
def fast_counts(monkeypatch):
    monkeypatch.setattr(live, "VOTES_CAST_INTERVAL", 0.05)


def session_cookie(user):
    client = Client()
    client.force_login(user)
    return client.cookies["sessionid"].value


def headers(origin=ALLOWED_ORIGIN, cookie=None):
    result = []
    if origin is not None:
        result.append((b"origin", origin.encode()))
    if cookie is not None:
        result.append((b"cookie", f"sessionid={cookie}".encode()))
    return result


def path(assembly):
    return f"/ws/assemblees/{assembly if isinstance(assembly, int) else assembly.pk}/"


async def connect(assembly, user=None, origin=ALLOWED_ORIGIN):
    cookie = await database_sync_to_async(session_cookie)(user) if user else None
    communicator = WebsocketCommunicator(
        application, path(assembly), headers=headers(origin, cookie)
    )
    connected, code = await communicator.connect(timeout=TIMEOUT)
    return communicator, connected, code


async def assert_closed_with(assembly, user, code):
    """Accepted then closed at once with ``code``, nothing said."""
    communicator, connected, _ = await connect(assembly, user)
    assert connected
    assert await communicator.receive_output(timeout=TIMEOUT) == {
        "type": "websocket.close",
        "code": code,
    }
    await communicator.wait(timeout=TIMEOUT)


class Socket:
    """A connected socket past its snapshot, logging every message it receives."""

    def __init__(self, communicator, snapshot):
        self.communicator = communicator
        self.snapshot = snapshot
        self.log = [snapshot]
        self.raw = []
        self.next_id = 0

    async def receive(self, timeout=TIMEOUT):
        raw = await self.communicator.receive_from(timeout=timeout)
        self.raw.append(raw)
        message = json.loads(raw)
        self.log.append(message)
        return message

    async def until(self, predicate, timeout=TIMEOUT):
        """The first message matching ``predicate`` (others are logged and skipped)."""
        async with asyncio.timeout(timeout):
            while True:
                message = await self.receive()
                if predicate(message):
                    return message

    async def event(self, name, **match):
        return await self.until(
            lambda m: (
                m["event"] == name
                and all(m["payload"].get(key) == value for key, value in match.items())
            )
        )

    async def send(self, type_, **fields):
        self.next_id += 1
        await self.communicator.send_json_to({"type": type_, "id": self.next_id, **fields})
        return self.next_id

    async def request(self, type_, **fields):
        """Send and wait for this request's answer (ack or error)."""
        request_id = await self.send(type_, **fields)
        return await self.until(
            lambda m: m["event"] in ("ack", "error") and m["payload"].get("id") == request_id
        )

    async def state(self, predicate=lambda state: True):
        message = await self.until(
            lambda m: m["event"] == "assembly.state" and predicate(m["payload"])
        )
        return message["payload"]


@asynccontextmanager
async def socket_for(assembly, user):
    communicator, connected, code = await connect(assembly, user)
    assert connected, code
    try:
        message = await communicator.receive_json_from(timeout=TIMEOUT)
        assert message["event"] == "assembly.snapshot", message
        yield Socket(communicator, message)
    finally:
        await communicator.disconnect()


def db(function):
    return database_sync_to_async(function)


async def in_another_thread(function, /, **kwargs):
    def run():
        try:
            return function(**kwargs)
        finally:
            connection.close()

    return await asyncio.to_thread(run)


@pytest.fixture
def room(tilleuls):
    """A published assembly, open session; a chair, two present members (Amina holds
    Bruno's proxy), a registered absent member, and a for/against motion prepared."""

    def build():
        chair = make_chair(tilleuls, display_name="Nadia (présidence)")
        assembly = make_assembly(chair, tilleuls, items=["Budget", "Jardin"])
        amina = present_member(assembly, resident_of(assembly, display_name="Amina"), chair)
        lea = present_member(assembly, resident_of(assembly, display_name="Léa"), chair)
        bruno = register_member(assembly, resident_of(assembly, display_name="Bruno"))
        services.give_proxy(actor=chair, giver=bruno, holder=amina)
        services.open_session(actor=chair, assembly=assembly)
        motion = make_motion(assembly, chair, "Adopte-t-on le budget ?")
        options = {o.role or "abstention": o.pk for o in motion.options.all()}
        for participant in (amina, lea, bruno):
            participant.user  # noqa: B018 -- loaded here: the tests run in the event loop
        return type(
            "Room",
            (),
            {
                "assembly": assembly,
                "chair": chair,
                "amina": amina,
                "lea": lea,
                "bruno": bruno,
                "motion": motion,
                "options": options,
            },
        )

    return db(build)()


# --- Handshake ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "origin", ["http://evil.example", "http://testserver.evil.example", "null", None]
)
async def test_foreign_or_missing_origin_is_refused(room, origin):
    room = await room
    communicator, connected, _ = await connect(room.assembly, room.amina.user, origin=origin)
    assert connected is False


async def test_consumer_without_auth_middleware_refuses(room):
    room = await room
    communicator = WebsocketCommunicator(AssemblyConsumer.as_asgi(), path(room.assembly))
    communicator.scope["url_route"] = {"kwargs": {"assembly_id": room.assembly.pk}}
    assert await communicator.connect(timeout=TIMEOUT) == (False, 4401)


async def test_anonymous_is_closed_4401(room):
    room = await room
    await assert_closed_with(room.assembly, None, 4401)


async def test_outsiders_and_unpublished_assemblies_are_closed_4403(room, other_resident, tilleuls):
    room = await room
    await assert_closed_with(room.assembly, other_resident, 4403)  # another neighbourhood
    await assert_closed_with(room.assembly.pk + 1000, room.lea.user, 4403)  # missing

    def draft():
        return make_assembly(room.chair, tilleuls, is_published=False)

    unpublished = await db(draft)()
    await assert_closed_with(unpublished, room.lea.user, 4403)
    async with socket_for(unpublished, room.chair) as socket:  # staff prepare it
        assert socket.snapshot["payload"]["me"]["is_chair"] is True


async def test_a_partner_registered_at_the_desk_follows(room, partner):
    room = await room
    await assert_closed_with(room.assembly, partner, 4403)
    await db(services.register_at_desk)(actor=room.chair, assembly=room.assembly, user=partner)
    async with socket_for(room.assembly, partner) as socket:
        assert socket.snapshot["payload"]["me"]["participant"]["present"] is False


# --- Snapshot -----------------------------------------------------------------------------------


async def test_snapshot_public_and_personal(room):
    room = await room
    async with socket_for(room.assembly, room.amina.user) as socket:
        payload = socket.snapshot["payload"]
    state, me = payload["state"], payload["me"]
    assert state["id"] == room.assembly.pk and state["session"] == "open"
    assert state["current_item"]["title"] == "Budget"
    assert [item["title"] for item in state["items"]] == ["Budget", "Jardin"]
    assert state["attendance"] == {
        "registered": 3,
        "present": 2,
        "represented": 1,
        "quorum_required": 0,
        "quorum_reached": True,
    }
    # A prepared vote is the chair's until opened: the room doesn't see its question.
    assert state["motion"] is None
    assert room.motion.question not in json.dumps(state)
    assert state["speakers"] == {"current": None, "queue": []}
    assert isinstance(state["version"], int) and state["version"] > 0
    assert me["is_chair"] is False
    assert me["participant"]["id"] == room.amina.pk and me["participant"]["present"] is True
    assert me["participant"]["proxy_for"] == {"id": room.bruno.pk, "name": "Bruno"}
    assert me["participant"]["votes"] == {}


# --- Permissions over the socket -------------------------------------------------------------


async def test_a_member_cannot_chair(room):
    room = await room
    async with socket_for(room.assembly, room.lea.user) as socket:
        for type_, fields in [
            ("motion.open", {"motion": room.motion.pk}),
            ("motion.close", {"motion": room.motion.pk}),
            ("motion.create", {"question": "Pirate ?"}),
            ("session.end", {}),
            ("item.next", {}),
            ("floor.next", {}),
        ]:
            answer = await socket.request(type_, **fields)
            assert answer["event"] == "error" and answer["payload"]["code"] == "forbidden"
    motion = await db(Motion.objects.get)(pk=room.motion.pk)
    assert motion.status == "draft"
    assert await db(Motion.objects.count)() == 1
    assembly = await db(lambda: type(room.assembly).objects.get(pk=room.assembly.pk))()
    assert assembly.session_status == "open"


async def test_a_registered_absent_member_cannot_vote(room):
    room = await room
    await db(services.open_motion)(actor=room.chair, motion=room.motion)
    async with socket_for(room.assembly, room.bruno.user) as socket:
        answer = await socket.request("vote", motion=room.motion.pk, option=room.options["for"])
    assert answer["payload"]["code"] == "not_present"
    assert not await db(Ballot.objects.exists)()


# --- Votes ------------------------------------------------------------------------------------


async def test_vote_change_and_ack_after_commit(room):
    room = await room
    async with (
        socket_for(room.assembly, room.chair) as chair,
        socket_for(room.assembly, room.amina.user) as amina,
    ):
        ack = await chair.request("motion.open", motion=room.motion.pk)
        assert ack["event"] == "ack"
        opened = await amina.state(lambda s: s["motion"]["status"] == "open")
        assert opened["motion"]["votes_cast"] == 0

        ack = await amina.request("vote", motion=room.motion.pk, option=room.options["for"])
        assert ack["event"] == "ack", ack
        assert ack["payload"]["option"] == room.options["for"]
        assert ack["payload"]["for"] == room.amina.pk
        # Acknowledged means in the database.
        ballot = await db(Ballot.objects.get)(motion=room.motion, voter=room.amina)
        assert ballot.option_id == room.options["for"]

        ack = await amina.request("vote", motion=room.motion.pk, option=room.options["against"])
        assert ack["payload"]["option"] == room.options["against"]
        ballot = await db(Ballot.objects.get)(motion=room.motion, voter=room.amina)
        assert ballot.option_id == room.options["against"]

        # For Bruno, whose proxy Amina holds.
        ack = await amina.request(
            "vote", motion=room.motion.pk, option=room.options["for"], **{"for": room.bruno.pk}
        )
        assert ack["payload"]["for"] == room.bruno.pk
        assert await db(Ballot.objects.filter(motion=room.motion).count)() == 2
        # The count arrives (coalesced): it reaches 2.
        await chair.event("motion.votes", motion=room.motion.pk, votes_cast=2)

        # Someone else's proxy is refused.
        answer = await amina.request(
            "vote", motion=room.motion.pk, option=room.options["for"], **{"for": room.lea.pk}
        )
        assert answer["payload"]["code"] == "no_proxy"


async def test_counts_are_coalesced(room):
    room = await room
    await db(services.open_motion)(actor=room.chair, motion=room.motion)
    async with (
        socket_for(room.assembly, room.chair) as chair,
        socket_for(room.assembly, room.amina.user) as amina,
        socket_for(room.assembly, room.lea.user) as lea,
    ):
        for socket, option in ((amina, "for"), (lea, "against"), (amina, "abstention")):
            await socket.request("vote", motion=room.motion.pk, option=room.options[option])
        await chair.event("motion.votes", motion=room.motion.pk, votes_cast=2)
        counts = [m["payload"]["votes_cast"] for m in chair.log if m["event"] == "motion.votes"]
        assert counts == sorted(counts) and len(counts) <= 2  # never backwards, not one per vote


async def test_closing_sends_the_result_to_every_socket(room):
    room = await room
    await db(services.open_motion)(actor=room.chair, motion=room.motion)
    async with (
        socket_for(room.assembly, room.chair) as chair,
        socket_for(room.assembly, room.amina.user) as amina,
        socket_for(room.assembly, room.lea.user) as lea,
    ):
        await amina.request("vote", motion=room.motion.pk, option=room.options["for"])
        await lea.request("vote", motion=room.motion.pk, option=room.options["against"])
        await amina.request(
            "vote", motion=room.motion.pk, option=room.options["for"], **{"for": room.bruno.pk}
        )
        ack = await chair.request("motion.close", motion=room.motion.pk)
        assert ack["event"] == "ack" and ack["payload"]["motion"] == room.motion.pk
        for socket in (chair, amina, lea):
            state = await socket.state(lambda s: s["motion"]["status"] == "closed")
            result = state["motion"]["result"]
            assert result["outcome"] == "adopted"
            assert [t["votes"] for t in result["tallies"]] == [2, 1, 0]
            assert result["quorum"]["represented"] == 1
        # Too late.
        answer = await lea.request("vote", motion=room.motion.pk, option=room.options["for"])
        assert answer["payload"]["code"] == "not_open"


async def test_a_reconnecting_member_gets_their_vote_back(room):
    room = await room
    await db(services.open_motion)(actor=room.chair, motion=room.motion)
    async with socket_for(room.assembly, room.amina.user) as amina:
        await amina.request("vote", motion=room.motion.pk, option=room.options["against"])
        await amina.request(
            "vote", motion=room.motion.pk, option=room.options["for"], **{"for": room.bruno.pk}
        )
    async with socket_for(room.assembly, room.amina.user) as again:
        me = again.snapshot["payload"]["me"]["participant"]
        assert me["votes"] == {
            str(room.amina.pk): room.options["against"],
            str(room.bruno.pk): room.options["for"],
        }
        assert again.snapshot["payload"]["state"]["motion"]["votes_cast"] == 2


async def test_a_secret_ballot_tells_nobody_who_chose_what(room):
    room = await room

    def secret_motion():
        motion = services.create_motion(
            actor=room.chair,
            assembly=room.assembly,
            question="Qui pour le bureau ?",
            kind="choices",
            choices=["Sami", "Léa"],
            is_secret=True,
        )
        return motion, dict(motion.options.values_list("label", "pk"))

    motion, options = await db(secret_motion)()
    async with (
        socket_for(room.assembly, room.chair) as chair,
        socket_for(room.assembly, room.amina.user) as amina,
        socket_for(room.assembly, room.lea.user) as lea,
    ):
        answers = [
            await chair.request("motion.open", motion=motion.pk),
            await amina.request("vote", motion=motion.pk, option=options["Sami"]),
            await amina.request(
                "vote", motion=motion.pk, option=options["Léa"], **{"for": room.bruno.pk}
            ),
            await lea.request("vote", motion=motion.pk, option=options["Léa"]),
            await chair.request("motion.close", motion=motion.pk),
        ]
        assert all(answer["event"] == "ack" for answer in answers), answers
        for socket in (chair, amina, lea):
            state = await socket.state(lambda s: s["motion"]["status"] == "closed")
            assert [t["votes"] for t in state["motion"]["result"]["tallies"]] == [1, 2, 0]
    # Amina's own answers tell her her own choices; nothing else anywhere pairs a member with
    # a choice: no message to the chair or to Léa names a voter, and no public state does.
    voters = {room.amina.pk, room.bruno.pk, room.lea.pk}

    def pairs(message):
        found = []

        def walk(value):
            if isinstance(value, dict):
                votes = value.get("votes")
                if isinstance(votes, dict):
                    found.extend(int(k) for k, v in votes.items() if v is not None)
                if "voter" in value or "cast_by" in value:
                    found.append(value.get("voter"))
                for inner in value.values():
                    walk(inner)
            elif isinstance(value, list):
                for inner in value:
                    walk(inner)

        walk(message)
        return found

    for socket, own in (
        (chair, set()),
        (lea, {room.lea.pk}),
        (amina, {room.amina.pk, room.bruno.pk}),
    ):
        for message in socket.log:
            if message["event"] in ("assembly.state", "motion.votes"):
                assert pairs(message) == [], message
            elif message["event"] == "ack" and "option" in message["payload"]:
                assert message["payload"]["for"] in own  # only the voter hears their choice
            else:
                assert set(pairs(message)) <= own & voters, message
    # And after the close the database no longer knows either.
    assert set(
        await db(
            lambda: list(Ballot.objects.filter(motion=motion).values_list("option", flat=True))
        )()
    ) == {None}
    async with socket_for(room.assembly, room.amina.user) as again:
        assert again.snapshot["payload"]["me"]["participant"]["votes"] == {}


# --- Chair flow and the floor -----------------------------------------------------------------


async def test_chair_flow_over_the_socket(room):
    room = await room
    async with (
        socket_for(room.assembly, room.chair) as chair,
        socket_for(room.assembly, room.lea.user) as lea,
    ):
        ack = await chair.request(
            "motion.create", question="Jardin ?", kind="choices", choices=["Oui", "Non merci"]
        )
        assert ack["event"] == "ack"
        created = ack["payload"]["motion"]
        assert (await chair.request("motion.open", motion=created))["event"] == "ack"
        # One open vote at a time.
        answer = await chair.request("motion.open", motion=room.motion.pk)
        assert answer["payload"]["code"] == "other_open"
        assert (await chair.request("item.next"))["payload"]["code"] == "vote_open"
        assert (await chair.request("motion.close", motion=created))["event"] == "ack"
        assert (await chair.request("item.next"))["event"] == "ack"
        state = await lea.state(lambda s: s["current_item"]["title"] == "Jardin")
        assert state["session"] == "open"

        assert (await lea.request("floor.request"))["event"] == "ack"
        state = await chair.state(lambda s: s["speakers"]["queue"])
        assert state["speakers"]["queue"][0]["participant"] == room.lea.pk
        me = await lea.event("me.state")
        assert me["payload"]["participant"]["floor"] == "waiting"
        assert (await chair.request("floor.next"))["event"] == "ack"
        state = await lea.state(lambda s: s["speakers"]["current"] is not None)
        assert state["speakers"]["current"]["participant"] == room.lea.pk
        assert (await chair.request("floor.end"))["event"] == "ack"
        assert (await chair.request("session.end"))["event"] == "ack"
        state = await lea.state(lambda s: s["session"] == "ended")
        assert state["speakers"] == {"current": None, "queue": []}


# --- Bad input ----------------------------------------------------------------------------------


async def test_bad_frames_are_answered_and_the_socket_keeps_working(room):
    room = await room
    await db(services.open_motion)(actor=room.chair, motion=room.motion)
    async with socket_for(room.assembly, room.amina.user) as socket:
        frames = [
            "{not json",
            "[1, 2, 3]",
            '"vote"',
            "null",
            json.dumps({"type": "vote", "motion": 1, "pad": "x" * 5000}),  # oversized
            "[" * 3000 + "]" * 3000,
        ]
        for frame in frames:
            await socket.communicator.send_to(text_data=frame)
            message = await socket.receive()
            assert message["event"] == "error" and message["payload"]["code"] == "bad_message"
        await socket.communicator.send_to(bytes_data=b"\x00\x01")
        assert (await socket.receive())["payload"]["code"] == "bad_message"

        for type_, fields, code in [
            ("dance", {}, "unknown_type"),
            (None, {}, "unknown_type"),
            ("vote", {}, "bad_message"),
            ("vote", {"motion": "abc", "option": 1}, "bad_message"),
            ("vote", {"motion": [1], "option": 1}, "bad_message"),
            ("vote", {"motion": 10**30, "option": 1}, None),
            ("vote", {"motion": room.motion.pk, "option": 10**30}, None),
            ("vote", {"motion": room.motion.pk + 1000, "option": 1}, "not_found"),
            ("vote", {"motion": room.motion.pk, "option": "x"}, "bad_message"),
            (
                "vote",
                {"motion": room.motion.pk, "option": room.options["for"], "for": "x"},
                "bad_message",
            ),
            ("item.go", {"item": 1}, "forbidden"),
        ]:
            answer = await socket.request(type_, **fields)
            assert answer["event"] == "error", (type_, fields, answer)
            if code:
                assert answer["payload"]["code"] == code, (type_, fields, answer)
        await socket.send("ping")
        assert (await socket.until(lambda m: m["event"] == "pong"))["payload"] == {}
        ack = await socket.request("vote", motion=room.motion.pk, option=room.options["for"])
        assert ack["event"] == "ack"


async def test_a_flood_is_slowed_down_not_disconnected(room):
    room = await room
    await db(services.open_motion)(actor=room.chair, motion=room.motion)
    async with socket_for(room.assembly, room.amina.user) as socket:
        started = time.monotonic()
        for _ in range(RATE_BURST + 10):
            await socket.send("floor.withdraw")
        answers = [
            await socket.until(lambda m: m["event"] in ("ack", "error"))
            for _ in range(RATE_BURST + 10)
        ]
        elapsed = time.monotonic() - started
        codes = [a["payload"].get("code") for a in answers if a["event"] == "error"]
        assert codes and set(codes) == {"too_fast"}
        # Beyond the burst, only what the allowance refilled meanwhile gets through (a slow
        # machine takes longer to answer, and refills more).
        assert len(codes) >= 10 - math.ceil(elapsed * RATE_PER_SECOND)
        await asyncio.sleep(0.5)  # the allowance refills
        ack = await socket.request("vote", motion=room.motion.pk, option=room.options["for"])
        assert ack["event"] == "ack"
        # A ping is always answered.
        await socket.send("ping")
        assert (await socket.until(lambda m: m["event"] == "pong"))["payload"] == {}


# --- Performance: one state built per change, no read per socket --------------------------------


async def test_a_vote_reads_nothing_in_the_other_sockets_and_a_state_is_built_once(
    room, monkeypatch
):
    room = await room
    await db(services.open_motion)(actor=room.chair, motion=room.motion)

    def build_watchers():
        return [
            present_member(room.assembly, resident_of(room.assembly), room.chair).user
            for _ in range(4)
        ]

    watchers = await db(build_watchers)()
    calls = {"public": 0, "personal": 0}
    public_state, personal = live.public_state, AssemblyConsumer._personal

    def counting_public(*args, **kwargs):
        calls["public"] += 1
        return public_state(*args, **kwargs)

    def counting_personal(self):
        calls["personal"] += 1
        return personal(self)

    async with (
        socket_for(room.assembly, room.chair) as chair,
        socket_for(room.assembly, room.amina.user) as amina,
        socket_for(room.assembly, watchers[0]) as w0,
        socket_for(room.assembly, watchers[1]) as w1,
        socket_for(room.assembly, watchers[2]) as w2,
        socket_for(room.assembly, watchers[3]) as w3,
    ):
        monkeypatch.setattr(live, "public_state", counting_public)
        monkeypatch.setattr(AssemblyConsumer, "_personal", counting_personal)
        await amina.request("vote", motion=room.motion.pk, option=room.options["for"])
        for socket in (chair, w0, w1, w2, w3):
            await socket.event("motion.votes", motion=room.motion.pk, votes_cast=1)
        assert calls == {"public": 0, "personal": 0}

        await chair.request("motion.close", motion=room.motion.pk)
        for socket in (amina, w0, w1, w2, w3):
            await socket.state(lambda s: s["motion"]["status"] == "closed")
        assert calls == {"public": 1, "personal": 0}  # built once for six sockets


async def test_a_database_failure_is_an_error_not_a_dropped_socket(room, monkeypatch):
    from django.db import OperationalError

    room = await room
    await db(services.open_motion)(actor=room.chair, motion=room.motion)
    real_cast_vote = services.cast_vote
    failures = iter([OperationalError("lock timeout")])

    def flaky(**kwargs):
        for error in failures:
            raise error
        return real_cast_vote(**kwargs)

    monkeypatch.setattr(services, "cast_vote", flaky)
    async with socket_for(room.assembly, room.amina.user) as socket:
        answer = await socket.request("vote", motion=room.motion.pk, option=room.options["for"])
        assert answer["event"] == "error" and answer["payload"]["code"] == "unavailable"
        answer = await socket.request("vote", motion=room.motion.pk, option=room.options["for"])
        assert answer["event"] == "ack"


@pytest.mark.django_db(transaction=True)
async def test_registering_refreshes_the_personal_view_of_an_open_socket(tilleuls):
    """A resident follows the page, then registers: their socket learns it at once."""

    def arrange():
        assembly = make_assembly(make_chair(), tilleuls)
        return assembly, resident_of(assembly)

    assembly, resident = await database_sync_to_async(arrange)()
    communicator, connected, _ = await connect(assembly, resident)
    assert connected
    snapshot = await communicator.receive_json_from(timeout=TIMEOUT)
    assert snapshot["payload"]["me"]["participant"] is None
    await database_sync_to_async(services.register)(assembly=assembly, resident=resident)
    events = {}
    for _ in range(2):
        message = await communicator.receive_json_from(timeout=TIMEOUT)
        events[message["event"]] = message["payload"]
    assert events["me.state"]["participant"]["present"] is False
    assert events["assembly.state"]["attendance"]["registered"] == 1
    await communicator.disconnect()
