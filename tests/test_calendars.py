"""Every calendar file of the site, read back by three calendar parsers: icalendar, vobject
and ical.js (the parser inside Thunderbird; skipped when npm cannot fetch it).

Each file must have its times in Europe/Paris with TZID and one VTIMEZONE made of yearly
RRULEs (no RDATE list, which vobject and ical.js read as its first date only), UIDs that
name this installation, and dates that every parser expands to the site's own: the weekly
9:00 permanence stays at 9:00 after the clocks change on 28 March 2027.
"""

import io
import json
import shutil
import subprocess
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
import vobject
from dateutil import tz
from dateutil.rrule import rrulestr
from django.core import mail
from icalendar import Calendar

from civic import calendars
from civic.links import installation_host
from civic.volunteering import messages as volunteering_messages
from civic.volunteering import services as volunteering
from civic.volunteering.models import CalendarFeed
from cms.agenda import services as agenda
from cms.agenda.models import EventPage
from tests.agenda_factories import at
from tests.factories import ActionFactory, ShiftFactory, UserFactory

pytestmark = pytest.mark.django_db

PARIS = ZoneInfo("Europe/Paris")
INSTALLATION = "quartier.example.org"
# The permanence runs through both changes of the clocks: back on Sunday 25 October 2026,
# forward on Sunday 28 March 2027.
FIRST_TUESDAY = date(2026, 10, 6)
LAST_TUESDAY = date(2027, 4, 27)
# The VTIMEZONE states the zone's current rules; the United States and Australia changed
# theirs in 2007 and 2008.
RULES_SINCE = 2008


@pytest.fixture(autouse=True)
def _site_url(settings):
    settings.SITE_URL = f"https://{INSTALLATION}"


@pytest.fixture(autouse=True)
def _before_the_permanence():
    # Every date below is still to come, whenever the tests run.
    with time_machine.travel(datetime(2026, 9, 1, 12, tzinfo=UTC), tick=True):
        yield


# --- What the site says the dates are ----------------------------------------------------


@pytest.fixture
def permanence(site_tree, tilleuls):
    return _permanence()


def _permanence():
    from tests.agenda_factories import make_event

    return make_event(
        title="Permanence de la Régie",
        start=at(FIRST_TUESDAY, 9),
        end=at(FIRST_TUESDAY, 12),
        place="Local de la Régie",
        repeat=EventPage.Repeat.WEEKLY,
        repeat_weekdays=[1],
        repeat_until=LAST_TUESDAY,
        registration_enabled=True,
        capacity=1,
    )


@pytest.fixture
def shifts(tilleuls):
    """Two Saturdays at 10:00, before and after the change to summer time."""
    action = ActionFactory(title="Jardin partagé", neighbourhood=tilleuls)
    return [
        ShiftFactory(action=action, starts_at=at(day, 10), ends_at=at(day, 12))
        for day in (date(2027, 3, 27), date(2027, 4, 3))
    ]


def shift_uid(shift):
    return f"shift-{shift.pk}.regie-{shift.action.neighbourhood.regie_id}@{INSTALLATION}"


# --- The three parsers ----------------------------------------------------------------------


def read_with_icalendar(content):
    """{uid: [starts]} after the checks every file must pass, expanded with dateutil on the
    zone icalendar gives DTSTART."""
    calendar = Calendar.from_ical(content)
    assert str(calendar["VERSION"]) == "2.0"
    assert str(calendar["PRODID"]) == calendars.PRODID
    (zone,) = calendar.walk("VTIMEZONE")
    assert str(zone["TZID"]) == "Europe/Paris"
    parts = zone.walk("STANDARD") + zone.walk("DAYLIGHT")
    assert len(parts) == 2
    for part in parts:
        assert "RRULE" in part and "RDATE" not in part
    found = {}
    for event in calendar.walk("VEVENT"):
        uid = str(event["UID"])
        assert uid.endswith(f"@{INSTALLATION}") and uid not in found
        assert event["DTSTART"].params["TZID"] == "Europe/Paris"
        assert event["DTEND"].params["TZID"] == "Europe/Paris"
        start = event.decoded("DTSTART")
        if "RRULE" in event:
            found[uid] = list(rrulestr(event["RRULE"].to_ical().decode(), dtstart=start))
        else:
            found[uid] = [start]
    return found


def read_with_vobject(content):
    """{uid: [starts]}, in the zone vobject builds from the file's own VTIMEZONE."""
    calendar = vobject.readOne(content.decode())
    found = {}
    for event in calendar.vevent_list:
        start = event.dtstart.value
        assert start.tzinfo is not None
        rules = event.getrruleset(addRDate=True) if hasattr(event, "rrule") else None
        found[event.uid.value] = list(rules) if rules is not None else [start]
    return found


