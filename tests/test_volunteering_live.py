"""Live places left and waitlist lengths (/ws/agir/<action_id>/), end to end and in process:
the real ASGI application (Origin validator, session auth, routing, ActionConsumer), the
real services (row locks, transaction.on_commit) run in other threads, and the configured
channel layer (in memory, or Redis pub/sub when REDIS_URL is set).

Negative cases ("this socket hears nothing about X") are proven by ordering, not by
waiting: after the action under test comes a sentinel event the socket does hear, and the
next message must be the sentinel. A channel delivers in order, so nothing came between.
"""

import asyncio
import json
from contextlib import asynccontextmanager

import pytest
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from channels.testing import WebsocketCommunicator
from django.contrib.auth.models import Permission
from django.db import connection, transaction
from django.test import Client

from civic.volunteering import live, messages, services, tasks
from civic.volunteering.consumers import ActionConsumer
from civic.volunteering.models import Signup
from config.asgi import application
from tests.factories import ActionFactory, ShiftFactory, UserFactory
from tests.harness import channel_layer_of_its_own

pytestmark = pytest.mark.django_db(transaction=True)

ALLOWED_ORIGIN = "http://testserver"
TIMEOUT = 3  # seconds; generous for the Redis variant, never reached when things work
STATE_KEYS = {
    "id",
    "action",
    "capacity",
    "seats_taken",
    "places_left",
    "waitlist",
    "is_cancelled",
    "version",
}


@pytest.fixture(autouse=True)
def isolated_channel_layer(settings):
    channel_layer_of_its_own(settings)


@pytest.fixture(autouse=True)
def quiet_messages(monkeypatch):
    """Emails and reminders are not what this module tests."""
    monkeypatch.setattr(messages, "_send", lambda *args, **kwargs: None)
    monkeypatch.setattr(tasks, "schedule_reminder", lambda *args, **kwargs: None)


@pytest.fixture
def staff(tilleuls):
    """Régie staff (the permission is granted to the user itself: transactional tests flush
    the group permissions that the data migration created)."""
    user = UserFactory(neighbourhood=tilleuls, groups=[])
    user.user_permissions.add(
        Permission.objects.get(
            codename="manage_volunteering", content_type__app_label="volunteering"
        )
    )
    return user


@pytest.fixture
def residents(tilleuls):
    return lambda n: [UserFactory(neighbourhood=tilleuls) for _ in range(n)]


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


def path(action):
    return f"/ws/agir/{action if isinstance(action, int) else action.pk}/"


async def connect(action, user=None, origin=ALLOWED_ORIGIN):
    cookie = await database_sync_to_async(session_cookie)(user) if user else None
    communicator = WebsocketCommunicator(application, path(action), headers=headers(origin, cookie))
    connected, code = await communicator.connect(timeout=TIMEOUT)
    return communicator, connected, code


async def assert_refused(action, user=None):
    """Closed at once with 4404 and nothing said (accepted first: a browser only sees the
    close code of a socket that was opened, and the page's script stops retrying on it)."""
    communicator, connected, _code = await connect(action, user)
    assert connected
    assert await communicator.receive_output(timeout=TIMEOUT) == {
        "type": "websocket.close",
        "code": 4404,
    }
    await communicator.wait(timeout=TIMEOUT)


@asynccontextmanager
async def action_socket(action, user=None):
    """An open socket on the action's page, past its snapshot (returned with it)."""
    communicator, connected, code = await connect(action, user)
    assert connected, code
    try:
        message = await communicator.receive_json_from(timeout=TIMEOUT)
        assert message["event"] == "shift.snapshot", message
        communicator.snapshot = message["payload"]["shifts"]
        yield communicator
    finally:
        await communicator.disconnect()


async def next_state(socket):
    message = await socket.receive_json_from(timeout=TIMEOUT)
    assert message["event"] == "shift.state", message
    assert set(message["payload"]) == STATE_KEYS
    return message["payload"]


async def in_another_thread(function, /, **kwargs):
    """Run a service call in a plain thread of its own (its own database session), the way
    another request of another worker would."""

    def run():
        try:
            return function(**kwargs)
        finally:
            connection.close()

    return await asyncio.to_thread(run)


def figures(state):
    return {key: state[key] for key in ("id", "seats_taken", "places_left", "waitlist")}


sign_up = database_sync_to_async(services.sign_up)


