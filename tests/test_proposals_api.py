"""The proposals API (/api/proposals/): reading, proposing, supporting, following,
commenting, reporting and staff answers — through the same rules and services as the site."""

import io
import json
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.middleware.csrf import _get_new_csrf_string
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openapi_spec_validator import validate
from PIL import Image
from rest_framework.test import APIClient

from civic.proposals import services
from civic.proposals.lifecycle import Status
from civic.proposals.models import (
    Comment,
    Follow,
    Proposal,
    Report,
    StatusChange,
    Support,
)
from tests.factories import NeighbourhoodFactory, ProposalFactory, ThemeFactory, UserFactory

pytestmark = pytest.mark.django_db

LIST_FIELDS = {
    "id",
    "title",
    "description",
    "theme",
    "neighbourhood",
    "address",
    "latitude",
    "longitude",
    "photo_url",
    "photo_alt",
    "status",
    "status_label",
    "support_count",
    "comment_count",
    "author_name",
    "created_at",
    "published_at",
    "last_answered_at",
    "url",
    "user_supports",
    "user_follows",
    "merged_into",
}
DETAIL_FIELDS = LIST_FIELDS | {"support_open", "history", "can"}
PLACEHOLDER_FIELDS = {"id", "parent", "created_at", "hidden", "deleted"}
COMMENT_FIELDS = PLACEHOLDER_FIELDS | {"author_name", "body", "edited_at", "can_edit", "can_delete"}


# --- Helpers ----------------------------------------------------------------------------------


def assert_json_error(response, status, code=None):
    assert response.status_code == status, response.content[:800]
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "details"}
    assert body["error"]["code"]
    assert body["error"]["message"]
    if code is not None:
        assert body["error"]["code"] == code, body
    return body["error"]


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def as_user(api):
    def login(user):
        api.force_login(user)
        return api

    return login


@pytest.fixture
def theme():
    return ThemeFactory(slug="proprete", name="Propreté")


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def url(proposal=None, suffix=""):
    if proposal is None:
        return "/api/proposals/"
    pk = proposal if isinstance(proposal, int) else proposal.pk
    return f"/api/proposals/{pk}/{suffix}"


def ids(response):
    return [item["id"] for item in response.json()["results"]]


def jpeg_bytes(size=(40, 30)):
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 80, 40)).save(buffer, "JPEG")
    return buffer.getvalue()


def new_proposal_data(**overrides):
    data = {
        "title": "Des bancs place des Tilleuls",
        "description": "Pour que les anciens puissent s'asseoir.",
        "theme": "proprete",
        "neighbourhood": "les-tilleuls",
    }
    data.update(overrides)
    return data


@pytest.fixture
def states(resident, theme):
    """One proposal of the resident's in each state that matters for visibility."""
    make = {
        "published": dict(status=Status.PUBLISHED),
        "under_study": dict(status=Status.UNDER_STUDY),
        "submitted": dict(status=Status.SUBMITTED, published_at=None),
        "refused": dict(status=Status.REFUSED, published_at=None),
        "withdrawn": dict(status=Status.WITHDRAWN, published_at=None),
        "hidden": dict(status=Status.PUBLISHED, is_hidden=True, hidden_reason="Insultes"),
    }
    return {
        name: ProposalFactory(author=resident, theme=theme, title=f"Idée {name}", **fields)
        for name, fields in make.items()
    }


PUBLIC = ("published", "under_study")
PRIVATE = ("submitted", "refused", "withdrawn", "hidden")


# --- List ---------------------------------------------------------------------------------------


def test_list_shows_public_proposals_only(api, states):
    response = api.get(url())
    assert response.status_code == 200
    assert sorted(ids(response)) == sorted(states[name].pk for name in PUBLIC)
    content = response.content.decode()
    for name in PRIVATE:
        assert states[name].title not in content


@pytest.mark.parametrize("persona", ["resident", "other_resident", "manager"])
def test_the_public_list_is_the_same_for_everyone(as_user, request, states, persona):
    response = as_user(request.getfixturevalue(persona)).get(url())
    assert sorted(ids(response)) == sorted(states[name].pk for name in PUBLIC)


def test_list_item_fields(api, resident, other_resident, theme):
    proposal = ProposalFactory(
        author=resident,
        theme=theme,
        address="Place des Tilleuls",
        latitude=Decimal("43.604652"),
        longitude=Decimal("1.444209"),
    )
    services.support_proposal(proposal=proposal, resident=other_resident)
    services.add_comment(proposal=proposal, author=other_resident, body="Oui !")

    response = api.get(url())
    item = response.json()["results"][0]
    assert set(item) == LIST_FIELDS
    assert item["id"] == proposal.pk
    assert item["theme"] == {"slug": "proprete", "name": "Propreté"}
    assert item["neighbourhood"] == {"slug": "les-tilleuls", "name": "Les Tilleuls"}
    assert item["latitude"] == pytest.approx(43.604652)
    assert item["longitude"] == pytest.approx(1.444209)
    assert item["status"] == "published"
    assert item["status_label"] == "Publiée"
    assert item["support_count"] == 1
    assert item["comment_count"] == 1
    assert item["author_name"] == "Amina B."
    assert item["url"] == f"http://testserver/idees/{proposal.pk}/"
    assert item["photo_url"] is None
    assert item["merged_into"] is None
    assert item["user_supports"] is False and item["user_follows"] is False
    # Display names only: no email of anyone, anywhere.
    assert "@" not in response.content.decode()


def test_list_tells_the_requester_what_they_support_and_follow(as_user, resident, other_resident):
    supported = ProposalFactory(author=resident)
    other = ProposalFactory(author=resident)
    services.support_proposal(proposal=supported, resident=other_resident)
    body = as_user(other_resident).get(url()).json()
    state = {item["id"]: (item["user_supports"], item["user_follows"]) for item in body["results"]}
    assert state == {supported.pk: (True, True), other.pk: (False, False)}


