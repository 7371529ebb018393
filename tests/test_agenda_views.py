"""Registering through the event page's HTML forms (plain POST with CSRF, no JavaScript):
register, waitlist, cancel, double submission, refused requests, rosters and their
permissions."""

import re
from datetime import timedelta
from html import unescape

import pytest
from django.core import mail
from django.test import Client

from cms.agenda.models import EventPage, Registration
from tests.agenda_factories import in_days, make_event, with_places
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def login(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def party(site_tree):
    return with_places(capacity=1, title="Fête de quartier")


def key(event, n=0):
    return event.upcoming_occurrences()[n].key


def post(client, event, action, **data):
    return client.post(f"{event.url}{action}/", data, follow=True)


def text(response):
    """The page as read: entities decoded (' and ' alike)."""
    return unescape(response.content.decode())


def test_the_form_is_a_plain_post_with_csrf(party, resident):
    client = Client(enforce_csrf_checks=True)
    client.force_login(resident)
    content = text(client.get(party.url))
    form = re.search(r'<form method="post" action="([^"]+)">(.*?)</form>', content, re.S)
    assert form.group(1) == f"{party.url}inscription/"
    assert 'name="csrfmiddlewaretoken"' in form.group(2)
    assert f'name="occurrence" value="{key(party)}"' in form.group(2)
    assert "Je m'inscris" in form.group(2)
    # Without the token: refused.
    assert client.post(f"{party.url}inscription/", {"occurrence": key(party)}).status_code == 403


def test_register_then_see_it_then_cancel(party, resident):
    client = login(resident)
    response = post(client, party, "inscription", occurrence=key(party))
    assert "votre inscription pour le" in text(response)
    assert "Votre inscription est enregistrée." in text(response)
    assert Registration.objects.get(user=resident).status == "confirmed"
    response = post(client, party, "desinscription", occurrence=key(party))
    assert "Votre inscription du" in text(response)
    assert not Registration.objects.active().exists()


def test_double_submission_is_one_registration(party, resident):
    client = login(resident)
    post(client, party, "inscription", occurrence=key(party))
    post(client, party, "inscription", occurrence=key(party))
    assert Registration.objects.count() == 1


def test_full_date_offers_the_waitlist_and_promotion_emails(
    party, resident, other_resident, django_capture_on_commit_callbacks
):
    post(login(resident), party, "inscription", occurrence=key(party))
    other = login(other_resident)
    content = text(other.get(party.url))
    assert "Complet" in content and "Rejoindre la liste d'attente" in content
    assert 'name="liste_attente" value="1"' in content
    response = post(other, party, "inscription", occurrence=key(party), liste_attente="1")
    assert "liste d'attente" in text(response)
    assert "n° 1" in text(response)
    with django_capture_on_commit_callbacks(execute=True):
        post(login(resident), party, "desinscription", occurrence=key(party))
    assert Registration.objects.get(user=other_resident).status == "confirmed"
    promotions = [m.to for m in mail.outbox if "place s'est libérée" in m.subject]
    assert promotions == [[other_resident.email]]


def test_place_asked_but_date_just_filled(party, resident, other_resident):
    post(login(resident), party, "inscription", occurrence=key(party))
    response = post(login(other_resident), party, "inscription", occurrence=key(party))
    assert "vient d'être complète" in text(response)
    assert not Registration.objects.filter(user=other_resident).exists()


@pytest.mark.parametrize(
    "value", ["", "demain", "2027-13-45T10:00:00+01:00", "x" * 5000, "2027-03-02T10:00:00"]
)
def test_bad_dates_give_a_clear_error(party, resident, value):
    response = post(login(resident), party, "inscription", occurrence=value)
    assert response.status_code == 200
    assert "Cette date n'existe pas pour cet événement" in text(response)
    assert not Registration.objects.exists()


def test_a_date_that_is_not_the_events(party, resident):
    wrong = (party.upcoming_occurrences()[0].start + timedelta(hours=1)).isoformat()
    response = post(login(resident), party, "inscription", occurrence=wrong)
    assert "Cette date n'existe pas" in text(response)


def test_past_events_offer_no_form_and_refuse_registration(site_tree, resident):
    past = with_places(capacity=3, start=in_days(-2))
    client = login(resident)
    assert "inscription/" not in text(client.get(past.url))
    response = post(client, past, "inscription", occurrence=past.start.isoformat())
    assert response.status_code == 200
    assert not Registration.objects.exists()


def test_anonymous_visitors_are_sent_to_log_in(client, party):
    content = text(client.get(party.url))
    assert "Se connecter pour s'inscrire" in content
    response = client.post(f"{party.url}inscription/", {"occurrence": key(party)})
    assert response.status_code == 302
    assert response["Location"].startswith("/comptes/login/")
    assert not Registration.objects.exists()
    response = client.post(f"{party.url}desinscription/", {"occurrence": key(party)})
    assert response["Location"].startswith("/comptes/login/")


def test_get_on_an_action_address_goes_back_to_the_event(party, resident):
    response = login(resident).get(f"{party.url}inscription/")
    assert response.status_code == 302 and response["Location"].startswith(party.url)


def test_cancel_without_registration_is_harmless(party, resident):
    response = post(login(resident), party, "desinscription", occurrence=key(party))
    assert "Vous n'avez pas d'inscription" in text(response)


def test_recurring_event_registers_for_the_chosen_date(site_tree, resident):
    event = with_places(capacity=5, repeat=EventPage.Repeat.WEEKLY, repeat_count=3)
    client = login(resident)
    post(client, event, "inscription", occurrence=key(event, 1))
    registration = Registration.objects.get()
    assert registration.slot.starts_at == event.upcoming_occurrences()[1].start
    content = text(client.get(event.url))
    assert content.count("Votre inscription est enregistrée.") == 1
    assert content.count("Je m'inscris") == 2


# --- Rosters --------------------------------------------------------------------------------


@pytest.fixture
def registered(party, resident, other_resident):
    post(login(resident), party, "inscription", occurrence=key(party))
    post(login(other_resident), party, "inscription", occurrence=key(party), liste_attente="1")
    return party


def test_anonymous_roster_goes_to_login(client, registered):
    response = client.get(f"{registered.url}inscrits/")
    assert response.status_code == 302 and "/comptes/login/" in response["Location"]


def test_residents_cannot_see_rosters(registered, resident, partner):
    for user in (resident, partner):
        response = login(user).get(f"{registered.url}inscrits/")
        assert response.status_code == 403
        assert "Amina" not in text(response)
    assert "Liste des personnes inscrites" not in text(login(resident).get(registered.url))


@pytest.mark.parametrize("who", ["editor", "manager"])
def test_staff_see_the_roster(registered, request, who):
    staff = request.getfixturevalue(who)
    assert "Liste des personnes inscrites (Régie)" in text(login(staff).get(registered.url))
    response = login(staff).get(f"{registered.url}inscrits/")
    content = text(response)
    assert response.status_code == 200
    assert "Amina B." in content and "Marcel D." in content
    assert content.index("Amina B.") < content.index("Liste d'attente, dans l'ordre")
    assert content.index("Liste d'attente, dans l'ordre") < content.index("Marcel D.")
    assert '<th scope="col">' in content
    assert "no-cache" in response["Cache-Control"] or "no-store" in response["Cache-Control"]


def test_the_event_page_is_not_cached_for_logged_in_people(party, resident):
    response = login(resident).get(party.url)
    assert "no-store" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]


def test_an_event_without_registration_has_no_form(site_tree, resident):
    event = make_event(title="Concert")
    content = text(login(resident).get(event.url))
    assert "inscription/" not in content and "Places libres" not in content


def test_inactive_account_gets_a_clear_refusal(party, tilleuls):
    user = UserFactory(neighbourhood=tilleuls)
    client = login(user)
    user.is_active = False
    user.save()
    response = client.post(f"{party.url}inscription/", {"occurrence": key(party)})
    assert response.status_code in (302, 403)
    assert not Registration.objects.exists()
