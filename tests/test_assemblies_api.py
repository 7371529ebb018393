"""The assemblies API (/api/assemblies/): list and detail, idempotent registration, the live
snapshot, votes and the members' list — allowed and forbidden paths for each persona, the
API's single error shape, and never who chose what."""

import pytest
from django.middleware.csrf import _get_new_csrf_string
from rest_framework.test import APIClient

from civic.assemblies import live, services
from civic.assemblies.models import MotionKind
from tests.assemblies_factories import (
    close,
    in_days,
    make_assembly,
    make_motion,
    open_vote,
    option,
    present_member,
    register_member,
    resident_of,
    vote,
)
from tests.factories import ProposalFactory, UserFactory

pytestmark = pytest.mark.django_db

BASE = "/api/assemblies/"


def assert_json_error(response, status, code=None):
    assert response.status_code == status, response.content[:800]
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "details"}
    assert body["error"]["message"]
    if code is not None:
        assert body["error"]["code"] == code, body
    return body["error"]


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def as_user():
    def login(user):
        client = APIClient()
        client.force_login(user)
        return client

    return login


@pytest.fixture
def broadcasts(monkeypatch):
    sent = []
    monkeypatch.setattr(live, "votes_cast_changed", lambda *args: sent.append(args))
    return sent


@pytest.fixture
def assembly(manager, tilleuls, resident):
    idea = ProposalFactory(author=resident, title="Des bancs")
    hidden = ProposalFactory(author=resident, title="En attente", status="submitted")
    return make_assembly(
        manager,
        tilleuls,
        items=[
            {"title": "Les bancs", "proposal": idea},
            {"title": "Une idée en attente", "proposal": hidden},
            "Questions diverses",
        ],
        colleges=[("Habitants", 2), ("Bailleurs", 1)],
        quorum_kind="share",
        quorum_value=20,
    )


def url(assembly, rest=""):
    return f"{BASE}{assembly.pk}/{rest}"


def keys(data):
    """Every key in a JSON document."""
    if isinstance(data, dict):
        for key, value in data.items():
            yield key
            yield from keys(value)
    elif isinstance(data, list):
        for value in data:
            yield from keys(value)


# --- List and detail -----------------------------------------------------------------------------


def test_list_shows_published_assemblies_and_staff_see_all(
    api, as_user, assembly, manager, tilleuls, bel_air, resident
):
    draft = make_assembly(manager, tilleuls, title="Brouillon", is_published=False)
    elsewhere = make_assembly(manager, bel_air, title="Bel-Air", starts_at=in_days(3))

    response = api.get(BASE)
    assert response.status_code == 200
    assert [a["id"] for a in response.json()["results"]] == [assembly.pk, elsewhere.pk]
    first = response.json()["results"][0]
    assert set(first) == {
        "id",
        "title",
        "starts_at",
        "place",
        "neighbourhood",
        "is_published",
        "session_status",
        "url",
    }
    assert first["neighbourhood"]["slug"] == "les-tilleuls"
    assert first["url"].endswith(assembly.get_absolute_url())

    assert draft.pk not in [a["id"] for a in as_user(resident).get(BASE).json()["results"]]
    assert draft.pk in [a["id"] for a in as_user(manager).get(BASE).json()["results"]]

    filtered = api.get(BASE, {"neighbourhood": "bel-air"}).json()["results"]
    assert [a["id"] for a in filtered] == [elsewhere.pk]
    assert_json_error(api.get(BASE, {"neighbourhood": "nulle-part"}), 400, "invalid")
    assert_json_error(api.get(BASE, {"page": 99}), 404)


def test_detail_agenda_rules_attendance(api, assembly, resident, manager):
    present_member(assembly, resident, manager)
    response = api.get(url(assembly))
    assert response.status_code == 200
    data = response.json()
    assert [i["title"] for i in data["items"]] == [
        "Les bancs",
        "Une idée en attente",
        "Questions diverses",
    ]
    assert data["items"][0]["proposal"]["title"] == "Des bancs"
    assert data["items"][0]["proposal"]["url"].endswith(
        f"/idees/{assembly.items.first().proposal_id}/"
    )
    assert data["items"][1]["proposal"] is None  # not public
    assert data["rules"]["quorum_kind"] == "share"
    assert data["rules"]["colleges"] == [
        {"name": "Habitants", "weight": 2},
        {"name": "Bailleurs", "weight": 1},
    ]
    assert data["attendance"] == {
        "registered": 1,
        "present": 1,
        "represented": 0,
        "quorum_required": 1,
        "quorum_reached": True,
    }
    assert data["motions"] == []
    assert data["me"]["registered"] is False  # anonymous