ICAL_JS_SCRIPT = """
import { readFileSync } from "node:fs";
import ICAL from "ical.js";

const vcalendar = new ICAL.Component(ICAL.parse(readFileSync(process.argv[2], "utf8")));
// As a calendar app does with a zone it learns from the file.
for (const zone of vcalendar.getAllSubcomponents("vtimezone")) {
  ICAL.TimezoneService.register(new ICAL.Timezone(zone));
}
const found = {};
for (const vevent of vcalendar.getAllSubcomponents("vevent")) {
  const event = new ICAL.Event(vevent);
  const iterator = event.iterator();
  const starts = [];
  for (let next = iterator.next(); next && starts.length < 400; next = iterator.next()) {
    starts.push(next.toUnixTime());
  }
  found[event.uid] = starts;
}
console.log(JSON.stringify(found));
"""


@pytest.fixture(scope="module")
def ical_js(tmp_path_factory):
    """A function reading a file with ical.js, or None when node or npm is unavailable."""
    npm, node = shutil.which("npm"), shutil.which("node") or "/usr/bin/node"
    folder = tmp_path_factory.mktemp("icaljs")
    if npm is None:
        return None
    try:
        subprocess.run(  # noqa: S603 - fixed arguments, no shell
            [npm, "install", "--no-audit", "--no-fund", "--silent", "ical.js"],
            cwd=folder,
            check=True,
            capture_output=True,
            timeout=120,
        )
    except (subprocess.SubprocessError, OSError):
        return None
    script = folder / "expand.mjs"
    script.write_text(ICAL_JS_SCRIPT)

    def read(content):
        path = folder / "calendar.ics"
        path.write_bytes(content)
        result = subprocess.run(  # noqa: S603 - fixed arguments, no shell
            [node, str(script), str(path)], check=True, capture_output=True, timeout=60
        )
        return {
            uid: [datetime.fromtimestamp(stamp, UTC) for stamp in starts]
            for uid, starts in json.loads(result.stdout).items()
        }

    return read


def read_everywhere(content, ical_js):
    """The file as each parser reads it; they must all agree."""
    found = read_with_icalendar(content)
    assert read_with_vobject(content) == found
    if ical_js is not None:
        assert ical_js(content) == found
    return found


def assert_every_parser_gives(content, expected, ical_js):
    if ical_js is None:
        pytest.skip("npm could not install ical.js (no network?): checked with two parsers")
    assert read_everywhere(content, ical_js) == expected


def as_bytes(attachment):
    # Django keeps a text/* attachment as text.
    return attachment.encode() if isinstance(attachment, str) else attachment


def local_times(starts):
    return [start.astimezone(PARIS).strftime("%d/%m %H:%M") for start in starts]


# --- Agenda: the weekly permanence across the change to summer time -------------------------


def permanence_uid(event):
    return f"event-{event.pk}.site-{event.get_site().pk}@{INSTALLATION}"


def test_the_event_file_keeps_the_permanence_at_nine_after_the_clocks_change(
    client, permanence, ical_js
):
    response = client.get(permanence.url + "ics/")
    assert response.status_code == 200
    expected = {permanence_uid(permanence): [o.start for o in permanence.occurrences()]}
    found = read_everywhere(response.content, ical_js)
    assert found == expected
    (starts,) = found.values()
    assert len(starts) == 30
    assert {start.astimezone(PARIS).hour for start in starts} == {9}
    # 7:00 UTC in summer, 8:00 UTC in winter: the same 9:00 on the wall.
    assert datetime(2026, 10, 20, 7, tzinfo=UTC) in starts
    assert datetime(2026, 10, 27, 8, tzinfo=UTC) in starts
    assert datetime(2027, 3, 23, 8, tzinfo=UTC) in starts
    assert datetime(2027, 3, 30, 7, tzinfo=UTC) in starts
    if ical_js is None:
        pytest.skip("npm could not install ical.js (no network?): checked with two parsers")


@pytest.mark.parametrize("query", [{}, {"quartier": "les-tilleuls"}])
def test_agenda_feeds(client, permanence, query, ical_js):
    response = client.get("/agenda/ics/", query)
    assert response.status_code == 200
    expected = {permanence_uid(permanence): [o.start for o in permanence.occurrences()]}
    assert_every_parser_gives(response.content, expected, ical_js)


def test_the_agenda_email_attachment(
    permanence, tilleuls, django_capture_on_commit_callbacks, ical_js
):
    after_the_change = at(date(2027, 3, 30), 9)
    first, second = (UserFactory(neighbourhood=tilleuls) for _ in range(2))
    place = agenda.register(event=permanence, starts_at=after_the_change, resident=first)
    agenda.register(event=permanence, starts_at=after_the_change, resident=second)
    with django_capture_on_commit_callbacks(execute=True):
        agenda.cancel_registration(registration=place, actor=first)
    # The promoted person's email carries the date (the other one confirms the cancellation).
    (email,) = [message for message in mail.outbox if message.to == [second.email]]
    (name, content, mimetype) = email.attachments[0]
    assert (name, mimetype) == ("evenement.ics", "text/calendar")
    uid = f"event-{permanence.pk}-20270330T0900.site-{permanence.get_site().pk}@{INSTALLATION}"
    assert_every_parser_gives(as_bytes(content), {uid: [after_the_change]}, ical_js)


