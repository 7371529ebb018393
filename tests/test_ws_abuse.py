"""Abuse of every WebSocket route in config/asgi.py, through the real ASGI application
(Origin validator, session auth, routing, consumers).

For each route: a foreign Origin, no session (where one is required), malformed JSON,
binary frames, a 1 MB frame, 1000 messages sent at once, another neighbourhood's assembly
and ids that do not exist. Each is refused at the handshake, closed with the route's code,
or answered/ignored on a socket that stays open; afterwards a normal client on the same
route still gets its snapshot (the server stays up).
"""

import json

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.test import Client

from config.asgi import application, websocket_urlpatterns
from tests.assemblies_factories import make_assembly, make_chair
from tests.factories import ActionFactory, ShiftFactory, UserFactory
from tests.harness import channel_layer_of_its_own

pytestmark = pytest.mark.django_db(transaction=True)

ALLOWED_ORIGIN = "http://testserver"
TIMEOUT = 3
MEGABYTE = "x" * (1024 * 1024)
FLOOD = 1000


def session_cookie(user):
    client = Client()
    client.force_login(user)
    return client.cookies["sessionid"].value


async def open_socket(path, user=None, origin=ALLOWED_ORIGIN):
    headers = []
    if origin is not None:
        headers.append((b"origin", origin.encode()))
    if user is not None:
        cookie = await database_sync_to_async(session_cookie)(user)
        headers.append((b"cookie", f"sessionid={cookie}".encode()))
    communicator = WebsocketCommunicator(application, path, headers=headers)
    connected, code = await communicator.connect(timeout=TIMEOUT)
    return communicator, connected, code


async def closed_with(communicator):
    """The close code the server sent (after accepting), or None if the socket is open."""
    output = await communicator.receive_output(timeout=TIMEOUT)
    assert output["type"] == "websocket.close", output
    return output.get("code")


async def receive(communicator):
    return json.loads(await communicator.receive_from(timeout=TIMEOUT))


async def still_answers(communicator, *, answers_ping=True, max_messages=FLOOD + 10):
    """The socket is open and in order: a ping gets its pong after whatever the abuse
    produced (error events are fine, a close is not)."""
    await communicator.send_to(text_data=json.dumps({"type": "ping"}))
    if not answers_ping:
        return
    for _ in range(max_messages):
        output = await communicator.receive_output(timeout=TIMEOUT)
        assert output["type"] == "websocket.send", f"socket closed: {output}"
        message = json.loads(output["text"])
        if message["event"] == "pong":
            return
        assert message["event"] == "error", message
    raise AssertionError("no pong after the abuse")


# --- The world and the routes --------------------------------------------------------------


@pytest.fixture(autouse=True)
def isolated_channel_layer(settings):
    channel_layer_of_its_own(settings, prefix="qc-abuse")


@pytest.fixture
def world(tilleuls, bel_air):
    chair = make_chair(neighbourhood=tilleuls)
    amina = UserFactory(neighbourhood=tilleuls)
    marcel = UserFactory(neighbourhood=bel_air)
    action = ActionFactory(neighbourhood=tilleuls)
    ShiftFactory(action=action)
    hidden_action = ActionFactory(neighbourhood=tilleuls, is_published=False)
    ours = make_assembly(chair, tilleuls, title="Assemblée des Tilleuls", items=["Budget"])
    theirs = make_assembly(chair, bel_air, title="Assemblée de Bel-Air")
    return {
        "amina": amina,
        "marcel": marcel,
        "action": action,
        "hidden_action": hidden_action,
        "ours": ours,
        "theirs": theirs,
    }


# Each route: how to build its path, who a normal client is, the snapshot it gets first
# (or None: it must be asked for), and whether the socket answers bad frames with errors.
ROUTES = {
    "live": {"path": lambda w: "/ws/live/", "user": None, "first": "hello"},
    "idees": {"path": lambda w: "/ws/idees/", "user": None, "first": None},
    "agir": {
        "path": lambda w: f"/ws/agir/{w['action'].pk}/",
        "user": None,
        "first": "shift.snapshot",
    },
    "assemblees": {
        "path": lambda w: f"/ws/assemblees/{w['ours'].pk}/",
        "user": "amina",
        "first": "assembly.snapshot",
    },
}


def test_every_socket_route_is_covered():
    routes = {str(pattern.pattern) for pattern in websocket_urlpatterns}
    assert routes == {
        "ws/live/",
        "ws/idees/",
        "ws/agir/<int:action_id>/",
        "ws/assemblees/<int:assembly_id>/",
    }, "a new socket route: add it to ROUTES in this module"


async def normal_client(route, world):
    """A well-behaved client: connects and gets its snapshot."""
    spec = ROUTES[route]
    user = world[spec["user"]] if spec["user"] else None
    communicator, connected, _code = await open_socket(spec["path"](world), user)
    assert connected
    if spec["first"] is None:  # the ideas socket sends its snapshot on subscribe
        await communicator.send_to(text_data=json.dumps({"type": "subscribe", "ids": [1]}))
        assert (await receive(communicator))["event"] == "proposal.snapshot"
    else:
        assert (await receive(communicator))["event"] == spec["first"]
    return communicator


# --- Handshake refusals ------------------------------------------------------------------------


@pytest.mark.parametrize("route", ROUTES)
@pytest.mark.parametrize("origin", ["http://evil.example", "null", None])
async def test_foreign_or_missing_origin_is_refused(route, origin, world):
    spec = ROUTES[route]
    user = world[spec["user"]] if spec["user"] else None
    communicator, connected, _code = await open_socket(spec["path"](world), user, origin=origin)
    assert not connected
    await communicator.disconnect()