def test_detail_of_an_unpublished_assembly_is_a_404_except_for_staff(
    api, as_user, manager, tilleuls, resident, editor
):
    draft = make_assembly(manager, tilleuls, is_published=False)
    assert_json_error(api.get(url(draft)), 404, "not_found")
    assert_json_error(as_user(resident).get(url(draft)), 404, "not_found")
    assert as_user(editor).get(url(draft)).status_code == 200
    assert_json_error(api.get(f"{BASE}999999/"), 404)
    assert_json_error(api.get(f"{BASE}abc/"), 404)


def test_detail_shows_closed_motions_with_their_results(api, assembly, resident, manager):
    present_member(assembly, resident, manager)
    motion = open_vote(assembly, manager, "Des bancs ?")
    vote(resident, motion, "for")
    make_motion(assembly, manager, "Pas encore votée")
    assert api.get(url(assembly)).json()["motions"] == []  # the open one is not a result
    close(motion, manager)

    motions = api.get(url(assembly)).json()["motions"]

    assert len(motions) == 1
    result = motions[0]["result"]
    assert motions[0]["question"] == "Des bancs ?"
    assert result["outcome"] == "adopted"
    assert [(t["label"], t["votes"]) for t in result["tallies"]] == [
        ("Pour", 1),
        ("Contre", 0),
        ("Abstention", 0),
    ]
    assert result["quorum"]["reached"] is True


# --- Registration --------------------------------------------------------------------------------


def test_register_and_unregister_are_idempotent(as_user, assembly, resident):
    client = as_user(resident)
    for _ in range(2):
        response = client.put(url(assembly, "registration/"))
        assert response.status_code == 200, response.content
        data = response.json()
        assert data["registered"] is True
        assert data["college"] == "Habitants"
        assert data["attendance"]["registered"] == 1
    assert assembly.participants.count() == 1
    for _ in range(2):
        response = client.delete(url(assembly, "registration/"))
        assert response.status_code == 200
        assert response.json()["registered"] is False
    assert assembly.participants.count() == 0


def test_registration_refused(api, as_user, assembly, other_resident, resident, manager):
    assert_json_error(api.put(url(assembly, "registration/")), 403, "not_authenticated")
    assert_json_error(api.delete(url(assembly, "registration/")), 403, "not_authenticated")
    assert_json_error(
        as_user(other_resident).put(url(assembly, "registration/")), 403, "other_neighbourhood"
    )
    # Checked in: unregistering is for the desk.
    present_member(assembly, resident, manager)
    assert_json_error(as_user(resident).delete(url(assembly, "registration/")), 409, "present")
    # Ended: registrations are closed, but registering again still answers the same.
    services.open_session(actor=manager, assembly=assembly)
    services.end_session(actor=manager, assembly=assembly)
    assert as_user(resident).put(url(assembly, "registration/")).status_code == 200
    late = resident_of(assembly)
    assert_json_error(as_user(late).put(url(assembly, "registration/")), 403, "closed")


def test_registration_needs_the_csrf_token(assembly, resident):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(resident)
    assert_json_error(client.put(url(assembly, "registration/")), 403, "permission_denied")
    token = _get_new_csrf_string()
    client.cookies["csrftoken"] = token
    response = client.put(url(assembly, "registration/"), HTTP_X_CSRFTOKEN=token)
    assert response.status_code == 200


def test_registration_for_an_unpublished_assembly_is_a_404(as_user, manager, tilleuls, resident):
    draft = make_assembly(manager, tilleuls, is_published=False)
    assert_json_error(as_user(resident).put(url(draft, "registration/")), 404)


# --- Live snapshot -----------------------------------------------------------------------------


