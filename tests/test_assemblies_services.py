"""The assemblies services (``civic.assemblies.services``): every write and its rules —
registration, the desk, check-in, proxies, the session, votes, the speakers' queue, the
chair's permissions and the link to the ideas' history."""

import pytest
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone

from civic import codes
from civic.assemblies import services
from civic.assemblies.models import (
    Ballot,
    FloorRequest,
    FloorStatus,
    Motion,
    MotionKind,
    MotionStatus,
    Participant,
    SessionStatus,
)
from civic.assemblies.services import AssemblyError
from civic.proposals.models import StatusChange
from tests.assemblies_factories import (
    close,
    in_days,
    make_assembly,
    make_motion,
    open_vote,
    option,
    present_member,
    register_member,
    resident_of,
    vote,
)
from tests.factories import ProposalFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def assembly(manager, tilleuls):
    return make_assembly(manager, tilleuls, items=["Budget participatif", "Jardin partagé"])


@pytest.fixture
def members(assembly, manager):
    """Three present members."""
    return [present_member(assembly, resident_of(assembly), manager) for _ in range(3)]


def error_code(call, **kwargs):
    with pytest.raises(AssemblyError) as caught:
        call(**kwargs)
    return caught.value.code


# --- Registration -------------------------------------------------------------------------------


def test_a_resident_registers_once(assembly, resident):
    first = services.register(assembly=assembly, resident=resident)
    again = services.register(assembly=assembly, resident=resident)
    assert first.pk == again.pk
    assert Participant.objects.filter(assembly=assembly).count() == 1
    assert first.registered_by == resident and first.checked_in_at is None
    assert codes.normalize(first.presence_code) == first.presence_code


def test_only_residents_of_the_neighbourhood_register(assembly, other_resident, partner):
    assert error_code(services.register, assembly=assembly, resident=other_resident) == (
        "other_neighbourhood"
    )
    assert error_code(services.register, assembly=assembly, resident=partner) == (
        "other_neighbourhood"
    )
    assert not Participant.objects.exists()


def test_unpublished_or_ended_assemblies_refuse_registration(manager, tilleuls, resident):
    draft = make_assembly(manager, tilleuls, is_published=False)
    assert error_code(services.register, assembly=draft, resident=resident) == "closed"
    ended = make_assembly(manager, tilleuls)
    services.open_session(actor=manager, assembly=ended)
    services.end_session(actor=manager, assembly=ended)
    assert error_code(services.register, assembly=ended, resident=resident) == "closed"
    assert not Participant.objects.exists()


def test_registration_in_the_first_college_when_the_assembly_votes_by_college(
    manager, tilleuls, resident
):
    assembly = make_assembly(
        manager, tilleuls, colleges=[("Habitants", 2), ("Collectivités", 1), ("Bailleurs", 1)]
    )
    participant = services.register(assembly=assembly, resident=resident)
    assert participant.college.name == "Habitants"


def test_unregister_before_being_present(assembly, resident, other_resident, manager):
    participant = services.register(assembly=assembly, resident=resident)
    with pytest.raises(PermissionDenied):
        services.unregister(participant=participant, resident=other_resident)
    services.unregister(participant=participant, resident=resident)
    assert not Participant.objects.exists()

    participant = present_member(assembly, resident, manager)
    assert error_code(services.unregister, participant=participant, resident=resident) == (
        "present"
    )


# --- The desk -----------------------------------------------------------------------------------


def test_desk_registration_with_a_college(manager, tilleuls, partner, resident):
    assembly = make_assembly(
        manager, tilleuls, colleges=[("Habitants", 2), ("Collectivités", 1), ("Bailleurs", 1)]
    )
    bailleurs = assembly.colleges.get(name="Bailleurs")
    participant = services.register_at_desk(
        actor=manager, assembly=assembly, user=partner, college=bailleurs
    )
    assert (participant.college, participant.registered_by) == (bailleurs, manager)
    # Idempotent, and the desk may correct the college.
    habitants = assembly.colleges.get(name="Habitants")
    again = services.register_at_desk(
        actor=manager, assembly=assembly, user=partner, college=habitants
    )
    assert again.pk == participant.pk
    assert Participant.objects.get(pk=participant.pk).college == habitants

    other = make_assembly(manager, tilleuls, colleges=[("Habitants", 2)])
    assert (
        error_code(
            services.register_at_desk,
            actor=manager,
            assembly=assembly,
            user=resident,
            college=other.colleges.get(),
        )
        == "college"
    )
    with pytest.raises(PermissionDenied):
        services.register_at_desk(actor=resident, assembly=assembly, user=partner)


