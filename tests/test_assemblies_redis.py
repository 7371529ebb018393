"""A live session across TWO server processes: two real uvicorn servers on the same
PostgreSQL database and the same Redis, a member's phone on one, the chair's screen on the
other. The only way for a vote or a result to cross is the Redis channel layer; the
snapshot of a member reconnecting elsewhere comes from the shared database.

Needs REDIS_URL and a PostgreSQL DATABASE_URL (skipped otherwise, see tests/conftest.py).
"""

import asyncio
import json
import os
import uuid
from urllib.parse import quote

import pytest
from channels.db import database_sync_to_async
from django.db import connection
from django.test import Client
from websockets.asyncio.client import connect

from civic.assemblies import services
from civic.assemblies.models import Ballot
from tests.assemblies_factories import (
    make_assembly,
    make_chair,
    make_motion,
    present_member,
    resident_of,
)
from tests.live_server_helpers import UvicornServer

pytestmark = [
    pytest.mark.redis,
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),  # committed, so the servers see it
]

TIMEOUT = 10


def database_url():
    conf = connection.settings_dict
    credentials = quote(conf["USER"] or "", safe="")
    if conf.get("PASSWORD"):
        credentials += ":" + quote(conf["PASSWORD"], safe="")
    host = conf.get("HOST") or "127.0.0.1"
    port = conf.get("PORT") or 5432
    return f"postgres://{credentials}@{host}:{port}/{quote(conf['NAME'], safe='')}"


@pytest.fixture(scope="module")
def servers(django_db_setup, tmp_path_factory):
    """Two uvicorn processes sharing the test database and one channel prefix on Redis (a
    prefix of this run only: pub/sub channels ignore the Redis database number)."""
    prefix = f"qc-asm-{uuid.uuid4().hex[:10]}"
    env = {
        "DJANGO_SETTINGS_MODULE": "config.test_settings",
        "DATABASE_URL": database_url(),
        "DATABASE_POOL_SIZE": "4",
        "REDIS_URL": os.environ["REDIS_URL"],
        "CHANNELS_PREFIX": prefix,
        "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
        "PYTHONUNBUFFERED": "1",
    }
    logs = tmp_path_factory.mktemp("uvicorn")
    with (
        UvicornServer(env=env, log_path=logs / "one.log") as one,
        UvicornServer(env=env, log_path=logs / "two.log") as two,
    ):
        one.prefix = two.prefix = prefix
        yield one, two


@pytest.fixture(autouse=True)
def live_prefix(servers, settings):
    """This process broadcasts on the servers' prefix too (for writes made here)."""
    layers = {alias: dict(conf) for alias, conf in settings.CHANNEL_LAYERS.items()}
    layers["default"]["CONFIG"] = {**layers["default"]["CONFIG"], "prefix": servers[0].prefix}
    settings.CHANNEL_LAYERS = layers


def session_cookie(user):
    client = Client()
    client.force_login(user)
    return client.cookies["sessionid"].value


class Phone:
    """A real WebSocket client, past its snapshot."""

    def __init__(self, socket, snapshot):
        self.socket, self.snapshot, self.next_id = socket, snapshot, 0

    async def receive(self):
        async with asyncio.timeout(TIMEOUT):
            return json.loads(await self.socket.recv())

    async def until(self, predicate):
        async with asyncio.timeout(TIMEOUT):
            while True:
                message = await self.receive()
                if predicate(message):
                    return message

    async def request(self, type_, **fields):
        self.next_id += 1
        request_id = self.next_id
        await self.socket.send(json.dumps({"type": type_, "id": request_id, **fields}))
        answer = await self.until(
            lambda m: m["event"] in ("ack", "error") and m["payload"].get("id") == request_id
        )
        assert answer["event"] == "ack", answer
        return answer["payload"]

    async def state(self, predicate):
        message = await self.until(
            lambda m: m["event"] == "assembly.state" and predicate(m["payload"])
        )
        return message["payload"]


