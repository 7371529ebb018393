"""Events for the agenda tests: published the way Wagtail does (revision → publish)."""

from datetime import datetime, time, timedelta

from django.utils import timezone

from cms.agenda.models import EventIndexPage, EventPage
from cms.agenda.recurrence import aware


def at(day, hour=0, minute=0):
    """An aware datetime at local (Europe/Paris) wall-clock time."""
    return aware(datetime.combine(day, time(hour, minute)))


def in_days(days, hour=10, minute=0):
    return at(timezone.localdate() + timedelta(days=days), hour, minute)


def agenda_index():
    return EventIndexPage.objects.get()


def make_event(index=None, *, title="Fête des voisins", hours=2, **fields):
    """A published event; ``start`` defaults to 10 days ahead at 10:00, ``end`` to
    ``hours`` later. Validated with ``full_clean`` like the admin form does."""
    index = index or agenda_index()
    fields.setdefault("start", in_days(10))
    fields.setdefault("end", fields["start"] + timedelta(hours=hours))
    fields.setdefault("place", "Place des Tilleuls")
    event = EventPage(title=title, **fields)
    index.add_child(instance=event)
    event.full_clean()
    event.save_revision().publish()
    event.refresh_from_db()
    return event


def with_places(capacity=2, **fields):
    return make_event(registration_enabled=True, capacity=capacity, **fields)
