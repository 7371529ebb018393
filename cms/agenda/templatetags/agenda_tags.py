"""``{{ value|clock }}``: « 9 h », « 14 h 30 » (see ``recurrence.clock``)."""

from django import template

from cms.agenda import recurrence

register = template.Library()


@register.filter
def clock(value):
    if not value:
        return ""
    return recurrence.clock(value)


@register.filter
def hours(entry_or_line):
    """« 9 h – 12 h » for anything with ``start`` and ``end``."""
    return recurrence.hours(entry_or_line.start, entry_or_line.end)
