"""The agenda's events as calendar events, written by ``civic.calendars``; the agenda's feed
also carries the volunteer shifts and the assemblies (their own VEVENTs and UIDs).

A repeating event is ONE VEVENT with an RRULE: calendar apps expand it themselves, on the
site's wall-clock time (TZID and VTIMEZONE from ``civic.calendars``), so the 9:00
permanence stays at 9:00 after the clocks change; all-day events are VALUE=DATE. UIDs come
from the page id and its Wagtail site, so they stay the same from one download to the next.
"""

from datetime import datetime, time

from django.utils import timezone

from civic import calendars
from civic.assemblies.calendar import assembly_event
from civic.links import page_url
from civic.volunteering.calendar import shift_event
from cms.agenda import recurrence


def _scope(event, request=None):
    parts = event.get_url_parts(request)
    return f"site-{parts[0] if parts else 0}"


def event_uid(event, request=None):
    return calendars.uid("event", event.pk, scope=_scope(event, request))


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
            rule["UNTIL"] = recurrence.aware(datetime.combine(event.repeat_until, time(23, 59, 59)))
    return rule


def _component(event, *, start, end, uid, rrule=None, request=None):
    if event.all_day:
        start, end = recurrence.local_naive(start).date(), recurrence.local_naive(end).date()
    return calendars.event(
        uid=uid,
        start=start,
        end=end,
        all_day=event.all_day,
        summary=event.title,
        location=event.place,
        description=event.summary,
        url=page_url(event, request),
        stamp=event.last_published_at or timezone.now(),
        rrule=rrule,
    )


def event_component(event, request=None):
    """The whole event: one VEVENT, with its RRULE when it repeats."""
    first = recurrence.occurrences(event, limit=1)
    start, end = (first[0].start, first[0].end) if first else (event.start, event.end)
    rrule = _rrule(event) if event.repeat else None
    uid = event_uid(event, request)
    return _component(event, start=start, end=end, uid=uid, rrule=rrule, request=request)


def occurrence_component(occurrence, request=None):
    """One date of an event (attached to emails), with its own UID."""
    event = occurrence.event
    stamp = recurrence.local_naive(occurrence.start).strftime("%Y%m%dT%H%M")
    uid = calendars.uid("event", event.pk, scope=_scope(event, request), detail=stamp)
    return _component(event, start=occurrence.start, end=occurrence.end, uid=uid, request=request)


def calendar_for_events(events, *, name, request=None):
    return calendars.calendar_file((event_component(event, request) for event in events), name=name)


def calendar_for_occurrence(occurrence, request=None):
    return calendars.calendar_file([occurrence_component(occurrence, request)])


def calendar_for_agenda(*, events, shifts=(), assemblies=(), name, request=None):
    """The agenda's feed: events (one VEVENT each, with its RRULE), volunteer shifts and
    assemblies, each with the UID it has everywhere else (shift and assembly files, emails)."""
    components = [event_component(event, request) for event in events]
    components += [shift_event(shift, request=request) for shift in shifts]
    components += [assembly_event(assembly, request) for assembly in assemblies]
    return calendars.calendar_file(components, name=name)
