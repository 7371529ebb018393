"""Hostile input everywhere: script/HTML/``javascript:`` payloads, right-to-left overrides,
zero-width and NUL characters, 100 kB strings in every field residents and staff fill in and
in every GET parameter; every place they are shown renders them inert, and invalid input
gets a clear 4xx or form error, never a 500.

Runs on SQLite and PostgreSQL (which refuses NUL bytes in text: the NUL cases matter there).
Payloads are looped inside each test (tests/hostile_payloads.py) so the suite stays fast.
"""

import html

import pytest
from django.urls import reverse

from tests import hostile_payloads as P
from tests.factories import ProposalFactory

pytestmark = pytest.mark.django_db


def assert_inert(body, payload=None):
    """No payload markup is live in ``body``; ``payload``, if given, is shown escaped."""
    text = body.decode() if isinstance(body, bytes) else body
    for marker in P.LIVE_MARKERS:
        assert marker not in text, f"live markup {marker!r} in the page"
    if payload is not None:
        assert html.escape(payload, quote=False) in text or html.escape(payload) in text, (
            f"{payload[:40]!r} not shown escaped"
        )


def no_500(client, url, params, *, label=""):
    response = client.get(url, params)
    assert response.status_code < 500, f"{label} {url} {str(params)[:80]!r}: 500"
    if response.status_code < 300 and response.get("Content-Type", "").startswith("text/html"):
        assert_inert(response.content)
    if url.startswith("/api/") and response.status_code >= 400:
        assert response["Content-Type"].startswith("application/json"), url
    return response


# --- GET parameters -----------------------------------------------------------------------

# (url name or path, the parameters it reads)
HTML_LISTS = [
    ("proposals:list", ["q", "quartier", "theme", "etat", "tri", "page"]),
    ("volunteering:list", ["quartier", "page"]),
    ("assemblies:list", ["quartier", "page"]),
    ("search", ["q", "page"]),
    ("/actualites/", ["quartier", "page"]),
    ("/agenda/", ["quartier", "page"]),
    ("/agenda/archives/", ["quartier", "page"]),
    ("/agenda/agenda.ics", ["quartier"]),
    ("news_feed_rss", ["quartier"]),
    ("news_feed_atom", ["quartier"]),
]
API_LISTS = [
    ("proposals_api:proposal-list", ["q", "neighbourhood", "theme", "status", "sort", "mine"]),
    ("volunteering_api:action-list", ["neighbourhood", "q", "ordering"]),
    ("assemblies_api:assembly-list", ["neighbourhood", "status", "ordering"]),
    ("/api/news/", ["neighbourhood", "q", "ordering"]),
    ("/api/neighbourhoods/", ["q", "ordering"]),
]


def _url(name):
    return name if name.startswith("/") else reverse(name)


@pytest.fixture
def some_rows(site_tree, resident):
    ProposalFactory(author=resident, title=P.SCRIPT)


@pytest.mark.parametrize(("name", "params"), HTML_LISTS + API_LISTS, ids=lambda v: str(v))
def test_get_parameters_never_500(client, some_rows, name, params):
    url = _url(name)
    for param in params:
        for value in P.GET_VALUES:
            no_500(client, url, {param: value}, label=param)
    for value in P.PAGE_VALUES:
        no_500(client, url, {"page": value}, label="page")
    if url.startswith("/api/"):
        for value in P.PAGE_SIZE_VALUES:
            response = no_500(client, url, {"page_size": value}, label="page_size")
            if response.status_code == 200:
                assert len(response.json()["results"]) <= 100
