"""RFC 5545 calendars of shifts, built with the icalendar library."""

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from icalendar import Calendar, Event, vText

PRODID = "-//Quartier Commun//Agir//FR"


def _calendar(name):
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    # vText escapes line breaks: an X- property would be written raw (a title with a
    # newline made icalendar fail, a 500).
    calendar.add("x-wr-calname", vText(name))
    return calendar


def shift_event(shift, *, status="CONFIRMED"):
    action = shift.action
    event = Event()
    event.add("uid", f"shift-{shift.pk}@quartier-commun")
    event.add("dtstamp", timezone.now())
    event.add("dtstart", shift.starts_at)
    event.add("dtend", shift.ends_at)
    title = action.title if not shift.role else f"{action.title} ({shift.role})"
    event.add("summary", title)
    event.add("location", vText(action.meeting_place))
    description = action.description
    if action.what_to_bring:
        description += "\n\n" + _("À apporter : %(items)s") % {"items": action.what_to_bring}
    event.add("description", description)
    event.add("url", f"{settings.SITE_URL}{action.get_absolute_url()}")
    event.add("status", "CANCELLED" if shift.is_cancelled else status)
    return event


def calendar_for_shifts(shifts, *, name):
    calendar = _calendar(name)
    for shift in shifts:
        calendar.add_component(shift_event(shift))
    return calendar.to_ical()
