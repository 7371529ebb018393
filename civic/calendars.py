"""Calendar files (RFC 5545 ``.ics``) of the whole site, built in one place.

Shifts, actions, the personal feed, agenda events and feeds, and the files attached to
emails all come out of ``calendar_file``, so every calendar app reads them the same way:

- Times are written in the site's zone (``settings.TIME_ZONE``) with ``TZID`` and the
  matching ``VTIMEZONE``: a weekly 9:00 permanence stays at 9:00 after the clocks change.
- The ``VTIMEZONE`` states the zone's current rules as yearly RRULEs, derived from the zone
  database. icalendar's own ``add_missing_timezones`` lists every change date in one
  comma-separated ``RDATE``; ical.js (inside Thunderbird) and vobject keep only the first
  date of such a line, and put the permanence at 10:00 after a later change.
- UIDs name the installation (``SITE_URL``'s host, whatever address served the file) and
  the Régie or Wagtail site the object belongs to, so two installations, or two Régies on
  one installation, never give the same UID to different events.
"""

import functools
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import dateutil.rrule
from django.conf import settings
from django.utils import timezone
from icalendar import Calendar, Event, Timezone, TimezoneDaylight, TimezoneStandard, vText

from civic.links import installation_host

PRODID = "-//Quartier Commun//Calendriers//FR"
WEEKDAY_CODES = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
# DTSTART of each VTIMEZONE rule: the first onset of the current rules from this year.
# Older dates are not the rules in force then, but the site has no event that old.
RULES_FROM_YEAR = 1970


def site_zone():
    return ZoneInfo(settings.TIME_ZONE)


def uid(kind, pk, *, scope, detail=""):
    """``shift-12.regie-3@quartier.example.org``; ``detail`` tells apart several files of
    one object (one date of a repeating event)."""
    detail = f"-{detail}" if detail else ""
    return f"{kind}-{pk}{detail}.{scope}@{installation_host()}"


def local(value):
    """An aware datetime as the site's wall-clock time, written with its TZID."""
    return timezone.localtime(value, site_zone()).replace(microsecond=0)


def utc(value):
    return value.astimezone(UTC).replace(microsecond=0)


def event(
    *,
    uid,
    start,
    end,
    summary,
    all_day=False,
    location="",
    description="",
    url=None,
    status="CONFIRMED",
    stamp=None,
    rrule=None,
):
    """One VEVENT. ``start``/``end`` are aware datetimes, or dates when ``all_day`` (``end``
    exclusive). ``rrule`` is a dict of RFC 5545 parts; with a TZID on DTSTART its UNTIL must
    be an aware datetime (written in UTC) or, for an all-day event, a date."""
    component = Event()
    component.add("uid", uid)
    component.add("dtstamp", utc(stamp or timezone.now()))
    if all_day:
        component.add("dtstart", start)
        component.add("dtend", end)
    else:
        component.add("dtstart", local(start))
        component.add("dtend", local(end))
    if rrule:
        until = rrule.get("UNTIL")
        if isinstance(until, datetime):
            rrule = {**rrule, "UNTIL": utc(until)}
        component.add("rrule", rrule)
    component.add("summary", summary)
    if location:
        component.add("location", location)
    if description:
        component.add("description", description)
    if url:
        component.add("url", url)
    component.add("status", status)
    return component


def calendar_file(events, *, name=None, method="PUBLISH"):
    """The ``.ics`` bytes of ``events`` (VEVENTs from ``event``). ``name`` is the calendar's
    name in apps that subscribe to it (feeds)."""
    events = list(events)
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    if method:
        calendar.add("method", method)
    if name:
        # vText escapes line breaks: an X- property would be written raw (a title with a
        # newline made icalendar fail, a 500).
        calendar.add("x-wr-calname", vText(name))
        calendar.add("x-wr-timezone", settings.TIME_ZONE)
    if any(isinstance(e.decoded("dtstart"), datetime) for e in events):
        calendar.add_component(timezone_component())
    for component in events:
        calendar.add_component(component)
    return calendar.to_ical()


# --- The VTIMEZONE -------------------------------------------------------------------------


@functools.lru_cache(maxsize=16)
def _changes(zone, year):
    """(UTC instant, offset before, offset after) of each change of offset during ``year``,
    to the minute (zones change on whole minutes). Cached: every calendar file asks, and
    the answer only changes with the year."""
    found = []
    day = datetime(year, 1, 1, tzinfo=UTC)
    before = day.astimezone(zone).utcoffset()
    while day.year == year:
        after = (day + timedelta(days=1)).astimezone(zone).utcoffset()
        if after != before:
            low, high = 0, 24 * 60  # minutes into the day: low has ``before``, high ``after``
            while high - low > 1:
                middle = (low + high) // 2
                moment = day + timedelta(minutes=middle)
                if moment.astimezone(zone).utcoffset() == before:
                    low = middle
                else:
                    high = middle
            found.append((day + timedelta(minutes=high), before, after))
            before = after
        day += timedelta(days=1)
    return found


def _yearly_rule(onset):
    """The month and nth weekday of a change's local date: the last one (-1) when it falls in
    the month's last seven days, as the European and most other rules say."""
    next_month = date(onset.year + onset.month // 12, onset.month % 12 + 1, 1)
    days_in_month = (next_month - timedelta(days=1)).day
    n = -1 if onset.day > days_in_month - 7 else (onset.day - 1) // 7 + 1
    return {
        "FREQ": "YEARLY",
        "BYMONTH": onset.month,
        "BYDAY": f"{n}{WEEKDAY_CODES[onset.weekday()]}",
    }


def _first_onset(rule, at):
    weekday = WEEKDAY_CODES.index(rule["BYDAY"][-2:])
    n = int(rule["BYDAY"][:-2])
    return dateutil.rrule.rrule(
        dateutil.rrule.YEARLY,
        bymonth=rule["BYMONTH"],
        byweekday=dateutil.rrule.weekday(weekday, n),
        dtstart=datetime.combine(date(RULES_FROM_YEAR, 1, 1), at),
        count=1,
    )[0]


def timezone_component(zone_name=None):
    """The VTIMEZONE of the site's zone: one STANDARD and one DAYLIGHT rule, each a yearly
    RRULE, with the offsets and names the zone database gives for this year; a zone without
    daylight saving time is one STANDARD."""
    zone_name = zone_name or settings.TIME_ZONE
    zone = ZoneInfo(zone_name)
    component = Timezone()
    component.add("tzid", zone_name)
    changes = _changes(zone, timezone.now().year)
    if not changes:
        now = timezone.now().astimezone(zone)
        standard = TimezoneStandard()
        standard.add("dtstart", datetime(RULES_FROM_YEAR, 1, 1))
        standard.add("tzoffsetfrom", now.utcoffset())
        standard.add("tzoffsetto", now.utcoffset())
        standard.add("tzname", now.tzname())
        component.add_component(standard)
        return component
    for instant, before, after in changes:
        after_local = instant.astimezone(zone)
        # DTSTART is the wall-clock time just before the change (RFC 5545 §3.6.5).
        onset = (instant + before).replace(tzinfo=None)
        rule = _yearly_rule(onset)
        part = TimezoneDaylight() if after_local.dst() else TimezoneStandard()
        part.add("dtstart", _first_onset(rule, time(onset.hour, onset.minute)))
        part.add("rrule", rule)
        part.add("tzoffsetfrom", before)
        part.add("tzoffsetto", after)
        part.add("tzname", after_local.tzname())
        component.add_component(part)
    return component
