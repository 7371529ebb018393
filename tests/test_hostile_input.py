"""Hostile input everywhere: script/HTML/``javascript:`` payloads, right-to-left overrides,
zero-width and NUL characters, 100 kB strings in every field residents and staff fill in and
in every GET parameter; every place they are shown renders them inert, and invalid input
gets a clear 4xx or form error, never a 500.

Runs on SQLite and PostgreSQL (which refuses NUL bytes in text: the NUL cases matter there).
Payloads are looped inside each test (tests/hostile_payloads.py) so the suite stays fast.
"""

import html
import json

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
    assert response.status_code < 500, f"{label} {url} {str(params)[:80]!r}: {response.status_code}"
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
            reverse("search") + "?q=alert",
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
            if who == "anonymous" and not url.startswith(("/agenda/", "/actualites/", "/rech")):
                assert_inert(response.content, payload[:100])

    # The API: the payload comes back as the same plain string.
    proposal, action, assembly, _event, _news = rows
    client.logout()
    for url, field in [
        (reverse("proposals_api:proposal-detail", args=[proposal.pk]), "title"),
        (reverse("volunteering_api:action-detail", args=[action.pk]), "title"),
        (reverse("assemblies_api:assembly-detail", args=[assembly.pk]), "title"),
    ]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert response.json()[field] == payload, url

    # Emails: the text part is plain, an HTML part (if any) escapes.
    assert mailoutbox
    for message in mailoutbox:
        for content, mimetype in getattr(message, "alternatives", []):
            if mimetype == "text/html":
                assert_inert(content)


# --- Invalid input (NUL, 100 kB): a clear refusal, nothing stored, never a 500 -----------


def _count(model_path):
    from django.apps import apps

    return apps.get_model(model_path).objects.count()


@pytest.fixture
def scene(site_tree, resident, manager, tilleuls):
    """What the forms below post to: a published idea, a shift, an assembly in session."""
    from civic.assemblies import services as assembly_services
    from tests.assemblies_factories import make_assembly
    from tests.factories import ShiftFactory, ThemeFactory

    proposal = ProposalFactory(author=resident, neighbourhood=tilleuls)
    shift = ShiftFactory(action__neighbourhood=tilleuls)
    assembly = make_assembly(manager, tilleuls)
    assembly_services.open_session(actor=manager, assembly=assembly)
    return {
        "proposal": proposal,
        "theme": ThemeFactory(slug="proprete"),
        "shift": shift,
        "assembly": assembly,
        "tilleuls": tilleuls,
    }