# --- Check-in -----------------------------------------------------------------------------------


def test_check_in_is_idempotent_and_undone(assembly, resident, manager):
    participant = services.register(assembly=assembly, resident=resident)
    first = services.check_in(actor=manager, participant=participant)
    at = first.checked_in_at
    assert at is not None and first.checked_in_by == manager
    again = services.check_in(actor=manager, participant=participant)
    assert again.checked_in_at == at
    services.undo_check_in(actor=manager, participant=participant)
    participant.refresh_from_db()
    assert (participant.checked_in_at, participant.checked_in_by) == (None, None)
    assert services.undo_check_in(actor=manager, participant=participant).checked_in_at is None


def test_check_in_by_token(assembly, resident, manager, tilleuls):
    participant = services.register(assembly=assembly, resident=resident)
    checked = services.check_in_by_token(
        actor=manager, assembly=assembly, token=participant.presence_code
    )
    assert checked.pk == participant.pk and checked.checked_in_at is not None
    assert (
        error_code(services.check_in_by_token, actor=manager, assembly=assembly, token="nope")
        == "unknown_code"
    )
    # Another assembly's code is unknown here.
    other = make_assembly(manager, tilleuls)
    assert (
        error_code(
            services.check_in_by_token,
            actor=manager,
            assembly=other,
            token=participant.presence_code,
        )
        == "unknown_code"
    )


def test_only_staff_check_in(assembly, resident, other_resident):
    participant = services.register(assembly=assembly, resident=resident)
    for call in (services.check_in, services.undo_check_in):
        with pytest.raises(PermissionDenied):
            call(actor=resident, participant=participant)
    with pytest.raises(PermissionDenied):
        services.check_in_by_token(
            actor=resident, assembly=assembly, token=participant.presence_code
        )


def test_attendance_counts_present_and_represented(assembly, manager):
    holder = present_member(assembly, resident_of(assembly), manager)
    giver = register_member(assembly, resident_of(assembly))
    register_member(assembly, resident_of(assembly))  # registered, absent, no proxy
    services.give_proxy(actor=manager, giver=giver, holder=holder)
    registered, quorum = services.attendance(assembly)
    assert (registered, quorum.present, quorum.represented) == (3, 1, 1)


# --- Proxies ------------------------------------------------------------------------------------


def test_a_proxy_from_an_absent_member_to_a_present_one(assembly, manager):
    holder = present_member(assembly, resident_of(assembly), manager)
    giver = register_member(assembly, resident_of(assembly))
    services.give_proxy(actor=manager, giver=giver, holder=holder)
    giver.refresh_from_db()
    assert giver.proxy_holder == holder

    services.withdraw_proxy(actor=manager, giver=giver)
    giver.refresh_from_db()
    assert giver.proxy_holder is None


def test_proxy_rules(assembly, manager, tilleuls):
    holder = present_member(assembly, resident_of(assembly), manager)
    present = present_member(assembly, resident_of(assembly), manager)
    absent = register_member(assembly, resident_of(assembly))
    absent_too = register_member(assembly, resident_of(assembly))

    def code(giver, holder, actor=manager):
        return error_code(services.give_proxy, actor=actor, giver=giver, holder=holder)

    assert code(present, holder) == "giver_present"
    assert code(absent, absent_too) == "holder_absent"
    assert code(holder, holder) == "same_member"
    elsewhere = make_assembly(manager, tilleuls)
    assert code(absent, present_member(elsewhere, resident_of(elsewhere), manager)) == "other"

    services.give_proxy(actor=manager, giver=absent, holder=holder)
    # One proxy per holder.
    assert code(absent_too, holder) == "one_proxy"
    with pytest.raises(PermissionDenied):
        services.give_proxy(actor=holder.user, giver=absent_too, holder=present)
    assert Participant.objects.filter(proxy_holder=holder).count() == 1


