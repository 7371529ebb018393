"""The live channel end to end, in process: the real ASGI application (Origin validator,
session auth, routing, consumer), the real Wagtail publication (page_published signal,
transaction.on_commit) and the configured channel layer (in memory, or Redis pub/sub when
REDIS_URL is set).

Negative cases ("X announces nothing") are proven by ordering, not by waiting: after the
action under test a sentinel article is published, and the next message on the socket
must be the sentinel. A channel delivers in order, so nothing was sent in between.
"""

import json
from contextlib import asynccontextmanager

import pytest
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from channels.testing import WebsocketCommunicator
from django.db import transaction
from django.test import Client

from civic.live import groups
from civic.live.consumers import LiveConsumer
from config.asgi import application
from tests.harness import channel_layer_of_its_own

pytestmark = pytest.mark.django_db(transaction=True)

ALLOWED_ORIGIN = "http://testserver"
TIMEOUT = 10  # seconds; only ever reached when a test fails (a busy machine is slow)


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


@pytest.fixture(autouse=True)
def isolated_channel_layer(settings):
    channel_layer_of_its_own(settings)


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
    # URLRouter raises; the communicator reports it once its wait times out (a server
    # closes the handshake instead).
    with pytest.raises(ValueError, match="No route found"):
        await communicator.connect(timeout=0.2)


# --- Who hears what -----------------------------------------------------------------------


async def test_anonymous_visitor_follows_the_everyone_group():
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
    url = await database_sync_to_async(page.get_url)()  # may read the Site from the database
    assert payload == {
        "id": page.pk,
        "title": "Nettoyage du square",
        "lead": "Samedi matin, on nettoie.",
        "url": url,
        "date": page.date.isoformat(),
        "neighbourhood": "Les Tilleuls",
    }
    assert url.startswith("/") and url.endswith(f"/{page.slug}/")


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


async def test_republishing_an_article_is_not_announced_again(publish):
    from cms.models import NewsPage

    def edit_and_republish(pk):
        # As the Wagtail editor does: the latest revision of the page read from the database.
        page = NewsPage.objects.get(pk=pk).get_latest_revision_as_object()
        page.title = "Nettoyage du square (nouvelle date)"
        page.save_revision().publish()

    def republish_stale(page):
        # As a script that kept the object it created does. Wagtail then stamps
        # first_published_at again, so the dates alone cannot tell this is not new.
        page.lead = "Finalement dimanche."
        page.save_revision().publish()

    def unpublish_then_publish(pk):
        page = NewsPage.objects.get(pk=pk)
        page.unpublish()
        page.save_revision().publish()

    async with live_socket() as socket:
        page = await publish(title="Nettoyage du square")
        assert (await next_news(socket))["id"] == page.pk
        # Well within a second of the first publication, then in the other ways.
        await database_sync_to_async(edit_and_republish)(page.pk)
        await database_sync_to_async(republish_stale)(page)
        await database_sync_to_async(unpublish_then_publish)(page.pk)
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


def test_a_channel_layer_that_is_down_does_not_fail_the_publication(settings, publish_news, caplog):
    """The push runs after the commit: if Redis is unreachable the article is still
    published, the editor gets no error, and the failure is logged."""
    settings.CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
            "CONFIG": {"hosts": ["redis://127.0.0.1:1/0"]},  # nothing listens there
        }
    }
    page = publish_news(title="Publié malgré tout")
    page.refresh_from_db()
    assert page.live
    assert "Live event news.published not sent to group live-all" in caplog.text


async def test_garbage_from_the_client_does_not_break_the_socket():
    async with live_socket() as socket:
        for text in ["{not json", "null", "[1, 2]", '"ping"', '{"type": 3}', "[" * 100_000]:
            await socket.send_to(text_data=text)
        await socket.send_to(bytes_data=b"\x00\xff binary")
        await socket.send_input({"type": "websocket.receive", "text": ""})
        assert await socket.receive_nothing(timeout=0.1)

        await socket.send_json_to({"type": "ping"})
        assert await socket.receive_json_from(timeout=TIMEOUT) == {"event": "pong", "payload": {}}


# --- What the script on the page relies on ------------------------------------------------


def test_home_page_and_resync_api_give_the_script_what_it_needs(client, publish_news, tilleuls):
    """live.js needs the list and its script attributes; after a reconnect it reads
    /api/news/?page_size=5 and uses id, title, date, lead, neighbourhood.name and url."""
    page = publish_news(title="Nettoyage du square", neighbourhood=tilleuls)

    html = client.get("/").content.decode()
    assert "data-live-news" in html and 'id="live-status"' in html
    assert 'data-socket-path="/ws/live/"' in html

    response = client.get("/api/news/", {"page_size": 5})
    assert response.status_code == 200
    item = response.json()["results"][0]
    assert item["id"] == page.pk
    assert item["title"] == "Nettoyage du square"
    assert item["date"] == page.date.isoformat()
    assert item["lead"] == page.lead
    assert item["neighbourhood"]["name"] == "Les Tilleuls"
    assert item["url"].endswith(page.get_url())  # full URL: the script compares paths
