"""The calendars of /agir/ (.ics): one shift, every shift of an action, and the volunteer's
private feed. Every file is parsed back with icalendar and compared with the database."""

import re
from datetime import datetime, timedelta

import pytest
from django.test import Client
from django.utils import timezone
from icalendar import Calendar

from civic.links import installation_host
from civic.volunteering import services
from civic.volunteering.models import Action, CalendarFeed, Shift, Signup
from tests.factories import ActionFactory, ShiftFactory

pytestmark = pytest.mark.django_db


def login(user):
    client = Client()
    client.force_login(user)
    return client


def parse(response):
    """The response's calendar, after the checks every .ics of the site must pass."""
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert re.search(r'filename="[\w-]+\.ics"', response["Content-Disposition"])
    calendar = Calendar.from_ical(response.content)
    assert calendar.name == "VCALENDAR"
    assert str(calendar["VERSION"]) == "2.0"
    assert str(calendar["PRODID"]).strip()
    return calendar


def events(calendar):
    return [component for component in calendar.walk("VEVENT")]


def by_uid(calendar):
    found = {}
    for event in events(calendar):
        uid = str(event["UID"])
        assert uid not in found, "two events with the same UID"
        found[uid] = event
    return found


def assert_event_matches(event, shift):
    for prop in ("UID", "DTSTAMP", "DTSTART", "DTEND", "SUMMARY", "LOCATION"):
        assert prop in event, prop
    start, end = event.decoded("DTSTART"), event.decoded("DTEND")
    assert isinstance(start, datetime) and start.tzinfo is not None
    assert isinstance(end, datetime) and end.tzinfo is not None
    assert event.decoded("DTSTAMP").tzinfo is not None
    assert start == shift.starts_at
    assert end == shift.ends_at
    assert shift.action.title in str(event["SUMMARY"])
    assert str(event["LOCATION"]) == shift.action.meeting_place


def uid_of(shift):
    # The installation's host and the Régie: unique across installations and Régies.
    regie = shift.action.neighbourhood.regie_id
    return f"shift-{shift.pk}.regie-{regie}@{installation_host()}"


# --- Public calendars -----------------------------------------------------------------------


def test_one_shift_calendar(client):
    shift = ShiftFactory(role="Accueil", action=ActionFactory(title="Fête du quartier"))
    response = client.get(f"/agir/creneau/{shift.pk}/agenda.ics")
    calendar = parse(response)
    assert f'filename="agir-creneau-{shift.pk}.ics"' in response["Content-Disposition"]
    (event,) = events(calendar)
    assert_event_matches(event, shift)
    assert str(event["UID"]) == uid_of(shift)
    assert str(event["SUMMARY"]) == "Fête du quartier (Accueil)"


def test_action_calendar_has_one_event_per_shift(client, manager):
    now = timezone.now().replace(second=0, microsecond=0)  # shifts are set to the minute
    action = ActionFactory(title="Jardin partagé", meeting_place="Jardin, rue des Lilas")
    shifts = [
        ShiftFactory(
            action=action,
            starts_at=now + timedelta(days=day),
            ends_at=now + timedelta(days=day, hours=3),
        )
        for day in (-7, 2, 9)
    ]
    services.cancel_shift(actor=manager, shift=shifts[2])
    ShiftFactory()  # another action's shift

    response = client.get(f"/agir/{action.pk}/agenda.ics")

    found = by_uid(parse(response))
    assert set(found) == {uid_of(shift) for shift in shifts}
    for shift in shifts:
        shift.refresh_from_db()
        assert_event_matches(found[uid_of(shift)], shift)
    assert str(found[uid_of(shifts[2])]["STATUS"]) == "CANCELLED"
    assert str(found[uid_of(shifts[1])]["STATUS"]) == "CONFIRMED"


def test_daylight_saving_time_is_kept(client):
    # Two Saturdays at 10:00 Paris time, on both sides of the change to winter time.
    first = timezone.make_aware(datetime(2027, 10, 23, 10, 0))
    second = timezone.make_aware(datetime(2027, 10, 30, 10, 0))
    action = ActionFactory()
    for start in (first, second):
        ShiftFactory(action=action, starts_at=start, ends_at=start + timedelta(hours=2))
    found = by_uid(parse(client.get(f"/agir/{action.pk}/agenda.ics")))
    starts = sorted(event.decoded("DTSTART") for event in found.values())
    assert [timezone.localtime(start).hour for start in starts] == [10, 10]
    assert starts == [first, second]


def test_unpublished_action_calendars_are_404_for_the_public(client, resident, manager):
    shift = ShiftFactory(action=ActionFactory(is_published=False))
    for user in (None, resident):
        visitor = login(user) if user else client
        assert visitor.get(f"/agir/{shift.action_id}/agenda.ics").status_code == 404
        assert visitor.get(f"/agir/creneau/{shift.pk}/agenda.ics").status_code == 404
    staff = login(manager)
    parse(staff.get(f"/agir/{shift.action_id}/agenda.ics"))
    parse(staff.get(f"/agir/creneau/{shift.pk}/agenda.ics"))
    assert client.get("/agir/creneau/999999/agenda.ics").status_code == 404


