"""One agenda for events, volunteer shifts (by action and day) and assemblies: the kinds,
the quartier and kind filters (kept across list, month and pages), a repeating event once
with its rule in words and its next date, what must never show, the ICS feed carrying all
kinds with stable UIDs, and bounded queries. Runs on SQLite and, with DATABASE_URL, on
PostgreSQL."""

from datetime import date, timedelta
from html import unescape

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation
from icalendar import Calendar

from civic.assemblies.calendar import assembly_uid
from civic.assemblies.messages import assembly_calendar
from civic.volunteering.calendar import shift_uid
from cms.agenda import entries, recurrence
from cms.agenda.models import EventIndexPage, EventPage
from tests.agenda_factories import at, in_days, make_event
from tests.assemblies_factories import AssemblyFactory
from tests.factories import ActionFactory, ShiftFactory

pytestmark = pytest.mark.django_db
NBSP = "\u00a0"


def text(response):
    assert response.status_code == 200, response.status_code
    return unescape(response.content.decode())


def next_weekday(weekday, days_ahead=1):
    day = timezone.localdate() + timedelta(days=days_ahead)
    while day.weekday() != weekday:
        day += timedelta(days=1)
    return day


@pytest.fixture
def agenda(site_tree, tilleuls, bel_air):
    """A weekly permanence (every Tuesday, for everyone), a one-off event in each quartier,
    a clean-up with two shifts on one day and one on another, assemblies, and what must
    not show: a cancelled shift, an unpublished action, an unpublished assembly."""
    tuesday = next_weekday(1)
    cleanup = ActionFactory(title="Grand nettoyage", neighbourhood=tilleuls)
    first_day = timezone.localdate() + timedelta(days=4)
    hidden_action = ActionFactory(title="Action en préparation", is_published=False)
    return {
        "permanence": make_event(
            title="Permanence de la Régie",
            start=at(tuesday, 9),
            end=at(tuesday, 12),
            place="Local de la Régie",
            repeat=EventPage.Repeat.WEEKLY,
            repeat_weekdays=[1],
            repeat_count=18,
        ),
        "vide": make_event(title="Vide-grenier", neighbourhood=tilleuls, start=in_days(6, 14)),
        "jardin": make_event(title="Jardinage", neighbourhood=bel_air, start=in_days(5, 15)),
        "cleanup": cleanup,
        "morning": ShiftFactory(
            action=cleanup, starts_at=at(first_day, 9), ends_at=at(first_day, 11), capacity=5
        ),
        "afternoon": ShiftFactory(
            action=cleanup,
            starts_at=at(first_day, 14),
            ends_at=at(first_day, 16, 30),
            capacity=3,
            seats_taken=3,
            role="accueil",
        ),
        "later": ShiftFactory(
            action=cleanup,
            starts_at=at(first_day + timedelta(days=7), 9),
            ends_at=at(first_day + timedelta(days=7), 11),
            capacity=1,
        ),
        "cancelled": ShiftFactory(
            action=ActionFactory(title="Plantation annulée", neighbourhood=tilleuls),
            starts_at=in_days(3, 10),
            is_cancelled=True,
        ),
        "hidden": ShiftFactory(action=hidden_action, starts_at=in_days(3, 10)),
        "assembly": AssemblyFactory(
            title="Assemblée des Tilleuls",
            neighbourhood=tilleuls,
            starts_at=in_days(8, 18),
            place="Salle des fêtes",
        ),
        "bel_air_assembly": AssemblyFactory(
            title="Assemblée de Bel-Air", neighbourhood=bel_air, starts_at=in_days(9, 18)
        ),
        "draft_assembly": AssemblyFactory(
            title="Assemblée brouillon", neighbourhood=tilleuls, is_published=False
        ),
    }


def month_path(day):
    return f"/agenda/mois/{day:%Y/%m}/"


# --- Kinds and what must not show ------------------------------------------------------------


def test_the_list_has_every_kind_and_nothing_hidden(client, agenda):
    content = text(client.get("/agenda/"))
    for title in [
        "Permanence de la Régie",
        "Vide-grenier",
        "Jardinage",
        "Grand nettoyage",
        "Assemblée des Tilleuls",
        "Assemblée de Bel-Air",
    ]:
        assert title in content, title
    for hidden in ["Plantation annulée", "Action en préparation", "Assemblée brouillon"]:
        assert hidden not in content, hidden
    # The kind is said in words on each entry.
    assert "Coup de main" in content and "Assemblée</span>" in content