# (who posts, url, the form data with ``{v}`` for the hostile value, the model that must not
# get a new row; "User.display_name" style entries check the field kept its value instead)
HTML_FORMS = [
    (
        "resident",
        lambda s: reverse("accounts:profile"),
        lambda s, v: {
            "display_name": v,
            "neighbourhood": s["tilleuls"].pk,
            "preferred_language": "fr",
        },
        "accounts.User.display_name",
    ),
    (
        "resident",
        lambda s: reverse("accounts:profile"),
        lambda s, v: {
            "display_name": "Amina",
            "phone": v,
            "neighbourhood": s["tilleuls"].pk,
            "preferred_language": "fr",
        },
        "accounts.User.phone",
    ),
    (
        "resident",
        lambda s: reverse("proposals:submit"),
        lambda s, v: {
            "title": v,
            "description": "Des bancs.",
            "theme": s["theme"].pk,
            "neighbourhood": s["tilleuls"].pk,
        },
        "proposals.Proposal",
    ),
    (
        "resident",
        lambda s: reverse("proposals:submit"),
        lambda s, v: {
            "title": "Des bancs",
            "description": v,
            "theme": s["theme"].pk,
            "neighbourhood": s["tilleuls"].pk,
            "address": v,
        },
        "proposals.Proposal",
    ),
    (
        "resident",
        lambda s: reverse("proposals:comment", args=[s["proposal"].pk]),
        lambda s, v: {"comment-body": v},
        "proposals.Comment",
    ),
    (
        "other",
        lambda s: reverse("proposals:report", args=[s["proposal"].pk]),
        lambda s, v: {"reason": v},
        "proposals.Report",
    ),
    (
        "manager",
        lambda s: reverse("proposals:moderate_status", args=[s["proposal"].pk]),
        lambda s, v: {"moderation-to_status": "under_study", "moderation-answer": v},
        "proposals.StatusChange",
    ),
    (
        "manager",
        lambda s: reverse("proposals:moderate_hide", args=[s["proposal"].pk]),
        lambda s, v: {"hide-reason": v},
        "proposals.Proposal.is_hidden",
    ),
    (
        "manager",
        lambda s: reverse("assemblies:chair_action", args=[s["assembly"].pk, "preparer-vote"]),
        lambda s, v: {"question": v, "kind": "for_against", "majority": "simple"},
        "assemblies.Motion",
    ),
    (
        "manager",
        lambda s: reverse("assemblies:chair_action", args=[s["assembly"].pk, "preparer-vote"]),
        lambda s, v: {
            "question": "Quel jardin ?",
            "kind": "choices",
            "choices": f"Potager\n{v}",
            "majority": "simple",
        },
        "assemblies.Motion",
    ),
    (
        "manager",
        lambda s: reverse("volunteering_staff:roster", args=[s["shift"].pk]),
        lambda s, v: {"form": "sans-compte", "name": v, "phone": "0600000000", "consent": "on"},
        "volunteering.OfflineVolunteer",
    ),
    (
        "manager",
        lambda s: reverse("volunteering_staff:roster", args=[s["shift"].pk]),
        lambda s, v: {"form": "sans-compte", "name": "Jo", "phone": v, "consent": "on"},
        "volunteering.OfflineVolunteer",
    ),
]


def _stored(model_path, who_user, scene):
    parts = model_path.split(".")
    if model_path == "proposals.Proposal.is_hidden":
        scene["proposal"].refresh_from_db()
        return scene["proposal"].is_hidden
    if len(parts) == 3:  # a field of the posting user
        who_user.refresh_from_db()
        return getattr(who_user, parts[2])
    return _count(model_path)


@pytest.mark.parametrize(
    ("who", "url", "data", "model"),
    HTML_FORMS,
    ids=[f"{form[3]}-{i}" for i, form in enumerate(HTML_FORMS)],
)
def test_invalid_text_in_html_forms_is_a_form_error(
    client, scene, resident, other_resident, manager, who, url, data, model
):
    user = {"resident": resident, "other": other_resident, "manager": manager}[who]
    client.force_login(user)
    for value in P.INVALID_PAYLOADS:
        before = _stored(model, user, scene)
        response = client.post(url(scene), data(scene, value))
        assert response.status_code < 500, (model, value[:10])
        assert _stored(model, user, scene) == before, f"{model}: {value[:10]!r} was saved"
        if response.status_code == 200:
            assert_inert(response.content)


# (who, url, JSON body with the hostile value, what must not change)
API_WRITES = [
    (
        "resident",
        lambda s: reverse("proposals_api:proposal-list"),
        lambda s, v: {
            "title": v,
            "description": v,
            "theme": "proprete",
            "neighbourhood": "les-tilleuls",
        },
        "proposals.Proposal",
    ),
    (
        "resident",
        lambda s: reverse("proposals_api:proposal-list"),
        lambda s, v: {"title": "Bancs", "description": "Des bancs", "theme": v, "neighbourhood": v},
        "proposals.Proposal",
    ),
    (
        "resident",
        lambda s: reverse("proposals_api:comment-list", args=[s["proposal"].pk]),
        lambda s, v: {"body": v},
        "proposals.Comment",
    ),
    (
        "other",
        lambda s: reverse("proposals_api:proposal-report", args=[s["proposal"].pk]),
        lambda s, v: {"reason": v},
        "proposals.Report",
    ),
    (
        "manager",
        lambda s: reverse("proposals_api:proposal-change-status", args=[s["proposal"].pk]),
        lambda s, v: {"to_status": "under_study", "answer": v},
        "proposals.StatusChange",
    ),
]


