"""Events as pages: recurrence (weekly, monthly, across daylight-saving changes), all-day
events, validation, what staff can store, search."""

from datetime import UTC, date, datetime, time, timedelta

import pytest
from django.core.exceptions import ValidationError
from wagtail.images.models import Image
from wagtail.images.tests.utils import get_test_image_file

from cms.agenda.models import EventIndexPage, EventPage
from cms.agenda.recurrence import MAX_OCCURRENCES, local_naive
from tests.agenda_factories import at, make_event

pytestmark = pytest.mark.django_db


def local_starts(event, **kwargs):
    return [local_naive(o.start) for o in event.occurrences(**kwargs)]


def test_ensure_site_creates_the_agenda_once(site_tree):
    from cms.setup import ensure_site

    ensure_site(hostname="testserver")
    index = EventIndexPage.objects.get()
    assert (index.title, index.slug, index.live) == ("Agenda", "agenda", True)
    assert index.get_parent().specific == site_tree[0]
    assert index.url == "/agenda/"


def test_a_single_event_has_one_occurrence(site_tree):
    event = make_event(start=at(date(2027, 3, 2), 9), end=at(date(2027, 3, 2), 12))
    (occurrence,) = event.occurrences()
    assert (occurrence.start, occurrence.end) == (event.start, event.end)
    assert event.series_ends_at == event.end


def test_weekly_event_stays_at_nine_local_across_the_october_change(site_tree):
    # The Régie's permanence, Tuesdays 9:00-12:00; clocks go back on Sunday 31 October 2027.
    event = make_event(
        title="Permanence",
        start=at(date(2027, 10, 12), 9),
        end=at(date(2027, 10, 12), 12),
        repeat=EventPage.Repeat.WEEKLY,
        repeat_weekdays=[1],
        repeat_count=6,
    )
    occurrences = event.occurrences()
    assert [local_naive(o.start) for o in occurrences] == [
        datetime(2027, 10, 12, 9),
        datetime(2027, 10, 19, 9),
        datetime(2027, 10, 26, 9),
        datetime(2027, 11, 2, 9),
        datetime(2027, 11, 9, 9),
        datetime(2027, 11, 16, 9),
    ]
    assert all(local_naive(o.end).time() == time(12) for o in occurrences)
    # The same wall-clock time is a different UTC time after the change.
    assert occurrences[2].start.utcoffset() == timedelta(hours=2)
    assert occurrences[3].start.utcoffset() == timedelta(hours=1)
    in_utc = [o.start.astimezone(UTC) for o in occurrences]
    assert (in_utc[3] - in_utc[2]) == timedelta(days=7, hours=1)
    assert event.series_ends_at == occurrences[-1].end


def test_weekly_on_several_days_every_two_weeks_until_a_date(site_tree):
    event = make_event(
        start=at(date(2027, 3, 2), 18),  # a Tuesday
        repeat=EventPage.Repeat.WEEKLY,
        repeat_interval=2,
        repeat_weekdays=[3],  # Thursday; the first date's Tuesday is always included
        repeat_until=date(2027, 3, 18),
    )
    assert [d.date() for d in local_starts(event)] == [
        date(2027, 3, 2),
        date(2027, 3, 4),
        date(2027, 3, 16),
        date(2027, 3, 18),
    ]
    assert event.effective_weekdays() == [1, 3]


def test_monthly_on_the_same_day_of_the_month(site_tree):
    event = make_event(
        start=at(date(2027, 1, 15), 14),
        repeat=EventPage.Repeat.MONTHLY_DAY,
        repeat_count=3,
    )
    assert [d.date() for d in local_starts(event)] == [
        date(2027, 1, 15),
        date(2027, 2, 15),
        date(2027, 3, 15),
    ]


def test_monthly_on_the_first_tuesday(site_tree):
    event = make_event(
        start=at(date(2027, 1, 5), 18),  # the first Tuesday of January 2027
        repeat=EventPage.Repeat.MONTHLY_WEEKDAY,
        repeat_count=4,
    )
    assert [d.date() for d in local_starts(event)] == [
        date(2027, 1, 5),
        date(2027, 2, 2),
        date(2027, 3, 2),
        date(2027, 4, 6),
    ]


def test_monthly_on_a_fifth_weekday_means_the_last(site_tree):
    event = make_event(
        start=at(date(2027, 3, 30), 18),  # the last (5th) Tuesday of March
        repeat=EventPage.Repeat.MONTHLY_WEEKDAY,
        repeat_count=2,
    )
    assert [d.date() for d in local_starts(event)] == [date(2027, 3, 30), date(2027, 4, 27)]


