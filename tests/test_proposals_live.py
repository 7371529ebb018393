"""Live support counts and statuses (/ws/idees/), end to end and in process: the real ASGI
application (Origin validator, session auth, routing, ProposalConsumer), the real services
(row lock, transaction.on_commit) run in a worker thread like any sync code called from
async, and the configured channel layer (in memory, or Redis pub/sub when REDIS_URL is set).

Negative cases ("this socket hears nothing about X") are proven by ordering, not by
waiting: after the action under test comes a sentinel event the socket does hear, and the
next message must be the sentinel. A channel delivers in order, so nothing came between.
"""

import json
from contextlib import asynccontextmanager

import pytest
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from channels.testing import WebsocketCommunicator
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.test import Client

from civic.accounts import roles
from civic.proposals import consumers, live, services
from civic.proposals.consumers import ProposalConsumer
from civic.proposals.lifecycle import Status
from civic.proposals.models import Support
from config.asgi import application
from tests.factories import ProposalFactory, UserFactory
from tests.harness import channel_layer_of_its_own

pytestmark = pytest.mark.django_db(transaction=True)

PATH = "/ws/idees/"
ALLOWED_ORIGIN = "http://testserver"
TIMEOUT = 3  # seconds; generous for the Redis variant, never reached when things work
VISIBLE_KEYS = {"id", "visible", "status", "status_label", "support_count", "support_open"}


@pytest.fixture(autouse=True)
def isolated_channel_layer(settings):
    channel_layer_of_its_own(settings)


@pytest.fixture
def moderator(tilleuls):
    """Régie staff who may moderate (the permission is granted to the user itself:
    transactional tests flush the group permissions that the data migration created)."""
    user = UserFactory(neighbourhood=tilleuls, groups=[roles.MANAGERS])
    user.user_permissions.add(
        Permission.objects.get(codename="moderate_proposal", content_type__app_label="proposals")
    )
    return user


@pytest.fixture
def residents(tilleuls):
    """``residents(n)``: n more residents of Les Tilleuls."""
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


@asynccontextmanager
async def proposal_socket(user=None):
    """An open /ws/idees/ socket, as an anonymous visitor or as ``user``."""
    cookie = await database_sync_to_async(session_cookie)(user) if user else None
    communicator = WebsocketCommunicator(application, PATH, headers=headers(cookie=cookie))
    connected, _ = await communicator.connect(timeout=TIMEOUT)
    assert connected
    try:
        yield communicator
    finally:
        await communicator.disconnect()


async def subscribe(socket, ids):
    await socket.send_json_to({"type": "subscribe", "ids": ids})
    message = await socket.receive_json_from(timeout=TIMEOUT)
    assert message["event"] == "proposal.snapshot", message
    return message["payload"]["proposals"]


async def next_state(socket):
    message = await socket.receive_json_from(timeout=TIMEOUT)
    assert message["event"] == "proposal.state", message
    return message["payload"]


async def next_error(socket):
    message = await socket.receive_json_from(timeout=TIMEOUT)
    assert message["event"] == "error", message
    return message["payload"]["code"]


async def assert_usable(socket):
    await socket.send_json_to({"type": "ping"})
    assert await socket.receive_json_from(timeout=TIMEOUT) == {"event": "pong", "payload": {}}


def strip_version(state):
    assert isinstance(state.pop("version"), int)
    return state


support = database_sync_to_async(services.support_proposal)
unsupport = database_sync_to_async(services.unsupport_proposal)


# --- Handshake: Origin and authentication -------------------------------------------------


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
    communicator = WebsocketCommunicator(application, PATH, headers=headers(origin))
    connected, _ = await communicator.connect(timeout=TIMEOUT)
    assert connected is False


async def test_consumer_without_auth_middleware_refuses():
    communicator = WebsocketCommunicator(ProposalConsumer.as_asgi(), PATH)
    connected, code = await communicator.connect(timeout=TIMEOUT)
    assert (connected, code) == (False, 4401)


# --- Snapshot -----------------------------------------------------------------------------