def test_shifts_are_one_entry_per_action_and_day_with_places_left(client, agenda):
    content = text(client.get("/agenda/"))
    action_url = f"/agir/{agenda['cleanup'].pk}/"
    # Two days with shifts: two entries, each linking to the action.
    assert content.count(f'<h3><a href="{action_url}">Grand nettoyage</a></h3>') == 2
    assert f"9{NBSP}h – 11{NBSP}h</time>{NBSP}: 5 places libres" in content
    assert f"14{NBSP}h – 16{NBSP}h{NBSP}30</time> (accueil){NBSP}: <strong>complet</strong>" in (
        content
    )
    assert f"9{NBSP}h – 11{NBSP}h</time>{NBSP}: 1 place libre" in content


def test_an_assembly_has_its_date_place_and_link(client, agenda):
    assembly = agenda["assembly"]
    content = text(client.get("/agenda/"))
    assert f'<a href="/assemblees/{assembly.pk}/">Assemblée des Tilleuls</a>' in content
    assert "Salle des fêtes" in content
    assert (
        f'datetime="{timezone.localtime(assembly.starts_at).strftime("%Y-%m-%dT%H:%M:%S%z")}"'
        in content
    )


def test_an_ended_assembly_leaves_the_list(client, agenda):
    assembly = agenda["assembly"]
    assembly.session_status = "ended"
    assembly.save()
    assert "Assemblée des Tilleuls" not in text(client.get("/agenda/"))


# --- A repeating event, once -----------------------------------------------------------------


def test_the_permanence_is_there_once_in_words_with_its_next_date(client, agenda):
    permanence = agenda["permanence"]
    content = text(client.get("/agenda/"))
    assert content.count("Permanence de la Régie</a>") == 1
    assert f"Tous les mardis, 9{NBSP}h – 12{NBSP}h" in content
    first = permanence.upcoming_occurrences()[0].start
    assert (
        f'Prochaine date{NBSP}: <time datetime="{timezone.localtime(first).strftime("%Y-%m-%dT%H:%M:%S%z")}">'
        in (content)
    )
    assert f'href="{permanence.url}#dates"' in content  # all its dates


def test_the_next_date_moves_on_once_a_date_is_past(client, agenda, settings):
    permanence = agenda["permanence"]
    second = permanence.occurrences()[1]
    found = entries.gather(
        EventIndexPage.objects.get(),
        start=permanence.occurrences()[0].end + timedelta(minutes=1),
        end=second.end + timedelta(days=30),
    )
    (regular,) = found.regular
    assert regular.start == second.start


def test_the_month_view_shows_the_permanence_once(client, agenda):
    tuesday = agenda["permanence"].upcoming_occurrences()[0].start
    content = text(client.get(month_path(timezone.localtime(tuesday))))
    assert content.count("Permanence de la Régie</a>") == 1
    assert f"Tous les mardis, 9{NBSP}h – 12{NBSP}h" in content


@pytest.mark.parametrize(
    ("fields", "french", "english"),
    [
        ({"repeat": "weekly", "repeat_weekdays": [1]}, "Tous les mardis", None),
        (
            {"repeat": "weekly", "repeat_weekdays": [1, 3]},
            "Tous les mardis et jeudis",
            None,
        ),
        (
            {"repeat": "weekly", "repeat_weekdays": [1], "repeat_interval": 2},
            "Le mardi, toutes les 2 semaines",
            None,
        ),
        ({"repeat": "monthly_weekday"}, "Le premier mardi du mois", None),
        ({"repeat": "monthly_day"}, "Le 5 de chaque mois", None),
        (
            {"repeat": "monthly_day", "repeat_interval": 3},
            "Le 5 du mois, tous les 3 mois",
            None,
        ),
    ],
)
def test_rule_words(site_tree, fields, french, english):
    event = make_event(
        title="Régulier",
        start=at(date(2027, 1, 5), 9, 30),  # a Tuesday, the first of its month
        end=at(date(2027, 1, 5), 12),
        repeat_count=5,
        **fields,
    )
    with translation.override("fr"):
        assert recurrence.rule_words(event) == french
        assert recurrence.describe(event) == f"{french}, 9{NBSP}h{NBSP}30 – 12{NBSP}h"
    with translation.override("en"):
        words = recurrence.describe(event)
        assert "h" not in words.split(",")[-1]  # the English clock, not « 9 h 30 »


