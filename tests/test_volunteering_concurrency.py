"""Places on shifts under real concurrency, on PostgreSQL: real threads, each with its own
database session, released together by a barrier at the service call.

What must hold whatever the interleaving (the shift row lock in services._lock_shift, the
person's row lock in services.sign_up and the database constraints make it hold):
- a shift is never overbooked, and ``seats_taken`` always equals the number of confirmed
  sign-ups (checked after each race, and *during* it by a watcher reading both in one
  statement, i.e. one snapshot);
- the waitlist is first come, first served: its order (``created_at``, then id) is the order
  in which people were served under the lock, and places go to its head;
- one live sign-up per person per shift, and none on two overlapping shifts;
- a double cancel frees one place and promotes one person;
- no deadlock between a resident's own sign-up and staff registering people;
- a sign-up holding a shift's lock never blocks the action's row (other shifts, staff edits).

Each thread opens its session before the barrier (so that the race is at the service call,
not at connecting) and closes it at the end. The pool is widened for these tests so that
every thread holds a real session at once.

The last test (the database refuses ``seats_taken > capacity``) runs on SQLite too.
"""

import threading
from collections import Counter
from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission
from django.db import IntegrityError, connection, transaction
from django.db.models import F

from civic.volunteering import live, messages, services, tasks
from civic.volunteering.models import Action, Shift, Signup
from tests.factories import ActionFactory, ShiftFactory, UserFactory
from tests.harness import JOIN_TIMEOUT, channel_layer_of_its_own, run_together, widened_pool

pytestmark = pytest.mark.django_db(transaction=True)
postgres = pytest.mark.postgres

THREADS = 30


@pytest.fixture(autouse=True)
def wide_pool(transactional_db):
    with widened_pool(THREADS + 10):
        yield


@pytest.fixture(autouse=True)
def isolated_channel_layer(settings):
    channel_layer_of_its_own(settings)


@pytest.fixture(autouse=True)
def sent_messages(monkeypatch):
    """Emails and reminders are recorded, not sent: ``[(template, signup_id), …]``.

    (With the test settings' immediate task backend, a real reminder task reschedules itself
    until RecursionError; and the email templates link to pages built elsewhere.)"""
    sent = []
    lock = threading.Lock()

    def record(signup, template, **kwargs):
        with lock:
            sent.append((template, signup.pk))

    monkeypatch.setattr(messages, "_send", record)
    monkeypatch.setattr(tasks, "schedule_reminder", lambda signup_id: None)
    return sent


@pytest.fixture
def broadcasts(monkeypatch):
    """Every live state sent (after commit), in the order the threads sent them."""
    sent = []
    lock = threading.Lock()
    real_send = live.send_to_groups

    def record(group_names, message_type, payload):
        with lock:
            sent.append(payload)
        real_send(group_names, message_type, payload)

    monkeypatch.setattr(live, "send_to_groups", record)
    return sent


@pytest.fixture
def make_residents(tilleuls):
    return lambda n: [UserFactory(neighbourhood=tilleuls, groups=[]) for _ in range(n)]


@pytest.fixture
def staff(tilleuls):
    """Régie staff (the permission on the user: transactional tests flush group perms)."""

    def make():
        user = UserFactory(neighbourhood=tilleuls, groups=[])
        user.user_permissions.add(
            Permission.objects.get(
                codename="manage_volunteering", content_type__app_label="volunteering"
            )
        )
        return user

    return make


class Watcher:
    """Reads a shift's ``seats_taken``, ``capacity`` and confirmed count in ONE statement (one
    snapshot) again and again while a race runs: every committed state must be consistent."""

    SQL = (
        "SELECT s.seats_taken, s.capacity, (SELECT count(*) FROM volunteering_signup g"
        " WHERE g.shift_id = s.id AND g.status = 'confirmed') FROM volunteering_shift s"
        " WHERE s.id = %s"
    )

    def __init__(self, shift):
        self.shift_id = shift.pk
        self.seen, self.bad = 0, []
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.watch, daemon=True)

    def watch(self):
        try:
            with connection.cursor() as cursor:
                while not self.stop.is_set():
                    cursor.execute(self.SQL, [self.shift_id])
                    taken, capacity, confirmed = cursor.fetchone()
                    self.seen += 1
                    if taken != confirmed or taken > capacity:
                        self.bad.append((taken, capacity, confirmed))
        finally:
            connection.close()

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc_info):
        self.stop.set()
        self.thread.join(JOIN_TIMEOUT)