@pytest.mark.parametrize(
    ("who", "url", "data", "model"),
    API_WRITES,
    ids=[f"{w[3]}-{i}" for i, w in enumerate(API_WRITES)],
)
def test_invalid_text_in_the_api_is_a_400(
    client, scene, resident, other_resident, manager, who, url, data, model
):
    user = {"resident": resident, "other": other_resident, "manager": manager}[who]
    client.force_login(user)
    for value in P.INVALID_PAYLOADS:
        before = _count(model)
        response = client.post(url(scene), data(scene, value), content_type="application/json")
        assert 400 <= response.status_code < 500, (model, value[:10], response.status_code)
        assert response["Content-Type"].startswith("application/json")
        assert _count(model) == before
    # Nested deeply enough to exhaust Python's parser (3 kB), as the body or in a field.
    client.raise_request_exception = False
    for body in (
        "[" * 1500 + "]" * 1500,
        json.dumps(data(scene, "x"))[:-1] + ', "z": ' + "[" * 1500 + "]" * 1500 + "}",
    ):
        before = _count(model)
        response = client.post(url(scene), body, content_type="application/json")
        assert response.status_code == 400, (model, response.status_code)
        assert response.json()["error"]["code"] == "too_deep"
        assert _count(model) == before
    # Valid but hostile text is stored as is and returned as a plain JSON string.
    response = client.post(url(scene), data(scene, P.SCRIPT), content_type="application/json")
    assert response.status_code < 500


# --- Exports: spreadsheet formulas neutralised ------------------------------------------


def _cells(response):
    import csv
    import io

    if response["Content-Type"].startswith("text/csv"):
        text = b"".join(response.streaming_content if response.streaming else [response.content])
        text = text.decode("utf-8-sig")
        delimiter = ";" if text.split("\n", 1)[0].count(";") else ","
        return [cell for row in csv.reader(io.StringIO(text), delimiter=delimiter) for cell in row]
    import openpyxl

    data = b"".join(response.streaming_content) if response.streaming else response.content
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    # A string cell is never run, whatever it starts with (Wagtail turns formulas back into
    # strings): only formula cells count.
    return [
        str(c.value) if c.data_type == "f" else f"'{c.value}"
        for row in sheet.iter_rows()
        for c in row
        if c.value is not None
    ]


def test_exports_neutralise_formulas(client, site_tree, resident, manager, tilleuls):
    from civic.volunteering import services as volunteering_services
    from tests.factories import ActionFactory, ShiftFactory

    type(resident).objects.filter(pk=resident.pk).update(display_name=P.FORMULA)
    resident.refresh_from_db()
    ProposalFactory(author=resident, title=P.FORMULA, description=P.FORMULA)
    shift = ShiftFactory(
        action=ActionFactory(title=P.FORMULA, meeting_place=P.FORMULA, neighbourhood=tilleuls)
    )
    volunteering_services.sign_up(shift=shift, actor=resident, user=resident)
    person = volunteering_services.register_offline_volunteer(
        actor=manager, name="+" + P.FORMULA, phone="@SUM(1)", consent=True
    )
    volunteering_services.sign_up(shift=shift, actor=manager, offline_volunteer=person)

    client.force_login(manager)
    exports = [
        reverse("proposals_admin:index") + "?export=csv",
        reverse("proposals_admin:index") + "?export=xlsx",
        reverse("volunteering_staff:roster_csv", args=[shift.pk]),
        reverse("volunteering_stats:index") + "?export=actions",
        reverse("volunteering_stats:index") + "?export=quartiers",
        reverse("privacy:register_csv"),
    ]
    for url in exports:
        response = client.get(url)
        assert response.status_code == 200, url
        cells = _cells(response)
        assert cells, url
        for cell in cells:
            assert cell[:1] not in ("=", "+", "@"), (url, cell)


