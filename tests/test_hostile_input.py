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


# --- Stored payloads: every place they are shown ----------------------------------------


def _world(payload, *, resident, manager, tilleuls, publish_news):
    """One of everything, every text field residents or staff fill in holding ``payload``."""
    from civic.assemblies import services as assembly_services
    from civic.proposals import services as proposal_services
    from civic.proposals.lifecycle import Status
    from tests.agenda_factories import make_event
    from tests.assemblies_factories import make_assembly, present_member
    from tests.factories import ActionFactory, ShiftFactory, ThemeFactory, UserFactory

    type(resident).objects.filter(pk=resident.pk).update(display_name=payload)
    resident.refresh_from_db()
    follower = UserFactory(neighbourhood=tilleuls)
    theme = ThemeFactory(slug="hostile", name=payload)
    # A ``javascript:`` "link" next to a real one: urlize must only link the real one.
    text = f"{payload} {P.JS_URL} https://example.org/ok"
    proposal = ProposalFactory(
        author=resident, theme=theme, neighbourhood=tilleuls, title=payload, description=text
    )
    proposal_services.follow_proposal(proposal=proposal, resident=follower)
    proposal_services.add_comment(proposal=proposal, author=resident, body=text)
    proposal_services.change_status(
        proposal=proposal, actor=manager, to_status=Status.UNDER_STUDY, answer=text
    )
    action = ActionFactory(
        title=payload, description=text, meeting_place=payload, neighbourhood=tilleuls
    )
    ShiftFactory(action=action, role=payload[:100])
    assembly = make_assembly(
        manager, tilleuls, title=payload, convocation=text, place=payload, items=[payload]
    )
    present_member(assembly, resident, manager)
    assembly_services.open_session(actor=manager, assembly=assembly)
    assembly_services.create_motion(
        actor=manager,
        assembly=assembly,
        question=payload,
        kind="choices",
        choices=[payload, "Autre"],
    )
    assembly_services.request_floor(actor=resident, assembly=assembly)
    event = make_event(title=payload[:255], place=payload[:255])
    news = publish_news(title=payload[:255], lead=payload[:400])
    return proposal, action, assembly, event, news


def _pages(proposal, action, assembly, event, news):
    return {
        "anonymous": [
            reverse("proposals:list"),
            reverse("proposals:detail", args=[proposal.pk]),
            reverse("volunteering:list"),
            reverse("volunteering:action", args=[action.pk]),
            reverse("assemblies:list"),
            reverse("assemblies:detail", args=[assembly.pk]),
            event.url,
            "/agenda/",
            news.url,
            "/actualites/",
        ],
        "resident": [
            reverse("assemblies:session", args=[assembly.pk]),
            reverse("proposals:mine"),
            reverse("proposals:notifications"),
        ],
        "manager": [
            reverse("assemblies:projector", args=[assembly.pk]),
            reverse("assemblies:chair", args=[assembly.pk]),
            reverse("assemblies:checkin", args=[assembly.pk]),
            reverse("proposals_admin:index"),
            reverse("proposals_admin:edit", args=[proposal.pk]),
            reverse("volunteering_actions:index"),
            reverse("volunteering_actions:edit", args=[action.pk]),
            reverse("assemblies_admin:index"),
            reverse("assemblies_admin:edit", args=[assembly.pk]),
            f"/admin/pages/{event.pk}/edit/",
            f"/admin/pages/{news.pk}/edit/",
            "/admin/pages/search/?q=alert",
        ],
    }


@pytest.mark.parametrize("payload", P.TEXT_PAYLOADS, ids=range(len(P.TEXT_PAYLOADS)))
def test_stored_payloads_render_inert(
    client,
    site_tree,
    resident,
    manager,
    tilleuls,
    publish_news,
    mailoutbox,
    django_capture_on_commit_callbacks,
    payload,
):
    with django_capture_on_commit_callbacks(execute=True):
        rows = _world(
            payload,
            resident=resident,
            manager=manager,
            tilleuls=tilleuls,
            publish_news=publish_news,
        )
    for who, urls in _pages(*rows).items():
        client.logout()
        if who != "anonymous":
            client.force_login({"resident": resident, "manager": manager}[who])
        for url in urls:
            response = client.get(url)
            assert response.status_code == 200, (who, url, response.status_code)
            assert_inert(response.content)
            if who == "anonymous" and url not in ("/agenda/", "/actualites/"):
                assert_inert(response.content, payload[:100])

    # Emails: the text part is plain, an HTML part (if any) escapes.
    assert mailoutbox
    for message in mailoutbox:
        for content, mimetype in getattr(message, "alternatives", []):
            if mimetype == "text/html":
                assert_inert(content)
