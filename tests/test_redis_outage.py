"""A real Redis, stopped and started again inside the test: residents keep logging in,
signing up, voting and taking shifts while it is down, and everything uses it again when it
returns.

Redis holds the cache (rate limits, allauth's login lock, the API throttle, navigation) and
the channel layer (live updates). Neither is the truth: the database is. A Redis outage
must cost live updates and rate limiting for a while, never the residents' access.
"""

import asyncio
import shutil
import subprocess
import time

import pytest
import redis
from channels.testing import WebsocketCommunicator
from django.core.cache import cache
from django.test import Client, override_settings

from civic.assemblies.models import Ballot
from civic.live.outage import TRY_AGAIN_LATER
from civic.volunteering.models import Signup
from config import cache as resilient_cache
from tests.assemblies_factories import make_assembly, open_vote, option, present_member
from tests.factories import PASSWORD, ShiftFactory
from tests.live_server_helpers import stable_port

LOGIN_URL = "/comptes/login/"
SIGNUP_URL = "/comptes/signup/"

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(shutil.which("redis-server") is None, reason="needs redis-server"),
]


class RedisServer:
    """A throwaway redis-server on 127.0.0.1, keeping nothing on disk, ended by its pid."""

    def __init__(self, port):
        self.port = port
        self.process = None

    @property
    def url(self):
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self):
        self.process = subprocess.Popen(  # noqa: S603 (fixed command, no shell)
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1"]
            + ["--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        client = redis.Redis(port=self.port, socket_connect_timeout=0.2)
        deadline = time.monotonic() + 10
        while True:
            try:
                client.ping()
                return
            except redis.ConnectionError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=10)
        self.process = None
        # Let the outage be noticed at once rather than after the retry pause of a
        # previous failure.
        resilient_cache.outage.retry_at = 0.0

    def restart(self):
        self.start()
        resilient_cache.outage.retry_at = 0.0


@pytest.fixture
def redis_server():
    server = RedisServer(stable_port())
    server.start()
    # An outage that an earlier test left behind would hold this Redis back for a while.
    resilient_cache.outage.retry_at = 0.0
    layers = {
        "default": {
            "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
            "CONFIG": {"hosts": [server.url], "prefix": "qc-outage"},
        }
    }
    caches = {
        "default": {
            "BACKEND": "config.cache.ResilientRedisCache",
            "LOCATION": server.url,
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
    # override_settings resets Django's caches and Channels' layers (setting_changed).
    with override_settings(CACHES=caches, CHANNEL_LAYERS=layers):
        try:
            yield server
        finally:
            if server.process is not None:
                server.stop()
            resilient_cache.outage.down = False


def log_in(user):
    client = Client()
    response = client.post(LOGIN_URL, {"login": user.email, "password": PASSWORD})
    return client, response


def test_residents_log_in_sign_up_vote_and_take_shifts_while_redis_is_down(
    redis_server, resident, other_resident, manager, tilleuls, caplog
):
    assembly = make_assembly(manager, tilleuls, items=["Budget"])
    present_member(assembly, resident, manager)
    motion = open_vote(assembly, manager)
    shift = ShiftFactory(action__neighbourhood=tilleuls, capacity=5)

    # Redis up: the login limiter writes its history there.
    client, response = log_in(other_resident)
    assert response.status_code == 302, response.status_code
    assert any(key for key in redis.Redis(port=redis_server.port).keys("*"))

    redis_server.stop()
    started = time.monotonic()
    client, response = log_in(resident)
    assert response.status_code == 302, (response.status_code, response.content[:300])
    assert client.get("/mon-compte/").status_code == 200
    # The allauth lock is not waited for (it used to spin for a second, then refuse).
    assert time.monotonic() - started < 1.0

    response = Client().post(
        SIGNUP_URL,
        {
            "email": "zoe@example.org",
            "display_name": "Zoé L.",
            "neighbourhood": tilleuls.pk,
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
    )
    assert response.status_code == 302, response.content[:500]
    assert response["Location"] == "/comptes/confirm-email/"

    response = client.post(
        f"/assemblees/{assembly.pk}/votes/{motion.pk}/", {"option": option(motion, "for").pk}
    )
    assert response.status_code == 302
    assert Ballot.objects.filter(motion=motion).count() == 1

    response = client.post(f"/agir/creneau/{shift.pk}/inscription/")
    assert response.status_code == 302
    assert Signup.objects.filter(shift=shift, user=resident).exists()

    # The API write throttle lets writes through too.
    response = client.delete(f"/api/volunteering/shifts/{shift.pk}/signup/")
    assert response.status_code in (200, 204), response.content[:300]

    outage_lines = [r for r in caplog.records if "Cache unreachable" in r.getMessage()]
    assert len(outage_lines) == 1, "an outage is logged once, not once per call"

    # Redis back: the cache is used again without a restart of the process.
    redis_server.restart()
    client, response = log_in(other_resident)
    assert response.status_code == 302
    cache.set("still-there", "oui")
    assert redis.Redis(port=redis_server.port).keys("*still-there*")
    assert any("Cache reachable again" in r.getMessage() for r in caplog.records)


def test_failed_logins_are_limited_again_once_redis_returns(redis_server, resident, settings):
    settings.ACCOUNT_RATE_LIMITS = {"login_failed": "3/m/key"}

    def limited_attempts(count):
        refused = []
        for _ in range(count):
            response = Client().post(LOGIN_URL, {"login": resident.email, "password": "mauvais"})
            assert response.status_code == 200
            codes = {
                error.code
                for errors in response.context["form"].errors.as_data().values()
                for error in errors
            }
            refused.append("too_many_login_attempts" in codes)
        return refused

    redis_server.stop()
    # Down: nothing to count with, so the limit lets attempts through.
    assert limited_attempts(5) == [False] * 5
    redis_server.restart()
    assert limited_attempts(5) == [False, False, False, True, True]


async def _connect_live():
    # The site's own ASGI application: origin check, session, the guard, the routes.
    from config.asgi import application

    communicator = WebsocketCommunicator(
        application, "/ws/live/", headers=[(b"origin", b"http://testserver")]
    )
    connected, _ = await communicator.connect(timeout=5)
    first = await communicator.receive_output(timeout=5)
    await communicator.disconnect()
    return connected, first


def test_sockets_close_with_try_again_later_while_redis_is_down_then_work(redis_server):
    redis_server.stop()
    started = time.monotonic()
    connected, first = asyncio.run(_connect_live())
    assert time.monotonic() - started < 3, "the handshake is answered, not left hanging"
    assert connected
    assert first == {"type": "websocket.close", "code": TRY_AGAIN_LATER}

    redis_server.restart()
    connected, first = asyncio.run(_connect_live())
    assert connected
    assert first["type"] == "websocket.send" and '"hello"' in first["text"]


def test_while_down_each_call_does_not_wait_for_redis_again(redis_server, monkeypatch):
    from django.core.cache.backends.redis import RedisCache

    redis_server.stop()
    assert cache.get("anything", "miss") == "miss"  # the failure that opens the outage
    attempts = []
    real_get = RedisCache.get
    monkeypatch.setattr(
        RedisCache, "get", lambda self, *args: attempts.append(args) or real_get(self, *args)
    )
    for _ in range(20):
        assert cache.get("anything", "miss") == "miss"
    assert attempts == [], "within the retry pause, Redis is not asked again"

    redis_server.restart()  # and the pause is over
    cache.set("back", "oui")
    assert cache.get("back") == "oui"
    assert len(attempts) == 1
