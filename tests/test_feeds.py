"""The news feeds: each item dated by its article, signed by the Régie, links on the address
reached, ids that stay put, and the Atom elements RFC 4287 requires."""

import calendar
import datetime
import re
import xml.etree.ElementTree as ET

import feedparser
import pytest
import time_machine

from cms.feeds import article_datetime

pytestmark = pytest.mark.django_db

RSS, ATOM = "/actualites/flux.rss", "/actualites/flux.atom"
ATOM_NS = {"atom": "http://www.w3.org/2005/Atom"}
# RFC 3339 date-time, as RFC 4287 §3.3 requires it (upper-case T and Z).
RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")
SEEDED_AT = datetime.datetime(2026, 11, 20, 15, 30, tzinfo=datetime.UTC)


@pytest.fixture
def reached_host(settings):
    settings.ALLOWED_HOSTS = ["127.0.0.1", "testserver"]
    return "127.0.0.1:8123"


@pytest.fixture
def dated_articles(publish_news, tilleuls):
    """Articles written on their own dates but all saved at one later instant, like seeded
    or imported news: one in winter time, one in summer time, one for every quartier."""
    with time_machine.travel(SEEDED_AT, tick=False):
        return {
            "winter": publish_news(
                title="Vide-grenier",
                lead="Dimanche.",
                slug="vide-grenier",
                neighbourhood=tilleuls,
                date=datetime.date(2026, 3, 10),
            ),
            "summer": publish_news(
                title="Fête du 14 juillet",
                lead="Bal.",
                slug="fete",
                date=datetime.date(2026, 7, 14),
            ),
        }


def parse(client, url, **extra):
    response = client.get(url, **extra)
    assert response.status_code == 200
    feed = feedparser.parse(response.content)
    assert feed.bozo == 0, feed.get("bozo_exception")
    return response, feed


def utc_instant(parsed):
    return datetime.datetime.fromtimestamp(calendar.timegm(parsed), tz=datetime.UTC)


@pytest.mark.parametrize("url", [RSS, ATOM])
def test_each_item_is_dated_by_its_article_not_by_when_it_was_saved(
    client, regie, dated_articles, url
):
    _, feed = parse(client, url)
    entries = {entry.title: entry for entry in feed.entries}
    for article in dated_articles.values():
        published = utc_instant(entries[article.title].published_parsed)
        assert published == article_datetime(article.date)
        assert published != article.first_published_at


def test_article_dates_are_local_midnight_with_their_offset(client, regie, dated_articles):
    response, _ = parse(client, ATOM)
    assert b"<published>2026-03-10T00:00:00+01:00</published>" in response.content
    assert b"<published>2026-07-14T00:00:00+02:00</published>" in response.content
    response, _ = parse(client, RSS)
    assert b"<pubDate>Tue, 10 Mar 2026 00:00:00 +0100</pubDate>" in response.content
    assert b"<pubDate>Tue, 14 Jul 2026 00:00:00 +0200</pubDate>" in response.content


def test_atom_updated_moves_only_when_an_article_is_published_again(client, regie, dated_articles):
    _, feed = parse(client, ATOM)
    entries = {entry.title: entry for entry in feed.entries}
    for article in dated_articles.values():
        assert entries[article.title].updated_parsed == entries[article.title].published_parsed
    assert utc_instant(feed.feed.updated_parsed) == article_datetime(datetime.date(2026, 7, 14))

    corrected_at = SEEDED_AT + datetime.timedelta(days=5)
    winter = dated_articles["winter"]
    with time_machine.travel(corrected_at, tick=False):
        winter.save_revision().publish()

    _, feed = parse(client, ATOM)
    entries = {entry.title: entry for entry in feed.entries}
    assert utc_instant(entries[winter.title].updated_parsed) == corrected_at
    assert utc_instant(entries[winter.title].published_parsed) == article_datetime(winter.date)
    assert utc_instant(feed.feed.updated_parsed) == corrected_at


