"""One agenda: the events, volunteer shifts and assemblies of a period, as entries of one list.

What is public is each app's own rule, read here and never decided again:
- events: live, public pages under the agenda (Wagtail's ``live().public()``);
- shifts: those of ``Action.objects.published()`` that are not cancelled, as
  ``civic.volunteering.rules.shift_is_open`` reads them;
- assemblies: ``Assembly.objects.published()`` (and ``upcoming()`` for what is to come).

A repeating event is ONE entry per view (``Entry.rule``: « Tous les mardis, 9 h – 12 h »),
dated at its next date in the period; the shifts of an action are one entry per day, with
the places left of each shift. Each kind costs one query (two for events: the pages, then
Wagtail's site root paths, cached), whatever the number of rows.
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from civic.assemblies.calendar import ASSUMED_LENGTH
from civic.assemblies.models import Assembly
from civic.volunteering.models import Action, Shift
from cms.agenda import recurrence
from cms.agenda.models import EventPage

EVENTS, SHIFTS, ASSEMBLIES = "event", "shift", "assembly"
# What ``?quoi=`` says (plain French words in addresses) → the kind of entries.
KIND_PARAMS = {"evenements": EVENTS, "coups-de-main": SHIFTS, "assemblees": ASSEMBLIES}
KIND_LABELS = {
    EVENTS: _("Événement"),
    SHIFTS: _("Coup de main"),
    ASSEMBLIES: _("Assemblée"),
}
KIND_CHOICES = [
    ("evenements", _("Événements")),
    ("coups-de-main", _("Coups de main")),
    ("assemblees", _("Assemblées")),
]
ALL_KINDS = frozenset(KIND_LABELS)


@dataclass(frozen=True)
class ShiftLine:
    """One shift inside an action's day."""

    start: datetime
    end: datetime
    role: str
    places_left: int
    capacity: int

    @property
    def is_full(self):
        return self.places_left <= 0


@dataclass
class Entry:
    """One line of the agenda, whatever its kind. ``end`` is exclusive."""

    kind: str
    key: str  # unique in a view: "event-12", "shift-4-2026-12-08", "assembly-3"
    title: str
    url: str
    start: datetime
    end: datetime
    place: str = ""
    neighbourhood: object = None  # None: every neighbourhood
    summary: str = ""
    all_day: bool = False
    rule: str = ""  # « Tous les mardis, 9 h – 12 h » for a repeating event
    dates_url: str = ""  # the page listing all the dates of a repeating event
    registration_open: bool = False
    shifts: list = field(default_factory=list)

    @property
    def kind_label(self):
        return KIND_LABELS[self.kind]

    @property
    def is_repeating(self):
        return bool(self.rule)

    @property
    def places_left(self):
        """Places left over the day's shifts (None for other kinds)."""
        if self.kind != SHIFTS:
            return None
        return sum(line.places_left for line in self.shifts)

    @property
    def last_day(self):
        """The last day (inclusive), in the site's zone."""
        return recurrence.local_naive(self.end - timedelta(microseconds=1)).date()

    @property
    def first_day(self):
        return recurrence.local_naive(self.start).date()

    @property
    def is_multi_day(self):
        return self.last_day > self.first_day

    def days(self, first, after_last):
        """The local days of ``[first, after_last)`` this entry is on (a long event shows
        on each of its days)."""
        day = max(self.first_day, first)
        last = self.last_day
        while day <= last and day < after_last:
            yield day
            day += timedelta(days=1)


@dataclass
class Agenda:
    """What a view shows: repeating events (once each) and dated entries, in order."""

    regular: list
    dated: list

    def __bool__(self):
        return bool(self.regular or self.dated)


def kinds_from(value):
    """The kinds named by ``?quoi=`` ("" for all); None when the word is unknown."""
    if not value:
        return ALL_KINDS
    kind = KIND_PARAMS.get(value)
    return frozenset([kind]) if kind else None


# --- Events ---------------------------------------------------------------------------------


def visible_events(index):
    """The agenda's events anyone may see."""
    return (
        EventPage.objects.live()
        .public()
        .descendant_of(index)
        .select_related("neighbourhood", "image")
    )


def for_neighbourhood(events, neighbourhood):
    """An event for every neighbourhood (no neighbourhood) belongs to each one's agenda."""
    if neighbourhood is None:
        return events
    return events.filter(Q(neighbourhood=neighbourhood) | Q(neighbourhood__isnull=True))


