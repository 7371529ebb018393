"""Dated occurrences of an event, expanded with dateutil's rrule.

Rules run on the *local wall-clock* time of the site (Europe/Paris): the Tuesday
permanence at 9:00 stays at 9:00 after the clocks change, as it does in calendar apps
reading the RRULE with TZID. Every datetime is made aware only after expansion.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from itertools import islice

from dateutil import rrule
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext, pgettext_lazy

# The time as people say it (« 9 h », « 9 h – 12 h »), shared with every page.
from civic.dates import clock, hours  # noqa: F401 (clock: also agenda_tags)

# Bounds what one event can expand to (pages, the roster, validation).
MAX_OCCURRENCES = 366

WEEKDAY_CODES = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


def site_timezone():
    # The Régie's wall-clock, whatever language or time zone a request activated.
    return timezone.get_default_timezone()


def local_naive(value):
    """An aware datetime as the naive wall-clock time of the site."""
    return timezone.localtime(value, site_timezone()).replace(tzinfo=None)


def aware(naive):
    return timezone.make_aware(naive, site_timezone())


@dataclass(frozen=True)
class Occurrence:
    """One dated occurrence of an event. ``end`` is exclusive (midnight after the last day
    for all-day events)."""

    event: object
    start: datetime
    end: datetime

    @property
    def all_day(self):
        return self.event.all_day

    @property
    def key(self):
        """What forms send to name this occurrence (its start, ISO 8601 with offset)."""
        return self.start.isoformat()

    @property
    def last_day(self):
        """The last day of an all-day occurrence (inclusive), for display."""
        return timezone.localtime(self.end, site_timezone()).date() - timedelta(days=1)

    @property
    def is_multi_day(self):
        first = timezone.localtime(self.start, site_timezone()).date()
        if self.all_day:
            return self.last_day > first
        return timezone.localtime(self.end, site_timezone()).date() > first

    def is_past(self, now=None):
        return self.end <= (now or timezone.now())

    def has_started(self, now=None):
        return self.start <= (now or timezone.now())


def nth_weekday_of(day):
    """(weekday, n) of a date: the 2nd Tuesday → (1, 2); a 5th week is "the last" (-1),
    which every month has."""
    n = (day.day - 1) // 7 + 1
    return day.weekday(), (-1 if n == 5 else n)


def build_rule(event):
    """The event's rrule over naive local datetimes, or None when it does not repeat."""
    if not event.repeat:
        return None
    start = local_naive(event.start)
    params = {"dtstart": start, "interval": max(event.repeat_interval or 1, 1)}
    if event.repeat_count:
        params["count"] = event.repeat_count
    elif event.repeat_until:
        params["until"] = datetime.combine(event.repeat_until, time.max)
    if event.repeat == event.Repeat.WEEKLY:
        params["byweekday"] = event.effective_weekdays()
        return rrule.rrule(rrule.WEEKLY, **params)
    if event.repeat == event.Repeat.MONTHLY_WEEKDAY:
        weekday, n = nth_weekday_of(start.date())
        params["byweekday"] = rrule.weekday(weekday, n)
        return rrule.rrule(rrule.MONTHLY, **params)
    params["bymonthday"] = start.day
    return rrule.rrule(rrule.MONTHLY, **params)


def _wall_clock_length(event):
    length = local_naive(event.end) - local_naive(event.start)
    # An all-day event's ``end`` is its last day (inclusive): occurrences end at midnight after.
    return length + timedelta(days=1) if event.all_day else length


def _occurrence_at(event, naive_start, length):
    return Occurrence(event=event, start=aware(naive_start), end=aware(naive_start + length))


def occurrences(event, *, after=None, before=None, limit=MAX_OCCURRENCES):
    """The event's occurrences that end after ``after`` and start before ``before`` (both
    aware, optional), in order, at most ``limit``."""
    length = _wall_clock_length(event)
    rule = build_rule(event)
    starts = iter(rule) if rule is not None else iter([local_naive(event.start)])
    found = []
    for naive_start in islice(starts, MAX_OCCURRENCES):
        occurrence = _occurrence_at(event, naive_start, length)
        if before is not None and occurrence.start >= before:
            break
        if after is not None and occurrence.end <= after:
            continue
        found.append(occurrence)
        if len(found) >= limit:
            break
    return found