async def test_snapshot_gives_the_database_state_of_the_subscribed_ideas(
    resident, moderator, residents
):
    def build():
        supported = ProposalFactory(author=resident)
        for person in residents(3):
            Support.objects.create(proposal=supported, resident=person)
        closed = ProposalFactory(author=resident, status=Status.UNDER_STUDY, support_open=False)
        hidden = ProposalFactory(author=resident, is_hidden=True, hidden_reason="Injurieux")
        Support.objects.create(proposal=hidden, resident=moderator)
        pending = ProposalFactory(author=resident, status=Status.SUBMITTED, published_at=None)
        refused = ProposalFactory(author=resident, status=Status.REFUSED)
        unrelated = ProposalFactory(author=resident)
        return supported, closed, hidden, pending, refused, unrelated

    supported, closed, hidden, pending, refused, unrelated = await database_sync_to_async(build)()
    missing = refused.pk + 1000
    ids = [supported.pk, closed.pk, hidden.pk, pending.pk, refused.pk, missing]

    # The author of the pending idea sees it on their pages, but the socket is public data:
    # it tells the author nothing more than anyone else.
    for user in (None, resident):
        async with proposal_socket(user) as socket:
            states = [strip_version(state) for state in await subscribe(socket, ids)]
        assert states == [
            {
                "id": supported.pk,
                "visible": True,
                "status": "published",
                "status_label": "Publiée",
                "support_count": 3,
                "support_open": True,
            },
            {
                "id": closed.pk,
                "visible": True,
                "status": "under_study",
                "status_label": "À l'étude",
                "support_count": 0,
                "support_open": False,
            },
            # Not public (hidden, awaiting moderation, refused) or not there: the id only.
            {"id": hidden.pk, "visible": False},
            {"id": pending.pk, "visible": False},
            {"id": refused.pk, "visible": False},
            {"id": missing, "visible": False},
        ]
    assert unrelated.pk not in ids


async def test_subscribing_to_nothing_gives_an_empty_snapshot(db):
    async with proposal_socket() as socket:
        assert await subscribe(socket, []) == []


# --- Deltas -------------------------------------------------------------------------------


async def test_a_support_reaches_the_pages_that_show_the_idea_and_only_those(
    resident, other_resident, residents
):
    first, second = await database_sync_to_async(
        lambda: (ProposalFactory(author=resident), ProposalFactory(author=resident))
    )()
    amina, marcel = await database_sync_to_async(residents)(2)

    async with proposal_socket() as on_first, proposal_socket(resident) as on_second:
        await subscribe(on_first, [first.pk])
        await subscribe(on_second, [second.pk])

        await support(proposal=first, resident=other_resident)
        state = await next_state(on_first)
        assert strip_version(state) == {
            "id": first.pk,
            "visible": True,
            "status": "published",
            "status_label": "Publiée",
            "support_count": 1,
            "support_open": True,
        }

        # Sentinel for the other page: its own idea's support is the next thing it hears.
        await support(proposal=second, resident=amina)
        state = await next_state(on_second)
        assert (state["id"], state["support_count"]) == (second.pk, 1)
        # And the first page did not hear about the second idea either.
        await support(proposal=first, resident=marcel)
        state = await next_state(on_first)
        assert (state["id"], state["support_count"]) == (first.pk, 2)

        # Withdrawing a support is a delta too; supporting twice is not (nothing changed).
        await support(proposal=first, resident=marcel)
        assert await unsupport(proposal=first, resident=marcel) is True
        state = await next_state(on_first)
        assert (state["id"], state["support_count"]) == (first.pk, 1)

        for socket in (on_first, on_second):
            assert await socket.receive_nothing(timeout=0.05)


async def test_a_page_that_subscribes_again_follows_only_the_new_ids(resident, residents):
    first, second = await database_sync_to_async(
        lambda: (ProposalFactory(author=resident), ProposalFactory(author=resident))
    )()
    amina, marcel = await database_sync_to_async(residents)(2)
    async with proposal_socket() as socket:
        await subscribe(socket, [first.pk])
        assert [state["id"] for state in await subscribe(socket, [second.pk])] == [second.pk]
        await support(proposal=first, resident=amina)
        await support(proposal=second, resident=marcel)
        assert (await next_state(socket))["id"] == second.pk


async def test_the_automatic_move_to_study_is_announced_with_the_count(resident, regie, residents):
    def build():
        regie.support_threshold = 2
        regie.save()
        return ProposalFactory(author=resident)

    proposal = await database_sync_to_async(build)()
    amina, marcel = await database_sync_to_async(residents)(2)
    async with proposal_socket() as socket:
        await subscribe(socket, [proposal.pk])
        await support(proposal=proposal, resident=amina)
        assert (await next_state(socket))["status"] == "published"
        await support(proposal=proposal, resident=marcel)
        state = await next_state(socket)
        assert (state["status"], state["status_label"], state["support_count"]) == (
            "under_study",
            "À l'étude",
            2,
        )