def test_one_proxy_per_holder_is_a_database_constraint(assembly, manager):
    holder = present_member(assembly, resident_of(assembly), manager)
    first, second = (register_member(assembly, resident_of(assembly)) for _ in range(2))
    Participant.objects.filter(pk=first.pk).update(proxy_holder=holder)
    with pytest.raises(IntegrityError), transaction.atomic():
        Participant.objects.filter(pk=second.pk).update(proxy_holder=holder)
    with pytest.raises(IntegrityError), transaction.atomic():
        Participant.objects.filter(pk=second.pk).update(proxy_holder=second)  # to oneself


def test_the_giver_arriving_takes_their_vote_back(assembly, manager):
    holder = present_member(assembly, resident_of(assembly), manager)
    giver = register_member(assembly, resident_of(assembly))
    services.give_proxy(actor=manager, giver=giver, holder=holder)
    services.check_in(actor=manager, participant=giver)
    giver.refresh_from_db()
    assert giver.proxy_holder is None
    _registered, quorum = services.attendance(assembly)
    assert (quorum.present, quorum.represented) == (2, 0)


def test_the_holder_leaving_makes_the_proxy_lapse(assembly, manager):
    holder = present_member(assembly, resident_of(assembly), manager)
    giver = register_member(assembly, resident_of(assembly))
    services.give_proxy(actor=manager, giver=giver, holder=holder)
    services.undo_check_in(actor=manager, participant=holder)
    giver.refresh_from_db()
    assert giver.proxy_holder is None
    _registered, quorum = services.attendance(assembly)
    assert (quorum.present, quorum.represented) == (0, 0)


# --- The session --------------------------------------------------------------------------------


def test_session_flow(assembly, manager):
    budget, jardin = assembly.items.order_by("sort_order")
    assert assembly.session_status == SessionStatus.NOT_STARTED
    # Nothing to move through before the session opens.
    assert error_code(services.go_to_item, actor=manager, assembly=assembly, item=jardin) == (
        "session_not_open"
    )
    opened = services.open_session(actor=manager, assembly=assembly)
    assert opened.session_status == SessionStatus.OPEN and opened.session_opened_at
    assert opened.current_item == budget
    assert services.open_session(actor=manager, assembly=assembly).current_item == budget

    assert services.next_item(actor=manager, assembly=assembly).current_item == jardin
    assert error_code(services.next_item, actor=manager, assembly=assembly) == "last_item"
    assert services.go_to_item(actor=manager, assembly=assembly, item=budget).current_item == (
        budget
    )

    motion = open_vote(assembly, manager)
    assert error_code(services.end_session, actor=manager, assembly=assembly) == "vote_open"
    assert error_code(services.next_item, actor=manager, assembly=assembly) == "vote_open"
    close(motion, manager)

    ended = services.end_session(actor=manager, assembly=assembly)
    assert ended.session_status == SessionStatus.ENDED and ended.session_ended_at
    assert services.end_session(actor=manager, assembly=assembly).session_status == "ended"
    assert error_code(services.open_session, actor=manager, assembly=assembly) == "ended"


def test_an_item_of_another_assembly_is_refused(assembly, manager, tilleuls):
    other = make_assembly(manager, tilleuls, items=["Ailleurs"])
    services.open_session(actor=manager, assembly=assembly)
    assert (
        error_code(services.go_to_item, actor=manager, assembly=assembly, item=other.items.get())
        == "other_item"
    )


def test_ending_the_session_closes_the_queue(assembly, manager, members):
    services.open_session(actor=manager, assembly=assembly)
    speaker, waiting, _ = members
    services.request_floor(actor=speaker.user, assembly=assembly)
    services.request_floor(actor=waiting.user, assembly=assembly)
    services.give_floor_to_next(actor=manager, assembly=assembly)
    services.end_session(actor=manager, assembly=assembly)
    assert dict(FloorRequest.objects.values_list("participant", "status")) == {
        speaker.pk: FloorStatus.DONE,
        waiting.pk: FloorStatus.WITHDRAWN,
    }


