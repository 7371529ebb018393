"""The demo (``make demo``): a coherent calendar whatever the day it is loaded — dates
relative to today, wording that matches the season — generated pictures, and a second run
that adds nothing."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone
from django.utils.html import strip_tags

from civic import demo_calendar
from civic.proposals.models import Proposal
from civic.volunteering.models import Action, Shift
from cms.agenda.models import EventPage
from cms.models import NewsPage

PARIS = ZoneInfo("Europe/Paris")
# A winter day, a summer day, and the eve of a season change (the party falls in the next one).
DAYS = [
    datetime(2026, 12, 3, 9, tzinfo=PARIS),
    datetime(2027, 6, 15, 9, tzinfo=PARIS),
    datetime(2027, 2, 20, 9, tzinfo=PARIS),
]


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def seed():
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115


def counts():
    return (
        NewsPage.objects.count(),
        EventPage.objects.count(),
        Action.objects.count(),
        Shift.objects.count(),
        Proposal.objects.count(),
    )


def event_text(event):
    body = " ".join(strip_tags(str(block.value)) for block in event.body)
    return f"{event.title} {event.summary} {body}"


@pytest.mark.parametrize("moment", DAYS, ids=["december", "june", "late-february"])
def test_the_demo_calendar_is_coherent(site_tree, moment):
    with time_machine.travel(moment, tick=False):
        seed()
        now = timezone.now()
        today = timezone.localdate()

        # Every shift is still to come; every event but the one past meeting has a next date.
        assert Shift.objects.exists()
        assert not Shift.objects.filter(starts_at__lte=now).exists()
        events = {event.slug: event for event in EventPage.objects.live()}
        past = events.pop("reunion-proprete-tilleuls")
        assert past.start < now
        for event in events.values():
            assert event.upcoming_occurrences(limit=1), event.title

        # The party: the volunteers set up on the morning of its day.
        party = EventPage.objects.get(slug="fete-de-quartier-la-source")
        setup = Action.objects.get(title__endswith=": installation").shifts.get()
        assert timezone.localdate(setup.starts_at) == timezone.localdate(party.start)
        assert setup.ends_at <= party.start
        assert party.title == demo_calendar.party(timezone.localdate(party.start))["title"]

        # No text speaks of another season than its date's.
        for event in EventPage.objects.live():
            when = (
                timezone.localdate(event.upcoming_occurrences(limit=1)[0].start)
                if event != past
                else timezone.localdate(event.start)
            )
            assert demo_calendar.words_out_of_season(event_text(event), when) == [], event.title
        for article in NewsPage.objects.live():
            text = f"{article.title} {article.lead}"
            when = timezone.localdate(party.start) if party.title in article.title else article.date
            assert article.date <= today
            assert demo_calendar.words_out_of_season(text, when) == [], article.title
        for action in Action.objects.all():
            first = action.shifts.order_by("starts_at").first()
            text = f"{action.title} {action.description} {action.what_to_bring}"
            assert (
                demo_calendar.words_out_of_season(text, timezone.localdate(first.starts_at)) == []
            ), action.title


def test_the_december_demo_has_no_june_party(site_tree):
    with time_machine.travel(DAYS[0], tick=False):
        seed()
        party = EventPage.objects.get(slug="fete-de-quartier-la-source")
        assert party.start.month in (12, 1)
        assert "juin" not in party.title.lower() and "été" not in party.title.lower()
        assert "fin d'année" in party.summary
        assert NewsPage.objects.filter(title__contains="décembre").exists()  # dated in words


def test_the_demo_has_pictures_and_a_second_run_adds_nothing(site_tree):
    with time_machine.travel(DAYS[1], tick=False):
        seed()
        before = counts()
        assert all(article.image_id and article.image_alt for article in NewsPage.objects.all())
        assert all(action.image for action in Action.objects.all())
        assert Proposal.objects.exclude(photo="").exclude(photo_alt="").count() == 2
        assert EventPage.objects.exclude(image=None).count() >= 3
        article = NewsPage.objects.first()
        with article.image.open_file() as handle:
            from PIL import Image as PILImage

            picture = PILImage.open(handle)
            picture.load()
            colours = picture.convert("RGB").getcolors(maxcolors=1_000_000)
        assert picture.size == (1200, 675)
        assert len(colours) > 500  # gradients and shapes, not a flat placeholder
        seed()
        assert counts() == before


def test_words_out_of_season_finds_a_june_party_in_december():
    from datetime import date

    assert demo_calendar.words_out_of_season("Fête de quartier le 21 juin", date(2026, 12, 3)) == [
        "juin"
    ]
    assert demo_calendar.words_out_of_season("Fête de quartier le 21 juin", date(2027, 6, 3)) == []


def test_the_demo_is_on_the_map_near_the_place_des_tilleuls(site_tree):
    from decimal import Decimal

    from civic import places
    from civic.assemblies.demo import UPCOMING_TITLE
    from civic.assemblies.models import Assembly
    from civic.territory.models import Neighbourhood
    from cms.demo_places import POINTS, place_on_the_map

    with time_machine.travel(DAYS[0], tick=False):
        seed()
        point = lambda obj: (obj.latitude, obj.longitude)  # noqa: E731
        clean_up = Action.objects.get(title="Grand nettoyage de la place des Tilleuls")
        assert point(clean_up) == (Decimal("43.6047"), Decimal("1.4442"))
        assembly = Assembly.objects.get(title=UPCOMING_TITLE)
        assert point(assembly) == (Decimal("43.6039"), Decimal("1.4461"))
        meeting = EventPage.objects.get(title="Réunion publique sur la propreté")
        assert point(meeting) == (Decimal("43.6052"), Decimal("1.4425"))
        # The admin edits the latest revision: it has the point too.
        assert point(meeting.get_latest_revision_as_object()) == point(meeting)
        ideas = Proposal.objects.filter(latitude__isnull=False).order_by("latitude")
        assert [point(idea) for idea in ideas] == [
            (Decimal("43.6031"), Decimal("1.4437")),
            (Decimal("43.6058"), Decimal("1.4450")),
        ]

        tilleuls = Neighbourhood.objects.get(slug="les-tilleuls")
        places.validate_outline(tilleuls.outline)
        ring = tilleuls.outline["coordinates"][0]
        longitudes, latitudes = [p[0] for p in ring], [p[1] for p in ring]
        for _model, _title, latitude, longitude in POINTS:  # every point inside the box
            assert min(latitudes) < float(latitude) < max(latitudes)
            assert min(longitudes) < float(longitude) < max(longitudes)

        revisions = meeting.revisions.count()
        seed()
        assert place_on_the_map() == 0
        assert meeting.revisions.count() == revisions
        assert Neighbourhood.objects.exclude(outline=None).count() == 1
