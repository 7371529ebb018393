"""The live channel end to end, in process: the real ASGI application (Origin validator,
session auth, routing, consumer), the real Wagtail publication (page_published signal,
transaction.on_commit) and the configured channel layer (in memory, or Redis pub/sub when
REDIS_URL is set).

Negative cases ("X announces nothing") are proven by ordering, not by waiting: after the
action under test a sentinel article is published, and the next message on the socket
must be the sentinel. A channel delivers in order, so nothing was sent in between.
"""

import json
import uuid
from contextlib import asynccontextmanager

import pytest
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from channels.testing.websocket import WebsocketCommunicator  # not channels.testing: needs daphne
from django.db import transaction
from django.test import Client

from civic.live import groups
from civic.live.consumers import LiveConsumer
from config.asgi import application

pytestmark = pytest.mark.django_db(transaction=True)

ALLOWED_ORIGIN = "http://testserver"
TIMEOUT = 3  # seconds; generous for the Redis variant, never reached when things work


@pytest.fixture(autouse=True)
def isolated_channel_layer(settings):
    """A fresh channel layer per test; on Redis, a prefix no other test run shares
    (pub/sub channels are global to a Redis server, whatever the database number)."""
    layers = {alias: dict(conf) for alias, conf in settings.CHANNEL_LAYERS.items()}
    config = dict(layers["default"].get("CONFIG", {}))
    if "hosts" in config:
        config["prefix"] = f"qc-test-{uuid.uuid4().hex[:10]}"
    layers["default"]["CONFIG"] = config
    settings.CHANNEL_LAYERS = layers  # setting_changed makes Channels rebuild the layer


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
async def live_socket(user=None):
    """An open /ws/live/ socket (the "hello" already read), as anonymous or as ``user``."""
    cookie = await database_sync_to_async(session_cookie)(user) if user else None
    communicator = WebsocketCommunicator(application, "/ws/live/", headers=headers(cookie=cookie))
    connected, _ = await communicator.connect(timeout=TIMEOUT)
    assert connected
    try:
        hello = await communicator.receive_json_from(timeout=TIMEOUT)
        assert hello["event"] == "hello"
        yield communicator
    finally:
        await communicator.disconnect()


async def next_news(communicator):
    message = await communicator.receive_json_from(timeout=TIMEOUT)
    assert message["event"] == "news.published", message
    return message["payload"]


@pytest.fixture
def publish(publish_news):
    """``await publish(title=..., neighbourhood=...)``: a Wagtail publication, run in a
    worker thread like any sync code called from async; on_commit fires (transactional test)."""
    return database_sync_to_async(publish_news)


# --- Handshake: Origin and authentication -------------------------------------------------


@pytest.mark.parametrize(
    "origin",
    [
        "http://evil.example",
        "http://testserver.evil.example",  # an allowed host as a prefix is not enough
        "https://evil.example:443",
        "null",  # sandboxed iframes and file:// pages
    ],
)
async def test_foreign_origin_is_refused(origin):
    communicator = WebsocketCommunicator(application, "/ws/live/", headers=headers(origin))
    connected, _ = await communicator.connect(timeout=TIMEOUT)
    assert connected is False


async def test_missing_origin_is_refused():
    """Channels' OriginValidator refuses a handshake without an Origin header unless
    ALLOWED_HOSTS contains "*". Browsers always send one on WebSocket handshakes; scripts
    and other non-browser clients must send an allowed Origin to connect."""
    communicator = WebsocketCommunicator(application, "/ws/live/", headers=headers(origin=None))
    connected, _ = await communicator.connect(timeout=TIMEOUT)
    assert connected is False


@pytest.mark.parametrize(
    "origin", ["http://testserver", "http://127.0.0.1:8000", "http://localhost:8000"]
)
async def test_allowed_origin_connects(origin):
    communicator = WebsocketCommunicator(application, "/ws/live/", headers=headers(origin))
    connected, _ = await communicator.connect(timeout=TIMEOUT)
    try:
        assert connected is True
        hello = await communicator.receive_json_from(timeout=TIMEOUT)
        assert hello == {"event": "hello", "payload": {"groups": 1}}
    finally:
        await communicator.disconnect()


async def test_consumer_without_auth_middleware_refuses():
    communicator = WebsocketCommunicator(LiveConsumer.as_asgi(), "/ws/live/")
    connected, code = await communicator.connect(timeout=TIMEOUT)
    assert (connected, code) == (False, 4401)


async def test_unknown_path_is_refused():
    communicator = WebsocketCommunicator(application, "/ws/other/", headers=headers())
    with pytest.raises(ValueError, match="No route found"):
        await communicator.connect(timeout=TIMEOUT)
    await communicator.wait()


# --- Who hears what -----------------------------------------------------------------------


async def test_anonymous_visitor_follows_the_everyone_group(db):
    async with live_socket() as socket:
        event = {"type": "live.event", "event": "test", "payload": {"n": 1}}
        await get_channel_layer().group_send(groups.EVERYONE, event)
        assert await socket.receive_json_from(timeout=TIMEOUT) == {
            "event": "test",
            "payload": {"n": 1},
        }


async def test_anonymous_visitor_is_told_about_a_published_article(publish, tilleuls):
    async with live_socket() as socket:
        page = await publish(
            title="Nettoyage du square", lead="Samedi matin, on nettoie.", neighbourhood=tilleuls
        )
        payload = await next_news(socket)
        assert await socket.receive_nothing(timeout=0.05)  # once, to the one group it is in
    assert payload == {
        "id": page.pk,
        "title": "Nettoyage du square",
        "lead": "Samedi matin, on nettoie.",
        "url": page.get_url(),
        "date": page.date.isoformat(),
        "neighbourhood": "Les Tilleuls",
    }
    assert payload["url"].startswith("/") and payload["url"].endswith(f"/{page.slug}/")