# --- Motions ------------------------------------------------------------------------------------


def test_create_a_for_against_motion(assembly, manager):
    services.open_session(actor=manager, assembly=assembly)
    motion = make_motion(assembly, manager, "  Adopte-t-on le budget ?  ")
    assert motion.question == "Adopte-t-on le budget ?"
    assert (motion.kind, motion.status, motion.majority) == ("for_against", "draft", "simple")
    assert motion.item == assembly.items.order_by("sort_order").first()  # the current item
    assert list(motion.options.values_list("label", "role", "is_abstention")) == [
        ("Pour", "for", False),
        ("Contre", "against", False),
        ("Abstention", "", True),
    ]


def test_create_a_motion_with_choices(assembly, manager):
    motion = make_motion(
        assembly,
        manager,
        "Que faire du terrain ?",
        kind=MotionKind.CHOICES,
        choices=[" Jardin ", "Bancs", "jardin", "", "Fresque"],
        majority="absolute",
        is_secret=True,
    )
    assert [o.label for o in motion.options.all()] == ["Jardin", "Bancs", "Fresque", "Abstention"]
    assert motion.is_secret and motion.majority == "absolute"


@pytest.mark.parametrize(
    "kwargs, code",
    [
        ({"question": "   "}, "no_question"),
        ({"question": "x" * 301}, "long_question"),
        ({"kind": "ranked"}, "bad_kind"),
        ({"majority": "unanimity"}, "bad_majority"),
        ({"kind": "choices", "choices": ["Seul"]}, "bad_choices"),
        ({"kind": "choices", "choices": ["Jardin", "JARDIN"]}, "bad_choices"),
        ({"kind": "choices", "choices": [str(n) for n in range(13)]}, "bad_choices"),
        ({"kind": "choices", "choices": ["Jardin", "x" * 121]}, "bad_choices"),
        # The abstention is always offered: as a choice it would be there twice.
        ({"kind": "choices", "choices": ["Jardin", "abstention"]}, "bad_choices"),
    ],
)
def test_motion_validation(assembly, manager, kwargs, code):
    kwargs = {"question": "Que faire ?", **kwargs}
    assert error_code(services.create_motion, actor=manager, assembly=assembly, **kwargs) == code
    assert not Motion.objects.exists()


def test_one_vote_open_at_a_time(assembly, manager):
    first = open_vote(assembly, manager, "Premier ?")
    second = make_motion(assembly, manager, "Second ?")
    assert error_code(services.open_motion, actor=manager, motion=second) == "other_open"
    assert services.open_motion(actor=manager, motion=first).status == "open"  # idempotent
    close(first, manager)
    assert error_code(services.open_motion, actor=manager, motion=first) == "closed"
    assert services.open_motion(actor=manager, motion=second).status == "open"


def test_one_open_motion_is_a_database_constraint(assembly, manager):
    first = open_vote(assembly, manager, "Premier ?")
    second = make_motion(assembly, manager, "Second ?")
    assert first.status == "open"
    with pytest.raises(IntegrityError), transaction.atomic():
        Motion.objects.filter(pk=second.pk).update(status=MotionStatus.OPEN)


def test_a_motion_opens_only_during_the_session(assembly, manager):
    motion = make_motion(assembly, manager)
    assert error_code(services.open_motion, actor=manager, motion=motion) == "session_not_open"


def test_only_present_members_vote(assembly, manager, resident, other_resident):
    motion = open_vote(assembly, manager)
    for_ = option(motion, "for").pk
    assert (
        error_code(services.cast_vote, actor=other_resident, motion=motion, option_id=for_)
        == "not_member"
    )
    services.register(assembly=assembly, resident=resident)
    assert (
        error_code(services.cast_vote, actor=resident, motion=motion, option_id=for_)
        == "not_present"
    )
    assert not Ballot.objects.exists()