async def test_assembly_socket_needs_a_session(world):
    communicator, connected, _ = await open_socket(f"/ws/assemblees/{world['ours'].pk}/")
    if connected:
        assert await closed_with(communicator) == 4401
    await communicator.disconnect()


async def test_another_neighbourhoods_assembly_and_missing_ids_are_refused(world):
    for assembly_id in (world["theirs"].pk, 987654, 2**62):
        communicator, connected, _ = await open_socket(
            f"/ws/assemblees/{assembly_id}/", world["amina"]
        )
        assert connected
        assert await closed_with(communicator) == 4403
        await communicator.disconnect()


async def test_missing_or_unpublished_action_is_refused(world):
    for action_id in (world["hidden_action"].pk, 987654, 2**62):
        communicator, connected, _ = await open_socket(f"/ws/agir/{action_id}/", world["amina"])
        assert connected
        assert await closed_with(communicator) == 4404
        await communicator.disconnect()


async def test_routes_that_do_not_exist_are_refused(world):
    for path in ("/ws/agir/abc/", "/ws/assemblees/-1/", "/ws/nowhere/", "/ws/live/../admin/"):
        communicator = WebsocketCommunicator(
            application, path, headers=[(b"origin", ALLOWED_ORIGIN.encode())]
        )
        with pytest.raises(ValueError):  # no route: the router refuses it
            await communicator.connect(timeout=0.5)


# --- Bad frames on an open socket -------------------------------------------------------------

BAD_FRAMES = [
    {"text_data": "{not json"},
    {"text_data": "[1, 2, 3]"},
    {"text_data": "null"},
    {"text_data": '"ping"'},
    {"text_data": "[" * 100_000},  # nested deeply enough to exhaust the parser
    {"text_data": json.dumps({"type": "subscribe", "ids": "all"})},
    {"text_data": json.dumps({"type": "vote", "motion": "x", "option": None})},
    {"text_data": json.dumps({"type": "vote", "motion": 2**70, "option": 1})},
    {"text_data": json.dumps({"type": "item.go", "item": 10**30})},
    {"text_data": json.dumps({"type": "session.open", "id": {"nested": True}})},
    {"bytes_data": b"\x00\x01\x02binary"},
    {"bytes_data": MEGABYTE.encode()},
    {"text_data": MEGABYTE},
    {"text_data": json.dumps({"type": "ping", "pad": MEGABYTE})},
]


@pytest.mark.parametrize("route", ROUTES)
async def test_bad_frames_are_ignored_or_answered_and_the_socket_stays(route, world):
    socket = await normal_client(route, world)
    for frame in BAD_FRAMES:
        await socket.send_to(**frame)
    await still_answers(socket)
    await socket.disconnect()
    # The server is still up: another client gets its snapshot.
    again = await normal_client(route, world)
    await again.disconnect()


@pytest.mark.parametrize("route", ROUTES)
async def test_a_flood_of_messages_leaves_the_socket_and_server_up(route, world):
    socket = await normal_client(route, world)
    message = json.dumps(
        {"type": "subscribe", "ids": [1, 2]} if route == "idees" else {"type": "x"}
    )
    for _ in range(FLOOD):
        await socket.send_to(text_data=message)
    await drain_until_pong(socket)
    await socket.disconnect()
    again = await normal_client(route, world)
    await again.disconnect()


async def drain_until_pong(socket):
    """After a flood, the socket still answers in order: errors, snapshots (a subscribe
    flood is answered until its rate limit), then the pong."""
    await socket.send_to(text_data=json.dumps({"type": "ping"}))
    kinds = set()
    for _ in range(FLOOD + 10):
        output = await socket.receive_output(timeout=TIMEOUT)
        assert output["type"] == "websocket.send", f"socket closed: {output}"
        event = json.loads(output["text"])["event"]
        if event == "pong":
            return kinds
        kinds.add(event)
    raise AssertionError("no pong after the flood")


async def test_an_ideas_flood_is_rate_limited(world):
    socket = await normal_client("idees", world)
    for _ in range(50):
        await socket.send_to(text_data=json.dumps({"type": "subscribe", "ids": [1]}))
    kinds = await drain_until_pong(socket)
    assert "error" in kinds  # rate_limited after the burst: no database read per message
    await socket.disconnect()


async def test_an_assembly_flood_is_rate_limited_and_writes_nothing(world):
    from civic.assemblies.models import FloorRequest

    socket = await normal_client("assemblees", world)
    for _ in range(FLOOD):
        await socket.send_to(text_data=json.dumps({"type": "session.open"}))
    codes = []
    await socket.send_to(text_data=json.dumps({"type": "ping"}))
    for _ in range(FLOOD + 10):
        message = await receive(socket)
        if message["event"] == "pong":
            break
        codes.append(message["payload"]["code"])
    assert set(codes) <= {"forbidden", "too_fast"}
    assert codes.count("too_fast") > FLOOD / 2
    assert not await database_sync_to_async(FloorRequest.objects.exists)()
    ours = await database_sync_to_async(type(world["ours"]).objects.get)(pk=world["ours"].pk)
    assert ours.session_status == "not_started"
    await socket.disconnect()


async def test_a_member_cannot_act_on_another_assembly_through_their_socket(world, bel_air):
    """Ids of another assembly's motion or item, sent on one's own socket: not found."""
    socket = await normal_client("assemblees", world)
    for payload in (
        {"type": "vote", "motion": 1, "option": 1, "id": 1},
        {"type": "item.go", "item": 1, "id": 2},
    ):
        await socket.send_to(text_data=json.dumps(payload))
        message = await receive(socket)
        assert message["event"] == "error"
        assert message["payload"]["code"] in {"not_found", "forbidden", "not_open", "invalid"}
    await socket.disconnect()