def test_mine_lists_the_requesters_own_proposals_in_every_state(as_user, states, other_resident):
    someone_elses = ProposalFactory(author=other_resident)
    response = as_user(states["published"].author).get(url(), {"mine": "true"})
    assert response.status_code == 200
    assert sorted(ids(response)) == sorted(p.pk for p in states.values())
    assert someone_elses.pk not in ids(response)

    response = as_user(other_resident).get(url(), {"mine": "true"})
    assert ids(response) == [someone_elses.pk]


def test_mine_lists_the_latest_sent_first(as_user, resident):
    now = timezone.now()
    published = ProposalFactory(author=resident, created_at=now - timedelta(days=3))
    sent = ProposalFactory(
        author=resident, status=Status.SUBMITTED, published_at=None, created_at=now
    )
    older = ProposalFactory(
        author=resident,
        status=Status.REFUSED,
        published_at=None,
        created_at=now - timedelta(days=5),
    )
    response = as_user(resident).get(url(), {"mine": "true"})
    assert ids(response) == [sent.pk, published.pk, older.pk]


def test_mine_needs_a_login(api, states):
    assert_json_error(api.get(url(), {"mine": "true"}), 403, "not_authenticated")


def test_mine_false_is_the_public_list(as_user, states):
    response = as_user(states["published"].author).get(url(), {"mine": "false"})
    assert sorted(ids(response)) == sorted(states[name].pk for name in PUBLIC)


def test_filters(api, resident, other_resident, regie, theme):
    greens = ThemeFactory(slug="espaces-verts", name="Espaces verts")
    a = ProposalFactory(author=resident, theme=theme, title="Bancs", description="Square")
    b = ProposalFactory(author=other_resident, theme=greens, title="Arbres", description="Rue")
    c = ProposalFactory(
        author=other_resident, theme=theme, status=Status.UNDER_STUDY, title="Poubelles"
    )
    assert sorted(ids(api.get(url(), {"neighbourhood": "les-tilleuls"}))) == [a.pk]
    assert sorted(ids(api.get(url(), {"neighbourhood": "bel-air"}))) == sorted([b.pk, c.pk])
    assert sorted(ids(api.get(url(), {"theme": "espaces-verts"}))) == [b.pk]
    assert ids(api.get(url(), {"status": "under_study"})) == [c.pk]
    assert ids(api.get(url(), {"q": "arbre"})) == [b.pk]
    assert ids(api.get(url(), {"q": "square"})) == [a.pk]
    assert ids(api.get(url(), {"theme": "proprete", "neighbourhood": "bel-air"})) == [c.pk]


@pytest.mark.parametrize(
    ("param", "value"),
    [
        ("neighbourhood", "nulle-part"),
        ("theme", "inconnu"),
        ("status", "archived"),
        ("sort", "author__email"),
        ("sort", "-created_at"),
        ("q", "x" * 201),
    ],
)
def test_bad_filters_are_a_json_400(api, states, param, value):
    error = assert_json_error(api.get(url(), {param: value}), 400, "invalid")
    assert param in error["details"]


def test_sort(api, resident, other_resident, manager):
    now = timezone.now()
    old = ProposalFactory(author=resident, published_at=now - timedelta(days=3))
    middle = ProposalFactory(author=resident, published_at=now - timedelta(days=2))
    recent = ProposalFactory(author=resident, published_at=now - timedelta(days=1))
    for user in (other_resident, manager):
        services.support_proposal(proposal=middle, resident=user)
    services.support_proposal(proposal=old, resident=other_resident)
    Proposal.objects.filter(pk=old.pk).update(last_answered_at=now)
    Proposal.objects.filter(pk=recent.pk).update(last_answered_at=now - timedelta(hours=1))

    assert ids(api.get(url())) == [recent.pk, middle.pk, old.pk]
    assert ids(api.get(url(), {"sort": "newest"})) == [recent.pk, middle.pk, old.pk]
    assert ids(api.get(url(), {"sort": "most_supported"})) == [middle.pk, old.pk, recent.pk]
    assert ids(api.get(url(), {"sort": "recently_answered"})) == [old.pk, recent.pk, middle.pk]


@pytest.mark.parametrize(
    "ordering", ["author__email", "-author__email", "title", "-support_count", "hidden_reason"]
)
def test_ordering_parameter_cannot_reach_other_fields(api, ordering):
    now = timezone.now()
    # Newest first, but the reverse order by author email, by title, by hidden reason.
    made = [
        ProposalFactory(
            author=UserFactory(email=f"{letter}@example.org"),
            title=f"{letter} idée",
            hidden_reason=letter,
            published_at=now - timedelta(days=n),
        )
        for n, letter in enumerate("abcd")
    ]
    expected = [p.pk for p in made]
    response = api.get(url(), {"ordering": ordering})
    assert response.status_code == 200
    assert ids(response) == expected


def test_pagination(api, resident, theme):
    Proposal.objects.bulk_create(
        [
            Proposal(
                author=resident,
                neighbourhood=resident.neighbourhood,
                theme=theme,
                title=f"Idée {n}",
                description="…",
                status=Status.PUBLISHED,
            )
            for n in range(103)
        ]
    )
    body = api.get(url(), {"page_size": "100000"}).json()
    assert body["count"] == 103
    assert len(body["results"]) == 100
    assert body["next"]
    body = api.get(url(), {"page_size": "2", "page": "3"}).json()
    assert len(body["results"]) == 2 and body["previous"]
    assert len(api.get(url()).json()["results"]) == 20
    assert_json_error(api.get(url(), {"page": "999"}), 404, "not_found")