def test_occurrences_in_a_window(site_tree):
    event = make_event(
        start=at(date(2027, 1, 4), 9),
        repeat=EventPage.Repeat.WEEKLY,
        repeat_count=10,
    )
    found = local_starts(event, after=at(date(2027, 1, 20)), before=at(date(2027, 2, 5)))
    assert [d.date() for d in found] == [date(2027, 1, 25), date(2027, 2, 1)]


def test_occurrence_starting_recognises_real_dates_only(site_tree):
    event = make_event(
        start=at(date(2027, 1, 4), 9), repeat=EventPage.Repeat.WEEKLY, repeat_count=3
    )
    assert event.occurrence_starting(at(date(2027, 1, 11), 9)).start == at(date(2027, 1, 11), 9)
    assert event.occurrence_starting(at(date(2027, 1, 11), 10)) is None
    assert event.occurrence_starting(at(date(2027, 1, 25), 9)) is None  # after the count
    assert event.occurrence_starting(at(date(2026, 12, 28), 9)) is None  # before the first


def test_all_day_event_keeps_dates_only(site_tree):
    event = make_event(
        start=at(date(2027, 6, 12), 15),
        end=at(date(2027, 6, 13), 10),
        all_day=True,
    )
    assert local_naive(event.start) == datetime(2027, 6, 12)
    assert local_naive(event.end) == datetime(2027, 6, 13)  # the last day, inclusive
    (occurrence,) = event.occurrences()
    assert local_naive(occurrence.end) == datetime(2027, 6, 14)  # exclusive
    assert occurrence.last_day == date(2027, 6, 13)
    assert occurrence.is_multi_day


def test_weekdays_survive_a_revision(site_tree):
    event = make_event(
        start=at(date(2027, 3, 1), 9),
        repeat=EventPage.Repeat.WEEKLY,
        repeat_weekdays=[0, 4],
        repeat_count=4,
    )
    revision = event.save_revision()
    assert revision.as_object().repeat_weekdays == [0, 4]
    assert EventPage.objects.get(pk=event.pk).repeat_weekdays == [0, 4]


@pytest.mark.parametrize(
    "fields, field",
    [
        ({"end": at(date(2027, 3, 1), 8)}, "end"),
        ({"repeat": "weekly"}, "repeat_until"),
        ({"repeat": "weekly", "repeat_count": 3, "repeat_until": date(2027, 5, 1)}, "repeat_count"),
        ({"repeat": "weekly", "repeat_until": date(2027, 2, 1)}, "repeat_until"),
        ({"repeat": "weekly", "repeat_count": MAX_OCCURRENCES + 1}, "repeat_until"),
        ({"registration_enabled": True}, "capacity"),
    ],
)
def test_invalid_events_are_refused_with_a_message_on_the_field(site_tree, fields, field):
    values = {"start": at(date(2027, 3, 1), 9), "end": at(date(2027, 3, 1), 12), **fields}
    event = EventPage(title="Atelier", slug="atelier", place="Local", **values)
    with pytest.raises(ValidationError) as error:
        event.clean()
    assert field in error.value.message_dict


def test_an_image_needs_its_alternative_text(site_tree, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    image = Image.objects.create(title="Fête", file=get_test_image_file())
    event = EventPage(
        title="Fête",
        slug="fete",
        place="Square",
        start=at(date(2027, 3, 1), 9),
        end=at(date(2027, 3, 1), 12),
        image=image,
    )
    with pytest.raises(ValidationError) as error:
        event.clean()
    assert "image_alt" in error.value.message_dict


def test_events_are_found_by_the_site_search(client, site_tree):
    make_event(title="Atelier vélo", place="Garage solidaire", summary="Réparer son vélo.")
    response = client.get("/recherche/", {"q": "vélo"})
    assert "Atelier vélo" in response.content.decode()


def test_event_pages_only_under_the_agenda(site_tree):
    assert EventPage.parent_page_types == ["agenda.EventIndexPage"]
    assert EventIndexPage.can_create_at(site_tree[0]) is False  # one agenda already exists


def test_staff_create_a_weekly_event_in_the_wagtail_admin(client, site_tree, manager):
    index = EventIndexPage.objects.get()
    client.force_login(manager)
    url = f"/admin/pages/add/agenda/eventpage/{index.pk}/"
    form = client.get(url)
    assert form.status_code == 200
    assert 'name="repeat_weekdays"' in form.content.decode()
    data = {
        "title": "Permanence",
        "slug": "permanence",
        "start": "2027-10-12 09:00",
        "end": "2027-10-12 12:00",
        "place": "Local de la Régie",
        "repeat": "weekly",
        "repeat_interval": "1",
        "repeat_weekdays": ["1", "3"],
        "repeat_count": "6",
        "body-count": "0",
        "action-publish": "publish",
    }
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    event = EventPage.objects.get(slug="permanence")
    assert event.live and event.repeat_weekdays == [1, 3]
    assert len(event.occurrences()) == 6
