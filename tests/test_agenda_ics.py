"""The agenda's calendars (.ics), parsed back with icalendar: one VEVENT per event with its
RRULE, DTSTART in Europe/Paris (with the VTIMEZONE) or as a DATE, stable UIDs, and a feed
per neighbourhood in which events for every neighbourhood appear too."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar

from civic.links import installation_host
from cms.agenda.models import EventPage
from tests.agenda_factories import at, in_days, make_event

pytestmark = pytest.mark.django_db


def _urlpatterns():
    # The project's URLs with ``cms.agenda.urls`` included, as config/urls.py would do it.
    from django.urls import include, path

    from config.urls import urlpatterns as project

    return [path("", include("cms.agenda.urls")), *project]


urlpatterns = _urlpatterns()  # used as ROOT_URLCONF by one test below

PARIS = ZoneInfo("Europe/Paris")


def parse(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    return Calendar.from_ical(response.content)


def vevents(calendar):
    return {str(e["summary"]): e for e in calendar.walk("VEVENT")}


@pytest.fixture
def permanence(site_tree):
    return make_event(
        title="Permanence de la Régie",
        start=at(date(2027, 10, 12), 9),
        end=at(date(2027, 10, 12), 12),
        place="Local de la Régie",
        repeat=EventPage.Repeat.WEEKLY,
        repeat_weekdays=[1],
        repeat_until=date(2027, 12, 21),
    )


def test_a_repeating_event_is_one_vevent_with_its_rrule(client, permanence):
    calendar = parse(client.get(permanence.url + "ics/"))
    (event,) = calendar.walk("VEVENT")
    site_id = permanence.get_site().pk
    assert str(event["uid"]) == f"event-{permanence.pk}.site-{site_id}@{installation_host()}"
    assert str(event["summary"]) == "Permanence de la Régie"
    assert str(event["location"]) == "Local de la Régie"
    start = event.decoded("dtstart")
    assert start == datetime(2027, 10, 12, 9, tzinfo=PARIS)
    assert event["dtstart"].params["TZID"] == "Europe/Paris"
    rule = event["rrule"]
    assert rule["FREQ"] == ["WEEKLY"] and rule["BYDAY"] == ["TU"]
    # UNTIL in UTC, the end of the last day (RFC 5545 with a TZID on DTSTART).
    assert rule["UNTIL"][0].astimezone(PARIS).date() == date(2027, 12, 21)
    assert [c["TZID"] for c in calendar.walk("VTIMEZONE")] == ["Europe/Paris"]


def test_the_rrule_expands_to_the_same_dates_as_the_site(client, permanence):
    event = parse(client.get(permanence.url + "ics/")).walk("VEVENT")[0]
    from dateutil.rrule import rrulestr

    rule = rrulestr(
        event["rrule"].to_ical().decode(),
        dtstart=event.decoded("dtstart"),
    )
    from_ics = [d.astimezone(PARIS).replace(tzinfo=None) for d in rule]
    from_site = [o.start.astimezone(PARIS).replace(tzinfo=None) for o in permanence.occurrences()]
    assert from_ics == from_site
    assert all(d.hour == 9 for d in from_ics)  # across the October change too


def test_uids_are_stable(client, permanence):
    first = parse(client.get(permanence.url + "ics/")).walk("VEVENT")[0]["uid"]
    permanence.save_revision().publish()
    again = parse(client.get(permanence.url + "ics/")).walk("VEVENT")[0]["uid"]
    assert first == again


def test_all_day_events_are_dates(client, site_tree):
    event = make_event(
        title="Portes ouvertes",
        start=at(date(2027, 6, 12)),
        end=at(date(2027, 6, 13)),
        all_day=True,
    )
    vevent = parse(client.get(event.url + "ics/")).walk("VEVENT")[0]
    assert vevent.decoded("dtstart") == date(2027, 6, 12)
    assert vevent.decoded("dtend") == date(2027, 6, 14)  # exclusive
    assert vevent["dtstart"].params.get("VALUE") in (None, "DATE")
    assert "T" not in vevent["dtstart"].to_ical().decode()


def test_monthly_rules(client, site_tree):
    first_tuesday = make_event(
        title="Conseil citoyen",
        start=at(date(2027, 1, 5), 18),
        repeat=EventPage.Repeat.MONTHLY_WEEKDAY,
        repeat_count=6,
    )
    rule = parse(client.get(first_tuesday.url + "ics/")).walk("VEVENT")[0]["rrule"]
    assert rule["FREQ"] == ["MONTHLY"] and rule["COUNT"] == [6]
    assert rule.to_ical().decode().count("BYDAY=1TU") == 1


@pytest.fixture
def three_events(site_tree, tilleuls, bel_air):
    return {
        "tilleuls": make_event(title="Vide-grenier", neighbourhood=tilleuls, place="Place"),
        "bel_air": make_event(title="Jardinage", neighbourhood=bel_air, place="Jardin"),
        "all": make_event(title="Permanence", neighbourhood=None, place="Local"),
    }


def test_the_whole_agenda_feed(client, three_events):
    calendar = parse(client.get("/agenda/ics/"))
    assert set(vevents(calendar)) == {"Vide-grenier", "Jardinage", "Permanence"}
    assert str(calendar["x-wr-calname"]) == "Agenda"


def test_a_neighbourhood_feed_has_its_events_and_those_for_everyone(client, three_events):
    calendar = parse(client.get("/agenda/ics/", {"quartier": "bel-air"}))
    assert set(vevents(calendar)) == {"Jardinage", "Permanence"}
    assert "Bel-Air" in str(calendar["x-wr-calname"])


@pytest.mark.parametrize("slug", ["inconnu", "x" * 500, "a\x00b", "<script>"])
def test_an_unknown_neighbourhood_feed_is_a_404(client, three_events, slug):
    assert client.get("/agenda/ics/", {"quartier": slug}).status_code == 404


def test_the_feed_leaves_out_drafts_and_old_events(client, three_events):
    three_events["all"].unpublish()
    make_event(title="Très ancien", start=in_days(-200))
    assert set(vevents(parse(client.get("/agenda/ics/")))) == {"Vide-grenier", "Jardinage"}


def test_agenda_ics_address_when_its_urls_are_included(client, three_events, settings):
    settings.ROOT_URLCONF = __name__
    calendar = parse(client.get("/agenda/agenda.ics", {"quartier": "les-tilleuls"}))
    assert set(vevents(calendar)) == {"Vide-grenier", "Permanence"}
    assert client.get("/agenda/agenda.ics", {"quartier": "nope"}).status_code == 404


def test_dtend_follows_the_duration(client, site_tree):
    event = make_event(title="Réunion", start=at(date(2027, 2, 1), 18), hours=2)
    vevent = parse(client.get(event.url + "ics/")).walk("VEVENT")[0]
    assert vevent.decoded("dtend") - vevent.decoded("dtstart") == timedelta(hours=2)


def test_the_agenda_ics_address_carries_shifts_and_assemblies(
    client, three_events, tilleuls, settings
):
    from civic.assemblies.calendar import assembly_uid
    from civic.volunteering.calendar import shift_uid
    from tests.assemblies_factories import AssemblyFactory
    from tests.factories import ActionFactory, ShiftFactory

    shift = ShiftFactory(action=ActionFactory(title="Grand nettoyage", neighbourhood=tilleuls))
    cancelled = ShiftFactory(action=shift.action, is_cancelled=True)
    assembly = AssemblyFactory(title="Assemblée des Tilleuls", neighbourhood=tilleuls)
    settings.ROOT_URLCONF = __name__
    calendar = parse(client.get("/agenda/agenda.ics", {"quartier": "les-tilleuls"}))
    uids = {str(e["uid"]) for e in calendar.walk("VEVENT")}
    assert set(vevents(calendar)) == {
        "Vide-grenier",
        "Permanence",
        "Grand nettoyage",
        "Assemblée des Tilleuls",
    }
    assert shift_uid(shift) in uids and assembly_uid(assembly) in uids
    assert shift_uid(cancelled) not in uids
    # Another quartier's feed has neither.
    other = parse(client.get("/agenda/agenda.ics", {"quartier": "bel-air"}))
    assert set(vevents(other)) == {"Jardinage", "Permanence"}