@pytest.mark.parametrize("logged_in", [False, True])
def test_list_queries_do_not_grow_with_the_number_of_rows(
    api, resident, other_resident, theme, django_assert_max_num_queries, logged_in
):
    if logged_in:
        api.force_login(other_resident)

    def make(count):
        for _ in range(count):
            proposal = ProposalFactory(author=UserFactory(), theme=theme)
            services.support_proposal(proposal=proposal, resident=resident)
            services.add_comment(proposal=proposal, author=resident, body="Bien vu")
            services.follow_proposal(proposal=proposal, resident=other_resident)

    make(5)
    with CaptureQueriesContext(connection) as five:
        response = api.get(url(), {"page_size": 50})
    assert len(response.json()["results"]) == 5
    make(20)
    with django_assert_max_num_queries(len(five.captured_queries)):
        response = api.get(url(), {"page_size": 50})
    assert len(response.json()["results"]) == 25
    assert all(item["support_count"] == 1 for item in response.json()["results"])
    assert all(item["user_follows"] is logged_in for item in response.json()["results"])


# --- Detail -------------------------------------------------------------------------------------


def test_detail_has_the_public_history(api, resident, manager, theme):
    proposal = services.submit_proposal(
        author=resident,
        title="Un composteur",
        description="Au pied de l'immeuble.",
        theme=theme,
        neighbourhood=resident.neighbourhood,
    )
    services.publish_proposal(proposal=proposal, actor=manager)
    services.change_status(
        proposal=proposal, actor=manager, to_status=Status.UNDER_STUDY, answer="On regarde."
    )
    response = api.get(url(proposal))
    assert response.status_code == 200
    body = response.json()
    assert set(body) == DETAIL_FIELDS
    assert body["status"] == "under_study"
    history = body["history"]
    assert [step["to_status"] for step in history] == ["submitted", "published", "under_study"]
    assert set(history[0]) == {
        "to_status",
        "status_label",
        "answer",
        "actor_label",
        "automatic",
        "created_at",
    }
    assert history[2]["answer"] == "On regarde."
    assert history[2]["actor_label"] == "La Régie"
    assert history[2]["status_label"] == "À l'étude"
    assert history[2]["automatic"] is False
    # The Régie answers as the Régie: no staff name, no email.
    assert "Nadia" not in response.content.decode()
    assert "@" not in response.content.decode()
    assert body["can"] == {
        "edit": False,
        "withdraw": False,
        "support": False,
        "follow": False,
        "comment": False,
        "report": False,
        "moderate": False,
    }


def test_detail_capabilities_come_from_the_rules(as_user, resident, manager):
    proposal = ProposalFactory(author=resident, status=Status.SUBMITTED)
    assert as_user(resident).get(url(proposal)).json()["can"] == {
        "edit": True,
        "withdraw": True,
        "support": False,
        "follow": True,
        "comment": False,
        "report": True,
        "moderate": False,
    }
    assert as_user(manager).get(url(proposal)).json()["can"]["moderate"] is True


@pytest.mark.parametrize("name", PRIVATE)
def test_not_public_proposals_are_a_404_like_missing_ones(
    api, as_user, states, other_resident, name
):
    missing = assert_json_error(api.get(url(999999)), 404, "not_found")
    assert assert_json_error(api.get(url(states[name])), 404) == missing
    as_user(other_resident)
    assert assert_json_error(api.get(url(states[name])), 404) == missing


@pytest.mark.parametrize("name", PRIVATE)
@pytest.mark.parametrize("persona", ["resident", "manager", "editor"])
def test_author_and_staff_see_not_public_proposals(as_user, request, states, name, persona):
    response = as_user(request.getfixturevalue(persona)).get(url(states[name]))
    assert response.status_code == 200
    assert response.json()["status"] == states[name].status


@pytest.mark.parametrize(
    "path",
    [
        "/api/proposals/abc/",
        "/api/proposals/1.5/",
        "/api/proposals/-1/",
        "/api/proposals/99999999999999999999999999/",
        "/api/proposals/1/nope/",
        "/api/proposals/abc/comments/",
        "/api/proposals/1/comments/abc/",
        "/api/proposals/99999999999999999999999999/comments/",
    ],
)
def test_bad_ids_are_a_json_404(api, states, path):
    assert_json_error(api.get(path), 404)


def test_unsupported_methods_are_json_too(as_user, resident, states):
    client = as_user(resident)
    proposal = states["submitted"]
    assert_json_error(client.put(url(proposal), {}, format="json"), 405)
    assert_json_error(client.delete(url(proposal)), 405)
    assert_json_error(client.get(url(proposal, "support/")), 405)
    assert Proposal.objects.filter(pk=proposal.pk).exists()


@pytest.mark.parametrize("path", ["", "{pk}/", "{pk}/comments/", "{pk}/support/"])
def test_options_describe_the_endpoints_to_anyone(api, states, path):
    response = api.options(url() + path.format(pk=states["published"].pk))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")


# --- Submitting -----------------------------------------------------------------------------------


