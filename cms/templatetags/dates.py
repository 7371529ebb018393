"""``{% load dates %}``: dates and times for people, and the machine value of ``<time>``.

``{{ value|day }}`` « mardi 5 décembre » (``day:"year"`` adds the year, ``day:"short"``
drops the weekday), ``{{ value|clock }}`` « 9 h 30 », ``{{ value|day_clock }}``
« mardi 5 décembre 2026 à 9 h 30 », ``{{ start|time_range:end }}`` « 14 h – 17 h », and
``{{ value|machine_time }}`` for ``<time datetime="…">`` (« 2026-12-05T09:30:00+0100 »).
"""

from django import template
from django.template.defaultfilters import date as date_filter

from civic import dates

register = template.Library()

MACHINE_FORMAT = r"Y-m-d\TH:i:sO"


@register.filter(expects_localtime=True)
def machine_time(value):
    return date_filter(value, MACHINE_FORMAT)


@register.filter
def day(value, options=""):
    options = str(options or "")
    return dates.day(value, year="year" in options, weekday="short" not in options)


@register.filter
def clock(value):
    return dates.clock(value)


@register.filter
def day_clock(value):
    return dates.day_and_clock(value)


@register.filter
def time_range(start, end):
    return dates.hours(start, end)


@register.filter
def days_words(days):
    """730 → « 2 ans »: durations in the words people use."""
    return dates.days_in_words(days)