def test_vote_change_and_same_vote_twice(assembly, manager, members):
    motion = open_vote(assembly, manager)
    amina = members[0]
    ballot, count = services.cast_vote(
        actor=amina.user, motion=motion, option_id=option(motion, "for").pk
    )
    assert count == 1 and ballot.option == option(motion, "for") and ballot.cast_by == amina
    again, count = services.cast_vote(
        actor=amina.user, motion=motion, option_id=option(motion, "for").pk
    )
    assert (again.pk, count) == (ballot.pk, 1)
    changed, count = services.cast_vote(
        actor=amina.user, motion=motion, option_id=option(motion, "against").pk
    )
    assert (changed.pk, count) == (ballot.pk, 1)
    assert Ballot.objects.get().option == option(motion, "against")
    _, count = services.cast_vote(
        actor=members[1].user, motion=motion, option_id=option(motion, "abstention").pk
    )
    assert count == 2


def test_a_vote_with_an_option_of_another_motion_is_refused(assembly, manager, members):
    draft = make_motion(assembly, manager, "Plus tard ?")
    motion = open_vote(assembly, manager)
    assert (
        error_code(
            services.cast_vote,
            actor=members[0].user,
            motion=motion,
            option_id=option(draft, "for").pk,
        )
        == "bad_option"
    )


def test_no_vote_on_a_draft_or_closed_motion(assembly, manager, members):
    draft = make_motion(assembly, manager, "Plus tard ?")
    amina = members[0].user
    assert (
        error_code(services.cast_vote, actor=amina, motion=draft, option_id=option(draft, "for").pk)
        == "not_open"
    )
    motion = open_vote(assembly, manager)
    vote(amina, motion, "for")
    close(motion, manager)
    assert (
        error_code(
            services.cast_vote, actor=amina, motion=motion, option_id=option(motion, "against").pk
        )
        == "not_open"
    )
    assert Ballot.objects.get().option == option(motion, "for")


def test_the_holder_votes_for_the_giver(assembly, manager):
    holder = present_member(assembly, resident_of(assembly), manager)
    giver = register_member(assembly, resident_of(assembly))
    stranger = register_member(assembly, resident_of(assembly))
    services.give_proxy(actor=manager, giver=giver, holder=holder)
    motion = open_vote(assembly, manager)
    vote(holder.user, motion, "for")
    proxy_ballot = vote(holder.user, motion, "against", on_behalf_of=giver)
    assert (proxy_ballot.voter, proxy_ballot.cast_by) == (giver, holder)
    assert (
        error_code(
            services.cast_vote,
            actor=holder.user,
            motion=motion,
            option_id=option(motion, "for").pk,
            on_behalf_of=stranger.pk,
        )
        == "no_proxy"
    )
    # A giver who may not vote: absent, and not the holder.
    assert (
        error_code(
            services.cast_vote, actor=giver.user, motion=motion, option_id=option(motion, "for").pk
        )
        == "not_present"
    )
    # Voting "for oneself" explicitly is the member's own vote.
    own = vote(holder.user, motion, "abstention", on_behalf_of=holder)
    assert own.voter == holder
    motion = close(motion, manager)
    assert motion.result["cast"] == 2
    assert motion.result["quorum"]["represented"] == 1


def test_a_member_who_gave_a_proxy_cannot_be_given_one_after_voting(assembly, manager):
    """A member who voted, then left: their ballot stands, no proxy for the same vote."""
    holder = present_member(assembly, resident_of(assembly), manager)
    leaving = present_member(assembly, resident_of(assembly), manager)
    motion = open_vote(assembly, manager)
    vote(leaving.user, motion, "for")
    services.undo_check_in(actor=manager, participant=leaving)
    assert error_code(services.give_proxy, actor=manager, giver=leaving, holder=holder) == "voted"
    close(motion, manager)
    services.give_proxy(actor=manager, giver=leaving, holder=holder)  # for the next votes


