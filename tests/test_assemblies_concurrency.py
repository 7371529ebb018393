"""Votes, registrations and proxies under real concurrency, on PostgreSQL: real threads,
each with its own database session, released together by a barrier at the service call.

What must hold whatever the interleaving (the motion row lock in ``services.cast_vote`` and
``close_motion``, the participant locks in ``give_proxy``, and the constraints
``one_ballot_per_member``, ``one_registration_per_member``, ``one_proxy_per_holder``,
``one_live_floor_request``, ``one_speaker``):
- every acknowledged vote is counted, once; the stored tally equals the ballots;
- a member hammering "vote" stores one ballot;
- no ballot is written or changed after the vote closed, and the stored result is a recount
  of the ballots that remain;
- one registration per resident, one proxy per holder, one speaker.
"""

from collections import Counter

import pytest

from civic.assemblies import services
from civic.assemblies.models import Ballot, FloorRequest, Motion, Participant
from civic.assemblies.services import AssemblyError
from tests.assemblies_factories import (
    make_assembly,
    make_chair,
    open_vote,
    option,
    present_member,
    register_member,
    resident_of,
)
from tests.harness import channel_layer_of_its_own, run_together, widened_pool

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres]

THREADS = 41


@pytest.fixture(autouse=True)
def wide_pool(transactional_db):
    with widened_pool(THREADS + 10):
        yield


@pytest.fixture(autouse=True)
def isolated_channel_layer(settings):
    channel_layer_of_its_own(settings)


@pytest.fixture
def chair(tilleuls):
    return make_chair(tilleuls)


@pytest.fixture
def assembly(chair, tilleuls):
    return make_assembly(chair, tilleuls, items=["Budget"])


def members(assembly, chair, n):
    return [present_member(assembly, resident_of(assembly), chair) for _ in range(n)]


def recount(motion):
    return Counter(
        Ballot.objects.filter(motion=motion).values_list("option_id", flat=True).iterator()
    )


def stored_tally(motion):
    return {t["option"]: t["votes"] for t in Motion.objects.get(pk=motion.pk).result["tallies"]}


def test_forty_members_vote_at_once(assembly, chair):
    voters = members(assembly, chair, 40)
    motion = open_vote(assembly, chair)
    choices = ["for", "against", "abstention"]
    options = {name: option(motion, name).pk for name in choices}

    def voting(member, index):
        return lambda: services.cast_vote(
            actor=member.user, motion=motion, option_id=options[choices[index % 3]]
        )

    outcomes = run_together([voting(m, i) for i, m in enumerate(voters)])
    assert all(o.ok for o in outcomes), [o for o in outcomes if not o.ok]
    # Each count was read under the motion's lock: 1..40, each once.
    assert sorted(o.value[1] for o in outcomes) == list(range(1, 41))

    services.close_motion(actor=chair, motion=motion)
    tally = stored_tally(motion)
    assert tally == {
        options["for"]: 14,
        options["against"]: 13,
        options["abstention"]: 13,
    }
    assert dict(recount(motion)) == {k: v for k, v in tally.items()}
    assert Motion.objects.get(pk=motion.pk).result["cast"] == 40


def test_one_member_voting_from_twenty_threads_stores_one_ballot(assembly, chair):
    [member] = members(assembly, chair, 1)
    motion = open_vote(assembly, chair)
    ids = [option(motion, name).pk for name in ("for", "against")]
    outcomes = run_together(
        [
            lambda i=i: services.cast_vote(actor=member.user, motion=motion, option_id=ids[i % 2])
            for i in range(20)
        ]
    )
    assert all(o.ok for o in outcomes), [o for o in outcomes if not o.ok]
    assert {o.value[1] for o in outcomes} == {1}
    ballot = Ballot.objects.get(motion=motion)
    assert ballot.option_id in ids
    services.close_motion(actor=chair, motion=motion)
    assert sum(stored_tally(motion).values()) == 1


