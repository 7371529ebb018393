"""Who reaches which assembly page, and which refused action leaves the database unchanged:
anonymous visitors, a resident of another neighbourhood, a registered member who is not the
chair, a partner, Régie staff. And the secret ballot: no page says who chose what."""

import html

import pytest
from django.test import Client

from civic.assemblies.models import Assembly, Ballot, FloorRequest, Motion, Participant
from tests.assemblies_factories import (
    close,
    make_assembly,
    make_motion,
    open_vote,
    option,
    present_member,
    register_member,
    resident_of,
    vote,
)

pytestmark = pytest.mark.django_db


def login(user):
    client = Client()
    client.force_login(user)
    return client


def text_of(response):
    return html.unescape(response.content.decode())


def main_of(response):
    """The page's content, without the live script's strings."""
    return text_of(response).split('id="assembly-live-strings"')[0]


@pytest.fixture
def assembly(manager, tilleuls):
    return make_assembly(manager, tilleuls, items=["Budget", "Jardin"])


def url(assembly, suffix=""):
    return f"/assemblees/{assembly.pk}/{suffix}"


STAFF_PAGES = ["presidence/", "accueil/"]
LIVE_PAGES = ["seance/", "projecteur/"]


# --- Anonymous ------------------------------------------------------------------------------


def test_anonymous_sees_public_pages_and_is_sent_to_login_elsewhere(assembly):
    client = Client()
    assert client.get("/assemblees/").status_code == 200
    assert client.get(url(assembly)).status_code == 200
    for page in LIVE_PAGES + STAFF_PAGES + ["accueil/abc/"]:
        response = client.get(url(assembly, page))
        assert (
            response.status_code == 302
            and "/login" in response["Location"]
            or ("connexion" in response["Location"])
        ), page
    response = client.post(url(assembly, "inscription/"))
    assert response.status_code == 302
    assert not Participant.objects.exists()


def test_unpublished_assembly_is_404_for_residents_visible_to_staff(manager, tilleuls, resident):
    hidden = make_assembly(manager, tilleuls, is_published=False)
    for client in (Client(), login(resident)):
        for page in ["", "seance/", "projecteur/", "presidence/", "accueil/"]:
            assert client.get(url(hidden, page)).status_code in (404, 302), page
    assert login(resident).get(url(hidden)).status_code == 404
    assert login(resident).post(url(hidden, "inscription/")).status_code == 404
    assert login(manager).get(url(hidden)).status_code == 200


# --- Resident of another neighbourhood ------------------------------------------------------


def test_other_neighbourhood_resident_gets_403_on_live_pages(assembly, other_resident, manager):
    client = login(other_resident)
    for page in LIVE_PAGES + STAFF_PAGES:
        response = client.get(url(assembly, page))
        assert response.status_code == 403, page
        assert "Accès refusé" in text_of(response)
    motion = open_vote(assembly, manager)
    response = client.post(
        url(assembly, f"votes/{motion.pk}/"), {"option": option(motion, "for").pk}
    )
    assert response.status_code == 403
    assert client.post(url(assembly, "parole/")).status_code == 403
    assert not Ballot.objects.exists() and not FloorRequest.objects.exists()


def test_other_neighbourhood_registered_at_desk_may_follow(assembly, other_resident, manager):
    register_member(assembly, other_resident, manager)
    assert login(other_resident).get(url(assembly, "seance/")).status_code == 200


# --- A member is not the chair nor the door ---------------------------------------------------


def test_member_cannot_chair_nor_check_in(assembly, resident, manager):
    me = register_member(assembly, resident)
    other = register_member(assembly, resident_of(assembly, display_name="Bernard"))
    motion = make_motion(assembly, manager)
    client = login(resident)
    for page in STAFF_PAGES + [f"accueil/{me.presence_code}/"]:
        assert client.get(url(assembly, page)).status_code == 403, page
    posts = [
        ("presidence/ouvrir-seance/", {}),
        ("presidence/terminer-seance/", {}),
        (
            "presidence/preparer-vote/",
            {"question": "Pirate ?", "kind": "for_against", "majority": "simple"},
        ),
        ("presidence/ouvrir-vote/", {"id": motion.pk}),
        ("presidence/clore-vote/", {"id": motion.pk}),
        ("presidence/point-suivant/", {}),
        ("presidence/parole-suivante/", {}),
        ("accueil/presence/", {"participant": me.pk}),
        ("accueil/presence/", {"participant": other.pk}),
        ("accueil/inscrire/", {"email": "x@example.org"}),
        ("accueil/procuration/", {"giver": other.pk, "holder": me.pk}),
        (f"accueil/{me.presence_code}/", {}),
    ]
    for page, data in posts:
        response = client.post(url(assembly, page), data)
        assert response.status_code == 403, page
    assembly.refresh_from_db()
    assert assembly.session_status == "not_started"
    assert Motion.objects.get().status == "draft" and Motion.objects.count() == 1
    assert not Participant.objects.filter(checked_in_at__isnull=False).exists()
    assert not Participant.objects.filter(proxy_holder__isnull=False).exists()


