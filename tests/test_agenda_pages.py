"""The agenda's pages through the real URLs: upcoming list, month view, archives, the
neighbourhood filter, bad addresses (404, never 500), the header navigation, demo data."""

from datetime import date, timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from cms.agenda.models import EventPage
from tests.agenda_factories import at, in_days, make_event

pytestmark = pytest.mark.django_db


def text(response):
    assert response.status_code == 200, response.status_code
    return response.content.decode()


@pytest.fixture
def events(site_tree, tilleuls, bel_air):
    return {
        "vide": make_event(title="Vide-grenier", neighbourhood=tilleuls, start=in_days(5)),
        "jardin": make_event(title="Jardinage", neighbourhood=bel_air, start=in_days(3)),
        "permanence": make_event(
            title="Permanence",
            start=in_days(1, 9),
            end=in_days(1, 12),
            repeat=EventPage.Repeat.WEEKLY,
            repeat_count=4,
        ),
        "passe": make_event(title="Réunion passée", neighbourhood=tilleuls, start=in_days(-30)),
    }


def test_the_list_shows_upcoming_occurrences_in_date_order(client, events):
    content = text(client.get("/agenda/"))
    # The repeating event once, in words, with its next date; then the dated entries.
    assert content.count("Permanence</a>") == 1
    assert "Tous les " in content and "9\u00a0h – 12\u00a0h" in content
    assert "Réunion passée" not in content
    first_permanence = content.index("Permanence</a>")
    assert first_permanence < content.index("Jardinage") < content.index("Vide-grenier")
    assert '<time datetime="' in content
    assert "css/agenda.css" in content


def test_the_list_filtered_by_neighbourhood(client, events):
    content = text(client.get("/agenda/", {"quartier": "bel-air"}))
    assert "Jardinage" in content and "Permanence" in content
    assert "Vide-grenier" not in content
    assert '<option value="bel-air" selected>' in content


def test_a_neighbourhood_without_events_says_so(client, events, regie):
    from tests.factories import NeighbourhoodFactory

    NeighbourhoodFactory(regie=regie, slug="la-source", name="La Source")
    events["permanence"].unpublish()
    content = text(client.get("/agenda/", {"quartier": "la-source"}))
    assert "Rien de prévu pour La Source en ce moment." in content


@pytest.mark.parametrize(
    "url",
    [
        "/agenda/?quartier=inconnu",
        "/agenda/?quartier=%00",
        "/agenda/archives/?quartier=inconnu",
        "/agenda/mois/2027/13/",
        "/agenda/mois/2027/00/",
        "/agenda/mois/0001/01/",
        "/agenda/mois/9999/12/",
        "/agenda/mois/2027/1/",
        "/agenda/mois/abcd/01/",
        "/agenda/mois/2027/03/?quartier=inconnu",
        "/agenda/nimporte-quoi/",
    ],
)
def test_bad_addresses_are_404(client, events, url):
    assert client.get(url).status_code == 404


@pytest.mark.parametrize("page", ["-1", "abc", "999999", "10" * 30])
def test_bad_page_numbers_never_fail(client, events, page):
    assert client.get("/agenda/", {"page": page}).status_code == 200
    assert client.get("/agenda/archives/", {"page": page}).status_code == 200


def test_month_view_is_an_accessible_table(client, site_tree, tilleuls):
    make_event(title="Carnaval", start=at(date(2027, 3, 6), 14), neighbourhood=tilleuls)
    make_event(
        title="Brocante",
        start=at(date(2027, 3, 20)),
        end=at(date(2027, 3, 21)),
        all_day=True,
    )
    content = text(client.get("/agenda/mois/2027/03/"))
    assert "<caption" in content and "mars 2027" in content
    assert content.count('<th scope="col">') == 7
    assert '<abbr title="lundi">' in content
    assert "Carnaval" in content
    assert content.count("Brocante") == 2  # on each of its two days
    assert '<time datetime="2027-03-06T14:00:00+0100">14\u00a0h</time>' in content
    assert 'href="/agenda/mois/2027/02/"' in content and 'rel="prev"' in content
    assert 'href="/agenda/mois/2027/04/"' in content and 'rel="next"' in content


def test_month_view_keeps_the_filter_in_its_links(client, site_tree, tilleuls, bel_air):
    make_event(title="Carnaval", start=at(date(2027, 3, 6), 14), neighbourhood=tilleuls)
    make_event(title="Jardinage", start=at(date(2027, 3, 8), 14), neighbourhood=bel_air)
    content = text(client.get("/agenda/mois/2027/03/", {"quartier": "bel-air"}))
    assert "Jardinage" in content and "Carnaval" not in content
    assert 'href="/agenda/mois/2027/04/?quartier=bel-air"' in content