def newest(states, shift):
    """The live state a page ends on: the one with the highest version."""
    mine = [state for state in states if state["id"] == shift.pk]
    return max(mine, key=lambda state: state["version"])


def assert_consistent(shift):
    shift.refresh_from_db()
    confirmed = shift.signups.filter(status=Signup.Status.CONFIRMED).count()
    assert shift.seats_taken == confirmed <= shift.capacity
    return shift


def waitlist_order(shift):
    """Waitlisted ids in the order they will be promoted (the one the site shows)."""
    return list(shift.signups.waitlisted().values_list("pk", flat=True))


def signed_up_one_by_one(shift, people):
    return [services.sign_up(shift=shift, actor=person) for person in people]


# --- The last place -------------------------------------------------------------------------


@postgres
@pytest.mark.parametrize("join_waitlist", [True, False])
def test_thirty_residents_taking_the_last_place_at_once(
    join_waitlist, make_residents, broadcasts, sent_messages
):
    shift = ShiftFactory(capacity=5)
    signed_up_one_by_one(shift, make_residents(4))
    broadcasts.clear()
    sent_messages.clear()
    people = make_residents(THREADS)

    with Watcher(shift) as watcher:
        outcomes = run_together(
            [
                lambda person=person: services.sign_up(
                    shift=shift, actor=person, join_waitlist=join_waitlist
                )
                for person in people
            ]
        )

    assert watcher.seen > 0 and watcher.bad == []
    winners = [o for o in outcomes if o.ok and o.value.status == Signup.Status.CONFIRMED]
    assert len(winners) == 1
    if join_waitlist:
        assert all(o.ok for o in outcomes), [o for o in outcomes if not o.ok]
        statuses = Counter(o.value.status for o in outcomes)
        assert statuses == {Signup.Status.CONFIRMED: 1, Signup.Status.WAITLISTED: THREADS - 1}
        # Served one at a time under the lock: ids grow in that order, and the waitlist's
        # order (created_at, then id) is that same order — nobody is overtaken later.
        assert waitlist_order(shift) == sorted(waitlist_order(shift))
        assert len(waitlist_order(shift)) == THREADS - 1
    else:
        refused = [o for o in outcomes if not o.ok]
        assert len(refused) == THREADS - 1
        assert all(
            isinstance(o.error, services.VolunteeringError) and o.error.code == "full"
            for o in refused
        ), refused
        assert not shift.signups.filter(status=Signup.Status.WAITLISTED).exists()

    shift = assert_consistent(shift)
    assert shift.seats_taken == shift.capacity == 5
    assert Signup.objects.filter(shift=shift).count() == 4 + (THREADS if join_waitlist else 1)
    # One live state per committed sign-up; the newest is the final state.
    assert len(broadcasts) == (THREADS if join_waitlist else 1)
    final = newest(broadcasts, shift)
    assert (final["places_left"], final["seats_taken"]) == (0, 5)
    assert final["waitlist"] == (THREADS - 1 if join_waitlist else 0)
    # Each person is told once what they got, from the committed state: the one place
    # confirmed, the others waitlisted (refusals are answered on the page, not by email).
    told = Counter(template for template, _pk in sent_messages)
    assert told == (
        {"confirmed": 1, "waitlisted": THREADS - 1} if join_waitlist else {"confirmed": 1}
    )
    assert len({pk for _template, pk in sent_messages}) == len(sent_messages)
    assert ("confirmed", winners[0].value.pk) in sent_messages