def test_calendar_text_is_not_html(client):
    action = ActionFactory(title="Fête <b>du</b> quartier", meeting_place="Place & jardin")
    shift = ShiftFactory(action=action)
    (event,) = events(parse(client.get(f"/agir/creneau/{shift.pk}/agenda.ics")))
    assert str(event["SUMMARY"]) == "Fête <b>du</b> quartier"  # plain text, not escaped twice
    assert str(event["LOCATION"]) == "Place & jardin"


# --- The private feed -----------------------------------------------------------------------


def make_feed(user):
    login(user).post("/agir/mes-creneaux/lien-agenda/")
    return CalendarFeed.objects.get(user=user)


def feed_url(feed):
    return f"/agir/agenda/{feed.token}.ics"


def test_private_feed_lists_only_the_owners_active_sign_ups(resident, other_resident, manager):
    base = timezone.localtime().replace(hour=9, minute=0, second=0, microsecond=0)

    def shift_on(day, **kwargs):
        start = base + timedelta(days=day)
        return ShiftFactory(starts_at=start, ends_at=start + timedelta(hours=2), **kwargs)

    confirmed = shift_on(2, action=ActionFactory(title="Confirmé"))
    full = shift_on(3, capacity=1, action=ActionFactory(title="Complet"))
    services.sign_up(shift=full, actor=other_resident)
    cancelled_by_me = shift_on(4, action=ActionFactory(title="Désinscrit"))
    cancelled_by_regie = shift_on(5, action=ActionFactory(title="Annulé par la Régie"))
    not_mine = shift_on(6, action=ActionFactory(title="Pas à moi"))
    for shift in (confirmed, full, cancelled_by_me, cancelled_by_regie):
        services.sign_up(shift=shift, actor=resident)
    services.cancel_signup(
        signup=Signup.objects.get(shift=cancelled_by_me, user=resident), actor=resident
    )
    services.cancel_shift(actor=manager, shift=cancelled_by_regie)
    services.sign_up(shift=not_mine, actor=other_resident)
    feed = make_feed(resident)

    response = Client().get(feed_url(feed))  # no login: calendar apps cannot log in

    calendar = parse(response)
    assert "private" in response["Cache-Control"]
    assert "public" not in response["Cache-Control"]
    found = by_uid(calendar)
    assert set(found) == {uid_of(confirmed), uid_of(full)}
    assert_event_matches(found[uid_of(confirmed)], confirmed)
    assert_event_matches(found[uid_of(full)], full)
    assert str(found[uid_of(confirmed)]["STATUS"]) == "CONFIRMED"
    waiting = found[uid_of(full)]
    assert str(waiting["STATUS"]) == "TENTATIVE"
    assert str(waiting["SUMMARY"]).startswith("Liste d'attente")
    body = response.content.decode()
    for title in ("Désinscrit", "Annulé par la Régie", "Pas à moi"):
        assert title not in body

    # The other resident's feed never shows the first one's shifts.
    other = Client().get(feed_url(make_feed(other_resident)))
    other_found = by_uid(parse(other))
    assert set(other_found) == {uid_of(full), uid_of(not_mine)}
    assert "Confirmé" not in other.content.decode()


def test_regenerated_token_makes_the_old_address_404(resident):
    shift = ShiftFactory()
    services.sign_up(shift=shift, actor=resident)
    feed = make_feed(resident)
    old_url = feed_url(feed)
    assert Client().get(old_url).status_code == 200

    login(resident).post("/agir/mes-creneaux/lien-agenda/")

    feed.refresh_from_db()
    assert feed_url(feed) != old_url
    assert Client().get(old_url).status_code == 404
    assert set(by_uid(parse(Client().get(feed_url(feed))))) == {uid_of(shift)}


@pytest.mark.parametrize(
    "token",
    ["inconnu-mais-assez-long-123", "a" * 43, "x" * 64],
)
def test_unknown_tokens_are_404(client, resident, token):
    make_feed(resident)
    assert client.get(f"/agir/agenda/{token}.ics").status_code == 404


def test_feed_of_a_deactivated_account_is_404(client, resident):
    feed = make_feed(resident)
    resident.is_active = False
    resident.save()
    assert client.get(feed_url(feed)).status_code == 404


def test_feed_keeps_past_shifts_of_the_last_year(client, resident):
    now = timezone.now()
    recent = ShiftFactory(action=ActionFactory(title="Il y a un mois"))
    old = ShiftFactory(
        action=ActionFactory(title="Il y a deux ans"),
        starts_at=recent.starts_at + timedelta(days=1),
        ends_at=recent.ends_at + timedelta(days=1),
    )
    for shift in (recent, old):
        services.sign_up(shift=shift, actor=resident)
    Shift.objects.filter(pk=recent.pk).update(
        starts_at=now - timedelta(days=30), ends_at=now - timedelta(days=30) + timedelta(hours=2)
    )
    Shift.objects.filter(pk=old.pk).update(
        starts_at=now - timedelta(days=730), ends_at=now - timedelta(days=730) + timedelta(hours=2)
    )
    found = by_uid(parse(client.get(feed_url(make_feed(resident)))))
    assert set(found) == {uid_of(recent)}


def test_feed_of_someone_with_nothing_is_an_empty_calendar(client, resident):
    calendar = parse(client.get(feed_url(make_feed(resident))))
    assert events(calendar) == []
    assert Action.objects.count() == 0
