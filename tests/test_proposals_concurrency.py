"""Supports under real concurrency, on PostgreSQL: real threads, each with its own database
session, released together by a barrier at the service call.

What must hold whatever the interleaving (the proposal row lock in services._lock and the
one_support_per_resident constraint are what make it hold):
- one support per resident, every support counted;
- no support lands after staff closed support (or hid, or answered) the idea;
- the automatic move to "under study" happens once, with one set of notifications;
- the live state with the newest version carries the final count (what pages end on).

Each thread opens its session before the barrier (so that the race is at the service
call, not at connecting) and closes it at the end. The pool is widened for these tests so
that every thread holds a real session at once.
"""

import threading

import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied

from civic.proposals import live, services
from civic.proposals.lifecycle import Status
from civic.proposals.models import Follow, Notification, Proposal, StatusChange, Support
from tests.factories import ProposalFactory, UserFactory
from tests.harness import channel_layer_of_its_own, run_together, widened_pool

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

THREADS = 50


@pytest.fixture(autouse=True)
def wide_pool(transactional_db):
    with widened_pool(THREADS + 5):
        yield


@pytest.fixture(autouse=True)
def isolated_channel_layer(settings):
    channel_layer_of_its_own(settings)


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
def regie_threshold(regie):
    def set_threshold(value):
        regie.support_threshold = value
        regie.save(update_fields=["support_threshold"])

    return set_threshold


@pytest.fixture
def moderator(tilleuls):
    user = UserFactory(neighbourhood=tilleuls, groups=[])
    user.user_permissions.add(
        Permission.objects.get(codename="moderate_proposal", content_type__app_label="proposals")
    )
    return user


@pytest.fixture
def make_residents(tilleuls):
    return lambda n: [UserFactory(neighbourhood=tilleuls, groups=[]) for _ in range(n)]


def newest(states, proposal):
    """The live state a page ends on: the one with the highest version."""
    mine = [state for state in states if state["id"] == proposal.pk]
    return max(mine, key=lambda state: state["version"])


def test_fifty_residents_supporting_at_once_make_fifty_supports(
    resident, make_residents, regie_threshold, broadcasts
):
    regie_threshold(0)  # no automatic transition: only counting here
    proposal = ProposalFactory(author=resident)
    people = make_residents(THREADS)

    outcomes = run_together(
        [
            lambda person=person: services.support_proposal(proposal=proposal, resident=person)
            for person in people
        ]
    )

    assert [o.error for o in outcomes] == [None] * THREADS
    assert {o.value.resident_id for o in outcomes} == {p.pk for p in people}
    assert Support.objects.filter(proposal=proposal).count() == THREADS
    assert Follow.objects.filter(proposal=proposal).count() == THREADS
    # One live state per new support, and the newest one carries the final count.
    assert len(broadcasts) == THREADS
    assert newest(broadcasts, proposal)["support_count"] == THREADS
    assert Proposal.objects.with_counts().get(pk=proposal.pk).support_count == THREADS


def test_one_resident_twenty_times_at_once_makes_one_support(resident, other_resident, broadcasts):
    proposal = ProposalFactory(author=resident)

    outcomes = run_together(
        [lambda: services.support_proposal(proposal=proposal, resident=other_resident)] * 20
    )

    assert [o.error for o in outcomes] == [None] * 20
    assert len({o.value.pk for o in outcomes}) == 1  # everyone got the same support back
    assert Support.objects.filter(proposal=proposal).count() == 1
    assert Follow.objects.filter(proposal=proposal, resident=other_resident).count() == 1
    assert [state["support_count"] for state in broadcasts] == [1]  # announced once


@pytest.mark.parametrize("staff_action", ["close", "hide", "reject"])
def test_no_support_lands_after_staff_closed_the_idea(
    staff_action, resident, moderator, make_residents, regie_threshold, broadcasts
):
    """Supports race with staff closing support (or hiding / answering the idea). Every
    support that exists was created before the closing, and every call that returned a
    support is counted; the others were refused with PermissionDenied, nothing else."""
    regie_threshold(0)
    people = make_residents(THREADS - 1)
    proposal = ProposalFactory(author=resident)
    staff_calls = {
        "close": lambda: services.set_support_open(
            proposal=proposal, actor=moderator, is_open=False
        ),
        "hide": lambda: services.hide_proposal(
            proposal=proposal, actor=moderator, reason="Doublon"
        ),
        "reject": lambda: services.change_status(
            proposal=proposal, actor=moderator, to_status=Status.REJECTED, answer="Hors budget."
        ),
    }
    calls = [
        lambda person=person: services.support_proposal(proposal=proposal, resident=person)
        for person in people
    ]
    middle = len(calls) // 2  # started in the middle of the crowd
    calls.insert(middle, staff_calls[staff_action])

    outcomes = run_together(calls)

    staff = outcomes.pop(middle)
    assert staff.ok, staff
    supported = [o for o in outcomes if o.ok]
    refused = [o for o in outcomes if not o.ok]
    assert all(isinstance(o.error, PermissionDenied) for o in refused), refused
    assert len(supported) + len(refused) == THREADS - 1

    proposal.refresh_from_db()
    closed_at = proposal.updated_at  # written by the staff action, under the row lock
    supports = Support.objects.filter(proposal=proposal)
    assert supports.count() == len(supported)
    assert set(supports.values_list("pk", flat=True)) == {o.value.pk for o in supported}
    assert not supports.filter(created_at__gt=closed_at).exists()
    # The page ends on the closed state and the final count.
    final = newest(broadcasts, proposal)
    if staff_action == "hide":
        assert final == {"id": proposal.pk, "visible": False, "version": final["version"]}
    else:
        assert final["support_count"] == len(supported)
        assert (final["support_open"], final["status"]) == (
            staff_action != "close",
            "rejected" if staff_action == "reject" else "published",
        )