def test_close_computes_and_stores_the_result_with_the_quorum(manager, tilleuls):
    assembly = make_assembly(manager, tilleuls, quorum_kind="share", quorum_value=50)
    voters = [present_member(assembly, resident_of(assembly), manager) for _ in range(3)]
    absent = [register_member(assembly, resident_of(assembly)) for _ in range(3)]
    services.give_proxy(actor=manager, giver=absent[0], holder=voters[0])
    motion = open_vote(assembly, manager, majority="two_thirds")
    vote(voters[0].user, motion, "for")
    vote(voters[0].user, motion, "for", on_behalf_of=absent[0])
    vote(voters[1].user, motion, "against")
    vote(voters[2].user, motion, "abstention")
    motion = close(motion, manager)
    assert motion.status == "closed" and motion.closed_at is not None
    result = Motion.objects.get(pk=motion.pk).result
    assert result["outcome"] == "adopted"  # 2 of 3 expressed: exactly two thirds
    assert result["winner"] == option(motion, "for").pk
    assert result["quorum"] == {"required": 3, "present": 3, "represented": 1, "reached": True}
    assert result["registered"] == 6
    assert (result["cast"], result["expressed"]) == (4, 3)
    assert [t["votes"] for t in result["tallies"]] == [2, 1, 1]
    # Closing again changes nothing (the record is never recomputed).
    assert close(motion, manager).result == result


def test_without_quorum_the_vote_is_recorded_but_decides_nothing(manager, tilleuls):
    assembly = make_assembly(manager, tilleuls, quorum_kind="count", quorum_value=5)
    voter = present_member(assembly, resident_of(assembly), manager)
    motion = open_vote(assembly, manager)
    vote(voter.user, motion, "for")
    result = close(motion, manager).result
    assert (result["outcome"], result["winner"]) == ("no_quorum", None)
    assert result["quorum"]["reached"] is False
    assert [t["votes"] for t in result["tallies"]] == [1, 0, 0]


def test_votes_by_college(manager, tilleuls, partner):
    assembly = make_assembly(
        manager, tilleuls, colleges=[("Habitants", 2), ("Collectivités", 1), ("Bailleurs", 1)]
    )
    habitants = [present_member(assembly, resident_of(assembly), manager) for _ in range(4)]
    bailleur = present_member(
        assembly, partner, manager, college=assembly.colleges.get(name="Bailleurs")
    )
    motion = open_vote(assembly, manager)
    for member in habitants:
        vote(member.user, motion, "for")
    vote(bailleur.user, motion, "against")
    result = close(motion, manager).result
    # 2 to 1: the collectivités cast nothing and are left out.
    assert result["weighted"] is True and result["outcome"] == "adopted"
    assert [t["share"] for t in result["tallies"]] == [66.7, 33.3, 0.0]


@pytest.mark.parametrize("is_secret", [True, False])
def test_secret_ballot_forgets_the_choices_at_closing(assembly, manager, members, is_secret):
    motion = open_vote(
        assembly,
        manager,
        "Qui pour le bureau ?",
        kind=MotionKind.CHOICES,
        choices=["Sami", "Léa"],
        is_secret=is_secret,
    )
    vote(members[0].user, motion, "Sami")
    vote(members[1].user, motion, "Sami")
    vote(members[2].user, motion, "Léa")
    result = close(motion, manager).result
    assert (result["outcome"], result["winner"]) == ("chosen", option(motion, "Sami").pk)
    assert [t["votes"] for t in result["tallies"]] == [2, 1, 0]
    ballots = Ballot.objects.filter(motion=motion)
    assert ballots.count() == 3  # who took part is kept
    if is_secret:
        assert set(ballots.values_list("option", flat=True)) == {None}
    else:
        assert dict(ballots.values_list("voter", "option")) == {
            members[0].pk: option(motion, "Sami").pk,
            members[1].pk: option(motion, "Sami").pk,
            members[2].pk: option(motion, "Léa").pk,
        }