# --- Feeds and calendar files --------------------------------------------------------------


def test_feeds_and_calendars_keep_payloads_as_text(client, site_tree, publish_news, tilleuls):
    import feedparser
    import icalendar

    from tests.agenda_factories import make_event
    from tests.factories import ActionFactory, ShiftFactory

    publish_news(title=P.SCRIPT, lead=P.IMG + " " + P.RTL)
    # Title and place are one line in the admin, but the model takes what it is given.
    event = make_event(title=P.SCRIPT, place=P.CRLF)
    action = ActionFactory(title=P.CRLF, meeting_place=P.CRLF, neighbourhood=tilleuls)
    shift = ShiftFactory(action=action)

    for name in ("news_feed_rss", "news_feed_atom"):
        response = client.get(reverse(name))
        assert response.status_code == 200
        feed = feedparser.parse(response.content)
        assert not feed.bozo, feed.get("bozo_exception")
        assert feed.entries[0].title == P.SCRIPT
        assert "<script>" not in response.content.decode()

    calendars = [
        "/agenda/agenda.ics",
        event.url + "ics/",
        reverse("volunteering:action_calendar", args=[action.pk]),
        reverse("volunteering:shift_calendar", args=[shift.pk]),
    ]
    for url in calendars:
        response = client.get(url)
        assert response.status_code == 200, url
        calendar = icalendar.Calendar.from_ical(response.content)
        # No line of its own for the injected property: only inside an escaped value.
        assert "\r\nATTENDEE" not in response.content.decode(), url
        assert "\r\nX-INJ" not in response.content.decode(), url
        for component in calendar.walk("VEVENT"):
            assert "ATTENDEE" not in component, url


# --- WebSocket: the chair's motion over the socket, names in the speakers' queue -----------


@pytest.mark.django_db(transaction=True)
async def test_socket_refuses_invalid_text_and_sends_payloads_as_strings(settings):
    from channels.db import database_sync_to_async

    from civic.assemblies import services as assembly_services
    from civic.assemblies.models import Motion
    from tests.assemblies_factories import make_assembly, make_chair, present_member
    from tests.factories import NeighbourhoodFactory, UserFactory
    from tests.test_assemblies_live import socket_for

    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}

    @database_sync_to_async
    def scene():
        hood = NeighbourhoodFactory()
        chair = make_chair(hood)
        assembly = make_assembly(chair, hood)
        member = UserFactory(neighbourhood=hood, display_name=P.SCRIPT)
        present_member(assembly, member, chair)
        assembly_services.open_session(actor=chair, assembly=assembly)
        return chair, member, assembly

    chair, member, assembly = await scene()
    count = database_sync_to_async(Motion.objects.count)
    async with socket_for(assembly, chair) as socket:
        # Over the socket's message limit: ignored (no answer), the socket stays up.
        await socket.send("motion.create", question=P.HUGE)
        await socket.send("motion.create", question="Q ?", kind="choices", choices=[P.HUGE, "b"])
        for question, choices in [
            (P.NUL, []),
            ("x" * 3500, []),
            ("Quel jardin ?", ["Potager", P.NUL]),
            ("Quel jardin ?", ["Potager", "x" * 3500]),
            ("Quel jardin ?", ["Potager", *"abcdefghijklmnopqrstuvwxyz"]),
        ]:
            kind = "choices" if choices else "for_against"
            answer = await socket.request(
                "motion.create", question=question, kind=kind, choices=choices
            )
            assert answer["event"] == "error", (question[:10], answer)
        assert await count() == 0
        answer = await socket.request(
            "motion.create", question=P.SCRIPT, kind="choices", choices=[P.IMG, P.RTL]
        )
        assert answer["event"] == "ack"
        opened = await socket.request("motion.open", motion=answer["payload"]["motion"])
        assert opened["event"] == "ack"
        # A plain JSON string: the page inserts it as text.
        await socket.state(lambda s: P.SCRIPT in json.dumps(s) and P.IMG in json.dumps(s))
    async with socket_for(assembly, member) as socket:
        assert (await socket.request("floor.request"))["event"] == "ack"
        state = await socket.state(lambda s: s["speakers"]["queue"])
        assert state["speakers"]["queue"][0]["name"] == P.SCRIPT


