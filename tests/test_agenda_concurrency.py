"""Places on event dates under real concurrency, on PostgreSQL: real threads, each with its
own database session, released together by a barrier at the service call (the pattern of
test_volunteering_concurrency).

What must hold whatever the interleaving (the slot's row lock in services._lock_slot, the
check constraint and the conditional unique constraint make it hold):
- 20 residents racing for the last place: exactly one gets it, nobody overbooks, the others
  are waitlisted in the order they were served;
- the first registrations of a date create its slot once;
- the same person clicking twice at once gets one registration.
"""

import pytest

from cms.agenda import services
from cms.agenda.models import OccurrenceSlot, Registration
from cms.setup import ensure_site
from tests.agenda_factories import with_places
from tests.factories import UserFactory
from tests.harness import run_together, widened_pool

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres]

THREADS = 20


@pytest.fixture(autouse=True)
def wide_pool(transactional_db):
    with widened_pool(THREADS + 10):
        yield


@pytest.fixture
def make_residents(tilleuls):
    return lambda n: [UserFactory(neighbourhood=tilleuls, groups=[]) for _ in range(n)]


@pytest.fixture
def event(tilleuls):
    ensure_site(hostname="testserver")  # transactional tests start from an empty tree
    return with_places(capacity=5, title="Fête de quartier")


def assert_consistent(slot):
    slot.refresh_from_db()
    confirmed = slot.registrations.filter(status=Registration.Status.CONFIRMED).count()
    assert slot.seats_taken == confirmed <= slot.capacity
    return slot


def test_twenty_residents_racing_for_the_last_place(event, make_residents):
    start = event.upcoming_occurrences()[0].start
    for person in make_residents(4):
        services.register(event=event, starts_at=start, resident=person)
    people = make_residents(THREADS)

    outcomes = run_together(
        [
            lambda person=person: services.register(event=event, starts_at=start, resident=person)
            for person in people
        ]
    )

    assert all(error is None for _value, error in outcomes), outcomes
    statuses = [value.status for value, _error in outcomes]
    assert statuses.count(Registration.Status.CONFIRMED) == 1
    assert statuses.count(Registration.Status.WAITLISTED) == THREADS - 1
    slot = assert_consistent(OccurrenceSlot.objects.get(event=event, starts_at=start))
    assert slot.seats_taken == slot.capacity == 5
    # Served one at a time under the lock: the waitlist's order is the order of the ids.
    waiting = list(slot.registrations.waitlisted().values_list("pk", flat=True))
    assert waiting == sorted(waiting) and len(waiting) == THREADS - 1


def test_twenty_residents_racing_when_only_places_are_wanted(event, make_residents):
    start = event.upcoming_occurrences()[0].start
    for person in make_residents(4):
        services.register(event=event, starts_at=start, resident=person)
    people = make_residents(THREADS)

    outcomes = run_together(
        [
            lambda person=person: services.register(
                event=event, starts_at=start, resident=person, join_waitlist=False
            )
            for person in people
        ]
    )

    winners = [value for value, error in outcomes if error is None]
    refused = [error for _value, error in outcomes if error is not None]
    assert len(winners) == 1 and winners[0].status == Registration.Status.CONFIRMED
    assert all(getattr(error, "code", None) == "full" for error in refused), refused
    assert_consistent(OccurrenceSlot.objects.get(event=event, starts_at=start))


def test_the_first_registrations_of_a_date_create_one_slot(event, make_residents):
    start = event.upcoming_occurrences()[0].start
    people = make_residents(THREADS)

    outcomes = run_together(
        [
            lambda person=person: services.register(event=event, starts_at=start, resident=person)
            for person in people
        ]
    )

    assert all(error is None for _value, error in outcomes), outcomes
    assert OccurrenceSlot.objects.filter(event=event).count() == 1
    slot = assert_consistent(OccurrenceSlot.objects.get(event=event))
    assert slot.seats_taken == 5
    assert slot.registrations.waitlisted().count() == THREADS - 5


def test_one_person_clicking_many_times_at_once(event, resident):
    start = event.upcoming_occurrences()[0].start
    outcomes = run_together(
        [lambda: services.register(event=event, starts_at=start, resident=resident)] * 8
    )
    assert all(error is None for _value, error in outcomes), outcomes
    assert len({value.pk for value, _error in outcomes}) == 1
    assert Registration.objects.count() == 1
    assert_consistent(OccurrenceSlot.objects.get(event=event))
