"""The live channel across processes: a real uvicorn server (its own process, its own
channel layer) holds the WebSockets, and the article is published from this test process.
The only way for the event to get from one to the other is the Redis channel layer; the
session of the logged-in resident is read by the server from the shared PostgreSQL
database.

Needs REDIS_URL and a PostgreSQL DATABASE_URL (skipped otherwise, see tests/conftest.py):
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/live_helper \\
    REDIS_URL=redis://127.0.0.1:6379/5 .venv/bin/python -m pytest -q tests/test_live_redis.py
"""

import asyncio
import json
import os
import urllib.request
import uuid
from urllib.parse import quote

import pytest
from channels.db import database_sync_to_async
from django.db import connection
from django.test import Client
from websockets.asyncio.client import connect
from websockets.exceptions import InvalidStatus

from tests.live_server_helpers import UvicornServer

pytestmark = [
    pytest.mark.redis,
    pytest.mark.postgres,  # the server process must see the test's data: one shared database
    pytest.mark.django_db(transaction=True),  # committed, so the other process sees it
]

TIMEOUT = 10  # seconds, for each step on the socket; only reached when a test fails


def database_url():
    """The URL of the test database this process is using (``test_<name>``)."""
    conf = connection.settings_dict
    credentials = quote(conf["USER"] or "", safe="")
    if conf.get("PASSWORD"):
        credentials += ":" + quote(conf["PASSWORD"], safe="")
    host = conf.get("HOST") or "127.0.0.1"
    port = conf.get("PORT") or 5432
    return f"postgres://{credentials}@{host}:{port}/{quote(conf['NAME'], safe='')}"


@pytest.fixture(scope="module")
def server(django_db_setup, tmp_path_factory):
    """One uvicorn process for the module, serving the real ASGI app on the test database
    and the same Redis. Started once: Django and Wagtail take seconds to import.

    The server gets a channel prefix of its own (and ``live_prefix`` gives this process
    the same one) so that other test runs on the same Redis cannot cross-talk with this
    one: pub/sub channels ignore the Redis database number.
    """
    prefix = f"qc-live-{uuid.uuid4().hex[:10]}"
    env = {
        "DJANGO_SETTINGS_MODULE": "config.test_settings",  # DJANGO_ENV=test
        "DATABASE_URL": database_url(),
        "DATABASE_POOL_SIZE": "2",
        "REDIS_URL": os.environ["REDIS_URL"],
        "CHANNELS_PREFIX": prefix,
        "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
        "PYTHONUNBUFFERED": "1",
    }
    log_path = tmp_path_factory.mktemp("uvicorn") / "uvicorn.log"
    with UvicornServer(env=env, log_path=log_path) as running:
        running.prefix = prefix
        yield running


@pytest.fixture(autouse=True)
def live_prefix(server, settings):
    layers = {alias: dict(conf) for alias, conf in settings.CHANNEL_LAYERS.items()}
    layers["default"]["CONFIG"] = {**layers["default"]["CONFIG"], "prefix": server.prefix}
    settings.CHANNEL_LAYERS = layers  # setting_changed makes Channels rebuild the layer


def session_cookie(user):
    client = Client()
    client.force_login(user)
    return client.cookies["sessionid"].value


async def open_socket(server, cookie=None):
    headers = {"Cookie": f"sessionid={cookie}"} if cookie else None
    socket = await connect(
        server.ws_url("/ws/live/"),
        origin=server.origin,
        additional_headers=headers,
        open_timeout=TIMEOUT,
    )
    hello = await receive(socket)
    assert hello["event"] == "hello"
    return socket


async def receive(socket):
    async with asyncio.timeout(TIMEOUT):
        return json.loads(await socket.recv())


async def test_publication_reaches_sockets_held_by_another_process(
    server, publish_news, resident, tilleuls, bel_air
):
    publish = database_sync_to_async(publish_news)
    cookie = await database_sync_to_async(session_cookie)(resident)
    visitor = await open_socket(server)
    amina = await open_socket(server, cookie)  # Les Tilleuls, known from the shared session
    try:
        page = await publish(title="Jardin partagé <ouvert>", neighbourhood=tilleuls)
        url = await database_sync_to_async(page.get_url)()
        expected = {
            "event": "news.published",
            "payload": {
                "id": page.pk,
                "title": "Jardin partagé <ouvert>",
                "lead": page.lead,
                "url": url,
                "date": page.date.isoformat(),
                "neighbourhood": "Les Tilleuls",
            },
        }
        assert await receive(visitor) == expected
        assert await receive(amina) == expected

        # Filtering happens in the server process too: Amina never hears about Bel-Air.
        bel_air_news = await publish(title="Fête à Bel-Air", neighbourhood=bel_air)
        everyone_news = await publish(title="Collecte des encombrants")
        assert (await receive(visitor))["payload"]["id"] == bel_air_news.pk
        assert (await receive(visitor))["payload"]["id"] == everyone_news.pk
        assert (await receive(amina))["payload"]["id"] == everyone_news.pk

        await amina.send("{not json")
        await amina.send(json.dumps({"type": "ping"}))
        assert await receive(amina) == {"event": "pong", "payload": {}}
    finally:
        await visitor.close()
        await amina.close()


@pytest.mark.parametrize("origin", ["http://evil.example", None])
async def test_real_server_refuses_foreign_or_missing_origin(server, origin):
    with pytest.raises(InvalidStatus) as refused:
        await connect(server.ws_url("/ws/live/"), origin=origin, open_timeout=TIMEOUT)
    assert refused.value.response.status_code == 403


async def test_home_page_served_by_the_server_loads_the_live_script(server, home_page):
    def get_home():
        url = f"{server.origin}/"  # a fixed http:// URL
        with urllib.request.urlopen(url, timeout=TIMEOUT) as response:  # noqa: S310
            return response.status, response.read().decode()

    status, html = await asyncio.to_thread(get_home)
    assert status == 200
    assert 'data-socket-path="/ws/live/"' in html
    assert "data-live-news" in html