def _event_entry(event, occurrence, *, rule=""):
    return Entry(
        kind=EVENTS,
        key=f"event-{event.pk}" + ("" if rule else f"-{occurrence.start:%Y%m%d%H%M}"),
        title=event.title,
        url=event.url,
        start=occurrence.start,
        end=occurrence.end,
        place=event.place,
        neighbourhood=event.neighbourhood,
        summary=event.summary,
        all_day=event.all_day,
        rule=rule,
        dates_url=event.url + "#dates" if rule else "",
        registration_open=event.registration_open,
    )


def event_entries(index, *, neighbourhood, start, end, now=None):
    """(regular, dated): a repeating event once, at its next date in ``[start, end)`` (the
    next one after ``now`` when there is one, else its first in the period); other events
    at their date."""
    events = for_neighbourhood(visible_events(index), neighbourhood).filter(
        start__lt=end, series_ends_at__gt=start
    )
    regular, dated = [], []
    for event in events:
        if event.repeat:
            found = []
            if now is not None and start < now < end:
                found = event.occurrences(after=now, before=end, limit=1)
            found = found or event.occurrences(after=start, before=end, limit=1)
            if found:
                regular.append(_event_entry(event, found[0], rule=recurrence.describe(event)))
        else:
            dated.extend(_event_entry(event, o) for o in event.occurrences(after=start, before=end))
    return regular, dated


# --- Shifts, by action and day --------------------------------------------------------------


def public_shifts():
    """Shifts anyone may see: on published actions, not cancelled."""
    return Shift.objects.filter(action__in=Action.objects.published(), is_cancelled=False)


def shift_entries(*, neighbourhood, start, end):
    shifts = (
        public_shifts()
        .filter(ends_at__gt=start, starts_at__lt=end)
        .select_related("action__neighbourhood")
        .order_by("starts_at", "pk")
    )
    if neighbourhood is not None:
        shifts = shifts.filter(action__neighbourhood=neighbourhood)
    by_day = {}
    for shift in shifts:
        action = shift.action
        day = recurrence.local_naive(shift.starts_at).date()
        entry = by_day.get((action.pk, day))
        if entry is None:
            entry = by_day[(action.pk, day)] = Entry(
                kind=SHIFTS,
                key=f"shift-{action.pk}-{day:%Y-%m-%d}",
                title=action.title,
                url=reverse("volunteering:action", args=[action.pk]),
                start=shift.starts_at,
                end=shift.ends_at,
                place=action.meeting_place,
                neighbourhood=action.neighbourhood,
            )
        entry.end = max(entry.end, shift.ends_at)
        entry.shifts.append(
            ShiftLine(
                start=shift.starts_at,
                end=shift.ends_at,
                role=shift.role,
                places_left=shift.places_left,
                capacity=shift.capacity,
            )
        )
    return list(by_day.values())


# --- Assemblies -----------------------------------------------------------------------------


def public_assemblies():
    return Assembly.objects.published()


def assembly_entries(*, neighbourhood, start, end, upcoming_only=False):
    assemblies = (
        public_assemblies()
        .filter(starts_at__lt=end, starts_at__gt=start - ASSUMED_LENGTH)
        .select_related("neighbourhood")
        .order_by("starts_at", "pk")
    )
    if upcoming_only:
        assemblies = assemblies.upcoming(start)
    if neighbourhood is not None:
        assemblies = assemblies.filter(neighbourhood=neighbourhood)
    return [
        Entry(
            kind=ASSEMBLIES,
            key=f"assembly-{assembly.pk}",
            title=assembly.title,
            url=assembly.get_absolute_url(),
            start=assembly.starts_at,
            end=assembly.starts_at + ASSUMED_LENGTH,
            place=assembly.place,
            neighbourhood=assembly.neighbourhood,
        )
        for assembly in assemblies
    ]


# --- Together -------------------------------------------------------------------------------


def _order(entries):
    return sorted(entries, key=lambda e: (e.start, e.title, e.key))


def gather(index, *, neighbourhood=None, kinds=ALL_KINDS, start, end, upcoming_only=False):
    """The agenda of ``[start, end)``: entries that end after ``start`` and begin before
    ``end``, of the ``kinds`` asked, for ``neighbourhood`` (None: all)."""
    regular, dated = [], []
    if EVENTS in kinds:
        regular, dated = event_entries(
            index, neighbourhood=neighbourhood, start=start, end=end, now=timezone.now()
        )
    if SHIFTS in kinds:
        dated += shift_entries(neighbourhood=neighbourhood, start=start, end=end)
    if ASSEMBLIES in kinds:
        dated += assembly_entries(
            neighbourhood=neighbourhood, start=start, end=end, upcoming_only=upcoming_only
        )
    return Agenda(regular=_order(regular), dated=_order(dated))
