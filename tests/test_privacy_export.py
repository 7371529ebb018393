"""« Télécharger mes données »: the logged-in person's own data, as a JSON file."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from civic.proposals import services as proposals
from civic.volunteering import services as volunteering
from civic.volunteering.models import CalendarFeed, Shift
from tests.assemblies_factories import close, make_assembly, open_vote, present_member, vote
from tests.factories import ProposalFactory, ShiftFactory

pytestmark = pytest.mark.django_db

URL = "/mon-compte/mes-donnees/"


def download(client, user):
    client.force_login(user)
    response = client.post(URL)
    assert response.status_code == 200
    return response


def test_anonymous_is_sent_to_login_and_get_is_refused(client, resident):
    response = client.post(URL)
    assert response.status_code == 302 and "/comptes/login/" in response["Location"]
    client.force_login(resident)
    assert client.get(URL).status_code == 405


def test_the_post_needs_the_csrf_token(resident):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(resident)
    assert client.post(URL).status_code == 403


def test_a_readable_attachment_never_cached(client, resident):
    response = download(client, resident)
    assert response["Content-Type"].startswith("application/json")
    assert response["Content-Disposition"].startswith("attachment; filename=")
    assert "no-store" in response["Cache-Control"]
    text = response.content.decode()
    assert text.startswith("{\n  ")  # pretty-printed
    assert "Amina B." in text  # not escaped: readable as is
    data = json.loads(text)
    assert data["profil"]["adresse_electronique"] == "amina@example.org"
    assert data["profil"]["quartier"] == "Les Tilleuls"
    assert data["profil"]["telephone"] is None
    assert data["adresses_electroniques"] == [
        {"adresse": "amina@example.org", "verifiee": True, "principale": True}
    ]


def test_everything_of_the_person_and_nothing_of_others(
    client, resident, other_resident, manager, tilleuls
):
    own = ProposalFactory(author=resident, title="Des bancs au square", status="submitted")
    theirs = ProposalFactory(author=other_resident, title="Un composteur")
    proposals.support_proposal(proposal=theirs, resident=resident)
    proposals.follow_proposal(proposal=theirs, resident=resident)
    proposals.add_comment(proposal=theirs, author=resident, body="Bonne idée !")
    proposals.add_comment(proposal=theirs, author=other_resident, body="Texte de Marcel")
    shift = ShiftFactory(action__neighbourhood=tilleuls)
    signup = volunteering.sign_up(shift=shift, actor=resident)
    volunteering.record_attendance(signup=signup, actor=manager, present=True)
    start = timezone.now() - timedelta(days=3)
    Shift.objects.filter(pk=shift.pk).update(starts_at=start, ends_at=start + timedelta(hours=2))
    feed = CalendarFeed.objects.create(user=resident)
    assembly = make_assembly(manager, tilleuls)
    present_member(assembly, resident, manager)
    present_member(assembly, other_resident, manager)
    open_motion = open_vote(assembly, manager)
    vote(resident, open_motion, "for")
    vote(other_resident, open_motion, "against")
    close(open_motion, manager)
    secret = open_vote(assembly, manager, "Élit-on le bureau ?", is_secret=True)
    vote(resident, secret, "against")

    data = json.loads(download(client, resident).content)

    assert [(p["titre"], p["etat"]) for p in data["idees"]] == [
        ("Des bancs au square", str(own.get_status_display()))
    ]
    assert [c["texte"] for c in data["commentaires"]] == ["Bonne idée !"]
    assert [s["idee"] for s in data["soutiens"]] == ["Un composteur"]
    assert [f["idee"] for f in data["abonnements"]] == ["Un composteur"]
    assert data["creneaux_benevoles"][0]["heures_comptees"] == 2
    assert data["heures_donnees"] == 2
    assert data["agenda_personnel"] == {
        "existe": True,
        "jeton": feed.token,
        "cree_le": data["agenda_personnel"]["cree_le"],
    }
    (attended,) = data["assemblees"]
    assert attended["present_le"]
    votes = {v["question"]: v["choix"] for v in attended["votes"]}
    assert votes["Adopte-t-on le budget ?"] == "Pour"
    # A secret ballot's choice is never in the file, even while the vote is open.
    assert "secret" in votes["Élit-on le bureau ?"]
    # Notifications received are the person's own, as they read them on the site (they
    # may name the public author of a comment); nothing else names anyone else.
    assert [n["message"] for n in data.pop("notifications")] == [
        "Marcel D. a commenté « Un composteur »"
    ]
    text = json.dumps(data, ensure_ascii=False)
    for other in ("Marcel D.", "marcel@example.org", "Texte de Marcel", "Contre"):
        assert other not in text


def test_the_other_person_gets_only_their_own(client, resident, other_resident):
    ProposalFactory(author=resident, title="Des bancs au square")
    data = json.loads(download(client, other_resident).content)
    assert data["profil"]["adresse_electronique"] == "marcel@example.org"
    assert data["idees"] == []
    assert "Amina" not in json.dumps(data, ensure_ascii=False)


def test_the_profile_page_offers_the_download(client, resident):
    client.force_login(resident)
    page = client.get("/mon-compte/").content.decode()
    assert f'action="{URL}"' in page and "Télécharger mes données" in page
    assert 'method="post"' in page