def occurrence_starting(event, start):
    """The occurrence of ``event`` starting exactly at ``start`` (aware), or None."""
    if start is None:
        return None
    for occurrence in occurrences(event, after=start - timedelta(seconds=1), limit=2):
        if occurrence.start == start:
            return occurrence
        if occurrence.start > start:
            return None
    return None


def last_end(event):
    """When the event's last occurrence ends (stored on the page to query by date)."""
    found = occurrences(event)
    return found[-1].end if found else event.end


def count_occurrences(event):
    """How many occurrences the rule gives, up to MAX_OCCURRENCES + 1 (to refuse more)."""
    rule = build_rule(event)
    if rule is None:
        return 1
    return sum(1 for _ in islice(rule, MAX_OCCURRENCES + 1))


def day_bounds(day: date):
    """The aware start of ``day`` and of the next day, in the site's time zone."""
    start = aware(datetime.combine(day, time.min))
    return start, aware(datetime.combine(day + timedelta(days=1), time.min))


# --- Words for people: « Tous les mardis, 9 h – 12 h » ----------------------------------------

WEEKDAY_PLURALS = (
    # Translators: after « Tous les » (« every »): the day's plural in French.
    pgettext_lazy("tous les", "lundis"),
    pgettext_lazy("tous les", "mardis"),
    pgettext_lazy("tous les", "mercredis"),
    pgettext_lazy("tous les", "jeudis"),
    pgettext_lazy("tous les", "vendredis"),
    pgettext_lazy("tous les", "samedis"),
    pgettext_lazy("tous les", "dimanches"),
)
WEEKDAY_NAMES = (
    pgettext_lazy("le", "lundi"),
    pgettext_lazy("le", "mardi"),
    pgettext_lazy("le", "mercredi"),
    pgettext_lazy("le", "jeudi"),
    pgettext_lazy("le", "vendredi"),
    pgettext_lazy("le", "samedi"),
    pgettext_lazy("le", "dimanche"),
)
NTH = {
    1: pgettext_lazy("le … mardi du mois", "premier"),
    2: pgettext_lazy("le … mardi du mois", "deuxième"),
    3: pgettext_lazy("le … mardi du mois", "troisième"),
    4: pgettext_lazy("le … mardi du mois", "quatrième"),
    -1: pgettext_lazy("le … mardi du mois", "dernier"),
}


def _and(words):
    words = [str(word) for word in words]
    if len(words) == 1:
        return words[0]
    return _("%(first)s et %(last)s") % {"first": ", ".join(words[:-1]), "last": words[-1]}


def rule_words(event):
    """The repetition alone: « Tous les mardis », « Le mardi, toutes les 2 semaines »,
    « Le premier mardi du mois », « Le 12 de chaque mois »; "" when it does not repeat."""
    if not event.repeat:
        return ""
    interval = max(event.repeat_interval or 1, 1)
    start = local_naive(event.start)
    if event.repeat == event.Repeat.WEEKLY:
        days = event.effective_weekdays()
        if interval == 1:
            return _("Tous les %(days)s") % {"days": _and(WEEKDAY_PLURALS[d] for d in days)}
        return ngettext(
            "Le %(days)s, chaque semaine",
            "Le %(days)s, toutes les %(count)s semaines",
            interval,
        ) % {"days": _and(WEEKDAY_NAMES[d] for d in days), "count": interval}
    if event.repeat == event.Repeat.MONTHLY_WEEKDAY:
        weekday, n = nth_weekday_of(start.date())
        return ngettext(
            "Le %(nth)s %(weekday)s du mois",
            "Le %(nth)s %(weekday)s du mois, tous les %(count)s mois",
            interval,
        ) % {"nth": NTH[n], "weekday": WEEKDAY_NAMES[weekday], "count": interval}
    return ngettext(
        "Le %(day)s de chaque mois",
        "Le %(day)s du mois, tous les %(count)s mois",
        interval,
    ) % {
        "day": pgettext("le … de chaque mois", "1er") if start.day == 1 else start.day,
        "count": interval,
    }


def describe(event):
    """« Tous les mardis, 9 h – 12 h » (or « …, toute la journée »); "" when it does not
    repeat."""
    words = rule_words(event)
    if not words:
        return ""
    if event.all_day:
        return _("%(rule)s, toute la journée") % {"rule": words}
    first = occurrences(event, limit=1)
    start, end = (first[0].start, first[0].end) if first else (event.start, event.end)
    return _("%(rule)s, %(hours)s") % {"rule": words, "hours": hours(start, end)}