def test_month_view_of_a_repeating_event_across_the_clock_change(client, site_tree):
    make_event(
        title="Permanence",
        start=at(date(2027, 10, 5), 9),
        end=at(date(2027, 10, 5), 12),
        repeat=EventPage.Repeat.WEEKLY,
        repeat_until=date(2027, 11, 30),
    )
    october = text(client.get("/agenda/mois/2027/10/"))
    november = text(client.get("/agenda/mois/2027/11/"))
    # Once per month, in words, at 9 h on both sides of the change, with its next date.
    for content, first in (
        (october, "2027-10-05T09:00:00+0200"),
        (november, "2027-11-02T09:00:00+0100"),
    ):
        assert content.count("Permanence</a>") == 1
        assert "Tous les mardis, 9\u00a0h – 12\u00a0h" in content
        assert f'<time datetime="{first}">' in content


def test_an_empty_month_says_so(client, site_tree):
    assert "Rien de prévu ce mois-ci." in text(client.get("/agenda/mois/2030/01/"))


def test_the_current_month_marks_today(client, events):
    today = timezone.localdate()
    content = text(client.get(f"/agenda/mois/{today:%Y/%m}/"))
    assert 'aria-current="date"' in content


def test_archives_list_past_events_only(client, events):
    content = text(client.get("/agenda/archives/"))
    assert "Réunion passée" in content
    assert "Vide-grenier" not in content and "Permanence" not in content


def test_archives_are_paginated(client, site_tree):
    for n in range(12):
        make_event(title=f"Ancien {n:02d}", start=in_days(-40 - n))
    first_page = text(client.get("/agenda/archives/"))
    second_page = text(client.get("/agenda/archives/", {"page": 2}))
    assert "Ancien 00" in first_page and "Ancien 11" not in first_page
    assert "Ancien 11" in second_page


def test_a_repeating_event_moves_to_the_archives_after_its_last_date(client, site_tree):
    make_event(
        title="Ateliers d'hiver",
        start=in_days(-30),
        repeat=EventPage.Repeat.WEEKLY,
        repeat_count=3,
    )
    assert "Ateliers d&#x27;hiver" in text(client.get("/agenda/archives/"))
    assert "Ateliers d&#x27;hiver" not in text(client.get("/agenda/"))


def test_the_event_page(client, events):
    event = events["permanence"]
    content = text(client.get(event.url))
    assert "<h1" in content and "Permanence" in content
    assert content.count('class="event-date') == 4
    assert "Tous les quartiers" in content
    assert f'href="{event.url}ics/"' in content


def test_drafts_are_not_shown(client, events):
    events["vide"].unpublish()
    assert "Vide-grenier" not in text(client.get("/agenda/"))
    assert client.get(events["vide"].url or "/agenda/vide-grenier/").status_code == 404


def test_header_navigation_has_the_agenda(client, site_tree):
    content = text(client.get("/"))
    nav = content[content.index('<nav class="main-nav"') :]
    assert '<a href="/agenda/">Agenda</a>' in nav[: nav.index("</nav>")]
    agenda = text(client.get("/agenda/"))
    assert '<a href="/agenda/" aria-current="page">Agenda</a>' in agenda


def test_header_navigation_follows_the_agendas_publication(client, site_tree):
    from cms.agenda.models import EventIndexPage

    index = EventIndexPage.objects.get()
    index.unpublish()
    assert '<a href="/agenda/">Agenda</a>' not in text(client.get("/"))
    index.save_revision().publish()
    assert '<a href="/agenda/">Agenda</a>' in text(client.get("/"))


def test_list_query_count_does_not_grow_with_events(
    client, site_tree, django_assert_max_num_queries
):
    for n in range(8):
        make_event(title=f"Événement {n}", start=in_days(n + 1))
    client.get("/agenda/")  # warm caches (site, navigation)
    with django_assert_max_num_queries(15):
        client.get("/agenda/")


def test_seed_demo_adds_the_agenda_once(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    call_command("seed_demo", stdout=StringIO())
    count = EventPage.objects.count()
    call_command("seed_demo", stdout=StringIO())
    assert count == EventPage.objects.count() == 4
    permanence = EventPage.objects.get(slug="permanence-de-la-regie")
    assert permanence.repeat == EventPage.Repeat.WEEKLY and permanence.live
    assert EventPage.objects.get(slug="fete-de-quartier-la-source").registration_open
    assert EventPage.objects.get(slug="portes-ouvertes-jardin-bel-air").all_day
    assert EventPage.objects.get(slug="reunion-proprete-tilleuls").is_past()
    assert permanence.upcoming_occurrences()[0].start > timezone.now() - timedelta(hours=3)