def test_live_snapshot_for_those_who_follow(
    api, as_user, assembly, resident, manager, other_resident
):
    present_member(assembly, resident, manager)
    services.open_session(actor=manager, assembly=assembly)

    data = as_user(resident).get(url(assembly, "live/")).json()
    assert set(data) == {"state", "me"}
    assert data["state"]["session"] == "open"
    assert data["state"]["current_item"]["title"] == "Les bancs"
    assert data["me"]["participant"]["present"] is True
    assert data["me"]["is_chair"] is False

    staff = as_user(manager).get(url(assembly, "live/")).json()
    assert staff["me"]["is_chair"] is True
    # A resident of the neighbourhood, not registered, follows too.
    neighbour = resident_of(assembly)
    assert as_user(neighbour).get(url(assembly, "live/")).status_code == 200

    assert_json_error(as_user(other_resident).get(url(assembly, "live/")), 403, "permission_denied")
    assert_json_error(api.get(url(assembly, "live/")), 403, "not_authenticated")


# --- Votes ------------------------------------------------------------------------------------------


def test_a_present_member_votes(as_user, assembly, resident, manager, broadcasts):
    amina = present_member(assembly, resident, manager)
    motion = open_vote(assembly, manager)
    client = as_user(resident)
    for _ in range(2):  # idempotent
        response = client.post(
            url(assembly, f"motions/{motion.pk}/vote/"),
            {"option": option(motion, "for").pk},
            format="json",
        )
        assert response.status_code == 200, response.content
        assert response.json() == {
            "motion": motion.pk,
            "option": option(motion, "for").pk,
            "for": amina.pk,
            "votes_cast": 1,
        }
    assert broadcasts[-1] == (assembly.pk, motion.pk, 1)
    # Changed before the close.
    response = client.post(
        url(assembly, f"motions/{motion.pk}/vote/"),
        f"option={option(motion, 'against').pk}",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.json()["option"] == option(motion, "against").pk
    assert motion.ballots.count() == 1


def test_a_vote_with_a_proxy(as_user, assembly, resident, manager, broadcasts):
    holder = present_member(assembly, resident, manager)
    absent = register_member(assembly, resident_of(assembly))
    services.give_proxy(actor=manager, giver=absent, holder=holder)
    motion = open_vote(assembly, manager)
    response = as_user(resident).post(
        url(assembly, f"motions/{motion.pk}/vote/"),
        {"option": option(motion, "for").pk, "for": absent.pk},
        format="json",
    )
    assert response.status_code == 200
    assert response.json()["for"] == absent.pk
    stranger = register_member(assembly, resident_of(assembly))
    assert_json_error(
        as_user(resident).post(
            url(assembly, f"motions/{motion.pk}/vote/"),
            {"option": option(motion, "for").pk, "for": stranger.pk},
            format="json",
        ),
        400,
        "no_proxy",
    )


def test_votes_refused_with_a_clear_code(api, as_user, assembly, resident, manager, tilleuls):
    present_member(assembly, resident, manager)
    motion = open_vote(assembly, manager)
    path = url(assembly, f"motions/{motion.pk}/vote/")
    good = {"option": option(motion, "for").pk}

    assert_json_error(api.post(path, good, format="json"), 403, "not_authenticated")
    assert_json_error(
        as_user(resident_of(assembly)).post(path, good, format="json"), 400, "not_member"
    )
    absent = register_member(assembly, resident_of(assembly))
    assert_json_error(as_user(absent.user).post(path, good, format="json"), 400, "not_present")
    client = as_user(resident)
    assert_json_error(client.post(path, {"option": 999999}, format="json"), 400, "bad_option")
    for body in ({}, {"option": "pour"}, {"option": -1}, {"option": 10**30}, {"option": 1, "x": 1}):
        assert_json_error(client.post(path, body, format="json"), 400, "invalid")
    assert_json_error(client.post(path, "pas du json", content_type="application/json"), 400)
    # A motion of another assembly: a 404, as if it did not exist.
    other = make_assembly(manager, tilleuls, title="Autre")
    other_motion = make_motion(other, manager, "Ailleurs ?")
    assert_json_error(
        client.post(url(assembly, f"motions/{other_motion.pk}/vote/"), good, format="json"), 404
    )
    close(motion, manager)
    assert_json_error(client.post(path, good, format="json"), 400, "not_open")
    assert_json_error(client.get(path), 405)


# --- Members' list ------------------------------------------------------------------------------


def test_staff_see_the_members(api, as_user, assembly, resident, manager, editor, partner):
    holder = present_member(assembly, resident, manager)
    absent = register_member(assembly, resident_of(assembly, display_name="Dora P."))
    services.give_proxy(actor=manager, giver=absent, holder=holder)
    register_member(assembly, partner, manager, college=assembly.colleges.get(name="Bailleurs"))

    for user in (manager, editor):
        response = as_user(user).get(url(assembly, "participants/"))
        assert response.status_code == 200
        rows = {row["name"]: row for row in response.json()["results"]}
        assert rows["Amina B."]["present"] is True
        assert rows["Dora P."]["proxy_holder"] == holder.pk
        assert rows["Dora P."]["proxy_holder_name"] == "Amina B."
        assert rows["Habitat Sud"]["college"] == "Bailleurs"

    assert_json_error(
        as_user(resident).get(url(assembly, "participants/")), 403, "permission_denied"
    )
    assert_json_error(as_user(partner).get(url(assembly, "participants/")), 403)
    assert_json_error(api.get(url(assembly, "participants/")), 403, "not_authenticated")


# --- Never who chose what -----------------------------------------------------------------------


@pytest.mark.parametrize("is_secret", [True, False])
def test_no_response_says_who_chose_what(as_user, assembly, resident, manager, is_secret):
    present_member(assembly, resident, manager)
    bob = present_member(assembly, resident_of(assembly, display_name="Bob L."), manager)
    motion = open_vote(
        assembly,
        manager,
        "Quel samedi ?",
        kind=MotionKind.CHOICES,
        choices=["Le 14 juin", "Le 21 juin"],
        is_secret=is_secret,
    )
    vote(resident, motion, "Le 14 juin")
    vote(bob.user, motion, "Le 21 juin")
    staff = as_user(manager)

    def everything():
        return [
            staff.get(url(assembly)).json(),
            staff.get(url(assembly, "live/")).json(),
            staff.get(url(assembly, "participants/")).json(),
            staff.get(BASE).json(),
        ]

    for stage in ("open", "closed"):
        if stage == "closed":
            close(motion, manager)
        for data in everything():
            found = set(keys(data))
            assert not found & {"voter", "ballots", "ballot", "cast_by", "choice"}, found
        live_state = staff.get(url(assembly, "live/")).json()
        assert live_state["me"]["participant"] is None  # staff are not members: no "votes"
        for row in staff.get(url(assembly, "participants/")).json()["results"]:
            assert set(row) == {
                "id",
                "name",
                "present",
                "college",
                "proxy_holder",
                "proxy_holder_name",
            }
    # Closed: the tallies, and only them.
    result = staff.get(url(assembly)).json()["motions"][0]["result"]
    # Two voters by secret ballot: each would know the other's choice, so no count.
    assert [(t["label"], t["votes"]) for t in result["tallies"]] == [
        ("Le 14 juin", None if is_secret else 1),
        ("Le 21 juin", None if is_secret else 1),
        ("Abstention", None if is_secret else 0),
    ]
    assert result["withheld"] == ("few_voters" if is_secret else None)
    # A member sees their own choice, and only theirs, while the vote is open: none now.
    assert as_user(resident).get(url(assembly, "live/")).json()["me"]["participant"]["votes"] == {}


def test_a_member_sees_only_their_own_choice_while_open(as_user, assembly, resident, manager):
    amina = present_member(assembly, resident, manager)
    bob = present_member(assembly, resident_of(assembly), manager)
    motion = open_vote(assembly, manager, is_secret=True)
    vote(resident, motion, "for")
    vote(bob.user, motion, "against")
    me = as_user(resident).get(url(assembly, "live/")).json()["me"]["participant"]
    assert me["votes"] == {str(amina.pk): option(motion, "for").pk}


# --- Schema ---------------------------------------------------------------------------------------


def test_the_schema_documents_the_assemblies_api(api):
    schema = api.get("/api/schema/", {"format": "json"}).json()
    paths = schema["paths"]
    assert set(paths["/api/assemblies/{id}/registration/"]) - {"parameters"} == {"put", "delete"}
    assert "post" in paths["/api/assemblies/{id}/motions/{motion_id}/vote/"]
    for path in ("/api/assemblies/", "/api/assemblies/{id}/", "/api/assemblies/{id}/live/"):
        assert "get" in paths[path]
    assert "403" in paths["/api/assemblies/{id}/participants/"]["get"]["responses"]


def test_other_people_are_never_in_the_list(api, assembly, resident):
    UserFactory(neighbourhood=assembly.neighbourhood)
    assert "Amina" not in api.get(BASE).content.decode()