async def open_phone(server, assembly, cookie):
    socket = await connect(
        server.ws_url(f"/ws/assemblees/{assembly.pk}/"),
        origin=server.origin,
        additional_headers={"Cookie": f"sessionid={cookie}"},
        open_timeout=TIMEOUT,
    )
    async with asyncio.timeout(TIMEOUT):
        hello = json.loads(await socket.recv())
    assert hello["event"] == "assembly.snapshot", hello
    return Phone(socket, hello["payload"])


async def test_a_vote_across_two_servers(servers, tilleuls):
    one, two = servers

    def build():
        chair = make_chair(tilleuls)
        assembly = make_assembly(chair, tilleuls, items=["Budget"])
        amina = present_member(assembly, resident_of(assembly, display_name="Amina"), chair)
        lea = present_member(assembly, resident_of(assembly, display_name="Léa"), chair)
        services.open_session(actor=chair, assembly=assembly)
        motion = make_motion(assembly, chair, "Adopte-t-on le budget ?")
        options = {o.role or "abstention": o.pk for o in motion.options.all()}
        cookies = [session_cookie(user) for user in (chair, amina.user, lea.user)]
        return assembly, motion, options, amina, cookies

    (
        assembly,
        motion,
        options,
        amina,
        (chair_cookie, amina_cookie, lea_cookie),
    ) = await database_sync_to_async(build)()
    member = await open_phone(one, assembly, amina_cookie)
    other = await open_phone(two, assembly, lea_cookie)
    chair = await open_phone(two, assembly, chair_cookie)
    try:
        assert chair.snapshot["me"]["is_chair"] is True
        await chair.request("motion.open", motion=motion.pk)
        # Opened on server 2, seen on server 1.
        state = await member.state(lambda s: s["motion"] and s["motion"]["status"] == "open")
        assert state["motion"]["id"] == motion.pk

        ack = await member.request("vote", motion=motion.pk, option=options["against"])
        assert ack["option"] == options["against"]
        ack = await member.request("vote", motion=motion.pk, option=options["for"])
        ballot = await database_sync_to_async(Ballot.objects.get)(motion=motion)
        assert ballot.option_id == options["for"]  # acknowledged: in the database
        await other.request("vote", motion=motion.pk, option=options["abstention"])
        # The counts travel from server 1 to the chair on server 2.
        await chair.until(
            lambda m: m["event"] == "motion.votes" and m["payload"]["votes_cast"] == 2
        )

        await chair.request("motion.close", motion=motion.pk)
        for phone in (member, other, chair):
            state = await phone.state(lambda s: s["motion"]["status"] == "closed")
            assert state["motion"]["result"]["outcome"] == "adopted"
            assert [t["votes"] for t in state["motion"]["result"]["tallies"]] == [1, 0, 1]
    finally:
        for phone in (member, other, chair):
            await phone.socket.close()


async def test_reconnecting_to_the_other_server_gives_the_members_vote(servers, tilleuls):
    one, two = servers

    def build():
        chair = make_chair(tilleuls)
        assembly = make_assembly(chair, tilleuls, items=["Budget"])
        amina = present_member(assembly, resident_of(assembly), chair)
        services.open_session(actor=chair, assembly=assembly)
        motion = make_motion(assembly, chair)
        services.open_motion(actor=chair, motion=motion)
        options = {o.role or "abstention": o.pk for o in motion.options.all()}
        return assembly, motion, options, amina.pk, session_cookie(amina.user)

    assembly, motion, options, amina_id, cookie = await database_sync_to_async(build)()
    first = await open_phone(one, assembly, cookie)
    try:
        await first.request("vote", motion=motion.pk, option=options["against"])
    finally:
        await first.socket.close()
    again = await open_phone(two, assembly, cookie)
    try:
        assert again.snapshot["me"]["participant"]["votes"] == {str(amina_id): options["against"]}
        assert again.snapshot["state"]["motion"]["votes_cast"] == 1
        # And the vote can still be changed from there.
        await again.request("vote", motion=motion.pk, option=options["for"])
        ballot = await database_sync_to_async(Ballot.objects.get)(motion=motion)
        assert ballot.option_id == options["for"]
    finally:
        await again.socket.close()