async def test_hiding_or_closing_an_idea_is_announced_without_its_content(
    resident, moderator, other_resident
):
    proposal = await database_sync_to_async(ProposalFactory)(
        author=resident, title="Un titre que la page ne doit plus montrer"
    )
    await support(proposal=proposal, resident=other_resident)
    async with proposal_socket(resident) as socket:
        await subscribe(socket, [proposal.pk])

        await database_sync_to_async(services.hide_proposal)(
            proposal=proposal, actor=moderator, reason="Propos injurieux"
        )
        raw = await socket.receive_from(timeout=TIMEOUT)
        message = json.loads(raw)
        assert message["event"] == "proposal.state"
        assert strip_version(message["payload"]) == {"id": proposal.pk, "visible": False}
        assert "titre" not in raw and "injurieux" not in raw

        await database_sync_to_async(services.restore_proposal)(proposal=proposal, actor=moderator)
        state = await next_state(socket)
        assert (state["visible"], state["support_count"]) == (True, 1)

        await database_sync_to_async(services.set_support_open)(
            proposal=proposal, actor=moderator, is_open=False
        )
        state = await next_state(socket)
        assert (state["support_open"], state["support_count"]) == (False, 1)
        # Closed: a support is refused, and nothing is announced.
        with pytest.raises(PermissionDenied):
            await support(proposal=proposal, resident=resident)
        assert await socket.receive_nothing(timeout=0.05)


async def test_a_rolled_back_support_is_not_announced(resident, residents):
    proposal = await database_sync_to_async(ProposalFactory)(author=resident)
    amina, marcel = await database_sync_to_async(residents)(2)

    class Abort(Exception):
        pass

    def support_then_fail():
        with pytest.raises(Abort), transaction.atomic():
            services.support_proposal(proposal=proposal, resident=amina)
            raise Abort

    async with proposal_socket() as socket:
        await subscribe(socket, [proposal.pk])
        await database_sync_to_async(support_then_fail)()
        await support(proposal=proposal, resident=marcel)  # the sentinel
        state = await next_state(socket)
        assert state["support_count"] == 1  # Marcel's; Amina's never existed
    assert await database_sync_to_async(
        lambda: list(Support.objects.values_list("resident_id", flat=True))
    )() == [marcel.pk]


async def test_a_page_never_goes_back_to_an_older_state(resident):
    """Two commits can have their states read in one order and delivered in the other:
    the consumer keeps the newest version it sent and drops older ones."""
    proposal = await database_sync_to_async(ProposalFactory)(author=resident)
    layer = get_channel_layer()

    def state(version, count):
        payload = {
            "id": proposal.pk,
            "visible": True,
            "status": "published",
            "status_label": "Publiée",
            "support_count": count,
            "support_open": True,
            "version": version,
        }
        return {"type": "live.event", "event": "proposal.state", "payload": payload}

    async with proposal_socket() as socket:
        [snapshot] = await subscribe(socket, [proposal.pk])
        base = snapshot["version"]
        assert base > 0
        await layer.group_send(live.GROUP, state(base - 1, 99))  # read before the snapshot
        await layer.group_send(live.GROUP, state(base + 20, 5))
        await layer.group_send(live.GROUP, state(base + 10, 4))  # overtaken by +20
        await layer.group_send(live.GROUP, state(base + 30, 6))
        assert (await next_state(socket))["support_count"] == 5
        assert (await next_state(socket))["support_count"] == 6
        assert await socket.receive_nothing(timeout=0.05)


async def test_versions_grow_with_each_commit(resident, residents):
    proposal = await database_sync_to_async(ProposalFactory)(author=resident)
    people = await database_sync_to_async(residents)(3)
    async with proposal_socket() as socket:
        [snapshot] = await subscribe(socket, [proposal.pk])
        versions = [snapshot["version"]]
        for person in people:
            await support(proposal=proposal, resident=person)
            versions.append((await next_state(socket))["version"])
    assert versions == sorted(versions) and len(set(versions)) == len(versions)


async def test_a_failing_broadcast_does_not_fail_the_support(resident, other_resident, monkeypatch):
    """After the commit the support exists: a channel layer or read that fails is logged."""
    proposal = await database_sync_to_async(ProposalFactory)(author=resident)

    def broken(*args, **kwargs):
        raise ConnectionError("redis is restarting")

    monkeypatch.setattr(live, "send_to_groups", broken)
    await support(proposal=proposal, resident=other_resident)
    monkeypatch.setattr(live, "states_for", broken)
    await unsupport(proposal=proposal, resident=other_resident)
    await support(proposal=proposal, resident=other_resident)
    assert await database_sync_to_async(Support.objects.filter(proposal=proposal).count)() == 1


# --- Reconnecting -------------------------------------------------------------------------