def test_support_and_unsupport_racing_for_one_resident_stay_consistent(
    resident, other_resident, moderator, broadcasts
):
    proposal = ProposalFactory(author=resident)
    support = lambda: services.support_proposal(proposal=proposal, resident=other_resident)  # noqa: E731
    unsupport = lambda: services.unsupport_proposal(proposal=proposal, resident=other_resident)  # noqa: E731
    close = lambda: services.set_support_open(proposal=proposal, actor=moderator, is_open=False)  # noqa: E731

    for calls in (
        [support, unsupport] * 15,
        [unsupport, support] * 15,
        [support, unsupport] * 10 + [close] + [support, unsupport] * 10,
    ):
        outcomes = run_together(calls)
        errors = [o.error for o in outcomes if not o.ok]
        assert all(isinstance(error, PermissionDenied) for error in errors), errors
        count = Support.objects.filter(proposal=proposal).count()
        assert count in (0, 1)
        assert Follow.objects.filter(proposal=proposal, resident=other_resident).count() <= 1
        assert newest(broadcasts, proposal)["support_count"] == count


def test_the_threshold_moves_the_idea_to_study_exactly_once(
    resident, moderator, make_residents, regie_threshold, broadcasts
):
    regie_threshold(10)
    proposal = ProposalFactory(author=resident)
    people = make_residents(30)

    outcomes = run_together(
        [
            lambda person=person: services.support_proposal(proposal=proposal, resident=person)
            for person in people
        ]
    )

    assert [o.error for o in outcomes] == [None] * 30
    proposal.refresh_from_db()
    assert proposal.status == Status.UNDER_STUDY
    assert Support.objects.filter(proposal=proposal).count() == 30
    steps = StatusChange.objects.filter(proposal=proposal, to_status=Status.UNDER_STUDY)
    assert steps.count() == 1
    assert steps.get().automatic is True
    assert steps.get().from_status == Status.PUBLISHED
    # Told once: the moderator about the threshold, the ten followers at that moment
    # (the first ten supporters) about the new step.
    threshold_notes = Notification.objects.filter(
        proposal=proposal, kind=Notification.Kind.THRESHOLD
    )
    assert list(threshold_notes.values_list("recipient_id", flat=True)) == [moderator.pk]
    status_notes = Notification.objects.filter(proposal=proposal, kind=Notification.Kind.STATUS)
    assert status_notes.count() == 10
    assert status_notes.values("recipient_id").distinct().count() == 10
    final = newest(broadcasts, proposal)
    assert (final["status"], final["support_count"]) == ("under_study", 30)


def test_threshold_racing_with_staff_moving_to_study_gives_one_step(
    resident, moderator, make_residents, regie_threshold
):
    """Staff open the study by hand while the last supports arrive: one "under study" step,
    and the loser gets a clear ProposalError, not a second step."""
    regie_threshold(5)
    proposal = ProposalFactory(author=resident)
    people = make_residents(20)
    calls = [
        lambda person=person: services.support_proposal(proposal=proposal, resident=person)
        for person in people
    ]
    calls.insert(
        3,
        lambda: services.change_status(
            proposal=proposal, actor=moderator, to_status=Status.UNDER_STUDY, answer="On étudie."
        ),
    )

    outcomes = run_together(calls)

    staff = outcomes.pop(3)
    assert staff.ok or isinstance(staff.error, services.ProposalError), staff
    assert all(o.ok for o in outcomes), [o for o in outcomes if not o.ok]
    assert StatusChange.objects.filter(proposal=proposal, to_status=Status.UNDER_STUDY).count() == 1
    assert Support.objects.filter(proposal=proposal).count() == 20