@postgres
def test_cancellations_and_new_sign_ups_racing_keep_the_queue_fair(
    make_residents, staff, broadcasts, sent_messages
):
    """Three rounds of: three confirmed people cancel, two waitlisted people give up, six
    newcomers sign up and staff add two places, all at once."""
    manager = staff()
    for _round in range(3):
        shift = ShiftFactory(capacity=5)
        confirmed = signed_up_one_by_one(shift, make_residents(5))
        waiting = signed_up_one_by_one(shift, make_residents(10))
        assert {s.status for s in waiting} == {Signup.Status.WAITLISTED}
        queue_before = waitlist_order(shift)
        assert queue_before == [s.pk for s in waiting]
        newcomers = make_residents(6)
        quitters = [waiting[1], waiting[6]]
        quitter_ids = {s.pk for s in quitters}
        calls = [
            *(
                lambda s=s: services.cancel_signup(signup=s, actor=s.user)
                for s in [*confirmed[:3], *quitters]
            ),
            *(lambda p=p, s=shift: services.sign_up(shift=s, actor=p) for p in newcomers),
            lambda s=shift: services.change_capacity(actor=manager, shift=s, capacity=7),
        ]
        broadcasts.clear()
        sent_messages.clear()

        with Watcher(shift) as watcher:
            outcomes = run_together(calls)

        assert all(o.ok for o in outcomes), [o for o in outcomes if not o.ok]
        assert watcher.seen > 0 and watcher.bad == []
        shift = assert_consistent(shift)
        # The queue never emptied: every place went to it, none to a newcomer.
        assert shift.seats_taken == shift.capacity == 7
        assert not shift.signups.filter(user__in=newcomers, status=Signup.Status.CONFIRMED).exists()
        # First come, first served: places went to the head of the old queue, in its order
        # (a quitter may have been promoted before giving up: they count as served); the
        # rest still wait in the same order, newcomers behind them in the order served.
        promoted = list(
            shift.signups.filter(promoted_at__isnull=False)
            .order_by("promoted_at", "created_at", "pk")
            .values_list("pk", flat=True)
        )
        assert promoted == [pk for pk in queue_before if pk in promoted]
        old_tail = [pk for pk in queue_before if pk not in set(promoted) | quitter_ids]
        # Nobody still waiting was skipped: everyone served was ahead of them in the queue.
        assert all(queue_before.index(pk) < queue_before.index(old_tail[0]) for pk in promoted)
        still_waiting = waitlist_order(shift)
        assert still_waiting[: len(old_tail)] == old_tail
        assert still_waiting[len(old_tail) :] == sorted(still_waiting[len(old_tail) :])
        assert len(still_waiting) == len(old_tail) + len(newcomers)
        # Told once each (not told if they gave up before the email went out).
        told = [pk for template, pk in sent_messages if template == "promoted"]
        assert len(told) == len(set(told)) and set(told) <= set(promoted)
        still_confirmed = set(
            shift.signups.filter(pk__in=promoted, status=Signup.Status.CONFIRMED).values_list(
                "pk", flat=True
            )
        )
        assert still_confirmed <= set(told)
        assert newest(broadcasts, shift)["places_left"] == 0


@postgres
def test_a_double_cancel_frees_one_place_and_promotes_one_person(
    make_residents, staff, broadcasts, sent_messages
):
    manager = staff()
    for _round in range(5):
        shift = ShiftFactory(capacity=1)
        first, second, third = signed_up_one_by_one(shift, make_residents(3))
        sent_messages.clear()

        # The volunteer and the desk cancel the same sign-up at once, twice each.
        outcomes = run_together(
            [
                lambda s=first: services.cancel_signup(signup=s, actor=s.user),
                lambda s=first: services.cancel_signup(signup=s, actor=manager),
            ]
            * 2
        )

        assert all(o.ok for o in outcomes), outcomes
        assert {o.value.pk for o in outcomes} == {first.pk}
        statuses = dict(shift.signups.values_list("pk", "status"))
        assert statuses == {
            first.pk: Signup.Status.CANCELLED,
            second.pk: Signup.Status.CONFIRMED,
            third.pk: Signup.Status.WAITLISTED,
        }
        assert assert_consistent(shift).seats_taken == 1
        # One cancellation notice (not four) and one promotion.
        assert sorted(sent_messages) == [("cancelled", first.pk), ("promoted", second.pk)]


# --- One person -----------------------------------------------------------------------------


@postgres
def test_one_resident_signing_up_ten_times_at_once_gets_one_sign_up(resident, broadcasts):
    shift = ShiftFactory(capacity=3)

    outcomes = run_together([lambda: services.sign_up(shift=shift, actor=resident)] * 10)

    assert all(o.ok for o in outcomes), outcomes
    assert len({o.value.pk for o in outcomes}) == 1
    assert Signup.objects.filter(shift=shift).count() == 1
    assert assert_consistent(shift).seats_taken == 1
    assert [state["seats_taken"] for state in broadcasts] == [1]  # announced once