# --- Handshake ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "origin",
    [
        "http://evil.example",
        "http://testserver.evil.example",  # an allowed host as a prefix is not enough
        "https://evil.example:443",
        "null",  # sandboxed iframes and file:// pages
        None,  # no Origin header at all
    ],
)
async def test_foreign_or_missing_origin_is_refused(origin):
    action = await database_sync_to_async(ActionFactory)()
    communicator, connected, _code = await connect(action, origin=origin)
    assert connected is False


async def test_consumer_without_auth_middleware_refuses():
    action = await database_sync_to_async(ActionFactory)()
    communicator = WebsocketCommunicator(ActionConsumer.as_asgi(), path(action))
    communicator.scope["url_route"] = {"kwargs": {"action_id": action.pk}}
    connected, code = await communicator.connect(timeout=TIMEOUT)
    assert (connected, code) == (False, 4401)


async def test_an_unpublished_action_is_refused_to_residents_and_open_to_staff(resident, staff):
    action = await database_sync_to_async(ActionFactory)(is_published=False)
    await database_sync_to_async(ShiftFactory)(action=action, capacity=4)
    for user in (None, resident):
        await assert_refused(action, user)
    # A missing action is refused the same way.
    await assert_refused(action.pk + 1000, resident)

    async with action_socket(action, staff) as socket:
        [state] = socket.snapshot
        assert (state["capacity"], state["places_left"]) == (4, 4)


# --- Snapshot -------------------------------------------------------------------------------


async def test_the_snapshot_gives_every_shift_from_the_database(residents):
    def build():
        action = ActionFactory()
        later = ShiftFactory(action=action, capacity=2)
        earlier = ShiftFactory(
            action=action,
            capacity=3,
            starts_at=later.starts_at - later.duration * 3,
            ends_at=later.ends_at - later.duration * 3,
        )
        cancelled = ShiftFactory(
            action=action,
            starts_at=later.starts_at + later.duration * 3,
            ends_at=later.ends_at + later.duration * 3,
            is_cancelled=True,
        )
        for person in residents(3):
            services.sign_up(shift=later, actor=person)
        ShiftFactory()  # another action's shift
        return action, earlier, later, cancelled

    action, earlier, later, cancelled = await database_sync_to_async(build)()
    async with action_socket(action) as socket:
        states = socket.snapshot
    assert all(set(state) == STATE_KEYS for state in states)
    assert all(isinstance(state["version"], int) and state["version"] > 0 for state in states)
    assert [{k: v for k, v in s.items() if k != "version"} for s in states] == [
        {
            "id": earlier.pk,
            "action": action.pk,
            "capacity": 3,
            "seats_taken": 0,
            "places_left": 3,
            "waitlist": 0,
            "is_cancelled": False,
        },
        {
            "id": later.pk,
            "action": action.pk,
            "capacity": 2,
            "seats_taken": 2,
            "places_left": 0,
            "waitlist": 1,
            "is_cancelled": False,
        },
        {
            "id": cancelled.pk,
            "action": action.pk,
            "capacity": 5,
            "seats_taken": 0,
            "places_left": 5,
            "waitlist": 0,
            "is_cancelled": True,
        },
    ]


# --- Deltas ---------------------------------------------------------------------------------


async def test_a_sign_up_in_another_thread_reaches_that_actions_pages_only(resident, residents):
    def build():
        first, second = ShiftFactory(capacity=2), ShiftFactory(capacity=1)
        return first, second

    first, second = await database_sync_to_async(build)()
    amina, marcel, louise, paul = await database_sync_to_async(residents)(4)

    async with (
        action_socket(first.action_id) as on_first,
        action_socket(first.action_id, resident) as also_on_first,
        action_socket(second.action_id) as on_second,
    ):
        await in_another_thread(services.sign_up, shift=first, actor=amina)
        for socket in (on_first, also_on_first):
            state = await next_state(socket)
            assert figures(state) == {
                "id": first.pk,
                "seats_taken": 1,
                "places_left": 1,
                "waitlist": 0,
            }

        # The sentinel for the other page: its own shift is the next thing it hears.
        await in_another_thread(services.sign_up, shift=second, actor=marcel)
        assert figures(await next_state(on_second)) == {
            "id": second.pk,
            "seats_taken": 1,
            "places_left": 0,
            "waitlist": 0,
        }
        # Full: the next one waits, and the page shows the waitlist.
        await in_another_thread(services.sign_up, shift=second, actor=louise)
        assert figures(await next_state(on_second)) == {
            "id": second.pk,
            "seats_taken": 1,
            "places_left": 0,
            "waitlist": 1,
        }
        # And the first action's pages heard nothing of the second's.
        await in_another_thread(services.sign_up, shift=first, actor=paul)
        for socket in (on_first, also_on_first):
            assert figures(await next_state(socket))["seats_taken"] == 2
            assert await socket.receive_nothing(timeout=0.05)


