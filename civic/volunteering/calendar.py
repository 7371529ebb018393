"""The shifts of /agir/ as calendar events, written by ``civic.calendars``.

A shift's UID names its Régie (``shift-12.regie-3@host``): it stays the same from one
download to the next, in the public files, the personal feed and the emails, so a calendar
app updates the event instead of adding a second one.
"""

from django.utils.translation import gettext as _

from civic import calendars
from civic.links import absolute_url


def shift_uid(shift):
    return calendars.uid("shift", shift.pk, scope=f"regie-{shift.action.neighbourhood.regie_id}")


def shift_event(shift, *, status="CONFIRMED", request=None):
    action = shift.action
    title = action.title if not shift.role else f"{action.title} ({shift.role})"
    if status == "TENTATIVE":
        title = _("Liste d'attente : %(title)s") % {"title": title}
    description = action.description
    if action.what_to_bring:
        description += "\n\n" + _("À apporter : %(items)s") % {"items": action.what_to_bring}
    return calendars.event(
        uid=shift_uid(shift),
        start=shift.starts_at,
        end=shift.ends_at,
        summary=title,
        location=action.meeting_place,
        description=description,
        url=absolute_url(action.get_absolute_url(), request),
        status="CANCELLED" if shift.is_cancelled else status,
    )


def calendar_for_shifts(shifts, *, name=None, request=None):
    """The ``.ics`` of ``shifts``, as anyone may see them."""
    return calendars.calendar_file(
        (shift_event(shift, request=request) for shift in shifts), name=name
    )


def calendar_for_signups(signups, *, name, request=None):
    """The person's shifts: confirmed ones as they are, waiting ones TENTATIVE and titled so."""
    return calendars.calendar_file(
        (
            shift_event(
                signup.shift,
                status="TENTATIVE" if signup.status == signup.Status.WAITLISTED else "CONFIRMED",
                request=request,
            )
            for signup in signups
        ),
        name=name,
    )
