"""RFC 5545 calendars of events, built with the icalendar library.

A repeating event is ONE VEVENT with an RRULE: calendar apps expand it themselves. Its
DTSTART carries TZID=Europe/Paris (with the VTIMEZONE) so that the 9:00 permanence stays
at 9:00 after the clocks change; all-day events are VALUE=DATE. UIDs come from the page id,
so they stay the same from one download to the next.
"""

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone
from icalendar import Calendar, Event, vText

from cms.agenda import recurrence

PRODID = "-//Quartier Commun//Agenda//FR"
UID_DOMAIN = "quartier-commun"


def _calendar(name):
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    # vText escapes line breaks: an X- property would be written raw (a title with a
    # newline made icalendar fail, a 500).
    calendar.add("x-wr-calname", vText(name))
    calendar.add("x-wr-timezone", settings.TIME_ZONE)
    return calendar


def event_uid(event):
    return f"event-{event.pk}@{UID_DOMAIN}"


def _local(value):
    """An aware datetime in the site's zone, with a ZoneInfo (icalendar writes its TZID)."""
    return timezone.localtime(value, ZoneInfo(settings.TIME_ZONE)).replace(microsecond=0)


def _rrule(event):
    rule = {"FREQ": "WEEKLY" if event.repeat == event.Repeat.WEEKLY else "MONTHLY"}
    if event.repeat_interval and event.repeat_interval > 1:
        rule["INTERVAL"] = event.repeat_interval
    if event.repeat == event.Repeat.WEEKLY:
        rule["BYDAY"] = [recurrence.WEEKDAY_CODES[day] for day in event.effective_weekdays()]
    elif event.repeat == event.Repeat.MONTHLY_WEEKDAY:
        weekday, n = recurrence.nth_weekday_of(recurrence.local_naive(event.start).date())
        rule["BYDAY"] = [f"{n}{recurrence.WEEKDAY_CODES[weekday]}"]
    else:
        rule["BYMONTHDAY"] = [recurrence.local_naive(event.start).day]
    if event.repeat_count:
        rule["COUNT"] = event.repeat_count
    elif event.repeat_until:
        if event.all_day:
            rule["UNTIL"] = event.repeat_until  # a DATE, like DTSTART
        else:
            # With a TZID on DTSTART, UNTIL is in UTC (RFC 5545 §3.3.10): the end of that day.
            last = recurrence.aware(datetime.combine(event.repeat_until, time(23, 59, 59)))
            rule["UNTIL"] = last.astimezone(ZoneInfo("UTC"))
    return rule


def _common(component, event, *, start, end):
    url = event.full_url or f"{settings.SITE_URL}{event.url or ''}"
    component.add("dtstamp", (event.last_published_at or timezone.now()).replace(microsecond=0))
    if event.all_day:
        component.add("dtstart", recurrence.local_naive(start).date())
        component.add("dtend", recurrence.local_naive(end).date())
    else:
        component.add("dtstart", _local(start))
        component.add("dtend", _local(end))
    component.add("summary", event.title)
    component.add("location", vText(event.place))
    if event.summary:
        component.add("description", event.summary)
    if url:
        component.add("url", url)
    component.add("status", "CONFIRMED")
    return component


def event_component(event):
    """The whole event: one VEVENT, with its RRULE when it repeats."""
    first = recurrence.occurrences(event, limit=1)
    start, end = (first[0].start, first[0].end) if first else (event.start, event.end)
    component = _common(Event(), event, start=start, end=end)
    component.add("uid", event_uid(event))
    if event.repeat:
        component.add("rrule", _rrule(event))
    return component


def occurrence_component(occurrence):
    """One date of an event (attached to emails), with its own UID."""
    event = occurrence.event
    component = _common(Event(), event, start=occurrence.start, end=occurrence.end)
    stamp = recurrence.local_naive(occurrence.start).strftime("%Y%m%dT%H%M")
    component.add("uid", f"event-{event.pk}-{stamp}@{UID_DOMAIN}")
    return component


def _with_timezones(calendar, events):
    if any(not event.all_day for event in events):
        years = [event.start.year for event in events] + [
            (event.series_ends_at or event.end).year for event in events
        ]
        calendar.add_missing_timezones(
            first_date=date(min(years) - 1, 1, 1), last_date=date(max(years) + 2, 1, 1)
        )
    return calendar


def calendar_for_events(events, *, name):
    events = list(events)
    calendar = _calendar(name)
    for event in events:
        calendar.add_component(event_component(event))
    return _with_timezones(calendar, events).to_ical()


def calendar_for_occurrence(occurrence):
    calendar = _calendar(occurrence.event.title)
    calendar.add_component(occurrence_component(occurrence))
    return _with_timezones(calendar, [occurrence.event]).to_ical()