def test_scanning_own_code_teaches_nothing(assembly, resident):
    me = register_member(assembly, resident)
    response = login(resident).get(url(assembly, f"accueil/{me.presence_code}/"))
    assert response.status_code == 403
    assert "Noter la présence" not in text_of(response)


def test_partner_has_no_staff_page(assembly, partner):
    client = login(partner)
    for page in STAFF_PAGES + LIVE_PAGES:
        assert client.get(url(assembly, page)).status_code == 403, page


@pytest.mark.parametrize("persona", ["editor", "manager"])
def test_staff_reach_every_page(request, persona, assembly, resident, manager):
    user = request.getfixturevalue(persona)
    me = register_member(assembly, resident)
    client = login(user)
    for page in [
        "",
        "seance/",
        "projecteur/",
        "presidence/",
        "accueil/",
        f"accueil/{me.presence_code}/",
    ]:
        assert client.get(url(assembly, page)).status_code == 200, page
    client.post(url(assembly, f"accueil/{me.presence_code}/"))
    me.refresh_from_db()
    assert me.is_present


def test_unregistered_resident_follows_but_cannot_vote(assembly, manager, resident):
    motion = open_vote(assembly, manager)
    client = login(resident)
    assert client.get(url(assembly, "seance/")).status_code == 200
    response = client.post(
        url(assembly, f"votes/{motion.pk}/"), {"option": option(motion, "for").pk}
    )
    assert response.status_code == 400
    assert "pas d'inscription" in text_of(response)
    assert not Ballot.objects.exists()


# --- Secret ballot ----------------------------------------------------------------------------


def test_secret_ballot_no_page_tells_who_chose_what(assembly, resident, manager, editor):
    present_member(assembly, resident, manager)
    bernard = resident_of(assembly, display_name="Bernard Secret")
    present_member(assembly, bernard, manager)
    motion = open_vote(assembly, manager, "Vote secret ?", is_secret=True)
    vote(resident, motion, "for")
    vote(bernard, motion, "against")

    def pages():
        staff = login(manager)
        yield staff.get(url(assembly, "presidence/"))
        yield staff.get(url(assembly, "projecteur/"))
        yield staff.get(url(assembly, "accueil/"))
        yield staff.get(url(assembly))
        yield staff.get(f"/admin/assemblees/edit/{assembly.pk}/")
        yield login(editor).get(url(assembly, "seance/"))

    # While open: the chair, projector and door show counts only.
    for response in pages():
        body = main_of(response)
        assert response.status_code == 200
        for name in ("Amina B.", "Bernard Secret"):
            for choice in ("Pour", "Contre"):
                assert f"{name} : {choice}" not in body and f"{name} — {choice}" not in body
        assert "choix actuel" not in body  # staff never see a member's choice

    close(motion, manager)
    assert not Ballot.objects.exclude(option=None).exists()
    for response in pages():
        body = main_of(response)
        assert "choix actuel" not in body
    # Each member sees only their own choice, and only while the vote is open.
    assert "choix actuel" not in main_of(login(resident).get(url(assembly, "seance/")))


def test_member_sees_only_own_choice(assembly, resident, manager):
    present_member(assembly, resident, manager)
    bernard = resident_of(assembly, display_name="Bernard")
    present_member(assembly, bernard, manager)
    motion = open_vote(assembly, manager)
    vote(bernard, motion, "against")
    body = text_of(login(resident).get(url(assembly, "seance/")))
    assert "Vous n'avez pas encore voté." in body
    vote(resident, motion, "for")
    response = login(resident).get(url(assembly, "seance/"))
    assert response.context["me"]["participant"]["votes"] == {
        str(response.context["me"]["participant"]["id"]): option(motion, "for").pk
    }


def test_no_500_on_malformed_urls(assembly, manager):
    client = login(manager)
    for path in [
        "/assemblees/0/",
        "/assemblees/99999999999999999999/",
        url(assembly, "accueil/" + "x" * 300 + "/"),
        url(assembly, "votes/0/"),
        "/assemblees/?quartier=" + "x" * 500,
    ]:
        assert client.get(path).status_code in (200, 302, 404), path
    assert Assembly.objects.count() == 1