def test_ties(assembly, manager, members):
    motion = open_vote(assembly, manager)
    vote(members[0].user, motion, "for")
    vote(members[1].user, motion, "against")
    assert close(motion, manager).result["outcome"] == "rejected"
    motion = open_vote(assembly, manager, "Où ?", kind="choices", choices=["Ici", "Là"])
    vote(members[0].user, motion, "Ici")
    vote(members[1].user, motion, "Là")
    vote(members[2].user, motion, "abstention")
    assert close(motion, manager).result["outcome"] == "no_decision"


def test_a_vote_with_no_ballot(assembly, manager):
    motion = open_vote(assembly, manager)
    assert close(motion, manager).result["outcome"] == "no_votes"


# --- The speakers' queue ------------------------------------------------------------------------


def test_floor_queue(assembly, manager, members):
    services.open_session(actor=manager, assembly=assembly)
    first, second, third = members
    request = services.request_floor(actor=first.user, assembly=assembly)
    assert services.request_floor(actor=first.user, assembly=assembly).pk == request.pk
    services.request_floor(actor=second.user, assembly=assembly)
    services.request_floor(actor=third.user, assembly=assembly)
    assert services.withdraw_floor_request(actor=third.user, assembly=assembly) == 1
    assert services.withdraw_floor_request(actor=third.user, assembly=assembly) == 0

    given = services.give_floor_to_next(actor=manager, assembly=assembly)
    assert (given.participant, given.status) == (first, FloorStatus.SPEAKING)
    # The next one ends the current speaker's turn.
    given = services.give_floor_to_next(actor=manager, assembly=assembly)
    assert given.participant == second
    assert FloorRequest.objects.get(participant=first).status == FloorStatus.DONE
    assert services.end_floor(actor=manager, assembly=assembly) is True
    assert services.end_floor(actor=manager, assembly=assembly) is False
    assert (
        error_code(services.give_floor_to_next, actor=manager, assembly=assembly) == "queue_empty"
    )
    # A member who has spoken may ask again.
    again = services.request_floor(actor=first.user, assembly=assembly)
    assert again.pk != request.pk
    done = FloorRequest.objects.get(participant=second)
    assert error_code(services.give_floor, actor=manager, request=done) == "not_waiting"


def test_the_floor_is_given_to_a_chosen_request(assembly, manager, members):
    services.open_session(actor=manager, assembly=assembly)
    requests = [services.request_floor(actor=m.user, assembly=assembly) for m in members]
    services.give_floor(actor=manager, request=requests[2])
    assert services.give_floor(actor=manager, request=requests[2]).status == "speaking"
    services.give_floor(actor=manager, request=requests[1])
    assert list(FloorRequest.objects.order_by("pk").values_list("status", flat=True)) == [
        "waiting",
        "speaking",
        "done",
    ]


def test_only_present_members_ask_for_the_floor_during_the_session(
    assembly, manager, resident, members
):
    assert (
        error_code(services.request_floor, actor=members[0].user, assembly=assembly)
        == "not_present"
    )
    services.open_session(actor=manager, assembly=assembly)
    services.register(assembly=assembly, resident=resident)
    assert error_code(services.request_floor, actor=resident, assembly=assembly) == "not_present"


def test_one_speaker_and_one_live_request_are_database_constraints(assembly, manager, members):
    services.open_session(actor=manager, assembly=assembly)
    first, second, _ = (services.request_floor(actor=m.user, assembly=assembly) for m in members)
    services.give_floor(actor=manager, request=first)
    with pytest.raises(IntegrityError), transaction.atomic():
        FloorRequest.objects.filter(pk=second.pk).update(status=FloorStatus.SPEAKING)
    with pytest.raises(IntegrityError), transaction.atomic():
        FloorRequest.objects.create(assembly=assembly, participant=members[1])


# --- The chair's permissions --------------------------------------------------------------------