def test_an_all_day_repeating_event_says_so(site_tree):
    event = make_event(
        title="Marché",
        start=at(date(2027, 1, 1)),
        end=at(date(2027, 1, 1)),
        all_day=True,
        repeat="monthly_day",
        repeat_count=3,
    )
    with translation.override("fr"):
        assert recurrence.describe(event) == "Le 1er de chaque mois, toute la journée"


# --- Filters ---------------------------------------------------------------------------------


def test_filter_by_quartier(client, agenda):
    content = text(client.get("/agenda/", {"quartier": "bel-air"}))
    assert "Jardinage" in content and "Assemblée de Bel-Air" in content
    assert "Permanence de la Régie" in content  # for every quartier
    assert "Vide-grenier" not in content
    assert "Grand nettoyage" not in content and "Assemblée des Tilleuls" not in content


@pytest.mark.parametrize(
    ("kind", "shown", "absent"),
    [
        (
            "evenements",
            ["Permanence de la Régie", "Vide-grenier"],
            ["Grand nettoyage", "Assemblée des"],
        ),
        (
            "coups-de-main",
            ["Grand nettoyage"],
            ["Permanence de la Régie", "Vide-grenier", "Assemblée des"],
        ),
        ("assemblees", ["Assemblée des Tilleuls"], ["Permanence de la Régie", "Grand nettoyage"]),
    ],
)
def test_filter_by_kind(client, agenda, kind, shown, absent):
    content = text(client.get("/agenda/", {"quoi": kind}))
    assert f'<option value="{kind}" selected>' in content
    for title in shown:
        assert title in content, title
    for title in absent:
        assert title not in content, title
    month = text(client.get(month_path(timezone.localdate() + timedelta(days=4)), {"quoi": kind}))
    assert f'<option value="{kind}" selected>' in month
    for title in absent:
        assert title not in month, title


def test_both_filters_together(client, agenda):
    content = text(client.get("/agenda/", {"quartier": "bel-air", "quoi": "assemblees"}))
    assert "Assemblée de Bel-Air" in content
    assert "Assemblée des Tilleuls" not in content and "Jardinage" not in content


@pytest.mark.parametrize("kind", ["autre", "<script>", "x" * 300])
def test_an_unknown_kind_is_a_404(client, agenda, kind):
    assert client.get("/agenda/", {"quoi": kind}).status_code == 404
    assert client.get("/agenda/ics/", {"quoi": kind}).status_code == 404


def test_filters_are_kept_across_views_and_pages(client, agenda, tilleuls):
    for n in range(25):
        ShiftFactory(action=agenda["cleanup"], starts_at=in_days(20 + n, 9))
    content = text(client.get("/agenda/", {"quartier": "les-tilleuls", "quoi": "coups-de-main"}))
    query = "?quartier=les-tilleuls&amp;quoi=coups-de-main"
    this_month = month_path(timezone.localdate())
    raw = client.get("/agenda/", {"quartier": "les-tilleuls", "quoi": "coups-de-main"})
    raw = raw.content.decode()
    assert f'href="{this_month}{query}"' in raw
    assert f'href="/agenda/ics/{query}"' in raw
    assert "page=2" in raw and "quoi=coups-de-main" in raw[raw.index("page=2") - 200 :]
    # The form is a plain GET to the view's own address (no empty action).
    assert '<form method="get" action="/agenda/"' in raw
    month = client.get(this_month, {"quartier": "les-tilleuls", "quoi": "coups-de-main"})
    month = month.content.decode()
    assert 'href="/agenda/?quartier=les-tilleuls&amp;quoi=coups-de-main"' in month
    assert f'<form method="get" action="{this_month}"' in month
    assert "Grand nettoyage" in content
    page_two = text(
        client.get("/agenda/", {"quartier": "les-tilleuls", "quoi": "coups-de-main", "page": 2})
    )
    assert "Grand nettoyage" in page_two and "Vide-grenier" not in page_two


def test_the_month_grid_has_shifts_and_assemblies_on_their_day(client, agenda):
    assembly_day = timezone.localtime(agenda["assembly"].starts_at).date()
    content = text(client.get(month_path(assembly_day)))
    assert "Assemblée des Tilleuls" in content
    assert content.count("day-entry--assembly") >= 1
    shift_day = timezone.localtime(agenda["morning"].starts_at).date()
    if shift_day.month == assembly_day.month:
        assert "day-entry--shift" in content


def test_an_empty_filtered_view_offers_the_whole_agenda(client, agenda, regie):
    from tests.factories import NeighbourhoodFactory

    NeighbourhoodFactory(regie=regie, slug="la-source", name="La Source")
    agenda["permanence"].unpublish()
    content = text(client.get("/agenda/", {"quartier": "la-source"}))
    assert "Rien de prévu pour La Source en ce moment." in content
    assert 'href="/agenda/">Voir tout l’agenda' in content