# --- Agir: shifts, actions, the personal feed, reminders ------------------------------------


def test_the_shift_and_action_files(client, shifts, ical_js):
    for shift in shifts:
        response = client.get(f"/agir/creneau/{shift.pk}/agenda.ics")
        assert response.status_code == 200
        found = read_with_icalendar(response.content)
        assert found == {shift_uid(shift): [shift.starts_at]}
        assert local_times(found[shift_uid(shift)]) in (["27/03 10:00"], ["03/04 10:00"])
    response = client.get(f"/agir/{shifts[0].action_id}/agenda.ics")
    expected = {shift_uid(shift): [shift.starts_at] for shift in shifts}
    assert_every_parser_gives(response.content, expected, ical_js)


def test_the_personal_feed(client, shifts, resident, ical_js):
    for shift in shifts:
        volunteering.sign_up(shift=shift, actor=resident)
    feed = volunteering.regenerate_calendar_feed(user=resident)[0]
    assert CalendarFeed.objects.get(user=resident) == feed
    response = client.get(f"/agir/agenda/{feed.token}.ics")
    assert response.status_code == 200
    expected = {shift_uid(shift): [shift.starts_at] for shift in shifts}
    assert_every_parser_gives(response.content, expected, ical_js)


def test_the_reminder_attachment(shifts, resident, ical_js):
    signup = volunteering.sign_up(shift=shifts[1], actor=resident)
    mail.outbox.clear()
    assert volunteering_messages.send_reminder(signup)
    (email,) = mail.outbox
    (name, content, mimetype) = email.attachments[0]
    assert (name, mimetype) == ("creneau.ics", "text/calendar")
    assert_every_parser_gives(
        as_bytes(content), {shift_uid(shifts[1]): [shifts[1].starts_at]}, ical_js
    )


# --- Addresses and UIDs ---------------------------------------------------------------------


def test_uids_name_the_installation_links_the_address_reached(client, settings, shifts):
    settings.ALLOWED_HOSTS = ["autre.example.org"]
    response = client.get(f"/agir/creneau/{shifts[0].pk}/agenda.ics", HTTP_HOST="autre.example.org")
    (event,) = Calendar.from_ical(response.content).walk("VEVENT")
    assert str(event["UID"]) == shift_uid(shifts[0])
    assert installation_host() == INSTALLATION
    assert str(event["URL"]) == f"http://autre.example.org/agir/{shifts[0].action_id}/"


def test_agenda_files_link_the_address_reached(client, settings, permanence):
    settings.ALLOWED_HOSTS = ["autre.example.org"]
    agenda = permanence.get_parent()
    for path in (permanence.url + "ics/", agenda.url + "ics/"):
        response = client.get(path, HTTP_HOST="autre.example.org")
        assert response.status_code == 200, path
        urls = {str(e["URL"]) for e in Calendar.from_ical(response.content).walk("VEVENT")}
        assert urls == {"http://autre.example.org" + permanence.url}, path


def test_emails_link_to_site_url(shifts, resident):
    signup = volunteering.sign_up(shift=shifts[0], actor=resident)
    mail.outbox.clear()
    volunteering_messages.send_reminder(signup)
    (event,) = Calendar.from_ical(as_bytes(mail.outbox[0].attachments[0][1])).walk("VEVENT")
    assert str(event["URL"]) == f"https://{INSTALLATION}/agir/{shifts[0].action_id}/"
    assert f"https://{INSTALLATION}" in mail.outbox[0].body


def test_two_regies_give_two_uids_to_their_shift_number_one():
    assert calendars.uid("shift", 1, scope="regie-1") != calendars.uid("shift", 1, scope="regie-2")


# --- The VTIMEZONE itself -------------------------------------------------------------------


@pytest.mark.parametrize(
    "zone_name", ["Europe/Paris", "America/New_York", "Australia/Sydney", "Asia/Tokyo"]
)
def test_the_vtimezone_agrees_with_the_zone_database(zone_name):
    """Read by dateutil from its RRULEs, the VTIMEZONE gives the same offset as zoneinfo
    around each change and in mid-winter and mid-summer, every year from 2008 (when the
    last of these zones took its current rules) to 2037."""
    component = calendars.timezone_component(zone_name)
    from_file = tz.tzical(io.StringIO(component.to_ical().decode())).get(zone_name)
    zone = ZoneInfo(zone_name)
    for year in range(RULES_SINCE, 2038):
        changes = [instant for instant, _before, _after in calendars._changes(zone, year)]
        moments = [datetime(year, month, 15, 12, tzinfo=UTC) for month in (1, 7)] + [
            instant + timedelta(minutes=minutes)
            for instant in changes
            for minutes in (-61, -1, 0, 1, 61)
        ]
        for moment in moments:
            expected = moment.astimezone(zone).utcoffset()
            assert moment.astimezone(from_file).utcoffset() == expected, (zone_name, moment)