@pytest.mark.parametrize("who", ["resident_member", "other_resident", "partner"])
def test_chair_actions_are_refused_to_others(assembly, manager, members, request, who):
    actor = members[0].user if who == "resident_member" else request.getfixturevalue(who)
    services.open_session(actor=manager, assembly=assembly)
    motion = make_motion(assembly, manager)
    services.request_floor(actor=members[1].user, assembly=assembly)
    floor_request = FloorRequest.objects.get()
    item = assembly.items.last()
    calls = [
        (services.open_session, {"assembly": assembly}),
        (services.go_to_item, {"assembly": assembly, "item": item}),
        (services.next_item, {"assembly": assembly}),
        (services.create_motion, {"assembly": assembly, "question": "Pirate ?"}),
        (services.open_motion, {"motion": motion}),
        (services.close_motion, {"motion": motion}),
        (services.give_floor, {"request": floor_request}),
        (services.give_floor_to_next, {"assembly": assembly}),
        (services.end_floor, {"assembly": assembly}),
        (services.end_session, {"assembly": assembly}),
        (services.check_in, {"participant": members[2]}),
        (services.undo_check_in, {"participant": members[2]}),
        (services.register_at_desk, {"assembly": assembly, "user": UserFactory()}),
        (services.withdraw_proxy, {"giver": members[2]}),
        (
            services.create_assembly,
            {
                "neighbourhood": assembly.neighbourhood,
                "title": "X",
                "starts_at": in_days(3),
                "place": "Y",
            },
        ),
    ]
    for call, kwargs in calls:
        with pytest.raises(PermissionDenied):
            call(actor=actor, **kwargs)
    assembly.refresh_from_db()
    motion.refresh_from_db()
    assert assembly.session_status == "open" and assembly.current_item == assembly.items.first()
    assert motion.status == "draft" and Motion.objects.count() == 1
    assert FloorRequest.objects.get().status == "waiting"


# --- The idea's history -------------------------------------------------------------------------


@pytest.fixture
def proposal(resident):
    return ProposalFactory(author=resident, title="Des bancs au square")


def assembly_on(manager, tilleuls, proposal, **fields):
    return make_assembly(
        manager,
        tilleuls,
        title="Assemblée de printemps",
        items=[{"title": "Les bancs", "proposal": proposal}],
        **fields,
    )


@pytest.mark.parametrize(
    "choice, status, words", [("for", "accepted", "Retenue"), ("against", "rejected", "Non ret")]
)
def test_a_vote_on_an_idea_enters_its_history(manager, tilleuls, proposal, choice, status, words):
    assembly = assembly_on(manager, tilleuls, proposal)
    member = present_member(assembly, resident_of(assembly), manager)
    motion = open_vote(assembly, manager, "Installe-t-on les bancs ?")
    vote(member.user, motion, choice)
    close(motion, manager)
    proposal.refresh_from_db()
    assert proposal.status == status
    step = StatusChange.objects.filter(proposal=proposal).latest("created_at")
    assert step.to_status == status and step.actor == manager
    assert step.answer.startswith(words)
    assert "Assemblée de printemps" in step.answer
    opened = timezone.localdate(assembly.__class__.objects.get(pk=assembly.pk).session_opened_at)
    from django.utils.formats import date_format

    assert date_format(opened, "j F Y") in step.answer


def test_no_quorum_records_nothing_in_the_idea_history(manager, tilleuls, proposal):
    assembly = assembly_on(manager, tilleuls, proposal, quorum_kind="count", quorum_value=10)
    member = present_member(assembly, resident_of(assembly), manager)
    before = StatusChange.objects.filter(proposal=proposal).count()
    motion = open_vote(assembly, manager)
    vote(member.user, motion, "for")
    assert close(motion, manager).result["outcome"] == "no_quorum"
    proposal.refresh_from_db()
    assert proposal.status == "published"
    assert StatusChange.objects.filter(proposal=proposal).count() == before


def test_a_choice_between_options_records_nothing_in_the_idea_history(manager, tilleuls, proposal):
    assembly = assembly_on(manager, tilleuls, proposal)
    member = present_member(assembly, resident_of(assembly), manager)
    before = StatusChange.objects.filter(proposal=proposal).count()
    motion = open_vote(assembly, manager, "Où ?", kind="choices", choices=["Ici", "Là"])
    vote(member.user, motion, "Ici")
    close(motion, manager)
    assert StatusChange.objects.filter(proposal=proposal).count() == before