async def test_cancelling_promotes_and_the_page_follows(residents):
    shift = await database_sync_to_async(ShiftFactory)(capacity=1)
    amina, marcel = await database_sync_to_async(residents)(2)
    first = await sign_up(shift=shift, actor=amina)
    await sign_up(shift=shift, actor=marcel)
    async with action_socket(shift.action_id) as socket:
        assert figures(socket.snapshot[0])["waitlist"] == 1
        await in_another_thread(services.cancel_signup, signup=first, actor=amina)
        assert figures(await next_state(socket)) == {
            "id": shift.pk,
            "seats_taken": 1,
            "places_left": 0,
            "waitlist": 0,
        }
        # A double cancel changes nothing: nothing is announced.
        await in_another_thread(services.cancel_signup, signup=first, actor=amina)
        assert await socket.receive_nothing(timeout=0.05)


async def test_staff_changes_reach_the_page(staff, residents):
    shift = await database_sync_to_async(ShiftFactory)(capacity=1)
    people = await database_sync_to_async(residents)(3)
    for person in people:
        await sign_up(shift=shift, actor=person)
    async with action_socket(shift.action_id) as socket:
        await in_another_thread(services.change_capacity, actor=staff, shift=shift, capacity=2)
        assert figures(await next_state(socket)) == {
            "id": shift.pk,
            "seats_taken": 2,
            "places_left": 0,
            "waitlist": 1,
        }
        await in_another_thread(services.cancel_shift, actor=staff, shift=shift)
        state = await next_state(socket)
        assert (state["is_cancelled"], state["seats_taken"], state["waitlist"]) == (True, 0, 0)


async def test_the_payload_carries_no_personal_data(tilleuls, staff):
    def build():
        person = UserFactory(
            email="louise.secret@example.org", display_name="Louise Secrète", neighbourhood=tilleuls
        )
        return ShiftFactory(capacity=1), person

    shift, person = await database_sync_to_async(build)()
    guest = await database_sync_to_async(services.register_offline_volunteer)(
        actor=staff, name="Mme Diallo", phone="06 12 34 56 78", consent=True
    )
    async with action_socket(shift.action_id, staff) as socket:
        await in_another_thread(services.sign_up, shift=shift, actor=person)
        await in_another_thread(services.sign_up, shift=shift, actor=staff, offline_volunteer=guest)
        frames = [await socket.receive_from(timeout=TIMEOUT) for _ in range(2)]
    code = await database_sync_to_async(
        lambda: str(Signup.objects.get(user=person).check_in_code)
    )()
    for raw in frames:
        for secret in ("Louise", "louise.secret", "Diallo", "06 12", code):
            assert secret not in raw
        message = json.loads(raw)
        assert message["event"] == "shift.state"
        assert set(message["payload"]) == STATE_KEYS


async def test_a_rolled_back_sign_up_is_not_announced(residents):
    shift = await database_sync_to_async(ShiftFactory)(capacity=3)
    amina, marcel = await database_sync_to_async(residents)(2)

    class Abort(Exception):
        pass

    def sign_up_then_fail():
        with pytest.raises(Abort), transaction.atomic():
            services.sign_up(shift=shift, actor=amina)
            raise Abort

    async with action_socket(shift.action_id) as socket:
        await in_another_thread(sign_up_then_fail)
        await in_another_thread(services.sign_up, shift=shift, actor=marcel)  # the sentinel
        assert (await next_state(socket))["seats_taken"] == 1  # Marcel's only


@pytest.mark.postgres  # SQLite's shared in-memory test database locks whole tables
async def test_a_burst_of_sign_ups_from_many_threads_ends_on_the_final_figures(residents):
    shift = await database_sync_to_async(ShiftFactory)(capacity=4)
    people = await database_sync_to_async(residents)(10)
    async with action_socket(shift.action_id) as socket:
        await asyncio.gather(
            *(in_another_thread(services.sign_up, shift=shift, actor=person) for person in people)
        )
        states = []
        while not await socket.receive_nothing(timeout=0.3):
            states.append(await next_state(socket))
    assert 1 <= len(states) <= 10
    versions = [state["version"] for state in states]
    assert versions == sorted(versions)  # never back to an older state
    assert figures(states[-1]) == {
        "id": shift.pk,
        "seats_taken": 4,
        "places_left": 0,
        "waitlist": 6,
    }


