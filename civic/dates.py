"""Dates and times as a person reads them, written once for every page and message.

« mardi 5 décembre », « lundi 1er décembre 2026 », « 9 h », « 9 h 30 », « 14 h – 17 h »
in French; the language's own formats otherwise. Times are the Régie's wall-clock
(the site's time zone), whatever time zone a request activated.
"""

import datetime

from django.utils import formats, timezone
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

NBSP = "\u00a0"


def _french():
    return (get_language() or "fr").startswith("fr")


def _local(value):
    if isinstance(value, datetime.datetime) and timezone.is_aware(value):
        return timezone.localtime(value, timezone.get_default_timezone())
    return value


def clock(value):
    """« 9 h », « 14 h 30 » (never « 09:00 »)."""
    if not value:
        return ""
    local = _local(value)
    if _french():
        if local.minute:
            return f"{local.hour}{NBSP}h{NBSP}{local.minute:02d}"
        return f"{local.hour}{NBSP}h"
    return formats.time_format(local, "TIME_FORMAT")


def hours(start, end):
    """« 14 h – 17 h »."""
    return _("%(start)s – %(end)s") % {"start": clock(start), "end": clock(end)}


def day(value, *, year=False, weekday=True):
    """« mardi 5 décembre », « lundi 1er décembre 2026 »."""
    if not value:
        return ""
    local = _local(value)
    fmt = ("l " if weekday else "") + "j F" + (" Y" if year else "")
    if _french() and local.day == 1:
        fmt = fmt.replace("j", r"\1\e\r")
    return formats.date_format(local, fmt)


def day_and_clock(value, *, year=True):
    """« mardi 5 décembre 2026 à 9 h 30 »."""
    if not value:
        return ""
    return _("%(day)s à %(time)s") % {"day": day(value, year=year), "time": clock(value)}


def days_in_words(days):
    """A duration as people say it: 730 → « 2 ans », 14 → « 2 semaines », 45 → « 45 jours »."""
    days = int(days or 0)
    if days and days % 365 == 0:
        years = days // 365
        return ngettext("%(count)s an", "%(count)s ans", years) % {"count": years}
    if days and days % 7 == 0 and days <= 70:
        weeks = days // 7
        return ngettext("%(count)s semaine", "%(count)s semaines", weeks) % {"count": weeks}
    return ngettext("%(count)s jour", "%(count)s jours", days) % {"count": days}
