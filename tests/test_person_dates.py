"""Dates and times as residents read them (civic.dates and ``{% load dates %}``)."""

import datetime
import zoneinfo

from django.template import Context, Template
from django.utils import translation

from civic import dates

PARIS = zoneinfo.ZoneInfo("Europe/Paris")
NBSP = "\u00a0"


def render(source, **context):
    return Template("{% load dates %}" + source).render(Context(context))


def test_machine_time_keeps_the_offset_form():
    value = datetime.datetime(2026, 12, 5, 9, 30, tzinfo=PARIS)
    assert render("{{ v|machine_time }}", v=value) == "2026-12-05T09:30:00+0100"


def test_french_day_and_first_of_the_month():
    with translation.override("fr"):
        assert dates.day(datetime.date(2026, 12, 1)) == "mardi 1er décembre"
        assert dates.day(datetime.date(2026, 12, 5), year=True) == "samedi 5 décembre 2026"
        assert render('{{ v|day:"short" }}', v=datetime.date(2026, 12, 1)) == "1er décembre"


def test_french_clock_never_reads_09_00():
    with translation.override("fr"):
        morning = datetime.datetime(2026, 12, 5, 9, 0, tzinfo=PARIS)
        half = datetime.datetime(2026, 12, 5, 9, 30, tzinfo=PARIS)
        assert dates.clock(morning) == f"9{NBSP}h"
        assert dates.clock(half) == f"9{NBSP}h{NBSP}30"
        assert render("{{ v|day_clock }}", v=half) == f"samedi 5 décembre 2026 à 9{NBSP}h{NBSP}30"


def test_english_keeps_its_own_formats():
    with translation.override("en"):
        assert "1er" not in dates.day(datetime.date(2026, 12, 1))


def test_durations_in_words():
    with translation.override("fr"):
        assert dates.days_in_words(730) == "2 ans"
        assert dates.days_in_words(365) == "1 an"
        assert dates.days_in_words(14) == "2 semaines"
        assert dates.days_in_words(400) == "400 jours"
        assert dates.days_in_words(1) == "1 jour"