# --- The feed carries every kind -------------------------------------------------------------


def parse(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    return Calendar.from_ical(response.content)


def test_the_feed_carries_events_shifts_and_assemblies(client, agenda):
    calendar = parse(client.get("/agenda/ics/"))
    by_uid = {str(e["uid"]): e for e in calendar.walk("VEVENT")}
    summaries = sorted(str(e["summary"]) for e in by_uid.values())
    assert summaries.count("Permanence de la Régie") == 1  # one VEVENT with its RRULE
    assert "Vide-grenier" in summaries and "Jardinage" in summaries
    assert summaries.count("Grand nettoyage") == 2  # the morning and the later shift
    assert "Grand nettoyage (accueil)" in summaries
    assert "Assemblée des Tilleuls" in summaries and "Assemblée de Bel-Air" in summaries
    for hidden in ["Plantation annulée", "Action en préparation", "Assemblée brouillon"]:
        assert hidden not in summaries
    # The same UIDs as the shift and assembly files and emails.
    assert shift_uid(agenda["morning"]) in by_uid
    assert assembly_uid(agenda["assembly"]) in by_uid
    email_file = Calendar.from_ical(assembly_calendar(agenda["assembly"]))
    assert str(email_file.walk("VEVENT")[0]["uid"]) == assembly_uid(agenda["assembly"])
    assembly = by_uid[assembly_uid(agenda["assembly"])]
    assert str(assembly["location"]) == "Salle des fêtes"
    assert str(assembly["url"]).endswith(f"/assemblees/{agenda['assembly'].pk}/")


def test_feed_uids_are_stable(client, agenda):
    first = {str(e["uid"]) for e in parse(client.get("/agenda/ics/")).walk("VEVENT")}
    agenda["permanence"].save_revision().publish()
    again = {str(e["uid"]) for e in parse(client.get("/agenda/ics/")).walk("VEVENT")}
    assert first == again and len(first) == 8


def test_the_feed_follows_the_filters(client, agenda):
    calendar = parse(client.get("/agenda/ics/", {"quartier": "bel-air"}))
    summaries = {str(e["summary"]) for e in calendar.walk("VEVENT")}
    assert summaries == {"Permanence de la Régie", "Jardinage", "Assemblée de Bel-Air"}
    calendar = parse(client.get("/agenda/ics/", {"quoi": "assemblees"}))
    summaries = {str(e["summary"]) for e in calendar.walk("VEVENT")}
    assert summaries == {"Assemblée des Tilleuls", "Assemblée de Bel-Air"}


# --- Bounded queries -------------------------------------------------------------------------


def _more(agenda, tilleuls, n):
    for i in range(n):
        make_event(title=f"Atelier {i}", neighbourhood=tilleuls, start=in_days(2 + i, 17))
        ShiftFactory(action=ActionFactory(neighbourhood=tilleuls), starts_at=in_days(2 + i, 9))
        AssemblyFactory(neighbourhood=tilleuls, starts_at=in_days(2 + i, 20))


@pytest.mark.parametrize("view", ["list", "month"])
def test_query_counts_do_not_grow_with_entries(
    client, agenda, tilleuls, view, django_assert_max_num_queries
):
    path = "/agenda/" if view == "list" else month_path(timezone.localdate() + timedelta(days=4))
    # Anonymous pages are cached whole: each measure starts from an empty cache.
    cache.clear()
    with django_assert_max_num_queries(20):
        client.get(path)
    cache.clear()
    with CaptureQueriesContext(connection) as few:
        client.get(path)
    assert few.captured_queries
    _more(agenda, tilleuls, 6)
    cache.clear()
    with django_assert_max_num_queries(len(few.captured_queries)):
        content = text(client.get(path))
    if view == "list":
        assert "Atelier 5" in content


def test_in_a_period_that_began_the_next_date_is_the_one_to_come(site_tree):
    weekly = make_event(
        title="Atelier vélo",
        start=in_days(-15, 9),
        end=in_days(-15, 11),
        repeat=EventPage.Repeat.WEEKLY,
        repeat_count=8,
    )
    now = timezone.now()
    found = entries.gather(
        EventIndexPage.objects.get(), start=now - timedelta(days=20), end=now + timedelta(days=20)
    )
    (regular,) = found.regular
    assert regular.start == weekly.upcoming_occurrences()[0].start > now
