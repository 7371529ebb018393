"""Assemblies as calendar events, written by ``civic.calendars``: the same VEVENT (and UID)
in the agenda's feed and in the file attached to a registration email, so a calendar app
that has both updates one event instead of showing two."""

from datetime import timedelta

from civic import calendars
from civic.links import absolute_url

# An assembly has a start but no end: calendars need one, so it is given this length.
ASSUMED_LENGTH = timedelta(hours=2)


def assembly_uid(assembly):
    return calendars.uid(
        "assembly", assembly.pk, scope=f"neighbourhood-{assembly.neighbourhood_id}"
    )


def assembly_event(assembly, request=None):
    return calendars.event(
        uid=assembly_uid(assembly),
        start=assembly.starts_at,
        end=assembly.starts_at + ASSUMED_LENGTH,
        summary=assembly.title,
        location=assembly.place,
        description=assembly.convocation,
        url=absolute_url(assembly.get_absolute_url(), request),
    )
