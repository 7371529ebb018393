"""Deleting an account anonymises: every tally stays, the person's name goes.

Amina proposes, comments, supports, volunteers (past and future shifts), attends an
assembly and votes (open and secret ballots); she deletes her account. Support counts,
volunteer statistics and assembly results are the same before and after; her name is on
no public page, API response, staff roster nor export; « Ancien compte » stands where
her contributions are.
"""

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from civic.accounts.services import delete_account
from civic.assemblies import services as assemblies
from civic.assemblies.models import Ballot, Motion, Participant
from civic.proposals import services as proposals
from civic.proposals.models import Comment, Follow, Notification, Proposal, Support
from civic.territory.models import Neighbourhood
from civic.volunteering import services as volunteering
from civic.volunteering.admin_views import annotate_statistics, staff_url
from civic.volunteering.models import Action, CalendarFeed, Shift, Signup
from tests.assemblies_factories import close, make_assembly, open_vote, present_member, vote
from tests.factories import ProposalFactory, ShiftFactory

pytestmark = pytest.mark.django_db

NAME = "Amina B."
FORMER = "Ancien compte"


def _past(shift, *, days=2):
    start = timezone.now() - timedelta(days=days)
    Shift.objects.filter(pk=shift.pk).update(starts_at=start, ends_at=start + timedelta(hours=3))
    shift.refresh_from_db()
    return shift


@pytest.fixture
def amina_everywhere(resident, other_resident, manager, tilleuls, site_tree):
    own = ProposalFactory(author=resident, title="Des bancs au square")
    theirs = ProposalFactory(author=other_resident, title="Un composteur")
    proposals.support_proposal(proposal=theirs, resident=resident)
    proposals.support_proposal(proposal=own, resident=other_resident)
    proposals.follow_proposal(proposal=theirs, resident=resident)
    comment = proposals.add_comment(proposal=theirs, author=resident, body="Bonne idée !")
    proposals.add_comment(proposal=theirs, author=other_resident, body="Merci", parent=comment)

    past = ShiftFactory(action__neighbourhood=tilleuls, capacity=2)
    past_signup = volunteering.sign_up(shift=past, actor=resident)
    volunteering.record_attendance(signup=past_signup, actor=manager, present=True)
    _past(past)
    future = ShiftFactory(action=past.action, capacity=1)
    volunteering.sign_up(shift=future, actor=resident)
    waiting = volunteering.sign_up(shift=future, actor=other_resident)
    CalendarFeed.objects.create(user=resident)

    assembly = make_assembly(manager, tilleuls)
    present_member(assembly, resident, manager)
    present_member(assembly, other_resident, manager)
    motion = open_vote(assembly, manager)
    vote(resident, motion, "for")
    vote(other_resident, motion, "against")
    open_ballot = close(motion, manager)
    secret = open_vote(assembly, manager, "Élit-on Marcel ?", is_secret=True)
    vote(resident, secret, "for")
    secret = close(secret, manager)
    upcoming = make_assembly(manager, tilleuls, title="Assemblée d'automne")
    assemblies.register(assembly=upcoming, resident=resident)
    return {
        "own": own,
        "theirs": theirs,
        "past": past,
        "future": future,
        "waiting": waiting,
        "assembly": assembly,
        "motions": [open_ballot, secret],
        "upcoming": upcoming,
    }


def _tallies(data):
    proposal_counts = {
        p.pk: (p.support_count, p.comment_count)
        for p in Proposal.objects.with_counts().order_by("pk")
    }
    stats = [
        (a.pk, a.shift_count, a.taken, a.present, a.absent, a.given)
        for a in annotate_statistics(Action.objects.all(), by="action").order_by("pk")
    ] + [
        (n.pk, n.shift_count, n.taken, n.present, n.given)
        for n in annotate_statistics(Neighbourhood.objects.all(), by="neighbourhood")
    ]
    assembly = data["assembly"]
    registered, quorum = assemblies.attendance(assembly)
    results = list(Motion.objects.filter(assembly=assembly).order_by("pk").values("result"))
    ballots = Ballot.objects.filter(motion__assembly=assembly).count()
    return proposal_counts, stats, (registered, quorum.present), results, ballots


def test_deleting_keeps_every_tally_and_removes_the_name(
    amina_everywhere, resident, other_resident, manager, client
):
    data = amina_everywhere
    before = _tallies(data)
    resident_pk = resident.pk

    delete_account(user=resident)

    # The future place went to the waitlist; the past hours stay; counts unchanged.
    data["waiting"].refresh_from_db()
    assert data["waiting"].status == Signup.Status.CONFIRMED
    after = _tallies(data)
    assert after[0] == before[0]  # supports and comments per idea
    assert after[2:] == before[2:]  # assembly turnout, results, ballots
    # Volunteer statistics: the same hours and attendance; the future place, freed then
    # taken by the waitlist, is still one place taken (and the waitlist one shorter).
    assert after[1] == before[1]

    anonymous_signup = Signup.objects.get(shift=data["past"])
    assert anonymous_signup.is_anonymised and anonymous_signup.person_name == FORMER
    assert Support.objects.filter(resident__isnull=True).count() == 1
    assert not Follow.objects.filter(resident_id=resident_pk).exists()
    assert not Notification.objects.filter(recipient_id=resident_pk).exists()
    assert not CalendarFeed.objects.filter(user_id=resident_pk).exists()
    assert Participant.objects.filter(assembly=data["assembly"], user__isnull=True).count() == 1
    # Not yet started: the registration is withdrawn, not left as a ghost.
    assert not data["upcoming"].participants.exists()
    assert Comment.objects.get(body="Bonne idée !").author_name == FORMER
    assert Proposal.objects.get(pk=data["own"].pk).author_name == FORMER

    # Public pages and the API.
    own_page = client.get(data["own"].get_absolute_url()).content.decode()
    theirs_page = client.get(data["theirs"].get_absolute_url()).content.decode()
    assert FORMER in own_page and FORMER in theirs_page
    for body in (own_page, theirs_page, client.get("/idees/").content.decode()):
        assert NAME not in body
    for url in (
        f"/api/proposals/{data['own'].pk}/",
        f"/api/proposals/{data['theirs'].pk}/comments/",
        "/api/proposals/",
    ):
        response = client.get(url)
        assert response.status_code == 200
        assert NAME not in response.content.decode()

    # Staff: the roster (HTML and CSV) shows the anonymised past sign-up.
    client.force_login(manager)
    roster = client.get(staff_url("roster", data["past"].pk))
    assert roster.status_code == 200
    assert FORMER in roster.content.decode() and NAME not in roster.content.decode()
    csv = client.get(staff_url("roster_csv", data["past"].pk)).content.decode()
    assert FORMER in csv and NAME not in csv

    # Another resident's export names nobody else.
    client.force_login(other_resident)
    exported = client.post("/mon-compte/mes-donnees/").content.decode()
    assert NAME not in exported and "amina@example.org" not in exported
    json.loads(exported)


def test_deleting_through_the_page_anonymises(client, resident, tilleuls, site_tree):
    from tests.factories import PASSWORD

    proposal = ProposalFactory(author=resident)
    client.force_login(resident)
    response = client.post("/mon-compte/supprimer/", {"password": PASSWORD})
    assert response.status_code == 302
    proposal.refresh_from_db()
    assert proposal.author is None
    assert FORMER in client.get(proposal.get_absolute_url()).content.decode()
