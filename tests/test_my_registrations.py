"""« Mes inscriptions » (every sign-up of the person, then what they took part in) and the
email that confirms each sign-up, waitlist place, promotion and cancellation."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from civic.assemblies import services as assembly_services
from civic.assemblies.models import Assembly
from civic.volunteering import services as volunteering_services
from civic.volunteering.models import Shift, Signup
from cms.agenda import services as agenda_services
from tests.agenda_factories import with_places
from tests.assemblies_factories import make_assembly
from tests.factories import ShiftFactory, UserFactory

pytestmark = pytest.mark.django_db

SITE = "https://quartier.example.org"


@pytest.fixture(autouse=True)
def site_url(settings):
    settings.SITE_URL = SITE


@pytest.fixture
def party(site_tree):
    return with_places(capacity=1, title="Fête de quartier")


@pytest.fixture
def assembly(manager, tilleuls):
    return make_assembly(manager, tilleuls, title="Assemblée des Tilleuls")


def first(event):
    return event.upcoming_occurrences()[0].start


def ics_of(email):
    [(name, content, mimetype)] = email.attachments
    assert name.endswith(".ics") and mimetype == "text/calendar"
    return [c for c in Calendar.from_ical(content).walk("VEVENT")]


def links(email):
    return re.findall(r"https?://\S+", email.body)


def assert_links_on_site(email):
    assert links(email), email.body
    assert all(link.startswith(SITE + "/") for link in links(email)), links(email)


# --- Emails: shifts -------------------------------------------------------------------------


def test_shift_sign_up_waitlist_promotion_and_cancellation_each_send_one_email(
    resident, other_resident, django_capture_on_commit_callbacks
):
    shift = ShiftFactory(capacity=1)
    with django_capture_on_commit_callbacks(execute=True):
        mine = volunteering_services.sign_up(shift=shift, actor=resident)
    [confirmed] = mail.outbox
    assert confirmed.to == [resident.email]
    assert "Inscription confirmée" in confirmed.subject
    assert mine.presence_code_display in confirmed.body
    [event] = ics_of(confirmed)
    assert str(event["SUMMARY"]) == shift.action.title
    assert_links_on_site(confirmed)

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        theirs = volunteering_services.sign_up(shift=shift, actor=other_resident)
    [waitlisted] = mail.outbox
    assert theirs.status == Signup.Status.WAITLISTED
    assert waitlisted.to == [other_resident.email]
    assert "Liste d'attente" in waitlisted.subject
    assert "rang dans la liste d'attente : 1" in waitlisted.body
    assert waitlisted.attachments == []  # no place yet: nothing for the calendar
    assert_links_on_site(waitlisted)

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        volunteering_services.cancel_signup(signup=mine, actor=resident)
    by_person = {tuple(m.to): m for m in mail.outbox}
    assert len(mail.outbox) == 2
    cancelled = by_person[(resident.email,)]
    promoted = by_person[(other_resident.email,)]
    assert "Désinscription" in cancelled.subject and cancelled.attachments == []
    assert "place s'est libérée" in promoted.subject
    assert ics_of(promoted)[0]["UID"] == ics_of(confirmed)[0]["UID"]
    assert_links_on_site(cancelled)


def test_signing_up_again_sends_nothing_more(resident, django_capture_on_commit_callbacks):
    shift = ShiftFactory()
    with django_capture_on_commit_callbacks(execute=True):
        volunteering_services.sign_up(shift=shift, actor=resident)
    with django_capture_on_commit_callbacks(execute=True):
        volunteering_services.sign_up(shift=shift, actor=resident)
    assert len(mail.outbox) == 1


def test_nothing_is_sent_when_the_transaction_rolls_back(
    resident, party, assembly, django_capture_on_commit_callbacks
):
    class Undo(Exception):
        pass

    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(Undo), transaction.atomic():
            volunteering_services.sign_up(shift=ShiftFactory(), actor=resident)
            agenda_services.register(event=party, starts_at=first(party), resident=resident)
            assembly_services.register(assembly=assembly, resident=resident)
            raise Undo
    assert mail.outbox == []


def test_no_email_for_a_person_without_an_address(tilleuls, django_capture_on_commit_callbacks):
    silent = UserFactory(neighbourhood=tilleuls, email="")
    with django_capture_on_commit_callbacks(execute=True):
        volunteering_services.sign_up(shift=ShiftFactory(), actor=silent)
    assert mail.outbox == []


def test_the_email_is_in_the_persons_language(tilleuls, django_capture_on_commit_callbacks):
    english = UserFactory(neighbourhood=tilleuls, preferred_language="en")
    shift = ShiftFactory()
    with django_capture_on_commit_callbacks(execute=True):
        volunteering_services.sign_up(shift=shift, actor=english)
    [email] = mail.outbox
    # The catalogue may not translate the new strings yet: the French text is the fallback,
    # but the dates follow the language.
    assert email.to == [english.email]
    assert timezone.localtime(shift.starts_at).strftime("%A") in email.body


# --- Emails: events -------------------------------------------------------------------------


def test_event_registration_waitlist_promotion_and_cancellation_each_send_one_email(
    resident, other_resident, party, django_capture_on_commit_callbacks
):
    start = first(party)
    with django_capture_on_commit_callbacks(execute=True):
        mine = agenda_services.register(event=party, starts_at=start, resident=resident)
        agenda_services.register(event=party, starts_at=start, resident=resident)  # again
    [confirmed] = mail.outbox
    assert "Inscription confirmée" in confirmed.subject
    [event] = ics_of(confirmed)
    assert str(event["SUMMARY"]) == "Fête de quartier"
    assert event["DTSTART"].dt == start
    assert_links_on_site(confirmed)

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        agenda_services.register(event=party, starts_at=start, resident=other_resident)
    [waitlisted] = mail.outbox
    assert waitlisted.to == [other_resident.email]
    assert "Liste d'attente" in waitlisted.subject and waitlisted.attachments == []

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        agenda_services.cancel_registration(registration=mine, actor=resident)
    by_person = {tuple(m.to): m for m in mail.outbox}
    assert len(mail.outbox) == 2
    assert "Désinscription" in by_person[(resident.email,)].subject
    promoted = by_person[(other_resident.email,)]
    assert "place s'est libérée" in promoted.subject
    assert ics_of(promoted)
    assert_links_on_site(by_person[(resident.email,)])


# --- Emails: assemblies ---------------------------------------------------------------------


def test_assembly_registration_and_withdrawal_each_send_one_email(
    resident, assembly, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        participant = assembly_services.register(assembly=assembly, resident=resident)
        assembly_services.register(assembly=assembly, resident=resident)  # again
    [registered] = mail.outbox
    assert registered.to == [resident.email]
    assert participant.presence_code_display in registered.body
    [event] = ics_of(registered)
    assert str(event["SUMMARY"]) == "Assemblée des Tilleuls"
    assert event["DTSTART"].dt == assembly.starts_at
    assert_links_on_site(registered)

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assembly_services.unregister(participant=participant, resident=resident)
    [withdrawn] = mail.outbox
    assert "Désinscription" in withdrawn.subject and withdrawn.attachments == []
    assert_links_on_site(withdrawn)


# --- The page -------------------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_log_in(client):
    response = client.get(reverse("accounts:registrations"))
    assert response.status_code == 302
    assert "/comptes/" in response.url or "login" in response.url


def test_the_page_lists_each_kind_soonest_first_with_its_cancel_action(
    client, resident, other_resident, party, assembly, manager
):
    shift = ShiftFactory(starts_at=timezone.now() + timedelta(days=20))
    shift.ends_at = shift.starts_at + timedelta(hours=2)
    shift.save()
    signup = volunteering_services.sign_up(shift=shift, actor=resident)
    agenda_services.register(event=party, starts_at=first(party), resident=resident)
    participant = assembly_services.register(assembly=assembly, resident=resident)
    # Someone else's sign-ups never show.
    other_shift = ShiftFactory(action__title="Chantier des voisins")
    volunteering_services.sign_up(shift=other_shift, actor=other_resident)

    client.force_login(resident)
    response = client.get(reverse("accounts:registrations"))
    page = response.content.decode()
    assert response.status_code == 200
    # Soonest first: the assembly (7 days), the party (10 days), the shift (20 days).
    assert (
        page.index("Assemblée des Tilleuls")
        < page.index("Fête de quartier")
        < page.index(shift.action.title)
    )
    assert signup.presence_code_display in page
    assert participant.presence_code_display in page
    assert reverse("volunteering:code", args=[shift.pk, signup.presence_code]) in page
    assert reverse("volunteering:cancel", args=[shift.pk]) in page
    assert reverse("assemblies:unregister", args=[assembly.pk]) in page
    assert party.url + party.reverse_subpage("cancel") in page
    assert "Chantier des voisins" not in page


def test_past_participation_and_the_empty_state(client, resident, manager, tilleuls):
    client.force_login(resident)
    page = client.get(reverse("accounts:registrations")).content.decode()
    assert "Aucune inscription à venir" in page
    assert reverse("volunteering:list") in page

    shift = ShiftFactory(action__title="Nettoyage du square")
    volunteering_services.sign_up(shift=shift, actor=resident)
    past_assembly = make_assembly(manager, tilleuls, title="Assemblée de printemps")
    participant = assembly_services.register(assembly=past_assembly, resident=resident)
    assembly_services.check_in(actor=manager, participant=participant)
    # Both are over now (moved back in time, as the days would).
    ago = timezone.now() - timedelta(days=3)
    Shift.objects.filter(pk=shift.pk).update(starts_at=ago, ends_at=ago + timedelta(hours=2))
    Assembly.objects.filter(pk=past_assembly.pk).update(starts_at=ago, session_status="ended")
    page = client.get(reverse("accounts:registrations")).content.decode()
    upcoming, past = page.split('id="passe-titre"')
    assert "Nettoyage du square" in past
    assert "Assemblée de printemps" in past
    assert "Nettoyage du square" not in upcoming


def test_the_account_page_links_to_it(client, resident):
    client.force_login(resident)
    page = client.get(reverse("accounts:profile")).content.decode()
    assert reverse("accounts:registrations") in page


@pytest.mark.parametrize(
    "retour, lands",
    [
        ("mes-inscriptions", "registrations"),
        (None, "object"),
        ("https://evil.example/", "object"),  # never a URL: an unknown name is ignored
    ],
)
def test_cancelling_from_the_list_comes_back_to_it(
    client, resident, party, assembly, retour, lands
):
    shift = ShiftFactory(starts_at=timezone.now() + timedelta(days=20))
    shift.ends_at = shift.starts_at + timedelta(hours=2)
    shift.save()
    volunteering_services.sign_up(shift=shift, actor=resident)
    agenda_services.register(event=party, starts_at=first(party), resident=resident)
    assembly_services.register(assembly=assembly, resident=resident)
    client.force_login(resident)
    page = client.get(reverse("accounts:registrations")).content.decode()
    assert page.count('name="retour" value="mes-inscriptions"') == 3
    extra = {"retour": retour} if retour else {}

    cancels = [
        (reverse("volunteering:cancel", args=[shift.pk]), {}, shift.action.get_absolute_url()),
        (
            party.url + party.reverse_subpage("cancel"),
            {"occurrence": first(party).isoformat()},
            party.url,
        ),
        (reverse("assemblies:unregister", args=[assembly.pk]), {}, assembly.get_absolute_url()),
    ]
    for url, data, object_page in cancels:
        response = client.post(url, {**data, **extra})
        assert response.status_code == 302, url
        expected = reverse("accounts:registrations") if lands == "registrations" else object_page
        assert response["Location"].split("#")[0].split("?")[0] == expected, url
    assert not Signup.objects.active().filter(user=resident).exists()
    page = client.get(reverse("accounts:registrations")).content.decode()
    assert "Aucune inscription à venir" in page