def test_resident_submits_a_proposal_in_json(as_user, resident, theme, tilleuls):
    response = as_user(resident).post(
        url(),
        new_proposal_data(address="Place des Tilleuls", latitude=43.6046521, longitude="1.4442"),
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert set(body) == DETAIL_FIELDS
    proposal = Proposal.objects.get(pk=body["id"])
    assert response["Location"].endswith(f"/api/proposals/{proposal.pk}/")
    assert proposal.author == resident
    assert proposal.status == Status.SUBMITTED
    assert proposal.neighbourhood == tilleuls
    assert proposal.latitude == Decimal("43.604652")  # rounded to 6 places, not refused
    assert body["latitude"] == pytest.approx(43.604652)
    assert body["status"] == "submitted"
    assert body["user_follows"] is True
    assert [step["to_status"] for step in body["history"]] == ["submitted"]
    assert Follow.objects.filter(proposal=proposal, resident=resident).exists()
    # Not public yet: only its author (and staff) see it.
    assert proposal.pk not in ids(APIClient().get(url()))


def test_resident_submits_a_proposal_with_a_photo(as_user, resident, theme, media):
    photo = SimpleUploadedFile("IMG_0001 maison.jpg", jpeg_bytes(), content_type="image/jpeg")
    response = as_user(resident).post(
        url(), new_proposal_data(photo=photo, photo_alt="Le square"), format="multipart"
    )
    assert response.status_code == 201, response.content
    proposal = Proposal.objects.get(pk=response.json()["id"])
    assert proposal.photo.name.endswith(".jpg")
    assert "IMG_0001" not in proposal.photo.name
    assert response.json()["photo_url"].startswith("http://testserver/media/proposals/")
    assert response.json()["photo_alt"] == "Le square"


@pytest.mark.parametrize(
    "photo",
    [
        SimpleUploadedFile("photo.jpg", b"not an image at all", content_type="image/jpeg"),
        SimpleUploadedFile("photo.gif", b"GIF89a\x01\x00\x01\x00\x00\x00\x00;"),
    ],
)
def test_a_file_that_is_not_a_photo_is_a_400(as_user, resident, theme, media, photo):
    photo.seek(0)
    response = as_user(resident).post(url(), new_proposal_data(photo=photo), format="multipart")
    error = assert_json_error(response, 400, "invalid")
    assert "photo" in error["details"]
    assert not Proposal.objects.exists()


BAD_PROPOSALS = {
    "unknown theme": new_proposal_data(theme="nope"),
    "theme as a list": new_proposal_data(theme=["proprete"]),
    "theme as an object": new_proposal_data(theme={"slug": "proprete"}),
    "unknown neighbourhood": new_proposal_data(neighbourhood="nulle-part"),
    "inactive neighbourhood": new_proposal_data(neighbourhood="ancien"),
    "inactive theme": new_proposal_data(theme="ancien-theme"),
    "latitude 999": new_proposal_data(latitude=999, longitude=1.4),
    "longitude -181": new_proposal_data(latitude=43.6, longitude=-181),
    "latitude without longitude": new_proposal_data(latitude=43.6),
    "latitude not a number": new_proposal_data(latitude="abc", longitude=1.4),
    "latitude NaN": new_proposal_data(latitude="NaN", longitude=1.4),
    "latitude Infinity": new_proposal_data(latitude="Infinity", longitude=1.4),
    "latitude huge exponent": new_proposal_data(latitude="1e999999", longitude=1.4),
    "latitude as a list": new_proposal_data(latitude=[1], longitude=1.4),
    "100 kB title": new_proposal_data(title="x" * 100_000),
    "blank title": new_proposal_data(title="   "),
    "no title": {k: v for k, v in new_proposal_data().items() if k != "title"},
    "title as an object": new_proposal_data(title={"a": 1}),
    "NUL character": new_proposal_data(title="Des bancs\x00"),
    "description too long": new_proposal_data(description="x" * 5001),
    "address too long": new_proposal_data(address="x" * 201),
    "status given": new_proposal_data(status="published"),
    "author given": new_proposal_data(author=1),
    "photo not a file": new_proposal_data(photo="http://example.org/a.jpg"),
}


@pytest.mark.parametrize("data", BAD_PROPOSALS.values(), ids=BAD_PROPOSALS.keys())
def test_bad_proposals_are_a_json_400_and_nothing_is_written(as_user, resident, regie, theme, data):
    NeighbourhoodFactory(regie=regie, slug="ancien", is_active=False)
    ThemeFactory(slug="ancien-theme", is_active=False)
    response = as_user(resident).post(url(), data, format="json")
    error = assert_json_error(response, 400, "invalid")
    assert error["details"]
    assert not Proposal.objects.exists()


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        ("{not json", "application/json"),
        ("[1, 2]", "application/json"),
        ('"a string"', "application/json"),
        ("null", "application/json"),
        ("<xml/>", "application/xml"),
    ],
)
def test_malformed_bodies_are_a_client_error(as_user, resident, theme, body, content_type):
    response = as_user(resident).generic("POST", url(), body, content_type=content_type)
    assert response.status_code in (400, 415)
    assert_json_error(response, response.status_code)
    assert not Proposal.objects.exists()


def test_anonymous_cannot_submit(api, theme, tilleuls):
    response = api.post(url(), new_proposal_data(), format="json")
    assert_json_error(response, 403, "not_authenticated")
    assert not Proposal.objects.exists()


def test_session_writes_need_the_csrf_token(resident, theme):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(resident)
    error = assert_json_error(
        client.post(url(), new_proposal_data(), format="json"), 403, "permission_denied"
    )
    assert "CSRF" in error["message"]
    assert not Proposal.objects.exists()

    token = _get_new_csrf_string()
    client.cookies["csrftoken"] = token
    response = client.post(
        url(), new_proposal_data(), format="json", headers={"X-CSRFToken": token}
    )
    assert response.status_code == 201
    assert Proposal.objects.count() == 1


def test_support_without_csrf_token_is_refused(resident, other_resident):
    proposal = ProposalFactory(author=resident)
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(other_resident)
    assert_json_error(client.put(url(proposal, "support/")), 403, "permission_denied")
    assert not Support.objects.exists()


# --- Editing and withdrawing ---------------------------------------------------------------------