@pytest.mark.parametrize("is_secret", [False, True])
def test_votes_racing_the_close(assembly, chair, is_secret):
    voters = members(assembly, chair, 30)
    motion = open_vote(assembly, chair, is_secret=is_secret)
    ids = [option(motion, name).pk for name in ("for", "against", "abstention")]
    # Half of them have voted already and change their vote during the close.
    for index, member in enumerate(voters[:15]):
        services.cast_vote(actor=member.user, motion=motion, option_id=ids[index % 3])

    calls = [
        lambda m=m, i=i: services.cast_vote(actor=m.user, motion=motion, option_id=ids[(i + 1) % 3])
        for i, m in enumerate(voters)
    ]
    calls.insert(15, lambda: services.close_motion(actor=chair, motion=motion))
    outcomes = run_together(calls)
    close_outcome = outcomes.pop(15)
    assert close_outcome.ok, close_outcome
    for outcome in outcomes:
        assert outcome.ok or (
            isinstance(outcome.error, AssemblyError) and outcome.error.code == "not_open"
        ), outcome

    motion = Motion.objects.get(pk=motion.pk)
    ballots = Ballot.objects.filter(motion=motion)
    assert not ballots.filter(changed_at__gt=motion.closed_at).exists()
    assert not ballots.filter(cast_at__gt=motion.closed_at).exists()
    # Every accepted vote is in the record, the late ones are not.
    accepted = {voters[i].pk for i, o in enumerate(outcomes) if o.ok}
    assert accepted <= set(ballots.values_list("voter", flat=True))
    assert ballots.count() == len(accepted | {m.pk for m in voters[:15]})
    assert motion.result["cast"] == ballots.count()
    if is_secret:
        assert set(ballots.values_list("option", flat=True)) == {None}
    else:
        assert stored_tally(motion) == {pk: recount(motion).get(pk, 0) for pk in ids}
        # An accepted change is the one counted.
        for index, outcome in enumerate(outcomes):
            if outcome.ok:
                assert ballots.get(voter=voters[index]).option_id == ids[(index + 1) % 3]


def test_twenty_threads_registering_the_same_resident(assembly, resident):
    outcomes = run_together(
        [lambda: services.register(assembly=assembly, resident=resident) for _ in range(20)]
    )
    assert all(o.ok for o in outcomes), [o for o in outcomes if not o.ok]
    assert len({o.value.pk for o in outcomes}) == 1
    assert Participant.objects.filter(assembly=assembly, user=resident).count() == 1


def test_the_desk_and_the_resident_registering_at_once(assembly, chair, resident):
    outcomes = run_together(
        [lambda: services.register(assembly=assembly, resident=resident) for _ in range(10)]
        + [
            lambda: services.register_at_desk(actor=chair, assembly=assembly, user=resident)
            for _ in range(10)
        ]
    )
    assert all(o.ok for o in outcomes), [o for o in outcomes if not o.ok]
    assert Participant.objects.filter(assembly=assembly, user=resident).count() == 1


def test_two_proxies_to_the_same_holder_at_once(assembly, chair):
    [holder] = members(assembly, chair, 1)
    givers = [register_member(assembly, resident_of(assembly)) for _ in range(2)]
    outcomes = run_together(
        [lambda g=g: services.give_proxy(actor=chair, giver=g, holder=holder) for g in givers]
    )
    assert sum(o.ok for o in outcomes) == 1, outcomes
    [failed] = [o for o in outcomes if not o.ok]
    assert isinstance(failed.error, AssemblyError) and failed.error.code == "one_proxy"
    assert Participant.objects.filter(proxy_holder=holder).count() == 1


def test_crossed_proxies_do_not_deadlock(assembly, chair):
    first, second = members(assembly, chair, 2)
    absent = [register_member(assembly, resident_of(assembly)) for _ in range(2)]
    outcomes = run_together(
        [
            lambda: services.give_proxy(actor=chair, giver=absent[0], holder=first),
            lambda: services.give_proxy(actor=chair, giver=absent[1], holder=second),
            lambda: services.give_proxy(actor=chair, giver=absent[0], holder=second),
            lambda: services.give_proxy(actor=chair, giver=absent[1], holder=first),
        ]
    )
    for outcome in outcomes:
        assert outcome.ok or isinstance(outcome.error, AssemblyError), outcome
    # Whatever won, each holder holds one proxy at most.
    holders = Counter(
        Participant.objects.filter(proxy_holder__isnull=False).values_list(
            "proxy_holder", flat=True
        )
    )
    assert all(count == 1 for count in holders.values())


def test_the_floor_under_double_taps_and_a_hurried_chair(assembly, chair):
    people = members(assembly, chair, 5)
    services.open_session(actor=chair, assembly=assembly)
    outcomes = run_together(
        [
            lambda m=m: services.request_floor(actor=m.user, assembly=assembly)
            for m in people
            for _ in range(4)
        ]
    )
    assert all(o.ok for o in outcomes), [o for o in outcomes if not o.ok]
    assert FloorRequest.objects.filter(assembly=assembly).count() == 5
    outcomes = run_together(
        [lambda: services.give_floor_to_next(actor=chair, assembly=assembly) for _ in range(8)]
    )
    for outcome in outcomes:
        assert outcome.ok or isinstance(outcome.error, AssemblyError), outcome
    assert FloorRequest.objects.filter(assembly=assembly, status="speaking").count() == 1