async def test_a_page_that_reconnects_gets_what_changed_meanwhile(resident, moderator, residents):
    proposal = await database_sync_to_async(ProposalFactory)(author=resident)
    people = await database_sync_to_async(residents)(3)
    async with proposal_socket() as socket:
        [state] = await subscribe(socket, [proposal.pk])
        assert (state["support_count"], state["support_open"]) == (0, True)

    # While the page is offline (network switch, laptop lid closed).
    for person in people:
        await support(proposal=proposal, resident=person)
    await database_sync_to_async(services.set_support_open)(
        proposal=proposal, actor=moderator, is_open=False
    )

    async with proposal_socket() as socket:
        [state] = await subscribe(socket, [proposal.pk])
        assert (state["support_count"], state["support_open"]) == (3, False)
        assert await socket.receive_nothing(timeout=0.05)  # no replay of missed deltas


# --- Robustness ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("{not json", "bad_message"),
        ("null", "bad_message"),
        ("[1, 2]", "bad_message"),
        ('"subscribe"', "bad_message"),
        ("42", "bad_message"),
        ("{}", "bad_message"),
        ('{"type": 3}', "bad_message"),
        ('{"type": "unsubscribe"}', "bad_message"),
        ('{"type": "subscribe"}', "bad_message"),
        ('{"type": "subscribe", "ids": "1,2"}', "bad_message"),
        ('{"type": "subscribe", "ids": {"1": true}}', "bad_message"),
        ('{"type": "subscribe", "ids": null}', "bad_message"),
        ('{"type": "subscribe", "ids": 7}', "bad_message"),
        ("[" * 8000, "bad_message"),  # deep enough to exhaust the JSON parser
        ('{"type": "subscribe", "ids": [' + "1," * 25_000 + "1]}", "too_large"),  # 50 kB
        ("x" * 50_000, "too_large"),
        ('{"type": "subscribe", "ids": [], "pad": "' + "é" * 5000 + '"}', "too_large"),
    ],
)
async def test_garbage_gets_an_error_and_the_socket_stays_usable(text, code, resident):
    proposal = await database_sync_to_async(ProposalFactory)(author=resident)
    async with proposal_socket() as socket:
        await socket.send_to(text_data=text)
        assert await next_error(socket) == code
        await assert_usable(socket)
        assert [state["id"] for state in await subscribe(socket, [proposal.pk])] == [proposal.pk]


async def test_binary_and_empty_frames_get_an_error(db):
    async with proposal_socket() as socket:
        await socket.send_to(bytes_data=b'{"type": "subscribe", "ids": [1]}')
        assert await next_error(socket) == "bad_message"
        await socket.send_input({"type": "websocket.receive", "text": ""})
        assert await next_error(socket) == "bad_message"
        await assert_usable(socket)


async def test_ids_that_are_not_positive_integers_are_ignored(resident):
    proposal = await database_sync_to_async(ProposalFactory)(author=resident)
    ids = [str(proposal.pk), True, False, float(proposal.pk), None, [proposal.pk], {}, 0, -1]
    ids += [2**63, 10**30, -(10**30), proposal.pk, proposal.pk]
    async with proposal_socket() as socket:
        states = await subscribe(socket, ids)
        assert [state["id"] for state in states] == [proposal.pk]
        assert await subscribe(socket, ["1", True, 2**64]) == []
        await assert_usable(socket)


async def test_a_long_list_of_ids_counts_only_the_first_ones(resident):
    proposal = await database_sync_to_async(ProposalFactory)(author=resident)
    ids = [proposal.pk, *range(10_000, 11_000)]  # ~6 kB: under the frame limit
    async with proposal_socket() as socket:
        states = await subscribe(socket, ids)
        assert len(states) == consumers.MAX_SUBSCRIBED
        assert states[0]["id"] == proposal.pk and states[0]["visible"] is True
        assert all(
            state == {"id": pk, "visible": False, "version": 0}
            for state, pk in zip(states[1:], range(10_000, 10_199), strict=True)
        )


async def test_subscribing_in_a_loop_is_rate_limited(db):
    async with proposal_socket() as socket:
        for _ in range(consumers.SUBSCRIBE_BURST):
            await subscribe(socket, [1, 2, 3])
        await socket.send_json_to({"type": "subscribe", "ids": [1]})
        assert await next_error(socket) == "rate_limited"
        await assert_usable(socket)


async def test_status_labels_follow_the_page_language(resident):
    proposal = await database_sync_to_async(ProposalFactory)(author=resident)
    communicator = WebsocketCommunicator(
        application,
        PATH,
        headers=[(b"origin", ALLOWED_ORIGIN.encode()), (b"accept-language", b"en-GB,en;q=0.9")],
    )
    connected, _ = await communicator.connect()
    assert connected
    await communicator.send_json_to({"type": "subscribe", "ids": [proposal.pk]})
    snapshot = await communicator.receive_json_from(timeout=TIMEOUT)
    assert snapshot["payload"]["proposals"][0]["status_label"] == "Published"
    await communicator.disconnect()