@postgres
@pytest.mark.parametrize("person", ["resident", "desk"])
def test_overlapping_shifts_signed_up_at_once_give_one_sign_up(person, resident, staff):
    """Six shifts of different actions at overlapping times: one sign-up stands, the
    others are refused as overlaps — for a resident on their phone, and for a resident
    without an account registered at two desks at once."""
    start = ShiftFactory.starts_at.function()
    shifts = [
        ShiftFactory(
            starts_at=start + timedelta(minutes=20 * i),
            ends_at=start + timedelta(hours=2, minutes=20 * i),
        )
        for i in range(6)
    ]
    if person == "resident":
        calls = [lambda s=s: services.sign_up(shift=s, actor=resident) for s in shifts]
        signups = Signup.objects.filter(user=resident)
    else:
        desks = [staff() for _ in range(2)]
        guest = services.register_offline_volunteer(
            actor=desks[0], name="Mme Diallo", phone="", consent=True
        )
        calls = [
            lambda s=s, i=i: services.sign_up(shift=s, actor=desks[i % 2], offline_volunteer=guest)
            for i, s in enumerate(shifts)
        ]
        signups = Signup.objects.filter(offline_volunteer=guest)

    outcomes = run_together(calls)

    assert len([o for o in outcomes if o.ok]) == 1, outcomes
    refused = [o.error for o in outcomes if not o.ok]
    assert all(
        isinstance(e, services.VolunteeringError) and e.code == "overlap" for e in refused
    ), refused
    assert signups.count() == 1
    assert sum(Shift.objects.values_list("seats_taken", flat=True)) == 1


@postgres
def test_staff_registering_people_while_signing_up_themselves_never_deadlocks(
    make_residents, staff
):
    """Assisted sign-ups record the staff member (a foreign key to their user row) while
    that staff member's own sign-up holds their row and waits for the shift."""
    manager = staff()
    start = ShiftFactory.starts_at.function()
    for day in range(5):
        shift = ShiftFactory(
            capacity=20,
            starts_at=start + timedelta(days=day),
            ends_at=start + timedelta(days=day, hours=2),
        )
        people = make_residents(8)
        calls = [
            lambda p=p, s=shift: services.sign_up(shift=s, actor=manager, user=p) for p in people
        ]
        calls.insert(4, lambda s=shift: services.sign_up(shift=s, actor=manager))

        outcomes = run_together(calls)

        assert all(o.ok for o in outcomes), [o for o in outcomes if not o.ok]
        assert assert_consistent(shift).seats_taken == 9


@postgres
def test_a_sign_up_holding_its_shift_never_blocks_the_action(resident, staff):
    """Locking a shift must not lock its action: the other shifts of the action take
    sign-ups, and staff edit the action, while one shift's sign-up is in progress."""
    action = ActionFactory()
    held, other = ShiftFactory(action=action), ShiftFactory(action=action)
    locked, release = threading.Event(), threading.Event()

    def hold():
        try:
            with transaction.atomic():
                services._lock_shift(held)
                locked.set()
                release.wait(JOIN_TIMEOUT)
        finally:
            connection.close()

    holder = threading.Thread(target=hold, daemon=True)
    holder.start()
    try:
        assert locked.wait(JOIN_TIMEOUT)
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = '3s'")  # blocked = an error, not a hang
        try:
            signup = services.sign_up(shift=other, actor=resident)
            Action.objects.filter(pk=action.pk).update(title="Nettoyage du printemps")
        finally:
            with connection.cursor() as cursor:
                cursor.execute("RESET lock_timeout")
        assert signup.status == Signup.Status.CONFIRMED
    finally:
        release.set()
        holder.join(JOIN_TIMEOUT)


# --- The database itself --------------------------------------------------------------------


def test_the_database_refuses_more_seats_taken_than_places(resident):
    """Whatever the code does, the check constraint has the last word."""
    shift = ShiftFactory(capacity=2)
    with pytest.raises(IntegrityError), transaction.atomic():
        Shift.objects.filter(pk=shift.pk).update(seats_taken=F("capacity") + 1)
    with pytest.raises(IntegrityError), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE volunteering_shift SET seats_taken = 3 WHERE id = %s", [shift.pk]
            )
    # Nor fewer places than people confirmed.
    Shift.objects.filter(pk=shift.pk).update(seats_taken=2)
    with pytest.raises(IntegrityError), transaction.atomic():
        Shift.objects.filter(pk=shift.pk).update(capacity=1)
    shift.refresh_from_db()
    assert (shift.seats_taken, shift.capacity) == (2, 2)


def test_the_database_refuses_two_live_sign_ups_of_one_person_on_a_shift(resident):
    shift = ShiftFactory()
    Signup.objects.create(shift=shift, user=resident, status=Signup.Status.WAITLISTED)
    with pytest.raises(IntegrityError), transaction.atomic():
        Signup.objects.create(shift=shift, user=resident, status=Signup.Status.CONFIRMED)
    # A cancelled one does not count: one may sign up again after cancelling.
    Signup.objects.filter(shift=shift).update(status=Signup.Status.CANCELLED)
    Signup.objects.create(shift=shift, user=resident, status=Signup.Status.CONFIRMED)