# --- Staff forms of the Wagtail admin: a form error, never a 500 --------------------------


def test_invalid_text_in_wagtail_admin_forms(client, site_tree, manager, tilleuls):
    from cms.agenda.models import EventIndexPage

    home, news_index = site_tree
    agenda = EventIndexPage.objects.get()
    client.force_login(manager)
    forms = [
        (reverse("assemblies_admin:add"), ["title", "place", "convocation"]),
        (reverse("volunteering_actions:add"), ["title", "description", "meeting_place"]),
        (f"/admin/pages/add/cms/newspage/{news_index.pk}/", ["title", "lead"]),
        (f"/admin/pages/add/agenda/eventpage/{agenda.pk}/", ["title", "place"]),
    ]
    for url, fields in forms:
        assert client.get(url).status_code == 200, url
        for value in P.INVALID_PAYLOADS:
            # What the browser always sends with a StreamField (Wagtail needs it).
            data = {"body-count": "0", **{field: value for field in fields}}
            response = client.post(url, data)
            assert response.status_code == 200, (url, value[:10], response.status_code)
            assert_inert(response.content)


@pytest.mark.parametrize(
    "name",
    [
        "proposals_admin:index",
        "volunteering_actions:index",
        "assemblies_admin:index",
        "volunteering_stats:index",
        "volunteering_certificates:index",
        "/admin/pages/search/",
    ],
)
def test_staff_listing_parameters_never_500(client, some_rows, manager, name):
    client.force_login(manager)
    url = _url(name)
    for param in ["q", "ordering", "status", "neighbourhood", "theme", "p", "debut", "fin"]:
        for value in [P.SCRIPT, P.NUL, "x" * 100_000, "-title", "__str__", "1e9", "-1"]:
            no_500(client, url, {param: value}, label=param)


def test_odd_path_parameters_are_404(client, some_rows, resident):
    client.force_login(resident)
    huge = 10**30
    for url in [
        f"/idees/{huge}/",
        f"/idees/{huge}/commenter/?reponse-a={huge}",
        "/idees/1/commenter/?reponse-a=abc",
        f"/agir/{huge}/",
        f"/agir/creneau/{huge}/agenda.ics",
        f"/assemblees/{huge}/",
        f"/assemblees/{huge}/seance/",
        "/agenda/mois/0000/00/",
        "/agenda/mois/9999/12/",
        f"/api/proposals/{huge}/",
        f"/api/proposals/{huge}/comments/",
        f"/api/assemblies/{huge}/live/",
        f"/api/volunteering/actions/{huge}/",
    ]:
        response = client.get(url)
        assert 400 <= response.status_code < 500 or response.status_code == 200, (
            url,
            response.status_code,
        )


def test_desk_searches_never_500(client, scene, manager):
    client.force_login(manager)
    pages = [
        (reverse("assemblies:checkin", args=[scene["assembly"].pk]), ["q", "compte"]),
        (reverse("volunteering_staff:checkin", args=[scene["shift"].pk]), ["q"]),
        (reverse("volunteering_staff:roster", args=[scene["shift"].pk]), ["q", "compte"]),
    ]
    for url, params in pages:
        for param in params:
            for value in [P.SCRIPT, P.NUL, "x" * 100_000, P.EMOJI]:
                no_500(client, url, {param: value}, label=param)