async def test_each_visitor_hears_about_their_neighbourhood_and_all_neighbourhoods(
    publish, resident, other_resident, tilleuls, bel_air
):
    async with (
        live_socket(resident) as amina,  # Les Tilleuls
        live_socket(other_resident) as marcel,  # Bel-Air
        live_socket() as visitor,
    ):
        bel_air_news = await publish(title="Fête à Bel-Air", neighbourhood=bel_air)
        tilleuls_news = await publish(title="Jardin des Tilleuls", neighbourhood=tilleuls)
        everyone_news = await publish(title="Collecte des encombrants", neighbourhood=None)

        # Amina: Les Tilleuls, then the article for everyone; never Bel-Air.
        assert (await next_news(amina))["id"] == tilleuls_news.pk
        assert (await next_news(amina))["id"] == everyone_news.pk
        # Marcel: the mirror image.
        assert (await next_news(marcel))["id"] == bel_air_news.pk
        assert (await next_news(marcel))["id"] == everyone_news.pk
        # A visitor who is not logged in hears about everything, once each.
        heard = [(await next_news(visitor))["id"] for _ in range(3)]
        assert heard == [bel_air_news.pk, tilleuls_news.pk, everyone_news.pk]
        for socket in (amina, marcel, visitor):
            assert await socket.receive_nothing(timeout=0.05)


# --- What is announced --------------------------------------------------------------------


async def test_republishing_an_edited_article_is_not_announced_again(publish):
    def edit_and_republish(page):
        page.title = "Nettoyage du square (nouvelle date)"
        page.save_revision().publish()

    async with live_socket() as socket:
        page = await publish(title="Nettoyage du square")
        assert (await next_news(socket))["id"] == page.pk
        # Immediately (well within a second of the first publication), then again.
        await database_sync_to_async(edit_and_republish)(page)
        await database_sync_to_async(edit_and_republish)(page)
        sentinel = await publish(title="Sentinelle")
        assert (await next_news(socket))["id"] == sentinel.pk


async def test_a_draft_is_not_announced(publish, news_index):
    from cms.models import NewsPage

    def save_draft():
        page = NewsPage(title="Brouillon", lead="Pas encore prêt.", body=[], live=False)
        news_index.add_child(instance=page)
        page.save_revision()

    async with live_socket() as socket:
        await database_sync_to_async(save_draft)()
        sentinel = await publish(title="Sentinelle")
        assert (await next_news(socket))["id"] == sentinel.pk


async def test_a_publication_rolled_back_is_not_announced(publish_news, publish):
    class Abort(Exception):
        pass

    def publish_then_fail():
        with pytest.raises(Abort), transaction.atomic():
            publish_news(title="Annulé")
            raise Abort

    async with live_socket() as socket:
        await database_sync_to_async(publish_then_fail)()
        sentinel = await publish(title="Sentinelle")
        assert (await next_news(socket))["id"] == sentinel.pk


async def test_a_private_article_is_not_announced(publish, news_index):
    from wagtail.models import PageViewRestriction

    from cms.models import NewsPage

    def publish_private():
        page = NewsPage(title="Réservé aux habitants", lead="Réunion.", body=[], live=False)
        news_index.add_child(instance=page)
        PageViewRestriction.objects.create(page=page, restriction_type="login")
        page.save_revision().publish()

    async with live_socket() as socket:
        await database_sync_to_async(publish_private)()
        sentinel = await publish(title="Sentinelle")
        assert (await next_news(socket))["id"] == sentinel.pk


async def test_an_article_with_an_alias_is_announced_once(publish, news_index):
    from cms.models import NewsPage

    def publish_draft_with_alias():
        page = NewsPage(title="Article repris", lead="Aussi ailleurs.", body=[], live=False)
        news_index.add_child(instance=page)
        page.create_alias(parent=news_index, update_slug="article-repris-alias")
        page.save_revision().publish()
        return page

    async with live_socket() as socket:
        page = await database_sync_to_async(publish_draft_with_alias)()
        assert (await next_news(socket))["id"] == page.pk
        sentinel = await publish(title="Sentinelle")
        assert (await next_news(socket))["id"] == sentinel.pk


async def test_html_in_a_title_arrives_as_the_text_that_was_typed(publish):
    title = '<img src=x onerror="alert(1)"> Fête & « apéro » <b>gratuit</b>'
    lead = "Tartes &amp; jus <i>maison</i>"
    async with live_socket() as socket:
        await publish(title=title, lead=lead)
        raw = await socket.receive_from(timeout=TIMEOUT)
    payload = json.loads(raw)["payload"]
    # Exactly what the editor typed: not escaped (no &lt; nor &amp;amp;), no markup added.
    # The page inserts it with textContent, so it is shown as text, never parsed.
    assert payload["title"] == title
    assert payload["lead"] == lead
    assert "&lt;" not in raw and "&amp;amp;" not in raw


# --- Robustness ---------------------------------------------------------------------------


async def test_garbage_from_the_client_does_not_break_the_socket(db):
    async with live_socket() as socket:
        for text in ["{not json", "null", "[1, 2]", '"ping"', '{"type": 3}', "[" * 100_000]:
            await socket.send_to(text_data=text)
        await socket.send_to(bytes_data=b"\x00\xff binary")
        await socket.send_input({"type": "websocket.receive", "text": ""})
        assert await socket.receive_nothing(timeout=0.1)

        await socket.send_json_to({"type": "ping"})
        assert await socket.receive_json_from(timeout=TIMEOUT) == {"event": "pong", "payload": {}}