def test_author_edits_while_awaiting_moderation(as_user, resident, bel_air):
    proposal = ProposalFactory(author=resident, status=Status.SUBMITTED)
    response = as_user(resident).patch(
        url(proposal),
        {"title": "Des bancs, et de l'ombre", "neighbourhood": "bel-air"},
        format="json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["title"] == "Des bancs, et de l'ombre"
    proposal.refresh_from_db()
    assert proposal.title == "Des bancs, et de l'ombre"
    assert proposal.neighbourhood == bel_air
    assert proposal.status == Status.SUBMITTED


def test_author_adds_then_removes_a_photo(as_user, resident, media):
    proposal = ProposalFactory(author=resident, status=Status.SUBMITTED)
    client = as_user(resident)
    photo = SimpleUploadedFile("p.png", jpeg_bytes(), content_type="image/jpeg")
    response = client.patch(url(proposal), {"photo": photo}, format="multipart")
    assert response.status_code == 200, response.content
    assert response.json()["photo_url"]
    response = client.patch(url(proposal), {"remove_photo": True}, format="json")
    assert response.json()["photo_url"] is None
    proposal.refresh_from_db()
    assert not proposal.photo


def test_edit_keeps_coordinates_in_pairs(as_user, resident):
    proposal = ProposalFactory(
        author=resident,
        status=Status.SUBMITTED,
        latitude=Decimal("43.6"),
        longitude=Decimal("1.4"),
    )
    client = as_user(resident)
    assert client.patch(url(proposal), {"latitude": 43.7}, format="json").status_code == 200
    assert_json_error(client.patch(url(proposal), {"latitude": None}, format="json"), 400)
    response = client.patch(url(proposal), {"latitude": None, "longitude": None}, format="json")
    assert response.status_code == 200
    proposal.refresh_from_db()
    assert proposal.latitude is None and proposal.longitude is None


@pytest.mark.parametrize(
    "data",
    [
        {"status": "published"},
        {"support_open": False},
        {"is_hidden": True},
        {"author": 1},
        {"title": ""},
        {"theme": "nope"},
        {"latitude": 999, "longitude": 0},
    ],
)
def test_edits_outside_the_editable_fields_are_a_400(as_user, resident, data):
    proposal = ProposalFactory(author=resident, status=Status.SUBMITTED, title="Avant")
    assert_json_error(as_user(resident).patch(url(proposal), data, format="json"), 400)
    proposal.refresh_from_db()
    assert (proposal.title, proposal.status, proposal.is_hidden) == ("Avant", "submitted", False)


def test_no_edit_once_published(as_user, resident):
    proposal = ProposalFactory(author=resident, title="Avant")
    error = assert_json_error(
        as_user(resident).patch(url(proposal), {"title": "Après"}, format="json"),
        403,
        "permission_denied",
    )
    assert error["message"]
    proposal.refresh_from_db()
    assert proposal.title == "Avant"


def test_author_withdraws(as_user, resident, other_resident):
    proposal = ProposalFactory(author=resident)
    assert_json_error(as_user(other_resident).post(url(proposal, "withdraw/")), 403)
    response = as_user(resident).post(url(proposal, "withdraw/"))
    assert response.status_code == 200
    assert response.json()["status"] == "withdrawn"
    assert response.json()["history"][-1]["to_status"] == "withdrawn"
    # Withdrawn is final: a second time is refused, and nothing more is written.
    assert_json_error(as_user(resident).post(url(proposal, "withdraw/")), 403)
    assert StatusChange.objects.filter(proposal=proposal, to_status="withdrawn").count() == 1
    # The public no longer sees it.
    assert_json_error(APIClient().get(url(proposal)), 404)


# --- Supports and follows ------------------------------------------------------------------------


def test_support_is_idempotent(as_user, resident, other_resident):
    proposal = ProposalFactory(author=resident)
    client = as_user(other_resident)
    first = client.put(url(proposal, "support/"))
    second = client.put(url(proposal, "support/"))
    assert first.status_code == second.status_code == 200
    assert first.json() == second.json() == {"supported": True, "support_count": 1}
    assert Support.objects.filter(proposal=proposal).count() == 1
    # Supporting follows the idea.
    assert Follow.objects.filter(proposal=proposal, resident=other_resident).exists()

    first = client.delete(url(proposal, "support/"))
    second = client.delete(url(proposal, "support/"))
    assert first.status_code == second.status_code == 200
    assert first.json() == second.json() == {"supported": False, "support_count": 0}
    assert not Support.objects.exists()


def test_withdrawing_a_support_never_given_is_fine(as_user, resident, other_resident):
    proposal = ProposalFactory(author=resident)
    services.support_proposal(proposal=proposal, resident=resident)
    response = as_user(other_resident).delete(url(proposal, "support/"))
    assert response.status_code == 200
    assert response.json() == {"supported": False, "support_count": 1}
    assert Support.objects.count() == 1


def test_support_count_is_shared(as_user, resident, other_resident, manager):
    proposal = ProposalFactory(author=resident)
    as_user(other_resident).put(url(proposal, "support/"))
    response = as_user(manager).put(url(proposal, "support/"))
    assert response.json() == {"supported": True, "support_count": 2}


def test_the_threshold_moves_the_idea_to_study(as_user, resident, other_resident, regie):
    regie.support_threshold = 1
    regie.save()
    proposal = ProposalFactory(author=resident)
    response = as_user(other_resident).put(url(proposal, "support/"))
    assert response.json() == {"supported": True, "support_count": 1}
    proposal.refresh_from_db()
    assert proposal.status == Status.UNDER_STUDY


def test_support_closed_is_a_json_403(as_user, resident, other_resident, manager):
    proposal = ProposalFactory(author=resident)
    services.support_proposal(proposal=proposal, resident=other_resident)
    services.set_support_open(proposal=proposal, actor=manager, is_open=False)
    client = as_user(other_resident)
    error = assert_json_error(client.delete(url(proposal, "support/")), 403, "permission_denied")
    assert "soutenue" in error["message"]
    assert Support.objects.filter(proposal=proposal).count() == 1
    assert_json_error(as_user(manager).put(url(proposal, "support/")), 403)
    assert Support.objects.filter(proposal=proposal).count() == 1


@pytest.mark.parametrize("status", ["accepted", "rejected", "in_progress", "done", "merged"])
def test_decided_ideas_cannot_be_supported(as_user, resident, other_resident, status):
    target = ProposalFactory(author=resident)
    proposal = ProposalFactory(
        author=resident, status=status, merged_into=target if status == "merged" else None
    )
    assert_json_error(as_user(other_resident).put(url(proposal, "support/")), 403)
    assert not Support.objects.exists()


def test_anonymous_support_is_a_json_403_not_authenticated(api, resident):
    proposal = ProposalFactory(author=resident)
    error = assert_json_error(api.put(url(proposal, "support/")), 403, "not_authenticated")
    assert error["details"] is None
    assert_json_error(api.delete(url(proposal, "support/")), 403, "not_authenticated")
    assert not Support.objects.exists()


def test_follow_is_idempotent(as_user, resident, other_resident):
    proposal = ProposalFactory(author=resident)
    client = as_user(other_resident)
    for _ in range(2):
        response = client.put(url(proposal, "follow/"))
        assert response.status_code == 200
        assert response.json() == {"following": True}
    assert Follow.objects.filter(proposal=proposal, resident=other_resident).count() == 1
    for _ in range(2):
        response = client.delete(url(proposal, "follow/"))
        assert response.status_code == 200
        assert response.json() == {"following": False}
    assert not Follow.objects.filter(resident=other_resident).exists()


def test_following_needs_to_see_the_idea(as_user, api, states, other_resident):
    assert_json_error(as_user(other_resident).put(url(states["submitted"], "follow/")), 404)
    assert_json_error(APIClient().put(url(states["published"], "follow/")), 403)
    assert not Follow.objects.filter(resident=other_resident).exists()


# --- Comments -------------------------------------------------------------------------------------


@pytest.fixture
def thread(resident, other_resident, manager):
    proposal = ProposalFactory(author=resident)
    first = services.add_comment(proposal=proposal, author=resident, body="Premier message")
    reply = services.add_comment(
        proposal=proposal, author=other_resident, body="Une réponse", parent=first
    )
    hidden = services.add_comment(
        proposal=proposal, author=other_resident, body="Propos insultants"
    )
    services.hide_comment(comment=hidden, actor=manager, reason="Insultes")
    deleted = services.add_comment(proposal=proposal, author=resident, body="Message regretté")
    services.delete_comment(comment=deleted, actor=resident)
    return {
        "proposal": proposal,
        "first": first,
        "reply": reply,
        "hidden": hidden,
        "deleted": deleted,
    }


@pytest.mark.parametrize("persona", [None, "resident", "other_resident", "manager"])
def test_comments_list_keeps_hidden_and_deleted_as_placeholders(
    as_user, api, request, thread, persona
):
    client = as_user(request.getfixturevalue(persona)) if persona else api
    response = client.get(url(thread["proposal"], "comments/"))
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 4
    items = {item["id"]: item for item in body["results"]}
    first, reply = items[thread["first"].pk], items[thread["reply"].pk]
    assert set(first) == COMMENT_FIELDS
    assert first["body"] == "Premier message"
    assert first["author_name"] == "Amina B."
    assert first["parent"] is None
    assert reply["parent"] == thread["first"].pk
    assert items[thread["hidden"].pk] == {
        "id": thread["hidden"].pk,
        "parent": None,
        "created_at": items[thread["hidden"].pk]["created_at"],
        "hidden": True,
        "deleted": False,
    }
    assert set(items[thread["deleted"].pk]) == PLACEHOLDER_FIELDS
    assert items[thread["deleted"].pk]["deleted"] is True
    content = response.content.decode()
    assert "Propos insultants" not in content
    assert "Insultes" not in content
    assert "Message regretté" not in content
    assert "@" not in content
    # Only visible comments are counted.
    detail = client.get(url(thread["proposal"])).json()
    assert detail["comment_count"] == 2
    assert client.get(url()).json()["results"][0]["comment_count"] == 2


def test_comment_capabilities(as_user, thread, resident):
    items = {
        item["id"]: item
        for item in as_user(resident).get(url(thread["proposal"], "comments/")).json()["results"]
    }
    assert items[thread["first"].pk]["can_edit"] is True
    assert items[thread["first"].pk]["can_delete"] is True
    assert items[thread["reply"].pk]["can_edit"] is False
    assert items[thread["reply"].pk]["can_delete"] is False


def test_resident_comments_and_replies(as_user, resident, other_resident):
    proposal = ProposalFactory(author=resident)
    client = as_user(other_resident)
    response = client.post(url(proposal, "comments/"), {"body": "  Bonne idée  "}, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert set(body) == COMMENT_FIELDS
    assert body["body"] == "Bonne idée"
    assert body["author_name"] == "Marcel D."
    reply = client.post(
        url(proposal, "comments/"), {"body": "Et moi", "parent": body["id"]}, format="json"
    )
    assert reply.status_code == 201
    # A reply to a reply joins the thread's first comment.
    again = client.post(
        url(proposal, "comments/"), {"body": "Encore", "parent": reply.json()["id"]}, format="json"
    )
    assert again.json()["parent"] == body["id"]
    assert Comment.objects.filter(proposal=proposal).count() == 3


def test_comments_form_encoded_too(as_user, resident, other_resident):
    proposal = ProposalFactory(author=resident)
    response = as_user(other_resident).post(url(proposal, "comments/"), {"body": "Bonne idée"})
    assert response.status_code == 201


@pytest.mark.parametrize(
    ("data", "code"),
    [
        ({"body": ""}, "invalid"),
        ({"body": "   "}, "invalid"),
        ({}, "invalid"),
        ({"body": "x" * 100_000}, "invalid"),
        ({"body": ["a"]}, "invalid"),
        ({"body": "Oui", "parent": "abc"}, "invalid"),
        ({"body": "Oui", "parent": 1.5}, "invalid"),
        ({"body": "Oui", "parent": -3}, "invalid"),
        ({"body": "Oui", "parent": 10**30}, "invalid"),
        ({"body": "Oui", "parent": 999999}, "bad_parent"),
        ({"body": "Oui", "parent": "other proposal"}, "bad_parent"),
        ({"body": "Oui", "parent": "hidden"}, "bad_parent"),
        ({"body": "Oui", "author": 1}, "invalid"),
    ],
)
def test_bad_comments_are_a_json_400(as_user, thread, other_resident, manager, data, code):
    elsewhere = ProposalFactory(author=other_resident)
    other_comment = services.add_comment(proposal=elsewhere, author=other_resident, body="Ailleurs")
    if data.get("parent") == "other proposal":
        data = {**data, "parent": other_comment.pk}
    if data.get("parent") == "hidden":
        data = {**data, "parent": thread["hidden"].pk}
    before = Comment.objects.count()
    response = as_user(other_resident).post(
        url(thread["proposal"], "comments/"), data, format="json"
    )
    assert_json_error(response, 400, code)
    assert Comment.objects.count() == before


@pytest.mark.parametrize("status", ["rejected", "done", "submitted"])
def test_comments_closed(as_user, resident, other_resident, status):
    proposal = ProposalFactory(author=resident, status=status)
    response = as_user(resident).post(url(proposal, "comments/"), {"body": "Oui"}, format="json")
    assert_json_error(response, 403, "permission_denied")
    assert not Comment.objects.exists()


def test_comments_of_a_proposal_one_may_not_see_are_a_404(as_user, api, states, other_resident):
    hidden = states["hidden"]
    Comment.objects.create(proposal=hidden, author=hidden.author, body="Secret")
    assert_json_error(api.get(url(hidden, "comments/")), 404)
    client = as_user(other_resident)
    assert_json_error(client.get(url(hidden, "comments/")), 404)
    assert_json_error(client.post(url(hidden, "comments/"), {"body": "Oui"}, format="json"), 404)
    assert Comment.objects.count() == 1


def test_author_edits_a_comment_within_the_window(as_user, thread, resident, other_resident):
    first = thread["first"]
    path = url(thread["proposal"], f"comments/{first.pk}/")
    response = as_user(resident).patch(path, {"body": "Premier message, corrigé"}, format="json")
    assert response.status_code == 200
    assert response.json()["body"] == "Premier message, corrigé"
    assert response.json()["edited_at"]
    # Someone else's comment: refused, unchanged.
    assert_json_error(as_user(other_resident).patch(path, {"body": "Piraté"}, format="json"), 403)
    first.refresh_from_db()
    assert first.body == "Premier message, corrigé"
    # After the edit window: refused.
    Comment.objects.filter(pk=first.pk).update(created_at=timezone.now() - timedelta(hours=1))
    assert_json_error(as_user(resident).patch(path, {"body": "Trop tard"}, format="json"), 403)
    first.refresh_from_db()
    assert first.body == "Premier message, corrigé"


def test_author_deletes_a_comment(as_user, thread, resident, other_resident):
    first = thread["first"]
    path = url(thread["proposal"], f"comments/{first.pk}/")
    assert_json_error(as_user(other_resident).delete(path), 403)
    assert as_user(resident).delete(path).status_code == 204
    first.refresh_from_db()
    assert first.is_deleted and first.body == ""
    assert_json_error(as_user(resident).delete(path), 403)
    # Its reply stays.
    items = as_user(resident).get(url(thread["proposal"], "comments/")).json()["results"]
    assert [item.get("body") for item in items if item["id"] == thread["reply"].pk] == [
        "Une réponse"
    ]


def test_a_comment_is_reached_only_through_its_own_proposal(as_user, thread, resident):
    elsewhere = ProposalFactory(author=resident)
    path = url(elsewhere, f"comments/{thread['first'].pk}/")
    assert_json_error(as_user(resident).patch(path, {"body": "Ailleurs"}, format="json"), 404)
    assert_json_error(as_user(resident).delete(path), 404)
    thread["first"].refresh_from_db()
    assert thread["first"].body == "Premier message"


# --- Reports --------------------------------------------------------------------------------------


def test_report_a_proposal(as_user, api, resident, other_resident):
    proposal = ProposalFactory(author=resident)
    client = as_user(other_resident)
    for _ in range(2):
        response = client.post(url(proposal, "report/"), {"reason": "Publicité"}, format="json")
        assert response.status_code == 200
        assert response.json() == {"reported": True}
    assert Report.objects.filter(proposal=proposal, reporter=other_resident).count() == 1
    assert_json_error(client.post(url(proposal, "report/"), {"reason": " "}, format="json"), 400)
    assert_json_error(client.post(url(proposal, "report/"), {}, format="json"), 400)
    assert_json_error(
        client.post(url(proposal, "report/"), {"reason": "x" * 501}, format="json"), 400
    )
    assert_json_error(
        APIClient().post(url(proposal, "report/"), {"reason": "Spam"}, format="json"),
        403,
        "not_authenticated",
    )
    assert Report.objects.count() == 1


def test_report_a_comment(as_user, thread, other_resident):
    client = as_user(other_resident)
    path = url(thread["proposal"], f"comments/{thread['first'].pk}/report/")
    response = client.post(path, {"reason": "Hors sujet"}, format="json")
    assert response.status_code == 200
    assert Report.objects.filter(comment=thread["first"]).count() == 1
    # A hidden comment cannot be reported again.
    hidden_path = url(thread["proposal"], f"comments/{thread['hidden'].pk}/report/")
    assert_json_error(client.post(hidden_path, {"reason": "Encore"}, format="json"), 403)
    assert not Report.objects.filter(comment=thread["hidden"], resolved_at__isnull=True).exists()


def test_reporting_a_proposal_one_may_not_see_is_a_404(as_user, states, other_resident):
    response = as_user(other_resident).post(
        url(states["submitted"], "report/"), {"reason": "Spam"}, format="json"
    )
    assert_json_error(response, 404)
    assert not Report.objects.exists()


# --- Staff answers --------------------------------------------------------------------------------


def test_staff_publish_then_answer(as_user, resident, manager):
    proposal = ProposalFactory(author=resident, status=Status.SUBMITTED, published_at=None)
    client = as_user(manager)
    response = client.post(url(proposal, "status/"), {"to_status": "published"}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "published"
    assert response.json()["published_at"]
    response = client.post(
        url(proposal, "status/"),
        {"to_status": "under_study", "answer": "Nous étudions le coût."},
        format="json",
    )
    assert response.json()["history"][-1]["answer"] == "Nous étudions le coût."
    assert response.json()["last_answered_at"]
    proposal.refresh_from_db()
    assert proposal.status == Status.UNDER_STUDY


def test_editor_is_staff_too(as_user, resident, editor):
    proposal = ProposalFactory(author=resident, status=Status.SUBMITTED)
    response = as_user(editor).post(
        url(proposal, "status/"), {"to_status": "published"}, format="json"
    )
    assert response.status_code == 200


def test_a_decision_needs_an_answer(as_user, resident, manager):
    proposal = ProposalFactory(author=resident)
    error = assert_json_error(
        as_user(manager).post(url(proposal, "status/"), {"to_status": "rejected"}, format="json"),
        400,
        "answer_required",
    )
    assert "réponse" in error["message"]
    proposal.refresh_from_db()
    assert proposal.status == Status.PUBLISHED
    assert not StatusChange.objects.filter(proposal=proposal).exists()


def test_an_impossible_transition_is_a_400_with_the_message(as_user, resident, manager):
    proposal = ProposalFactory(author=resident, status=Status.DONE)
    error = assert_json_error(
        as_user(manager).post(
            url(proposal, "status/"), {"to_status": "published", "answer": "Oui"}, format="json"
        ),
        400,
        "invalid_transition",
    )
    assert "Réalisée" in error["message"]
    proposal.refresh_from_db()
    assert proposal.status == Status.DONE


@pytest.mark.parametrize(
    "data",
    [
        {"to_status": "nope"},
        {"to_status": "merged"},
        {"to_status": "submitted"},
        {},
        {"to_status": ["published"]},
        {"to_status": "published", "answer": "x" * 5001},
        {"to_status": "published", "merged_into": 1},
    ],
)
def test_bad_status_requests_are_a_400(as_user, resident, manager, data):
    proposal = ProposalFactory(author=resident, status=Status.SUBMITTED)
    assert_json_error(as_user(manager).post(url(proposal, "status/"), data, format="json"), 400)
    proposal.refresh_from_db()
    assert proposal.status == Status.SUBMITTED


def test_residents_cannot_change_the_status(as_user, api, resident, other_resident):
    proposal = ProposalFactory(author=resident, status=Status.SUBMITTED)
    data = {"to_status": "published"}
    for client, code in (
        (as_user(resident), "permission_denied"),
        (as_user(other_resident), "permission_denied"),
        (APIClient(), "not_authenticated"),
    ):
        assert_json_error(client.post(url(proposal, "status/"), data, format="json"), 403, code)
    proposal.refresh_from_db()
    assert proposal.status == Status.SUBMITTED


# --- Schema ---------------------------------------------------------------------------------------


def test_schema_documents_the_proposals_api(api):
    response = api.get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    schema = json.loads(response.content)
    validate(schema)
    paths = schema["paths"]
    expected = {
        "/api/proposals/": {"get", "post"},
        "/api/proposals/{id}/": {"get", "patch"},
        "/api/proposals/{id}/withdraw/": {"post"},
        "/api/proposals/{id}/support/": {"put", "delete"},
        "/api/proposals/{id}/follow/": {"put", "delete"},
        "/api/proposals/{id}/report/": {"post"},
        "/api/proposals/{id}/status/": {"post"},
        "/api/proposals/{proposal_id}/comments/": {"get", "post"},
        "/api/proposals/{proposal_id}/comments/{id}/": {"patch", "delete"},
        "/api/proposals/{proposal_id}/comments/{id}/report/": {"post"},
    }
    for path, methods in expected.items():
        assert set(paths[path]) - {"parameters"} == methods, path
        for method in methods:
            operation = paths[path][method]
            for parameter in operation.get("parameters", []):
                if parameter["in"] == "path":
                    assert parameter["schema"]["type"] == "integer", (path, parameter)
            if method != "get" or path == "/api/proposals/":
                assert "403" in operation["responses"] or method == "get", (path, method)
    support = paths["/api/proposals/{id}/support/"]["put"]
    assert "not_authenticated" in support["responses"]["403"]["description"]
    assert "requestBody" not in support
    create = paths["/api/proposals/"]["post"]["requestBody"]["content"]
    assert "multipart/form-data" in create and "application/json" in create
    list_params = {p["name"] for p in paths["/api/proposals/"]["get"]["parameters"]}
    assert {"neighbourhood", "theme", "status", "q", "sort", "mine", "page", "page_size"} <= (
        list_params
    )
    assert "ordering" not in list_params
    sort = next(p for p in paths["/api/proposals/"]["get"]["parameters"] if p["name"] == "sort")
    assert set(sort["schema"]["enum"]) == {"newest", "most_supported", "recently_answered"}
    components = schema["components"]["schemas"]
    assert "email" not in components["Proposal"]["properties"]
    assert set(components["Comment"]["required"]) == PLACEHOLDER_FIELDS