async def test_a_page_never_goes_back_to_an_older_state():
    """Two commits can have their states read in one order and delivered in the other: the
    consumer keeps the newest version it sent per shift and drops older ones."""
    shift = await database_sync_to_async(ShiftFactory)(capacity=9)
    layer = get_channel_layer()

    def event(version, taken, shift_id=shift.pk, action_id=shift.action_id):
        payload = {
            "id": shift_id,
            "action": action_id,
            "capacity": 9,
            "seats_taken": taken,
            "places_left": 9 - taken,
            "waitlist": 0,
            "is_cancelled": False,
            "version": version,
        }
        return {"type": "live.event", "event": "shift.state", "payload": payload}

    group = live.action_group(shift.action_id)
    async with action_socket(shift.action_id) as socket:
        base = socket.snapshot[0]["version"]
        await layer.group_send(group, event(base - 1, 7))  # read before the snapshot
        await layer.group_send(group, event(base + 20, 5))
        await layer.group_send(group, event(base + 10, 4))  # overtaken by +20
        await layer.group_send(group, event(base + 30, 6, action_id=shift.action_id + 1))
        await layer.group_send(group, event(base + 40, 6))
        assert (await next_state(socket))["seats_taken"] == 5
        assert (await next_state(socket))["seats_taken"] == 6
        assert await socket.receive_nothing(timeout=0.05)


async def test_a_failing_broadcast_does_not_fail_the_sign_up(residents, monkeypatch):
    """After the commit the sign-up exists: a channel layer or read that fails is logged."""
    shift = await database_sync_to_async(ShiftFactory)(capacity=3)
    amina, marcel = await database_sync_to_async(residents)(2)

    def broken(*args, **kwargs):
        raise ConnectionError("redis is restarting")

    monkeypatch.setattr(live, "send_to_groups", broken)
    await in_another_thread(services.sign_up, shift=shift, actor=amina)
    monkeypatch.setattr(live, "state_for_shift", broken)
    await in_another_thread(services.sign_up, shift=shift, actor=marcel)
    assert await database_sync_to_async(Signup.objects.filter(shift=shift).count)() == 2


async def test_a_page_that_reconnects_gets_what_changed_meanwhile(residents):
    shift = await database_sync_to_async(ShiftFactory)(capacity=2)
    people = await database_sync_to_async(residents)(3)
    async with action_socket(shift.action_id) as socket:
        assert socket.snapshot[0]["places_left"] == 2
    for person in people:
        await sign_up(shift=shift, actor=person)
    async with action_socket(shift.action_id) as socket:
        assert figures(socket.snapshot[0]) == {
            "id": shift.pk,
            "seats_taken": 2,
            "places_left": 0,
            "waitlist": 1,
        }
        assert await socket.receive_nothing(timeout=0.05)  # no replay of missed deltas


# --- Robustness -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "frame",
    [
        {"text_data": "{not json"},
        {"text_data": "null"},
        {"text_data": "[1, 2]"},
        {"text_data": '"ping"'},
        {"text_data": "{}"},
        {"text_data": '{"type": "subscribe", "ids": [1, 2]}'},
        {"text_data": '{"type": "sign_up", "shift": 1}'},
        {"text_data": "[" * 8000},  # deep enough to exhaust a JSON parser
        {"text_data": "x" * 50_000},
        {"text_data": '{"type": "ping", "pad": "' + "é" * 5000 + '"}'},
        {"bytes_data": b"\x00\x01binary"},
        {"bytes_data": b'{"type": "ping"}'},
    ],
)
async def test_garbage_frames_are_ignored_and_the_socket_stays_usable(frame):
    shift = await database_sync_to_async(ShiftFactory)()
    async with action_socket(shift.action_id) as socket:
        await socket.send_to(**frame)
        # The next thing it hears is the answer to this ping: nothing came in between.
        await socket.send_json_to({"type": "ping"})
        assert await socket.receive_json_from(timeout=TIMEOUT) == {"event": "pong", "payload": {}}