def test_the_atom_feed_is_signed_by_the_regie(client, regie, dated_articles):
    _, feed = parse(client, ATOM)
    assert feed.feed.author == "Régie des Trois Rivières"
    entries = {entry.title: entry for entry in feed.entries}
    # News of one quartier is signed by its Régie; news for all inherits the feed's author.
    assert entries["Vide-grenier"].author == "Régie des Trois Rivières"


def test_without_a_regie_the_site_name_signs_the_feed(client, publish_news):
    publish_news()
    _, feed = parse(client, ATOM)
    assert feed.feed.author == "Quartier Commun"


@pytest.mark.parametrize("url", [RSS, ATOM])
def test_links_are_absolute_on_the_address_reached(
    client, regie, dated_articles, reached_host, url
):
    _, feed = parse(client, url, HTTP_HOST=reached_host)
    assert feed.feed.link == "http://127.0.0.1:8123/actualites/"
    assert {entry.link for entry in feed.entries} == {
        "http://127.0.0.1:8123/actualites/vide-grenier/",
        "http://127.0.0.1:8123/actualites/fete/",
    }
    if url == ATOM:
        self_links = [link.href for link in feed.feed.links if link.rel == "self"]
        assert self_links == ["http://127.0.0.1:8123/actualites/flux.atom"]


@pytest.mark.parametrize("url", [RSS, ATOM])
def test_ids_stay_the_same_whatever_the_address_reached(
    client, regie, dated_articles, reached_host, url
):
    """A reader that meets the feed under two addresses must not see each article twice."""
    _, here = parse(client, url)
    _, there = parse(client, url, HTTP_HOST=reached_host)
    assert [entry.id for entry in here.entries] == [entry.id for entry in there.entries]
    assert len({entry.id for entry in here.entries}) == len(here.entries)
    for entry in here.entries:
        assert entry.id.startswith("urn:uuid:")
        assert entry.guidislink is False
    if url == ATOM:
        assert here.feed.id == there.feed.id

    dated_articles["winter"].slug = "vide-grenier-de-printemps"
    dated_articles["winter"].save_revision().publish()
    _, renamed = parse(client, url)
    assert {entry.id for entry in renamed.entries} == {entry.id for entry in here.entries}


def _atom_tree(client):
    response = client.get(ATOM)
    assert response["Content-Type"].startswith("application/atom+xml")
    return ET.fromstring(response.content)  # noqa: S314 - the site's own feed, in a test


def _text(element, path):
    found = element.find(path, ATOM_NS)
    assert found is not None, f"missing {path}"
    assert (found.text or "").strip(), f"empty {path}"
    return found.text


def _assert_rfc4287_entry(entry):
    _text(entry, "atom:id")
    _text(entry, "atom:title")
    assert RFC3339.match(_text(entry, "atom:updated"))
    # No atom:content, so an alternate link is required (§4.1.2).
    alternates = [
        link for link in entry.findall("atom:link", ATOM_NS) if link.get("rel") == "alternate"
    ]
    assert len(alternates) == 1
    assert alternates[0].get("href").startswith("http://testserver/")


def test_the_atom_feed_has_the_elements_rfc_4287_requires(client, regie, dated_articles):
    root = _atom_tree(client)
    assert root.tag == "{http://www.w3.org/2005/Atom}feed"
    _text(root, "atom:id")
    assert _text(root, "atom:title") == "Quartier Commun — actualités"
    assert RFC3339.match(_text(root, "atom:updated"))
    assert _text(root, "atom:author/atom:name") == "Régie des Trois Rivières"
    assert len(root.findall("atom:author", ATOM_NS)) == 1
    entries = root.findall("atom:entry", ATOM_NS)
    assert len(entries) == 2
    for entry in entries:
        _assert_rfc4287_entry(entry)
        assert len(entry.findall("atom:updated", ATOM_NS)) == 1


def test_an_empty_atom_feed_still_has_its_required_elements(client, news_index):
    root = _atom_tree(client)
    _text(root, "atom:id")
    _text(root, "atom:title")
    assert RFC3339.match(_text(root, "atom:updated"))
    _text(root, "atom:author/atom:name")
    assert root.findall("atom:entry", ATOM_NS) == []
